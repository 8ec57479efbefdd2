import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../core/config.js';
import type { TraceEvent } from '../core/trace-event.js';
import { ptraceBackend } from '../tracer/ptrace/strace-backend.js';
import { runTraced } from './local-run.js';

describe('runTraced', () => {
  it('keeps the command and its exit status when kiseki itself fails mid-run', async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'kiseki-run-')));
    const events: TraceEvent[] = [];
    const stderr: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => { stderr.push(String(chunk)); return true; }) as typeof process.stderr.write;
    try {
      const result = await runTraced({
        file: '/bin/sh', argv: ['sh', '-c', 'echo x > a.txt; echo y > b.txt; exit 5'], cwd: dir, env: process.env,
        backend: ptraceBackend, config: loadConfig({ dataDir: dir }, { HOME: dir, XDG_CONFIG_HOME: dir }),
        // A sink that breaks on the first file event, as a full disk would.
        sink: (e) => {
          if (e.type === 'file.access' && !events.some((x) => x.type === 'file.access')) {
            events.push(e);
            throw new Error('disk full');
          }
          events.push(e);
        },
      });
      expect(result.exitCode).toBe(5);
      expect(result.lostEvents).toBeGreaterThan(0);
    } finally {
      process.stderr.write = write;
    }
    expect(stderr.join('')).toContain('internal error; this run\'s trace is incomplete, the command goes on: disk full');
    expect(events.at(-1)).toMatchObject({ type: 'run.end', exitCode: 5, complete: false });
  });
});
