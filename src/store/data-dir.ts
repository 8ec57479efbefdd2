import { homedir } from 'node:os';
import { join } from 'node:path';

/** $XDG_DATA_HOME/kiseki, else ~/.local/share/kiseki. */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_DATA_HOME;
  return join(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.local', 'share'), 'kiseki');
}

/** The embedded database's folder inside the data dir. */
export function defaultPgliteDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(dataDir(env), 'db');
}
