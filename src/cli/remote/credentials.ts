// Where `kiseki login` keeps what it got: { server, token, user } in
// $XDG_CONFIG_HOME/kiseki/credentials.json (default ~/.config). The token
// is as good as the password for reading this person's provenance, so the
// file is 0600 in a 0700 folder, written whole (temp file + rename) so that
// a reader never sees half of it, and never holds the password.
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError } from '../errors.js';

export interface Credentials {
  /** The server's origin, e.g. https://kiseki.example.org */
  server: string;
  /** An API token (ksu_…). */
  token: string;
  /** Who the token signs in as, for `kiseki whoami` without a request. */
  user: string;
  /** The token's id on the server (to revoke it at logout). */
  tokenId?: number;
  savedAt?: string;
}

export function credentialsFile(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'kiseki', 'credentials.json');
}

/** The saved credentials, or undefined when there are none. A damaged file is an error, not "signed out". */
export function readCredentials(file = credentialsFile()): Credentials | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError('E_CREDENTIALS', `cannot read ${file}: ${(err as Error).message}`);
  }
  let c: Partial<Credentials>;
  try {
    c = JSON.parse(text) as Partial<Credentials>;
  } catch {
    throw new CliError('E_CREDENTIALS', `${file} is not valid JSON; remove it and sign in again (kiseki login)`);
  }
  if (typeof c.server !== 'string' || typeof c.token !== 'string' || typeof c.user !== 'string') {
    throw new CliError('E_CREDENTIALS', `${file} lacks server, token or user; remove it and sign in again (kiseki login)`);
  }
  return c as Credentials;
}

export function writeCredentials(c: Credentials, file = credentialsFile()): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // An existing folder may have been made with the umask's mode.
  chmodSync(dir, 0o700);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(c, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

export function removeCredentials(file = credentialsFile()): boolean {
  try {
    rmSync(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new CliError('E_CREDENTIALS', `cannot remove ${file}: ${(err as Error).message}`);
  }
}
