// Admin commands: `kiseki audit` (the audit log) and `kiseki users list|role`.
// The server refuses them (403) to anyone but admins.
import { Argument, type Command } from 'commander';
import { usageError } from '../errors.js';
import { isoTime, positiveInt } from '../options.js';
import { out, printJson, safe, table } from '../output.js';
import type { ApiUser } from '../remote/session.js';
import { requireServer, withServerOnly } from '../remote/server-mode.js';

interface AuditItem { id: number; at: string; action: string; actor: string | null; target: string | null; outcome: string; client: string | null; detail: Record<string, unknown> | null }

const iso = (name: string) => {
  const parse = isoTime(name);
  return (v: string) => {
    parse(v); // refuse what is not a date or time, as everywhere else
    return v;
  };
};

export function registerAudit(program: Command): void {
  withServerOnly(program.command('audit').description('the audit log, newest first: sign-ins, tokens, share links, visibility changes, exports (admins)'))
    .option('--action <name>', 'only this action (login, logout, token.create, token.revoke, share.create, share.open, share.revoke, visibility.set, export, user.role, user.disable)')
    .option('--actor <user>', 'only what this user did')
    .option('--since <iso>', 'at or after this time', iso('--since'))
    .option('--until <iso>', 'at or before this time', iso('--until'))
    .option('--limit <n>', 'how many (default 50, at most 200)', positiveInt('--limit', 200), 50)
    .option('--page <n>', 'page number (default 1)', positiveInt('--page'), 1)
    .option('--json', 'JSON for scripts')
    .action(async (opts: { server?: string; action?: string; actor?: string; since?: string; until?: string; limit: number; page: number; json?: boolean }) => {
      const r = await requireServer(opts).get<{ total: number; items: AuditItem[] }>('/api/v1/audit', {
        action: opts.action, actor: opts.actor, from: opts.since, to: opts.until, page: opts.page, pageSize: opts.limit,
      });
      if (opts.json) return printJson(r);
      if (r.items.length === 0) return out('no audit events match');
      out(table(['AT (UTC)', 'ACTION', 'ACTOR', 'TARGET', 'OUTCOME', 'CLIENT', 'DETAIL'],
        r.items.map((e) => [e.at.replace('T', ' ').slice(0, 19), e.action, e.actor ?? '', e.target ?? '', e.outcome, e.client ?? '', e.detail ? JSON.stringify(e.detail) : ''])));
      if (r.total > r.items.length) out(`(${r.items.length} of ${r.total} events; --page N for others)`);
    });
}

export function registerUsers(program: Command): void {
  const users = program.command('users').description('people who signed in, and their roles (admins; needs a server)');

  withServerOnly(users.command('list').description('everyone who signed in'))
    .option('--json', 'JSON for scripts')
    .action(async (opts: { server?: string; json?: boolean }) => {
      const r = await requireServer(opts).get<{ items: ApiUser[] }>('/api/v1/users');
      if (opts.json) return printJson(r);
      if (r.items.length === 0) return out('nobody has signed in yet');
      out(table(['USER', 'NAME', 'ROLE', 'UID', 'GID', 'GROUPS', 'FROM', 'DISABLED', 'LAST SIGN-IN (UTC)'],
        r.items.map((u) => [u.username, u.displayName ?? '', u.role, u.uid, u.gid, u.groups.map((g) => g.name ?? g.gid).join(','), u.source, u.disabled ? 'yes' : '',
          u.lastLoginAt ? u.lastLoginAt.replace('T', ' ').slice(0, 16) : ''])));
    });

  withServerOnly(users.command('role').description('set a user\'s role'))
    .argument('<name>', 'the user name')
    .addArgument(new Argument('<role>', 'admin: everything; group_admin: their groups\' provenance; member: their own').choices(['admin', 'group_admin', 'member']))
    .action(async (name: string, role: string, opts: { server?: string }) => {
      if (!name.trim()) throw usageError('which user?');
      const u = await requireServer(opts).patch<ApiUser>(`/api/v1/users/${encodeURIComponent(name)}`, { role });
      out(`${safe(u.username)} is now ${u.role}`);
    });
}
