// `kiseki token create|list|revoke`: API tokens for scripts, made by a
// signed-in person (the server refuses to let a token make tokens, so
// `create` needs the password again: it signs in for this one request).
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { usageError } from '../errors.js';
import { positiveInt } from '../options.js';
import { out, printJson, table } from '../output.js';
import { loginError } from '../remote/login-error.js';
import { Prompter } from '../remote/prompt.js';
import { requireServer, withServerOnly } from '../remote/server-mode.js';
import { readCredentials } from '../remote/credentials.js';

interface TokenInfo { id: number; name: string; createdAt: string; expiresAt: string | null; lastUsedAt: string | null; revokedAt: string | null }

const day = (iso: string | null) => (iso ? iso.replace('T', ' ').slice(0, 16) : '');

export function registerToken(program: Command): void {
  const token = program.command('token').description('API tokens for scripts (needs a server: kiseki login)');

  withServerOnly(token.command('create').description('make an API token; it is printed once, keep it safe'))
    .argument('<name>', 'what it is for ("nightly export")')
    .option('--expires-days <n>', 'expires after this many days (default: never)', positiveInt('--expires-days', 3650))
    .option('--user <name>', 'your user name (default: the one signed in)')
    .option('--json', 'JSON for scripts')
    .addHelpText('after', '\nThe server lets only a password sign-in make tokens (a stolen token cannot make more), so this asks for your password.')
    .action(async (name: string, opts: { server?: string; expiresDays?: number; user?: string; json?: boolean }) => {
      const api = requireServer(opts);
      const username = opts.user ?? readCredentials()?.user;
      if (!username) throw usageError('--user NAME: whose token?');
      const prompter = new Prompter();
      let password: string;
      try {
        password = await prompter.secret(`Password for ${username}: `);
      } finally {
        prompter.close();
      }
      // A token login: the new token is the one asked for (named by the user).
      const r = await api.call<{ token: string | null }>('POST', '/api/v1/auth/login', {
        body: { username, password, token: { name, ...(opts.expiresDays ? { expiresDays: opts.expiresDays } : {}) } }, token: '',
      }).catch((err: unknown) => {
        throw loginError(err, api.server);
      });
      if (opts.json) return printJson({ name, token: r.token });
      out(r.token ?? '');
      process.stderr.write(`kiseki: token "${name}" made${opts.expiresDays ? `, expires in ${opts.expiresDays} days` : ''}; it is not shown again (scripts: KISEKI_TOKEN=… kiseki …; made on ${hostname()})\n`);
    });

  withServerOnly(token.command('list').description('your API tokens (never their secrets)'))
    .option('--json', 'JSON for scripts')
    .action(async (opts: { server?: string; json?: boolean }) => {
      const r = await requireServer(opts).get<{ items: TokenInfo[] }>('/api/v1/tokens');
      if (opts.json) return printJson(r);
      if (r.items.length === 0) return out('no API tokens');
      out(table(['ID', 'NAME', 'CREATED (UTC)', 'EXPIRES', 'LAST USED', 'REVOKED'],
        r.items.map((t) => [t.id, t.name, day(t.createdAt), day(t.expiresAt) || 'never', day(t.lastUsedAt), day(t.revokedAt)])));
    });

  withServerOnly(token.command('revoke').description('revoke an API token (kiseki token list shows the ids)'))
    .argument('<id>', 'the token id', positiveInt('<id>'))
    .action(async (id: number, opts: { server?: string }) => {
      await requireServer(opts).delete(`/api/v1/tokens/${id}`);
      out(`token ${id} revoked`);
    });
}
