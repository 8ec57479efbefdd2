// The search criteria of the UI (job id, filename, additional item, script,
// user, time range, visibility) as SQL conditions on jobs. Search, the
// entity list and the relation list all start from the jobs they select.
// Same semantics as graph/queries/search.ts (substring or glob; every value
// a bound parameter).
import { globToRegex, isGlob, Sql, substringLike, visibleAnd, visibleTo, type Viewer } from '../../graph/index.js';
import { toStoredPath, type Queryable } from '../../store/index.js';
import { Limiter } from '../limit.js';
import { JOB_FIRST_MAX_JOBS, jobFileMatches } from '../../graph/queries/job-files.js';
import type { Criteria } from '../schemas.js';

export function textMatch(col: string, value: string, q: Sql): string {
  return isGlob(value) ? `${col} ~ ${q.p(globToRegex(value))}` : `${col} ilike ${q.p(substringLike(value))}`;
}

/**
 * A path condition. With `key` (a part every match contains, see pathKey),
 * the trigram index is searched for the key alone and the whole pattern is
 * checked on what it finds.
 */
export function pathMatch(col: string, value: string, q: Sql, key?: string): string {
  const v = toStoredPath(value).path;
  const full = (c: string) => (isGlob(v) ? `${c} ~ ${q.p(globToRegex(v))}` : `${c} ilike ${q.p(substringLike(v))}`);
  if (!key) return full(col);
  // (col || '') is not indexable: the planner checks it on the key's rows.
  return `${col} ilike ${q.p(substringLike(key))} and ${full(`(${col} || '')`)}`;
}

/** Paths the key may find before the whole pattern is the better index search. */
const KEY_MAX_PATHS = 5000;

/**
 * The trigram index intersects the posting lists of every trigram of a
 * pattern, and path patterns are full of trigrams nearly every path has
 * (`/sc`, `job`, `/jo`): '/job105500/' costs 20-30 ms on a million paths
 * where '105500' costs 1 ms. So: the longest run of 3+ digits of the
 * pattern's literal text (job ids, run numbers), if it finds at most
 * KEY_MAX_PATHS paths (a cheap probe), is searched alone.
 */
export async function pathKey(db: Queryable, value: string): Promise<string | undefined> {
  const v = toStoredPath(value).path;
  const glob = isGlob(v);
  const literal = (glob ? v.replace(/\[[^\]]*\]/g, '*') : v).replace(/\\/g, '');
  const runs = (literal.match(/\d{3,}/g) ?? []).sort((a, b) => b.length - a.length);
  const key = runs[0];
  if (!key || (!glob && key.length === v.length)) return undefined;
  const { rows } = await db.query<{ n: number }>(
    `select count(*)::int as n from (select 1 from path where path ilike $1 limit ${KEY_MAX_PATHS + 1}) x`, [substringLike(key)]);
  return Number(rows[0]!.n) <= KEY_MAX_PATHS ? key : undefined;
}

const has = (v: string | undefined): v is string => v !== undefined && v !== '';

/** True when the criteria narrow the jobs at all (visibility aside). */
export function narrowsJobs(c: Criteria): boolean {
  return has(c.jobId) || has(c.filename) || has(c.annotation) || has(c.script) || has(c.user) || c.from !== undefined || c.to !== undefined || c.visibility !== undefined;
}

/**
 * The jobs that read, wrote or removed a file matching `filename`, with how
 * many such files (paths) each, looked up once per request and then used as
 * a list of job ids by every query of the request. When the other criteria
 * (and the viewer's sight) leave few jobs, only those jobs' files are
 * searched (graph/queries/job-files.ts); the map then holds only jobs among those, which
 * is enough: every query ANDs it with the same criteria.
 */
export async function filenameJobs(db: Queryable, c: Criteria, viewer: Viewer): Promise<Map<number, number> | undefined> {
  if (!has(c.filename)) return undefined;
  const few = await fewCandidateJobs(db, c, viewer);
  if (few) {
    const hits = await jobFileMatches(db, few, c.filename,
      { includeSoftware: c.includeSoftware ?? false, fileVisible: (n, q) => visibleAnd(viewer, n, q) });
    if (hits) return hits;
  }
  const sw = c.includeSoftware ? '' : 'and not coalesce(fv.software, false)';
  const key = await pathKey(db, c.filename);
  const q = new Sql();
  const m = pathMatch('p.path', c.filename, q, key);
  // Only files the viewer may see match and count: a job is not found by a
  // hidden file's path (that would confirm the path).
  const fvis = visibleAnd(viewer, 'fn', q);
  const run = (fn: () => Promise<{ rows: { job_id: number; n: number }[] }>) => (key ? fn() : PATH_SCANS.run(fn));
  const { rows } = await run(() => db.query<{ job_id: number; n: number }>(
    `select x.job_id, count(distinct fv.path_id)::int as n
     from path p join file_version fv on fv.path_id = p.id ${fvis ? 'join node fn on fn.id = fv.node_id' : ''}
     cross join lateral (
       select e.job_id from edge e where e.to_id = fv.node_id and e.kind = 'used'
       union all
       select e.job_id from edge e where e.from_id = fv.node_id and e.kind in ('wasGeneratedBy', 'wasInvalidatedBy')) x
     where ${m} ${sw} and x.job_id is not null${fvis}
     group by x.job_id`, q.params));
  return new Map(rows.map((r) => [Number(r.job_id), Number(r.n)]));
}

/** Path scans at once (per process): they may read 10,000s of paths; the cheap searches keep the other connections. */
const PATH_SCANS = new Limiter(2);

/** Criteria with what is looked up once per request (the jobs of matching files). */
export interface PreparedCriteria extends Criteria {
  fileJobs?: Map<number, number> | undefined;
}

export async function prepareCriteria<T extends Criteria>(db: Queryable, c: T, viewer: Viewer): Promise<T & PreparedCriteria> {
  // (the files' jobs are filtered by the viewer in the job conditions)
  return { ...c, fileJobs: await filenameJobs(db, c, viewer) };
}

/**
 * The jobs every criterion but the file name leaves (visibility included),
 * when they are at most JOB_FIRST_MAX_JOBS; undefined when more, or when
 * nothing but the file name narrows them (then the path index is the search).
 */
async function fewCandidateJobs(db: Queryable, c: Criteria, viewer: Viewer): Promise<number[] | undefined> {
  const q = new Sql();
  const w = jobConditions({ ...c, filename: undefined }, viewer, q);
  // Only the viewer's sight (w[0]) and no other criterion: the path index is
  // the search (a member who sees 700 jobs of 100 files would read 50,000
  // job_file rows before giving up on them).
  if (w.length <= 1) return undefined;
  const { rows } = await db.query<{ node_id: number }>(
    `select j.node_id ${jobsFrom(w)} where ${w.join(' and ')} limit ${JOB_FIRST_MAX_JOBS + 1}`, q.params);
  return rows.length > JOB_FIRST_MAX_JOBS ? undefined : rows.map((r) => Number(r.node_id));
}

/** Conditions on `job j join node n on n.id = j.node_id`. */
export function jobConditions(c: PreparedCriteria, viewer: Viewer, q: Sql): string[] {
  const w: string[] = [visibleTo(viewer, 'n', q)];
  if (has(c.jobId)) w.push(textMatch('j.job_ref', c.jobId, q));
  if (has(c.script)) w.push(textMatch('j.script', c.script, q));
  if (has(c.user)) w.push(/^\d+$/.test(c.user) ? `j.uid = ${q.p(Number(c.user))}` : `j.user_name = ${q.p(c.user)}`);
  if (c.from !== undefined) w.push(`coalesce(j.end_ts, j.start_ts) >= ${q.p(c.from)}`);
  if (c.to !== undefined) w.push(`j.start_ts <= ${q.p(c.to)}`);
  if (c.visibility !== undefined) w.push(`n.visibility = ${q.p(c.visibility)}`);
  if (has(c.filename)) {
    if (!c.fileJobs) throw new Error('internal: filename criteria not prepared');
    w.push(`j.node_id = any(${q.p([...c.fileJobs.keys()])}::bigint[])`);
  }
  if (has(c.annotation)) {
    // The job's own annotations and those of its runs and file versions.
    const a = q.p(substringLike(c.annotation));
    // Only annotations of nodes the viewer may see: a hidden node's annotation text is not searched.
    w.push(`j.node_id in (select case when an.kind = 'job' then an.id else an.job_id end
      from annotation a join node an on an.id = a.node_id where (a.value ilike ${a} or a.key ilike ${a})${visibleAnd(viewer, 'an', q)})`);
  }
  return w;
}

/** `from job j [join node n]`: the node only when a condition needs it (the admin sees everything). */
export function jobsFrom(conds: string[]): string {
  return conds.some((w) => /\bn\./.test(w)) ? 'from job j join node n on n.id = j.node_id' : 'from job j';
}

/** SQL selecting the ids (node_id) of the matching jobs. */
export function matchingJobsSql(c: PreparedCriteria, viewer: Viewer, q: Sql): string {
  const w = jobConditions(c, viewer, q);
  return `select j.node_id ${jobsFrom(w)} where ${w.join(' and ')}`;
}

/** `additem`: a node's annotations as one line (`key: value; value`). */
export const ADDITEM_SQL = (id: string) => `(select string_agg(case when a.key = '' then a.value else a.key || ': ' || a.value end, '; ' order by a.created_at, a.id)
  from annotation a where a.node_id = ${id})`;
