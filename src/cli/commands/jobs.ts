import type { Command } from 'commander';
import { LOCAL_ADMIN, searchJobs, type JobHit } from '../../graph/index.js';
import { fmtCount, fmtDuration, fmtTime, out, printJson, table } from '../output.js';
import { positiveInt } from '../options.js';
import { withStore, withStoreOptions, type StoreFlags } from '../store.js';

interface JobsOptions extends StoreFlags {
  user?: string;
  limit: number;
  json?: boolean;
}

export function jobRow(j: JobHit): (string | number | null)[] {
  return [j.jobId, j.user ?? (j.uid === null ? '' : String(j.uid)), fmtTime(j.startTs), fmtDuration(j.startTs, j.endTs), jobState(j), j.exitCode, j.name ?? ''];
}

export const JOB_HEAD = ['JOB', 'USER', 'STARTED (UTC)', 'TOOK', 'STATE', 'EXIT', 'NAME'];

export function jobState(j: JobHit): string {
  return `${j.state ?? ''}${j.complete === false ? ' (incomplete)' : ''}`;
}

export function registerJobs(program: Command): void {
  withStoreOptions(program.command('jobs').description('list recorded jobs, newest first'))
    .option('--user <name|uid>', 'only this user\'s jobs')
    .option('--limit <n>', 'how many (default 20, at most 1000)', positiveInt('--limit', 1000), 20)
    .option('--json', 'JSON for scripts')
    .action(async (opts: JobsOptions) => {
      await withStore(opts, async (store) => {
        const r = await searchJobs(store, LOCAL_ADMIN, { ...(opts.user ? { user: opts.user } : {}) }, { limit: opts.limit, sort: '-start' });
        if (opts.json) return printJson(r);
        if (r.total === 0) return out('no jobs recorded yet (record one with: kiseki run -- COMMAND)');
        out(table(JOB_HEAD, r.items.map(jobRow)));
        if (r.total > r.items.length) out(`(${fmtCount(r.items.length)} of ${fmtCount(r.total)} jobs; --limit N for more)`);
      });
    });
}
