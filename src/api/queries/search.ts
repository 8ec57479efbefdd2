// GET /api/v1/search: jobs matching the criteria, paged, with how many of
// their files matched.
import { Sql, type Viewer } from '../../graph/index.js';
import type { Queryable } from '../../store/index.js';
import type { SearchQuery } from '../schemas.js';
import { isoUs } from '../time.js';
import { jobConditions, matchingFilesSql } from './criteria.js';
import type { VisibilityName } from './nodes.js';

const SORT: Record<NonNullable<SearchQuery['sort']>, [string, string]> = {
  start: ['j.start_ts asc nulls first', 'j.start_ts desc nulls last'],
  end: ['j.end_ts asc nulls first', 'j.end_ts desc nulls last'],
  jobId: ['j.job_ref asc', 'j.job_ref desc'],
  user: ['j.user_name asc nulls first', 'j.user_name desc nulls last'],
  name: ['j.name asc nulls first', 'j.name desc nulls last'],
  state: ['j.state asc nulls first', 'j.state desc nulls last'],
};

export interface JobHitOut {
  id: number; key: string; jobId: string; scheduler: string; name: string | null; user: string | null; uid: number | null;
  script: string | null; start: string | null; end: string | null; state: string | null; exitCode: number | null;
  host: string | null; visibility: VisibilityName; matchedFiles: number;
}

export function jobOrder(sort: keyof typeof SORT | undefined, order: 'asc' | 'desc' | undefined): string {
  const s = SORT[sort ?? 'start'];
  const dir = order ?? (sort === undefined || sort === 'start' || sort === 'end' ? 'desc' : 'asc');
  return `${s[dir === 'asc' ? 0 : 1]}, j.node_id ${dir}`;
}

/** Files (paths; not pipes, not system software unless asked) each job touched, or matched by `filename`; counts stop at 100,000. */
export async function matchedFileCounts(db: Queryable, c: SearchQuery, jobIds: number[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  if (jobIds.length === 0) return out;
  const q = new Sql();
  const ids = q.p(jobIds);
  let sql: string;
  if (c.filename) {
    sql = `select job_id, count(distinct path_id)::int as n from (${matchingFilesSql(c, q, `and e.job_id = any(${ids}::bigint[])`)}) m group by job_id`;
  } else {
    const sw = c.includeSoftware ? '' : 'and not coalesce(fv.software, false)';
    sql = `select k.id as job_id, (select count(*)::int from (
        select distinct fv.path_id from (
          select e.to_id as id from node pn join edge e on e.from_id = pn.id and e.kind = 'used'
            where pn.job_id = k.id and pn.kind = 'process'
          union all
          select e.from_id from node pn join edge e on e.to_id = pn.id and e.kind in ('wasGeneratedBy', 'wasInvalidatedBy')
            where pn.job_id = k.id and pn.kind = 'process') f
        join file_version fv on fv.node_id = f.id
        where coalesce(fv.file_class, 'data') <> 'pipe' ${sw}
        limit 100000) x) as n
      from unnest(${ids}::bigint[]) k(id)`;
  }
  const { rows } = await db.query<{ job_id: number; n: number }>(sql, q.params);
  for (const r of rows) out.set(Number(r.job_id), Number(r.n));
  return out;
}

export async function searchJobHits(db: Queryable, viewer: Viewer, c: SearchQuery): Promise<{ total: number; items: JobHitOut[] }> {
  const q = new Sql();
  const where = jobConditions(c, viewer, q).join(' and ');
  const from = 'from job j join node n on n.id = j.node_id';
  const countParams = [...q.params];
  const limit = q.p(c.pageSize);
  const offset = q.p((c.page - 1) * c.pageSize);
  const [cnt, page] = await Promise.all([
    db.query<{ n: number }>(`select count(*)::int as n ${from} where ${where}`, countParams),
    db.query<Record<string, unknown>>(
      `select j.node_id, n.key, n.visibility, j.scheduler, j.job_ref, j.name, j.user_name, j.uid, j.script, j.start_ts, j.end_ts,
         j.state, j.exit_code, j.host
       ${from} where ${where} order by ${jobOrder(c.sort, c.order)} limit ${limit} offset ${offset}`, q.params),
  ]);
  const ids = page.rows.map((r) => Number(r.node_id));
  const counts = await matchedFileCounts(db, c, ids);
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    total: Number(cnt.rows[0]!.n),
    items: page.rows.map((r) => ({
      id: Number(r.node_id), key: r.key as string, jobId: r.job_ref as string, scheduler: r.scheduler as string,
      name: (r.name as string | null) ?? null, user: (r.user_name as string | null) ?? null, uid: num(r.uid),
      script: (r.script as string | null) ?? null, start: isoUs(num(r.start_ts)), end: isoUs(num(r.end_ts)),
      state: (r.state as string | null) ?? null, exitCode: num(r.exit_code), host: (r.host as string | null) ?? null,
      visibility: r.visibility as VisibilityName, matchedFiles: counts.get(Number(r.node_id)) ?? 0,
    })),
  };
}
