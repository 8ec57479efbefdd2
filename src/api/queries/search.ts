// GET /api/v1/search: jobs matching the criteria, paged, with how many of
// their files matched.
import { Sql, viewerKey, visibleAnd, type Viewer } from '../../graph/index.js';
import type { Queryable } from '../../store/index.js';
import type { JobCountCache } from '../cache.js';
import type { SearchQuery } from '../schemas.js';
import { isoUs } from '../time.js';
import { jobConditions, jobsFrom, prepareCriteria, type PreparedCriteria } from './criteria.js';
import type { VisibilityName } from './nodes.js';

// PostgreSQL's own null order (nulls count as largest), so that the job_start
// index serves "newest first": a job with no start time yet counts as newest.
const SORT: Record<NonNullable<SearchQuery['sort']>, string> = {
  start: 'j.start_ts', end: 'j.end_ts', jobId: 'j.job_ref', user: 'j.user_name', name: 'j.name', state: 'j.state',
};

export interface JobHitOut {
  id: number; key: string; jobId: string; scheduler: string; name: string | null; user: string | null; uid: number | null;
  script: string | null; start: string | null; end: string | null; state: string | null; exitCode: number | null;
  host: string | null; visibility: VisibilityName; matchedFiles: number;
}

export function jobOrder(sort: keyof typeof SORT | undefined, order: 'asc' | 'desc' | undefined): string {
  const dir = order ?? (sort === undefined || sort === 'start' || sort === 'end' ? 'desc' : 'asc');
  return `${SORT[sort ?? 'start']} ${dir}, j.node_id ${dir}`;
}

/**
 * Files (paths; not pipes, not system software unless asked) each job
 * touched, or matched by `filename`; counts stop at 100,000. Counts of
 * finished jobs come from `cache` when given.
 */
export async function matchedFileCounts(db: Queryable, viewer: Viewer, c: PreparedCriteria, jobIds: number[], cache?: JobCountCache): Promise<Map<number, number>> {
  if (c.fileJobs) return new Map(jobIds.map((id) => [id, c.fileJobs!.get(id) ?? 0]));
  const sw = c.includeSoftware ?? false;
  // Counts only runs and files the viewer may see (cached per viewerKey).
  const scope = viewerKey(viewer);
  const out = new Map<number, number>();
  const todo: number[] = [];
  for (const id of jobIds) {
    const n = cache?.get(id, sw, scope);
    if (n === undefined) todo.push(id);
    else out.set(id, n);
  }
  if (todo.length === 0) return out;
  const q = new Sql();
  const ids = q.p(todo);
  const pvis = visibleAnd(viewer, 'pn', q);
  const fvis = visibleAnd(viewer, 'fn', q);
  const { rows } = await db.query<{ job_id: number; n: number; finished: boolean }>(
    `select k.id as job_id, (select count(*)::int from (
        select distinct fv.path_id from (
          select e.to_id as id from node pn join edge e on e.from_id = pn.id and e.kind = 'used'
            where pn.job_id = k.id and pn.kind = 'process'${pvis}
          union all
          select e.from_id from node pn join edge e on e.to_id = pn.id and e.kind in ('wasGeneratedBy', 'wasInvalidatedBy')
            where pn.job_id = k.id and pn.kind = 'process'${pvis}) f
        join file_version fv on fv.node_id = f.id ${fvis ? 'join node fn on fn.id = fv.node_id' : ''}
        where coalesce(fv.file_class, 'data') <> 'pipe' ${sw ? '' : 'and not coalesce(fv.software, false)'}${fvis}
        limit 100000) x) as n,
       exists (select 1 from job j where j.node_id = k.id and j.end_ts is not null) as finished
     from unnest(${ids}::bigint[]) k(id)`, q.params);
  for (const r of rows) {
    out.set(Number(r.job_id), Number(r.n));
    if (r.finished) cache?.set(Number(r.job_id), sw, scope, Number(r.n));
  }
  return out;
}

/** Up to this many hits, the page is cut from the collected hits rather than read in index order. */
const FEW_HITS = 5000;

export async function searchJobHits(db: Queryable, viewer: Viewer, query: SearchQuery, cache?: JobCountCache): Promise<{ total: number; items: JobHitOut[] }> {
  const c = await prepareCriteria(db, query, viewer);
  if (c.fileJobs?.size === 0) return { total: 0, items: [] };
  const q = new Sql();
  const conds = jobConditions(c, viewer, q);
  // Conditions on the job's node (visibility) after those on the job: the
  // node table is the biggest; a user's 200 jobs are 200 node reads, not a
  // walk over every job's node.
  const onNode = conds.filter((w) => /\bn\./.test(w));
  const onJob = conds.filter((w) => !/\bn\./.test(w));
  const source = onNode.length > 0 && onJob.length > 0
    ? `with cand as materialized (select j.* from job j where ${onJob.join(' and ')})
       select j.* from cand j join node n on n.id = j.node_id where ${onNode.join(' and ')}`
    : `select j.* ${jobsFrom(conds)} where ${conds.join(' and ')}`;
  // Count first: the count tells the planner what it cannot know (a user's
  // public jobs may be none of 10,000): few hits are collected, then sorted;
  // many are read in index order until the page is full.
  const { rows: cnt } = await db.query<{ n: number }>(`select count(*)::int as n from (${source}) x`, q.params);
  const total = Number(cnt[0]!.n);
  const offsetN = (c.page - 1) * c.pageSize;
  if (total === 0 || offsetN >= total) return { total, items: [] };
  const limit = q.p(c.pageSize);
  const offset = q.p(offsetN);
  const order = jobOrder(c.sort, c.order);
  const hits = total <= FEW_HITS
    ? `(with m as materialized (${source}) select * from m j order by ${order} limit ${limit} offset ${offset})`
    : `(select * from (${source}) j order by ${order} limit ${limit} offset ${offset})`;
  const page = await db.query<Record<string, unknown>>(
    `select j.node_id, nn.key, nn.visibility, j.scheduler, j.job_ref, j.name, j.user_name, j.uid, j.script, j.start_ts, j.end_ts,
       j.state, j.exit_code, j.host
     from ${hits} j join node nn on nn.id = j.node_id order by ${order}`, q.params);
  const ids = page.rows.map((r) => Number(r.node_id));
  const counts = await matchedFileCounts(db, viewer, c, ids, cache);
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    total,
    items: page.rows.map((r) => ({
      id: Number(r.node_id), key: r.key as string, jobId: r.job_ref as string, scheduler: r.scheduler as string,
      name: (r.name as string | null) ?? null, user: (r.user_name as string | null) ?? null, uid: num(r.uid),
      script: (r.script as string | null) ?? null, start: isoUs(num(r.start_ts)), end: isoUs(num(r.end_ts)),
      state: (r.state as string | null) ?? null, exitCode: num(r.exit_code), host: (r.host as string | null) ?? null,
      visibility: r.visibility as VisibilityName, matchedFiles: counts.get(Number(r.node_id)) ?? 0,
    })),
  };
}
