// Search for jobs and file versions. Criteria combine with AND; every value
// is a bound parameter. Paged (limit/offset), sorted, with the total count.
import type { Store } from '../../store/open-store.js';
import { toStoredPath } from '../../store/path-text.js';
import { GraphError } from '../edge-kinds.js';
import { globToRegex, isGlob, substringLike } from './glob.js';
import { JOB_FIRST_MAX_JOBS, jobFileMatches } from './job-files.js';
import { FILE_REF_SQL, fileRef, type FileRef } from './keep-set.js';
import { pageOf, Sql, visibleAnd, visibleTo, type Page, type Viewer } from './viewer.js';

export interface SearchCriteria {
  /** Job id: substring (or glob) of the scheduler's job id. */
  jobId?: string;
  /** Substring of a path (case-insensitive), or a glob (`*.csv`, `/data/**\/out.h5`). */
  filename?: string;
  /** User name or numeric uid. */
  user?: string | number;
  /** Substring (or glob) of the job script's path. */
  jobScript?: string;
  /** Substring of an annotation's key or value (case-insensitive). */
  annotation?: string;
  /** Microseconds since the epoch; jobs running / versions made within [from, to]. */
  from?: number;
  to?: number;
  /** Count software (libraries, executables) as matching files (default false). */
  includeSoftware?: boolean;
}

export type JobSort = 'start' | '-start' | 'end' | '-end' | 'jobId' | '-jobId' | 'user' | '-user';
export type FileSort = 'path' | '-path' | 'time' | '-time';

export interface JobHit {
  id: number;
  key: string;
  scheduler: string;
  jobId: string;
  name: string | null;
  script: string | null;
  user: string | null;
  uid: number | null;
  host: string | null;
  startTs: number | null;
  endTs: number | null;
  state: string | null;
  exitCode: number | null;
  complete: boolean | null;
}

export interface SearchResult<T> {
  total: number;
  limit: number;
  offset: number;
  items: T[];
}

function textMatch(col: string, value: string, q: Sql): string {
  return isGlob(value) ? `${col} ~ ${q.p(globToRegex(value))}` : `${col} ilike ${q.p(substringLike(value))}`;
}

function pathMatch(col: string, value: string, q: Sql): string {
  const v = toStoredPath(value).path;
  return isGlob(v) ? `${col} ~ ${q.p(globToRegex(v))}` : `${col} ilike ${q.p(substringLike(v))}`;
}

function userMatch(uidCol: string, nameCol: string, user: string | number, q: Sql): string {
  if (typeof user === 'number' || /^\d+$/.test(user)) return `${uidCol} = ${q.p(Number(user))}`;
  return `${nameCol} = ${q.p(user)}`;
}

/**
 * The total number of matches. The page query carries it (`count(*) over ()`,
 * computed in the same pass over the matches); only a page past the end has
 * no row to carry it, and is counted separately.
 */
async function totalOf(rows: Record<string, unknown>[], offset: number, count: () => Promise<{ rows: { n: number }[] }>): Promise<number> {
  if (rows.length > 0) return Number(rows[0]!.total_);
  if (offset === 0) return 0;
  const { rows: cnt } = await count();
  return Number(cnt[0]!.n);
}

function checkCriteria(c: SearchCriteria): void {
  for (const k of ['from', 'to'] as const) {
    const v = c[k];
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) throw new GraphError('E_GRAPH_QUERY', `${k} must be microseconds since the epoch`);
  }
}

const SORT_JOBS: Record<JobSort, string> = {
  start: 'j.start_ts asc nulls first', '-start': 'j.start_ts desc nulls last',
  end: 'j.end_ts asc nulls first', '-end': 'j.end_ts desc nulls last',
  jobId: 'j.job_ref asc', '-jobId': 'j.job_ref desc', user: 'j.user_name asc', '-user': 'j.user_name desc',
};

/**
 * The jobs among those the conditions `w` (parameters in `q` so far) leave,
 * when at most JOB_FIRST_MAX_JOBS, that touched a file matching
 * `c.filename`, from job_file; undefined when the path index is the search
 * (no other criteria, or too many jobs or files).
 */
async function filenameInFewJobs(store: Store, viewer: Viewer, c: SearchCriteria, w: string[], q: Sql): Promise<Map<number, number> | undefined> {
  // w[0] is the viewer's sight: with nothing else, the path index is the search.
  if (w.length <= 1) return undefined;
  const { rows } = await store.db.query<{ node_id: number }>(
    `select j.node_id from job j join node n on n.id = j.node_id where ${w.join(' and ')} limit ${JOB_FIRST_MAX_JOBS + 1}`, [...q.params]);
  if (rows.length > JOB_FIRST_MAX_JOBS) return undefined;
  return jobFileMatches(store.db, rows.map((r) => Number(r.node_id)), c.filename!,
    { includeSoftware: c.includeSoftware ?? false, fileVisible: (n, fq) => visibleAnd(viewer, n, fq) });
}

export async function searchJobs(store: Store, viewer: Viewer, c: SearchCriteria, page?: Page & { sort?: JobSort }): Promise<SearchResult<JobHit>> {
  checkCriteria(c);
  const q = new Sql();
  const w: string[] = [visibleTo(viewer, 'n', q)];
  if (c.jobId) w.push(textMatch('j.job_ref', c.jobId, q));
  if (c.jobScript) w.push(textMatch('j.script', c.jobScript, q));
  if (c.user !== undefined && c.user !== '') w.push(userMatch('j.uid', 'j.user_name', c.user, q));
  if (c.from !== undefined) w.push(`coalesce(j.end_ts, j.start_ts) >= ${q.p(c.from)}`);
  if (c.to !== undefined) w.push(`j.start_ts <= ${q.p(c.to)}`);
  if (c.annotation) {
    const a = q.p(substringLike(c.annotation));
    // Only annotations on nodes the viewer may see.
    w.push(`exists (select 1 from annotation a join node an on an.id = a.node_id
      where (an.id = j.node_id or an.job_id = j.node_id) and (a.value ilike ${a} or a.key ilike ${a})${visibleAnd(viewer, 'an', q)})`);
  }
  // A file name within the few jobs the other criteria leave: their job_file rows (as the API's search).
  const inJobs = c.filename ? await filenameInFewJobs(store, viewer, c, w, q) : undefined;
  if (inJobs) w.push(`j.node_id = any(${q.p([...inJobs.keys()])}::bigint[])`);
  else if (c.filename) {
    const sw = c.includeSoftware ? '' : 'and not coalesce(fv.software, false)';
    const m = pathMatch('p.path', c.filename, q);
    // Only files the viewer may see match (a job is not found by a hidden file's path).
    const fvis = visibleAnd(viewer, 'fn', q);
    const fjoin = fvis ? 'join node fn on fn.id = fv.node_id' : '';
    w.push(`j.node_id in (
      select e.job_id from path p join file_version fv on fv.path_id = p.id ${fjoin} join edge e on e.to_id = fv.node_id
        where ${m} ${sw} and e.kind = 'used'${fvis}
      union all
      select e.job_id from path p join file_version fv on fv.path_id = p.id ${fjoin} join edge e on e.from_id = fv.node_id
        where ${m} ${sw} and e.kind in ('wasGeneratedBy', 'wasInvalidatedBy')${fvis})`);
  }
  const where = w.join(' and ');
  const from = 'from job j join node n on n.id = j.node_id';
  const { limit, offset } = pageOf(page);
  const order = SORT_JOBS[page?.sort ?? '-start'] ?? SORT_JOBS['-start'];
  const countParams = [...q.params];
  const lp = q.p(limit);
  const op = q.p(offset);
  const { rows } = await store.db.query<Record<string, unknown>>(
    `select j.*, n.key, count(*) over () as total_ ${from} where ${where} order by ${order}, j.node_id limit ${lp} offset ${op}`, q.params);
  const total = await totalOf(rows, offset, () => store.db.query<{ n: number }>(`select count(*)::int as n ${from} where ${where}`, countParams));
  return {
    total, limit, offset,
    items: rows.map((r) => ({
      id: Number(r.node_id), key: r.key as string, scheduler: r.scheduler as string, jobId: r.job_ref as string,
      name: (r.name as string | null) ?? null, script: (r.script as string | null) ?? null, user: (r.user_name as string | null) ?? null,
      uid: (r.uid as number | null) ?? null, host: (r.host as string | null) ?? null,
      startTs: r.start_ts === null ? null : Number(r.start_ts), endTs: r.end_ts === null ? null : Number(r.end_ts),
      state: (r.state as string | null) ?? null, exitCode: (r.exit_code as number | null) ?? null, complete: (r.complete as boolean | null) ?? null,
    })),
  };
}

export interface FileHit extends FileRef {
  ts: number | null;
  jobId: number | null;
  existsNow: boolean | null;
  current: boolean;
}

const SORT_FILES: Record<FileSort, string> = {
  path: 'p.path asc, fv.version asc', '-path': 'p.path desc, fv.version desc', time: 'n.ts asc nulls first', '-time': 'n.ts desc nulls last',
};

export async function searchFiles(store: Store, viewer: Viewer, c: SearchCriteria, page?: Page & { sort?: FileSort; currentOnly?: boolean }): Promise<SearchResult<FileHit>> {
  checkCriteria(c);
  const q = new Sql();
  const w: string[] = [visibleTo(viewer, 'n', q), `coalesce(fv.file_class, 'data') <> 'pipe'`];
  if (!c.includeSoftware) w.push('not coalesce(fv.software, false)');
  if (page?.currentOnly) w.push('p.head_key = n.key');
  if (c.filename) w.push(pathMatch('p.path', c.filename, q));
  if (c.from !== undefined) w.push(`n.ts >= ${q.p(c.from)}`);
  if (c.to !== undefined) w.push(`n.ts <= ${q.p(c.to)}`);
  const jobConds: string[] = [];
  if (c.jobId) jobConds.push(textMatch('j.job_ref', c.jobId, q));
  if (c.jobScript) jobConds.push(textMatch('j.script', c.jobScript, q));
  if (c.user !== undefined && c.user !== '') jobConds.push(userMatch('j.uid', 'j.user_name', c.user, q));
  if (jobConds.length > 0) {
    // Only jobs the viewer may see: a file is not found by a hidden job's id, script or user.
    const jvis = visibleAnd(viewer, 'jn', q);
    if (jvis) jobConds.push(`exists (select 1 from node jn where jn.id = j.node_id${jvis})`);
    const jw = jobConds.join(' and ');
    w.push(`(exists (select 1 from edge e join job j on j.node_id = e.job_id where e.to_id = fv.node_id and e.kind = 'used' and ${jw})
      or exists (select 1 from edge e join job j on j.node_id = e.job_id where e.from_id = fv.node_id and e.kind = 'wasGeneratedBy' and ${jw}))`);
  }
  if (c.annotation) {
    const a = q.p(substringLike(c.annotation));
    w.push(`exists (select 1 from annotation a where a.node_id = fv.node_id and (a.value ilike ${a} or a.key ilike ${a}))`);
  }
  const where = w.join(' and ');
  const base = `${FILE_REF_SQL} where ${where}`;
  const { limit, offset } = pageOf(page);
  const countParams = [...q.params];
  const order = SORT_FILES[page?.sort ?? 'path'] ?? SORT_FILES.path;
  const lp = q.p(limit);
  const op = q.p(offset);
  const { rows } = await store.db.query<Record<string, unknown>>(
    `${FILE_REF_SQL.replace('select ', 'select n.ts, n.job_id, fv.exists_now, (p.head_key = n.key and p.head_exists) as current, count(*) over () as total_, ')}
     where ${where} order by ${order}, fv.node_id limit ${lp} offset ${op}`, q.params);
  const total = await totalOf(rows, offset, () => store.db.query<{ n: number }>(`select count(*)::int as n from (${base}) x`, countParams));
  return {
    total, limit, offset,
    items: rows.map((r) => ({
      ...fileRef(r), ts: r.ts === null ? null : Number(r.ts), jobId: r.job_id === null ? null : Number(r.job_id),
      existsNow: (r.exists_now as boolean | null) ?? null, current: Boolean(r.current),
    })),
  };
}
