// PGlite is single-process and takes no lock of its own: two processes that
// open the same folder both succeed and then corrupt it. So the store takes
// one: `<dir>/kiseki.lock` holds the owner's pid, created exclusively. A lock
// whose process is gone (kill -9) is stale and taken over. The same process
// may open the folder again (tests reopen stores).
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StoreError } from './errors.js';

export const LOCK_FILE = 'kiseki.lock';

export interface PgliteLock {
  readonly path: string;
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid holding the folder, if a live process other than this one does. */
export function pgliteLockHolder(dir: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, LOCK_FILE), 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number(/^\d+/.exec(text)?.[0] ?? NaN);
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid || !alive(pid)) return undefined;
  return pid;
}

export function lockPglite(dir: string): PgliteLock {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      return { path, release: () => releaseIfOurs(path) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new StoreError('E_STORE_OPEN', `cannot lock the embedded database at ${dir}: ${(err as Error).message}`);
      }
    }
    const holder = pgliteLockHolder(dir);
    if (holder !== undefined) {
      throw new StoreError('E_STORE_LOCKED',
        `the embedded database at ${dir} is in use by process ${holder} (PGlite allows one process at a time: ` +
        'a running `kiseki serve` or another kiseki command holds it); use PostgreSQL (--db postgres://…) for concurrent use');
    }
    // Stale (its process is gone) or our own: take it over.
    try {
      const own = readFileSync(path, 'utf8').startsWith(`${process.pid}\n`);
      if (own) return { path, release: () => releaseIfOurs(path) };
      unlinkSync(path);
    } catch {
      /* raced with another process: try again */
    }
  }
  throw new StoreError('E_STORE_LOCKED', `the embedded database at ${dir} is being opened by another process; try again`);
}

function releaseIfOurs(path: string): void {
  try {
    if (readFileSync(path, 'utf8').startsWith(`${process.pid}\n`)) unlinkSync(path);
  } catch {
    /* already gone */
  }
}
