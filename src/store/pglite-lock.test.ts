import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCK_FILE, lockPglite, pgliteLockHolder } from './pglite-lock.js';

describe('PGlite folder lock', () => {
  const dirs: string[] = [];
  const fresh = () => {
    const d = mkdtempSync(join(tmpdir(), 'kiseki-lock-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('takes the lock, and releases it', () => {
    const dir = fresh();
    const lock = lockPglite(dir);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('refuses a folder a live process holds, with E_STORE_LOCKED', async () => {
    const dir = fresh();
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      writeFileSync(join(dir, LOCK_FILE), `${other.pid}\n`);
      expect(pgliteLockHolder(dir)).toBe(other.pid);
      expect(() => lockPglite(dir)).toThrow(expect.objectContaining({ code: 'E_STORE_LOCKED', message: expect.stringContaining(`process ${other.pid}`) }));
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('takes over a stale lock (its process is gone)', async () => {
    const dir = fresh();
    const gone = spawn('true', [], { stdio: 'ignore' });
    await new Promise((r) => gone.on('exit', r));
    writeFileSync(join(dir, LOCK_FILE), `${gone.pid}\n`);
    expect(pgliteLockHolder(dir)).toBeUndefined();
    const lock = lockPglite(dir);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
    lock.release();
  });
});
