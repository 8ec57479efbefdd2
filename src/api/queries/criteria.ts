// The search criteria of the UI (job id, filename, additional item, script,
// user, time range, visibility) as SQL conditions on jobs. Search, the
// entity list and the relation list all start from the jobs they select.
// Same semantics as graph/queries/search.ts (substring or glob; every value
// a bound parameter).
import { globToRegex, isGlob, Sql, substringLike, visibleTo, type Viewer } from '../../graph/index.js';
import { toStoredPath } from '../../store/index.js';
import type { Criteria } from '../schemas.js';

export function textMatch(col: string, value: string, q: Sql): string {
  return isGlob(value) ? `${col} ~ ${q.p(globToRegex(value))}` : `${col} ilike ${q.p(substringLike(value))}`;
}

export function pathMatch(col: string, value: string, q: Sql): string {
  const v = toStoredPath(value).path;
  return isGlob(v) ? `${col} ~ ${q.p(globToRegex(v))}` : `${col} ilike ${q.p(substringLike(v))}`;
}

const has = (v: string | undefined): v is string => v !== undefined && v !== '';

/** True when the criteria narrow the jobs at all (visibility aside). */
export function narrowsJobs(c: Criteria): boolean {
  return has(c.jobId) || has(c.filename) || has(c.annotation) || has(c.script) || has(c.user) || c.from !== undefined || c.to !== undefined || c.visibility !== undefined;
}

/** File versions matching `filename` that a job read, wrote or removed: rows (job_id, file_id, path_id). */
export function matchingFilesSql(c: Criteria, q: Sql, jobFilter = ''): string {
  const m = pathMatch('p.path', c.filename!, q);
  const sw = c.includeSoftware ? '' : 'and not coalesce(fv.software, false)';
  return `select e.job_id, fv.node_id as file_id, fv.path_id from path p join file_version fv on fv.path_id = p.id join edge e on e.to_id = fv.node_id
      where ${m} ${sw} and e.kind = 'used' ${jobFilter}
    union all
    select e.job_id, fv.node_id, fv.path_id from path p join file_version fv on fv.path_id = p.id join edge e on e.from_id = fv.node_id
      where ${m} ${sw} and e.kind in ('wasGeneratedBy', 'wasInvalidatedBy') ${jobFilter}`;
}

/** Conditions on `job j join node n on n.id = j.node_id`. */
export function jobConditions(c: Criteria, viewer: Viewer, q: Sql): string[] {
  const w: string[] = [visibleTo(viewer, 'n', q)];
  if (has(c.jobId)) w.push(textMatch('j.job_ref', c.jobId, q));
  if (has(c.script)) w.push(textMatch('j.script', c.script, q));
  if (has(c.user)) w.push(/^\d+$/.test(c.user) ? `j.uid = ${q.p(Number(c.user))}` : `j.user_name = ${q.p(c.user)}`);
  if (c.from !== undefined) w.push(`coalesce(j.end_ts, j.start_ts) >= ${q.p(c.from)}`);
  if (c.to !== undefined) w.push(`j.start_ts <= ${q.p(c.to)}`);
  if (c.visibility !== undefined) w.push(`n.visibility = ${q.p(c.visibility)}`);
  if (has(c.filename)) w.push(`j.node_id in (select job_id from (${matchingFilesSql(c, q)}) mf)`);
  if (has(c.annotation)) {
    const a = q.p(substringLike(c.annotation));
    w.push(`exists (select 1 from annotation a join node an on an.id = a.node_id
      where (an.id = j.node_id or an.job_id = j.node_id) and (a.value ilike ${a} or a.key ilike ${a}))`);
  }
  return w;
}

/** SQL selecting the ids (node_id) of the matching jobs. */
export function matchingJobsSql(c: Criteria, viewer: Viewer, q: Sql): string {
  return `select j.node_id from job j join node n on n.id = j.node_id where ${jobConditions(c, viewer, q).join(' and ')}`;
}

/** `additem`: a node's annotations as one line (`key: value; value`). */
export const ADDITEM_SQL = (id: string) => `(select string_agg(case when a.key = '' then a.value else a.key || ': ' || a.value end, '; ' order by a.created_at, a.id)
  from annotation a where a.node_id = ${id})`;
