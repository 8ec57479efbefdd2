import type { Command } from 'commander';
import { LOCAL_ADMIN, searchJobs, type JobHit, type SearchResult } from '../../graph/index.js';
import { fmtCount, fmtDuration, fmtTime, out, printJson, table } from '../output.js';
import { positiveInt } from '../options.js';
import { withStore, withStoreOptions, type StoreFlags } from '../store.js';
import { jobHitOf, type ApiJobHit } from '../remote/api-shapes.js';
import { fetchRange } from '../remote/paging.js';
import { remoteFor, withServerOption } from '../remote/server-mode.js';

interface JobsOptions extends StoreFlags {
  server?: string;
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
  withServerOption(withStoreOptions(program.command('jobs').description('list recorded jobs, newest first')))
    .option('--user <name|uid>', 'only this user\'s jobs')
    .option('--limit <n>', 'how many (default 20, at most 1000)', positiveInt('--limit', 1000), 20)
    .option('--json', 'JSON for scripts')
    .action(async (opts: JobsOptions) => {
      const api = remoteFor(opts);
      if (api) {
        const r = await fetchRange<ApiJobHit>(api, '/api/v1/jobs', { user: opts.user, sort: 'start', order: 'desc' }, 0, opts.limit);
        return printJobs({ total: r.total, limit: opts.limit, offset: 0, items: r.items.map(jobHitOf) }, opts);
      }
      await withStore(opts, async (store) => {
        const r = await searchJobs(store, LOCAL_ADMIN, { ...(opts.user ? { user: opts.user } : {}) }, { limit: opts.limit, sort: '-start' });
        printJobs(r, opts);
      });
    });
}

/** The same table (or JSON) from the store or from the server. */
function printJobs(r: SearchResult<JobHit>, opts: JobsOptions): void {
  if (opts.json) return printJson(r);
  if (r.total === 0) return out('no jobs recorded yet (record one with: kiseki run -- COMMAND)');
  out(table(JOB_HEAD, r.items.map(jobRow)));
  if (r.total > r.items.length) out(`(${fmtCount(r.items.length)} of ${fmtCount(r.total)} jobs; --limit N for more)`);
}
