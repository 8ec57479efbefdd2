import type { Command } from 'commander';
import { LOCAL_ADMIN, searchFiles, searchJobs, type SearchCriteria } from '../../graph/index.js';
import { fmtBytes, fmtCount, fmtTime, out, printJson, table } from '../output.js';
import { isoTime, positiveInt } from '../options.js';
import { withStore, withStoreOptions, type StoreFlags } from '../store.js';
import { JOB_HEAD, jobRow } from './jobs.js';

interface SearchOptions extends StoreFlags {
  job?: string;
  file?: string;
  user?: string;
  script?: string;
  annotation?: string;
  from?: number;
  to?: number;
  files?: boolean;
  page: number;
  limit: number;
  json?: boolean;
}

export function registerSearch(program: Command): void {
  withStoreOptions(program.command('search').description('find jobs (or, with --files, file versions) matching every criterion given'))
    .option('--job <id>', 'job id: substring, or glob (*, ?, [..])')
    .option('--file <text|glob>', 'a path: substring (case-insensitive), or glob (*.csv; with / the whole path, ** across folders)')
    .option('--user <name|uid>', 'the job\'s user')
    .option('--script <name>', 'job script: substring or glob')
    .option('--annotation <text>', 'annotation key or value: substring')
    .option('--from <iso>', 'running or made at or after this time', isoTime('--from'))
    .option('--to <iso>', 'running or made at or before this time', isoTime('--to'))
    .option('--files', 'list matching file versions instead of jobs')
    .option('--page <n>', 'page number (default 1)', positiveInt('--page'), 1)
    .option('--limit <n>', 'per page (default 20, at most 1000)', positiveInt('--limit', 1000), 20)
    .option('--json', 'JSON for scripts')
    .action(async (opts: SearchOptions) => {
      const c: SearchCriteria = {};
      if (opts.job) c.jobId = opts.job;
      if (opts.file) c.filename = opts.file;
      if (opts.user) c.user = opts.user;
      if (opts.script) c.jobScript = opts.script;
      if (opts.annotation) c.annotation = opts.annotation;
      if (opts.from !== undefined) c.from = opts.from;
      if (opts.to !== undefined) c.to = opts.to;
      const page = { limit: opts.limit, offset: (opts.page - 1) * opts.limit };
      await withStore(opts, async (store) => {
        const more = (total: number, shown: number, what: string) => {
          const first = page.offset + 1;
          if (total > shown || opts.page > 1) out(`(${what} ${fmtCount(shown === 0 ? 0 : first)}–${fmtCount(page.offset + shown)} of ${fmtCount(total)}; --page N for others)`);
        };
        if (opts.files) {
          const r = await searchFiles(store, LOCAL_ADMIN, c, { ...page, sort: 'path' });
          if (opts.json) return printJson({ ...r, page: opts.page });
          if (r.items.length === 0) return out(r.total === 0 ? 'no matching files' : `no files on page ${opts.page} (${fmtCount(r.total)} match)`);
          out(table(['PATH', 'VERSION', 'SIZE', 'SHA256', 'MADE (UTC)', 'NOW'],
            r.items.map((f) => [f.path, f.version, fmtBytes(f.size), f.sha256?.slice(0, 12) ?? '', fmtTime(f.ts), f.current ? 'current' : f.existsNow === false ? 'gone' : 'older'])));
          return more(r.total, r.items.length, 'files');
        }
        const r = await searchJobs(store, LOCAL_ADMIN, c, { ...page, sort: '-start' });
        if (opts.json) return printJson({ ...r, page: opts.page });
        if (r.items.length === 0) return out(r.total === 0 ? 'no matching jobs' : `no jobs on page ${opts.page} (${fmtCount(r.total)} match)`);
        out(table(JOB_HEAD, r.items.map(jobRow)));
        more(r.total, r.items.length, 'jobs');
      });
    });
}
