// The list view: entities (jobs, program runs, file versions) and relations
// (edges) of the jobs the criteria select, with the reference GUI's columns.
import { Sql, visibleAnd, visibleTo, type EdgeKind, type NodeKind, type Viewer } from '../../graph/index.js';
import type { Queryable } from '../../store/index.js';
import { fromStoredPath } from '../../store/index.js';
import type { JobCountCache } from '../cache.js';
import { ApiError } from '../errors.js';
import { ENTITY_SORTS, type EntitiesQuery, type RelationsQuery } from '../schemas.js';
import { isoUs } from '../time.js';
import { ADDITEM_SQL, jobConditions, matchingJobsSql, narrowsJobs, pathKey, pathMatch, prepareCriteria, type PreparedCriteria } from './criteria.js';
import { edgeId, parseJsonArray, SYSTEM_SOFTWARE } from './nodes.js';
import { jobOrder, matchedFileCounts } from './search.js';

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

function direction(order: 'asc' | 'desc' | undefined): 'asc' | 'desc' {
  return order ?? 'asc';
}

function checkSort(type: keyof typeof ENTITY_SORTS, sort: string | undefined): void {
  if (sort !== undefined && !(ENTITY_SORTS[type] as readonly string[]).includes(sort)) {
    throw new ApiError(400, 'E_BAD_PARAMETER', `sort: ${JSON.stringify(sort)} does not sort ${type} entities (use ${ENTITY_SORTS[type].join(', ')})`);
  }
}

async function paged(db: Queryable, q: Sql, base: string, select: string, order: string, c: { page: number; pageSize: number }) {
  const countParams = [...q.params];
  const lim = q.p(c.pageSize);
  const off = q.p((c.page - 1) * c.pageSize);
  const [cnt, page] = await Promise.all([
    db.query<{ n: number }>(`select count(*)::int as n ${base}`, countParams),
    db.query<Record<string, unknown>>(`${select} ${base} order by ${order} limit ${lim} offset ${off}`, q.params),
  ]);
  return { total: Number(cnt.rows[0]!.n), rows: page.rows };
}

/** Join condition (after `left join job j on …`): the job only when the viewer may see its node. */
function jobVisible(viewer: Viewer, q: Sql): string {
  const v = visibleAnd(viewer, 'jn', q);
  return v ? ` and exists (select 1 from node jn where jn.id = j.node_id${v})` : '';
}

/** Which of `ids` the viewer may see. */
async function visibleIds(db: Queryable, viewer: Viewer, ids: number[]): Promise<Set<number>> {
  if (viewer.kind === 'admin' || ids.length === 0) return new Set(ids);
  const q = new Sql();
  const { rows } = await db.query<{ id: number }>(`select n.id from node n where n.id = any(${q.p(ids)}::bigint[]) and ${visibleTo(viewer, 'n', q)}`, q.params);
  return new Set(rows.map((r) => Number(r.id)));
}

/** Program runs of the selected jobs (all of them when the criteria select every job). */
function processScope(c: PreparedCriteria, viewer: Viewer, q: Sql): string {
  if (!narrowsJobs(c)) return `select id from node where kind = 'process'`;
  return `select id from node where kind = 'process' and job_id in (${matchingJobsSql(c, viewer, q)})`;
}

export async function listEntities(db: Queryable, viewer: Viewer, query: EntitiesQuery, cache?: JobCountCache): Promise<{ total: number; items: Record<string, unknown>[] }> {
  checkSort(query.type, query.sort);
  const c = await prepareCriteria(db, query, viewer);
  const dir = direction(c.order);
  const q = new Sql();
  if (c.type === 'job') {
    const where = jobConditions(c, viewer, q).join(' and ');
    const order = c.sort === 'id' ? `j.node_id ${dir}` : jobOrder(c.sort as Parameters<typeof jobOrder>[0], c.order);
    const { total, rows } = await paged(db, q, `from job j join node n on n.id = j.node_id where ${where}`,
      `select j.*, n.visibility, ${ADDITEM_SQL('j.node_id')} as additem`, order, c);
    const ids = rows.map((r) => Number(r.node_id));
    const counts = await matchedFileCounts(db, viewer, c, ids, cache);
    const first = new Map<number, string>();
    if (c.filename && ids.length > 0) {
      const fq = new Sql();
      const m = pathMatch('p.path', c.filename, fq);
      const sw = c.includeSoftware ? '' : 'and not coalesce(fv.software, false)';
      // The first matching file the viewer may see (of runs they may see).
      const vis = `${visibleAnd(viewer, 'pn', fq)}${viewer.kind === 'admin' ? '' : ` and exists (select 1 from node fn where fn.id = fv.node_id${visibleAnd(viewer, 'fn', fq)})`}`;
      const { rows: fr } = await db.query<{ job_id: number; path: string; path_bytes: Uint8Array | null }>(
        `select k.id as job_id, f.path, f.path_bytes from unnest(${fq.p(ids)}::bigint[]) k(id) cross join lateral (
           select p.path, p.path_bytes from node pn join edge e on (e.from_id = pn.id and e.kind = 'used') or (e.to_id = pn.id and e.kind in ('wasGeneratedBy', 'wasInvalidatedBy'))
             join file_version fv on fv.node_id = case when e.kind = 'used' then e.to_id else e.from_id end join path p on p.id = fv.path_id
           where pn.job_id = k.id and pn.kind = 'process' and ${m} ${sw}${vis} order by p.path limit 1) f`, fq.params);
      for (const r of fr) first.set(Number(r.job_id), fromStoredPath(r.path, r.path_bytes ?? null));
    }
    return {
      total,
      items: rows.map((r) => {
        const id = Number(r.node_id);
        const path = first.get(id);
        return {
          id, job_id: r.job_ref, scheduler: r.scheduler, name: str(r.name), filename: path === undefined ? null : path.slice(path.lastIndexOf('/') + 1),
          user: str(r.user_name), uid: num(r.uid), script: str(r.script), host: str(r.host), start: isoUs(num(r.start_ts)), end: isoUs(num(r.end_ts)),
          state: str(r.state), exit_code: num(r.exit_code), matched_files: counts.get(id) ?? 0, additem: str(r.additem), visibility: r.visibility,
        };
      }),
    };
  }
  if (c.type === 'process') {
    const scope = processScope(c, viewer, q);
    const sorts: Record<string, string> = {
      start: 'pr.start_ts', end: 'pr.end_ts', pid: 'pr.pid', path: 'pr.exe', host: 'pr.host', id: 'n.id',
    };
    const order = `${sorts[c.sort ?? 'start']} ${dir} ${dir === 'asc' ? 'nulls first' : 'nulls last'}, n.id ${dir}`;
    // The run's job and parent run are named only when the viewer may see them.
    const base = `from node n join process pr on pr.node_id = n.id left join job j on j.node_id = n.job_id${jobVisible(viewer, q)}
      where n.id in (${scope}) and ${visibleTo(viewer, 'n', q)}`;
    const { total, rows } = await paged(db, q, base,
      `select n.id, n.visibility, j.node_id as job_id, n.owner_uid, n.owner_gid, pr.pid, pr.ppid, pr.uid, pr.gid, pr.euid, pr.egid, pr.exe, pr.host, pr.argv,
         pr.start_ts, pr.end_ts, pr.exit_code, j.job_ref,
         (select e.to_id from edge e where e.from_id = n.id and e.kind = 'wasInformedBy' order by e.to_id limit 1) as parent,
         ${ADDITEM_SQL('n.id')} as additem`, order, c);
    const parents = await visibleIds(db, viewer, rows.map((r) => num(r.parent)).filter((x): x is number => x !== null));
    return {
      total,
      items: rows.map((r) => {
        const argv = parseJsonArray(r.argv);
        return {
          id: Number(r.id), pid: num(r.pid), ppid: num(r.ppid), uid: num(r.uid ?? r.owner_uid), gid: num(r.gid ?? r.owner_gid),
          euid: num(r.euid ?? r.uid ?? r.owner_uid), egid: num(r.egid ?? r.gid ?? r.owner_gid), path: str(r.exe), host: str(r.host),
          args: argv ? argv.slice(1).join(' ') : null, argv, parent: parents.has(num(r.parent) ?? NaN) ? num(r.parent) : null, start: isoUs(num(r.start_ts)), end: isoUs(num(r.end_ts)),
          exit_code: num(r.exit_code), mpi: null, job: num(r.job_id), job_id: str(r.job_ref), additem: str(r.additem), visibility: r.visibility,
        };
      }),
    };
  }
  // file versions
  const w: string[] = [visibleTo(viewer, 'n', q), `coalesce(fv.file_class, 'data') <> 'pipe'`];
  if (!c.includeSoftware) w.push(`not (coalesce(fv.software, false) and not exists (select 1 from edge g where g.from_id = fv.node_id and g.kind = 'wasGeneratedBy'))`);
  if (c.filename) w.push(pathMatch('p.path', c.filename, q, await pathKey(db, c.filename)));
  if (narrowsJobs(c)) {
    const procs = processScope(c, viewer, q);
    w.push(`fv.node_id in (select e.to_id from edge e where e.kind = 'used' and e.from_id in (${procs})
      union select e.from_id from edge e where e.kind in ('wasGeneratedBy', 'wasInvalidatedBy') and e.to_id in (${procs}))`);
  }
  const sorts: Record<string, string> = {
    path: `p.path ${dir}, fv.version ${dir}`, version: `fv.version ${dir}, p.path ${dir}`, size: `fv.size ${dir} nulls last`,
    mtime: `fv.mtime ${dir} nulls last`, inode: `fv.ino ${dir} nulls last`, id: `n.id ${dir}`,
  };
  const order = `${sorts[c.sort ?? 'path']}, n.id ${dir}`;
  // A visible file of a job the viewer may not see: the job (id, host) is not named.
  const base = `from file_version fv join node n on n.id = fv.node_id join path p on p.id = fv.path_id left join job j on j.node_id = n.job_id${jobVisible(viewer, q)}
    where ${w.join(' and ')}`;
  const { total, rows } = await paged(db, q, base,
    `select n.id, n.visibility, j.node_id as job_id, n.owner_uid, p.path, p.path_bytes, fv.version, fv.ino, fv.dev, fv.size, fv.mtime, fv.sha256, fv.software,
       j.host, j.job_ref, ${ADDITEM_SQL('n.id')} as additem`, order, c);
  return {
    total,
    items: rows.map((r) => ({
      id: Number(r.id), uid: num(r.owner_uid), path: fromStoredPath(r.path as string, (r.path_bytes as Uint8Array | null) ?? null),
      version: num(r.version), inode: num(r.ino), dev: num(r.dev), host: str(r.host), size: num(r.size), mtime: isoUs(num(r.mtime)),
      sha256: str(r.sha256), software: r.software === true, job: num(r.job_id), job_id: str(r.job_ref), additem: str(r.additem), visibility: r.visibility,
    })),
  };
}

export interface RelationRow {
  id: string;
  kind: EdgeKind;
  from: { id: number; kind: NodeKind; label: string };
  to: { id: number; kind: NodeKind; label: string };
}

export async function listRelations(db: Queryable, viewer: Viewer, query: RelationsQuery): Promise<{ total: number; items: RelationRow[] }> {
  const c = await prepareCriteria(db, query, viewer);
  const q = new Sql();
  let edges: string;
  if (!narrowsJobs(c)) {
    edges = 'select from_id, kind, to_id from edge';
  } else {
    const jobs = matchingJobsSql(c, viewer, q);
    edges = `select e.from_id, e.kind, e.to_id from (
        with mj as (${jobs}), procs as (select id from node where kind = 'process' and job_id in (select node_id from mj))
        select e.from_id, e.kind, e.to_id from edge e where e.from_id in (select id from procs)
        union select e.from_id, e.kind, e.to_id from edge e where e.to_id in (select id from procs)
        union select e.from_id, e.kind, e.to_id from edge e where e.from_id in (select node_id from mj)
        union select e.from_id, e.kind, e.to_id from edge e where e.to_id in (select node_id from mj)
        union select d.from_id, d.kind, d.to_id from edge g join edge d on d.from_id = g.from_id and d.kind = 'wasDerivedFrom'
          where g.kind = 'wasGeneratedBy' and g.to_id in (select id from procs)) e`;
  }
  const w = [visibleTo(viewer, 'a', q), visibleTo(viewer, 'b', q)];
  if (c.edgeKind) w.push(`x.kind = ${q.p(c.edgeKind)}`);
  if (!c.includeSoftware) w.push(`not ${SYSTEM_SOFTWARE('x.from_id')}`, `not ${SYSTEM_SOFTWARE('x.to_id')}`);
  const dir = direction(c.order);
  const order = { from: `x.from_id ${dir}, x.kind ${dir}, x.to_id ${dir}`, to: `x.to_id ${dir}, x.kind ${dir}, x.from_id ${dir}`, kind: `x.kind ${dir}, x.from_id ${dir}, x.to_id ${dir}` }[c.sort ?? 'from'];
  const base = `from (${edges}) x join node a on a.id = x.from_id join node b on b.id = x.to_id where ${w.join(' and ')}`;
  const { total, rows } = await paged(db, q, base,
    'select x.from_id, x.kind, x.to_id, a.kind as a_kind, a.label as a_label, b.kind as b_kind, b.label as b_label', order, c);
  return {
    total,
    items: rows.map((r) => ({
      id: edgeId(Number(r.from_id), r.kind as string, Number(r.to_id)), kind: r.kind as EdgeKind,
      from: { id: Number(r.from_id), kind: r.a_kind as NodeKind, label: r.a_label as string },
      to: { id: Number(r.to_id), kind: r.b_kind as NodeKind, label: r.b_label as string },
    })),
  };
}
