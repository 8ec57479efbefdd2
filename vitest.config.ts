import { defineConfig } from 'vitest/config';

// Tracer tests start real processes under real eBPF and strace: they are slow
// and share the machine, so files run one at a time.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'src/web/**/*.test.tsx', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
