// <dataDir>/server.json: a running `kiseki serve` says where it is, so that
// `kiseki run` on the same embedded database (PGlite: one process) sends its
// events to it. Light on purpose: `kiseki run` reads it at start.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const SERVER_FILE = 'server.json';

export interface ServerInfo {
  url: string;
  pid: number;
  startedAt: string;
  /** What it serves: the PGlite folder (absolute) or the PostgreSQL URL without password. */
  db: string;
  embedded: boolean;
  version: string;
  /** Bearer secret that makes this machine's `kiseki run` the local admin (the file is mode 0600). */
  token?: string;
}

export function readServerInfo(dataDir: string): ServerInfo | undefined {
  const file = join(dataDir, SERVER_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as ServerInfo;
    if (typeof info.url !== 'string' || typeof info.pid !== 'number') return undefined;
    return info;
  } catch {
    return undefined;
  }
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The live server of this data dir; with `db` (a PGlite folder), only if it serves that folder. */
export function runningServer(dataDir: string, db?: string): ServerInfo | undefined {
  const info = readServerInfo(dataDir);
  if (!info || !processAlive(info.pid)) return undefined;
  if (db !== undefined && (!info.embedded || resolve(db) !== info.db)) return undefined;
  return info;
}
