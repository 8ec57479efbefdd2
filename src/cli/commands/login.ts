// `kiseki login`, `kiseki logout`, `kiseki whoami`: an API token for this
// person on this machine, kept in credentials.json (remote/credentials.ts).
// The password goes to the server once, in the sign-in request, and is
// kept nowhere: not in the file, not in any message.
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { CliError, usageError } from '../errors.js';
import { positiveInt } from '../options.js';
import { out, printJson, safe } from '../output.js';
import { ApiClient, normalizeServer, RemoteError } from '../remote/api-client.js';
import { credentialsFile, readCredentials, removeCredentials, writeCredentials, type Credentials } from '../remote/credentials.js';
import { Prompter } from '../remote/prompt.js';
import { loginError } from '../remote/login-error.js';
import { getSession, type ApiUser } from '../remote/session.js';
import { requireServer, withServerOnly } from '../remote/server-mode.js';

interface LoginOptions {
  server?: string;
  user?: string;
  tokenStdin?: boolean;
  expiresDays?: number;
}

/** The server to sign in to: --server, $KISEKI_SERVER, or the one signed in to before. */
function loginServer(flags: LoginOptions): string {
  const s = flags.server ?? (process.env.KISEKI_SERVER || undefined) ?? readCredentials()?.server;
  if (s === undefined) throw usageError('which server? kiseki login --server https://kiseki.example.org');
  return normalizeServer(s);
}

/** http:// to another machine: what is sent can be read on the way. */
function plainHttpElsewhere(server: string): boolean {
  const u = new URL(server);
  return u.protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(u.hostname) && !u.hostname.startsWith('127.');
}

/** The id of the token we are signed in with (to revoke it at logout). */
async function tokenIdOf(api: ApiClient, token: string): Promise<number | undefined> {
  const s = await getSession(api, token);
  return typeof s.tokenId === 'number' ? s.tokenId : undefined;
}

/** The token from standard input (not echoed when typed at a terminal). */
function readToken(): Promise<string> {
  const p = new Prompter();
  return p.secret('API token: ').finally(() => p.close());
}

/** Signing in again replaces the saved token: the old one is revoked, not left valid on the server. */
async function revokeReplaced(old: Credentials | undefined, token: string): Promise<void> {
  if (!old || old.token === token) return;
  try {
    const api = new ApiClient({ server: old.server, token: old.token });
    const id = old.tokenId ?? (await tokenIdOf(api, old.token));
    if (id !== undefined) await api.delete(`/api/v1/tokens/${id}`);
  } catch {
    // Already revoked or expired, or its server is gone: nothing left to do.
  }
}

async function login(opts: LoginOptions): Promise<void> {
  const server = loginServer(opts);
  const api = new ApiClient({ server });
  let token: string;
  let user: ApiUser;
  if (opts.tokenStdin) {
    token = (await readToken()).trim();
    if (!token) throw usageError('--token-stdin: standard input held no token');
    const s = await getSession(api, token).catch((err: unknown) => {
      throw err instanceof RemoteError && err.status === 401 ? new CliError(err.code, `the server refused this token: ${err.message.replace(/; sign in again.*$/, '')}`) : err;
    });
    if (s.via !== 'token' || !s.user) throw new CliError('E_AUTH_TOKEN', 'that is not an API token of this server (make one in the web page: your name → API tokens)');
    user = s.user;
  } else {
    // Ask the server first: an unreachable server or one without password
    // sign-in is said before anyone types a password.
    const s = await getSession(api);
    if (s.via === 'loopback') {
      throw new CliError('E_NO_SIGN_IN', `${server} has no sign-in configured and trusts this machine: you are its admin already (use --server ${server} with the query commands)`);
    }
    if (!s.methods.password) throw loginError(new RemoteError(404, 'E_AUTH_METHOD', 'password sign-in is not configured on this server'), server);
    if (plainHttpElsewhere(server)) process.stderr.write(`kiseki: warning: ${server} is plain http: the password and the token cross the network unencrypted (use https://)\n`);
    const prompter = new Prompter();
    let username: string;
    let password: string;
    try {
      username = (opts.user ?? (await prompter.ask(`User name on ${server}: `))).trim();
      if (!username) throw usageError('no user name given');
      password = await prompter.secret(`Password for ${username}: `);
    } finally {
      prompter.close();
    }
    if (!password) throw usageError('no password given');
    const r = await api.post<{ user: ApiUser; token: string | null }>('/api/v1/auth/login', {
      username, password, token: { name: `kiseki CLI on ${hostname()}`, ...(opts.expiresDays ? { expiresDays: opts.expiresDays } : {}) },
    }).catch((err: unknown) => {
      throw loginError(err, server);
    });
    if (!r.token) throw new CliError('E_SERVER_ANSWER', 'the server signed you in but sent no API token (is it an older Kiseki?)');
    token = r.token;
    user = r.user;
  }
  const tokenId = await tokenIdOf(api, token);
  const old = readCredentials();
  writeCredentials({ server, token, user: user.username, ...(tokenId !== undefined ? { tokenId } : {}), savedAt: new Date().toISOString() });
  await revokeReplaced(old, token);
  out(`signed in to ${server} as ${safe(user.username)} (${user.role}); the API token is in ${credentialsFile()}`);
}

async function logout(): Promise<void> {
  const creds = readCredentials();
  if (!creds) return out('not signed in');
  const api = new ApiClient({ server: creds.server, token: creds.token });
  let note = '';
  try {
    const id = creds.tokenId ?? (await tokenIdOf(api, creds.token));
    if (id === undefined) throw new CliError('E_AUTH_TOKEN', 'the server did not say which token this is');
    await api.delete(`/api/v1/tokens/${id}`);
  } catch (err) {
    // A token the server no longer takes is as good as revoked; a server
    // that cannot be reached keeps it valid, which the user must know.
    if (err instanceof RemoteError && err.status === 401) note = ' (the server had already ended that token)';
    else {
      // Still signed in: removing the file would leave a valid token behind.
      throw new CliError((err as { code?: string }).code ?? 'E_LOGOUT',
        `could not revoke the API token on ${creds.server}: ${(err as Error).message}; still signed in (try again)`);
    }
  }
  removeCredentials();
  out(`signed out of ${creds.server}: the token is revoked${note} and ${credentialsFile()} removed`);
}

async function whoami(opts: { server?: string; json?: boolean }): Promise<void> {
  const api = requireServer(opts);
  const s = await getSession(api);
  if (opts.json) return printJson(s);
  const who = s.user ? `${safe(s.user.username)}${s.user.displayName ? ` (${safe(s.user.displayName)})` : ''}` : s.via === 'anonymous' ? 'nobody (not signed in: you see public provenance only)' : s.role;
  out(`${who} on ${api.server}`);
  if (s.user) {
    out(`  role: ${s.user.role}`);
    if (s.user.uid !== null) out(`  uid: ${s.user.uid}   gid: ${s.user.gid ?? ''}`);
    if (s.user.groups.length) out(`  groups: ${s.user.groups.map((g) => safe(g.name ?? String(g.gid))).join(', ')}`);
  }
  out(`  signed in with: ${s.via === 'token' ? 'an API token' : s.via === 'loopback' ? 'nothing (the server trusts this machine)' : s.via}`);
}

export function registerLogin(program: Command): void {
  program.command('login')
    .description('sign in to a Kiseki server; keeps an API token in $XDG_CONFIG_HOME/kiseki/credentials.json')
    .option('--server <url>', 'the server (default: $KISEKI_SERVER, else the one signed in to before)')
    .option('--user <name>', 'your user name (asked when not given)')
    .option('--token-stdin', 'keep an API token made in the web page (read from standard input) instead of signing in with a password')
    .option('--expires-days <n>', 'the token expires after this many days (default: never)', positiveInt('--expires-days', 3650))
    .addHelpText('after', '\nThe password is asked without echo and is sent to the server only; it is never stored.\nAfter this, jobs, search, show, lineage and export ask this server (unless --db is given).')
    .action(login);
}

export function registerLogout(program: Command): void {
  program.command('logout')
    .description('revoke the saved API token on its server and remove credentials.json')
    .action(logout);
}

export function registerWhoami(program: Command): void {
  withServerOnly(program.command('whoami').description('who the server takes you for'))
    .option('--json', 'JSON for scripts')
    .action(whoami);
}
