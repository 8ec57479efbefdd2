// Which way a query command reads provenance:
//   --server URL                     the server (remote)
//   --db URL|FOLDER                  the store directly (direct)
//   $KISEKI_SERVER                   remote
//   $KISEKI_DB                       direct
//   credentials.json (kiseki login)  remote
//   nothing                          direct: the embedded database
// Direct reading is as the store's admin, right for one's own embedded
// database; on a shared server only the server may decide who sees what,
// so there the CLI asks it, with the saved API token.
import type { Command } from 'commander';
import { CliError, usageError } from '../errors.js';
import { ApiClient, normalizeServer } from './api-client.js';
import { readCredentials } from './credentials.js';

export interface ServerFlags {
  server?: string;
  db?: string;
}

export const MODE_HELP = `
Where it reads: with --server URL, $KISEKI_SERVER, or after \`kiseki login\`
(and no --db / $KISEKI_DB), it asks that Kiseki server, signed in with the
saved API token ($KISEKI_TOKEN overrides it), and shows only what you may see.
Otherwise it opens the store directly (--db, $KISEKI_DB, or the embedded
database) as its owner, who sees everything.`;

/** Adds --server to a query command (which also has --db) and says which mode applies. */
export function withServerOption(cmd: Command): Command {
  return cmd
    .option('--server <url>', 'ask this Kiseki server (default: $KISEKI_SERVER, else the one of `kiseki login` unless --db is given)')
    .addHelpText('after', MODE_HELP);
}

/** Adds --server to a command that only works against a server. */
export function withServerOnly(cmd: Command): Command {
  return cmd
    .option('--server <url>', 'the Kiseki server (default: $KISEKI_SERVER, else the one of `kiseki login`)')
    .addHelpText('after', '\nThis command asks a Kiseki server, signed in with the API token `kiseki login` saved ($KISEKI_TOKEN overrides it).');
}

const sameServer = (a: string, b: string) => normalizeServer(a) === normalizeServer(b);

/** The client for a query command, or undefined for direct mode. */
export function remoteFor(flags: ServerFlags, env: NodeJS.ProcessEnv = process.env): ApiClient | undefined {
  if (flags.server !== undefined && flags.db !== undefined) throw usageError('give --server or --db, not both');
  if (flags.db !== undefined) return undefined;
  if (flags.server !== undefined) return clientFor(flags.server, env);
  if (env.KISEKI_SERVER) return clientFor(env.KISEKI_SERVER, env);
  if (env.KISEKI_DB) return undefined;
  const creds = readCredentials();
  return creds ? new ApiClient({ server: creds.server, token: env.KISEKI_TOKEN || creds.token }) : undefined;
}

/** The client for a command that needs a server. */
export function requireServer(flags: { server?: string }, env: NodeJS.ProcessEnv = process.env): ApiClient {
  const server = flags.server ?? (env.KISEKI_SERVER || undefined);
  if (server !== undefined) return clientFor(server, env);
  const creds = readCredentials();
  if (creds) return new ApiClient({ server: creds.server, token: env.KISEKI_TOKEN || creds.token });
  throw new CliError('E_NO_SERVER', 'this command needs a Kiseki server: sign in with `kiseki login --server URL`, or give --server URL');
}

/** A client for `server`, with the saved token when it was saved for that server. */
function clientFor(server: string, env: NodeJS.ProcessEnv): ApiClient {
  const creds = readCredentials();
  const token = env.KISEKI_TOKEN || (creds && sameServer(creds.server, server) ? creds.token : undefined);
  return new ApiClient({ server, ...(token ? { token } : {}) });
}
