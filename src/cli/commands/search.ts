import type { Command } from 'commander';
import { LOCAL_ADMIN, searchFiles, searchJobs, type SearchCriteria } from '../../graph/index.js';
import { fmtBytes, fmtCount, fmtTime, out, printJson, table } from '../output.js';
import { isoTime, positiveInt } from '../options.js';
import { withStore, withStoreOptions, type StoreFlags } from '../store.js';
import { JOB_HEAD, jobRow } from './jobs.js';
import { jobHitOf, type ApiJobHit } from '../remote/api-shapes.js';
import type { ApiClient } from '../remote/api-client.js';
import { fetchRange, usToIso } from '../remote/paging.js';
import { remoteFor, withServerOption } from '../remote/server-mode.js';

interface SearchOptions extends StoreFlags {
  server?: string;
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
  withServerOption(withStoreOptions(program.command('search').description('find jobs (or, with --files, file versions) matching every criterion given')))
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
      const more = (total: number, shown: number, what: string) => {
        const first = page.offset + 1;
        if (total > shown || opts.page > 1) out(`(${what} ${fmtCount(shown === 0 ? 0 : first)}–${fmtCount(page.offset + shown)} of ${fmtCount(total)}; --page N for others)`);
      };
      const api = remoteFor(opts);
      if (api) return remoteSearch(api, c, opts, page, more);
      await withStore(opts, async (store) => {
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

/** The same search through the server's API (it shows only what this viewer may see). */
async function remoteSearch(api: ApiClient, c: SearchCriteria, opts: SearchOptions, page: { limit: number; offset: number },
  more: (total: number, shown: number, what: string) => void): Promise<void> {
  const q = {
    jobId: c.jobId, filename: c.filename, user: c.user, script: c.jobScript, annotation: c.annotation,
    from: c.from !== undefined ? usToIso(c.from) : undefined, to: c.to !== undefined ? usToIso(c.to) : undefined,
  };
  if (opts.files) {
    // The list view's file rows: versions the selected jobs' runs read, wrote or removed.
    const r = await fetchRange<{ id: number; path: string; version: number; size: number | null; sha256: string | null; mtime: string | null; job_id: string | null }>(
      api, '/api/v1/entities', { ...q, type: 'file', sort: 'path' }, page.offset, page.limit);
    if (opts.json) return printJson({ total: r.total, limit: page.limit, offset: page.offset, page: opts.page, items: r.items });
    if (r.items.length === 0) return out(r.total === 0 ? 'no matching files' : `no files on page ${opts.page} (${fmtCount(r.total)} match)`);
    out(table(['PATH', 'VERSION', 'SIZE', 'SHA256', 'MODIFIED (UTC)', 'JOB'],
      r.items.map((f) => [f.path, f.version, fmtBytes(f.size), f.sha256?.slice(0, 12) ?? '', f.mtime ? f.mtime.replace('T', ' ').slice(0, 19) : '', f.job_id ?? ''])));
    return more(r.total, r.items.length, 'files');
  }
  const r = await fetchRange<ApiJobHit>(api, '/api/v1/search', { ...q, sort: 'start', order: 'desc' }, page.offset, page.limit);
  const items = r.items.map(jobHitOf);
  if (opts.json) return printJson({ total: r.total, limit: page.limit, offset: page.offset, items, page: opts.page });
  if (items.length === 0) return out(r.total === 0 ? 'no matching jobs' : `no jobs on page ${opts.page} (${fmtCount(r.total)} match)`);
  out(table(JOB_HEAD, items.map(jobRow)));
  more(r.total, items.length, 'jobs');
}
