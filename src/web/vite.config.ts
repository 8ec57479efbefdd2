// The web UI: built by `npm run build:web` into dist/web, which `kiseki serve`
// serves. `npx vite --config src/web/vite.config.ts` runs a dev server that
// sends /api to a running `kiseki serve` (KISEKI_API, default 127.0.0.1:8080).
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../../dist/web', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  server: { proxy: { '/api': process.env.KISEKI_API ?? 'http://127.0.0.1:8080' } },
});
