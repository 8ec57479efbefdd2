// `kiseki share create|list|revoke`: signed, expiring, read-only links to
// one job or one file's lineage, for people without an account (a paper's
// reviewers). The server decides who may share what (owners, their group's
// admins, admins) and audits every link made, opened and revoked.
import { Option, type Command } from 'commander';
import { positiveInt } from '../options.js';
import { out, printJson, safe, table } from '../output.js';
import { resolveRemote } from '../remote/resolve.js';
import { requireServer, withServerOnly } from '../remote/server-mode.js';

interface ShareInfo {
  id: string; scope: 'job' | 'lineage'; node: number; label: string | null; createdBy: string | null;
  createdAt: string; expiresAt: string; revokedAt: string | null; lastUsedAt: string | null; uses: number;
}

const day = (iso: string | null) => (iso ? iso.replace('T', ' ').slice(0, 16) : '');

export function registerShare(program: Command): void {
  const share = program.command('share').description('share links: read-only, expiring, for people without an account (needs a server)');

  withServerOnly(share.command('create').description('make a share link to a job, or to a file and everything it came from'))
    .argument('<job|path>', 'a job id (or its first characters), a file path, or a node id')
    .option('--days <n>', 'valid for this many days (default and maximum: the server\'s)', positiveInt('--days', 3650))
    .option('--label <text>', 'a note for yourself ("reviewers of paper X")')
    .option('--file-version <n>', 'this version of the file (default: the newest)', positiveInt('--file-version'))
    .option('--json', 'JSON for scripts')
    .action(async (arg: string, opts: { server?: string; days?: number; label?: string; fileVersion?: number; json?: boolean }) => {
      const api = requireServer(opts);
      const r = await resolveRemote(api, arg, opts.fileVersion !== undefined ? { version: opts.fileVersion } : {});
      const made = await api.post<{ token: string; url: string; info: ShareInfo }>('/api/v1/shares', {
        node: r.id, ...(opts.days ? { days: opts.days } : {}), ...(opts.label !== undefined ? { label: opts.label } : {}),
      });
      if (opts.json) return printJson(made);
      out(made.url);
      process.stderr.write(`kiseki: share link ${made.info.id} to ${safe(r.what)} (${made.info.scope === 'job' ? 'the job' : 'its lineage'}), read-only, valid until ${day(made.info.expiresAt)} UTC; kiseki share revoke ${made.info.id} ends it\n`);
    });

  withServerOnly(share.command('list').description('your share links (never their secret part)'))
    .addOption(new Option('--all', 'every user\'s links (admins)'))
    .option('--json', 'JSON for scripts')
    .action(async (opts: { server?: string; all?: boolean; json?: boolean }) => {
      const r = await requireServer(opts).get<{ items: ShareInfo[] }>('/api/v1/shares', opts.all ? { all: 'true' } : {});
      if (opts.json) return printJson(r);
      if (r.items.length === 0) return out('no share links');
      out(table(['ID', 'SCOPE', 'NODE', 'LABEL', 'BY', 'EXPIRES (UTC)', 'REVOKED', 'USES'],
        r.items.map((s) => [s.id, s.scope, s.node, s.label ?? '', s.createdBy ?? '', day(s.expiresAt), day(s.revokedAt), s.uses])));
    });

  withServerOnly(share.command('revoke').description('end a share link at once (kiseki share list shows the ids)'))
    .argument('<id>', 'the link id')
    .action(async (id: string, opts: { server?: string }) => {
      await requireServer(opts).delete(`/api/v1/shares/${encodeURIComponent(id)}`);
      out(`share link ${id} revoked: it opens nothing from now on`);
    });
}
