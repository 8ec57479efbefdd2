// The keep set of a file version: what must be kept to make it again — the
// source files among its ancestors (versions no recorded process generated),
// split into inputs, programs (executables run), scripts (job scripts) and
// libraries (other software). Intermediate files are not in it: the recorded
// runs can make them again from the keep set.
import type { Queryable } from '../../store/db.js';
import type { Store } from '../../store/open-store.js';
import { fromStoredPath } from '../../store/path-text.js';
import { resolveNodes, type NodeRef } from './resolve.js';
import { Sql, visibleAnd, visibleTo, type Viewer } from './viewer.js';

export interface FileRef {
  id: number;
  key: string;
  path: string;
  version: number;
  software: boolean;
  sha256: string | null;
  size: number | null;
}

export interface KeepSet {
  targets: number[];
  inputs: FileRef[];
  programs: FileRef[];
  scripts: FileRef[];
  libraries: FileRef[];
}

/**
 * All ancestors of the start nodes (no fan-out limit), cycle-safe. With a
 * viewer, the walk does not go through nodes they may not see (it reaches
 * them, so the caller filters): nothing beyond a hidden node is found by way of it.
 */
export async function ancestorIds(db: Queryable, start: number[], depth = 1000, viewer?: Viewer): Promise<number[]> {
  const q = new Sql();
  const vis = viewer && viewer.kind !== 'admin' ? ` and exists (select 1 from node vn where vn.id = w.id${visibleAnd(viewer, 'vn', q)})` : '';
  const { rows } = await db.query<{ id: number }>(
    `with recursive w(id, depth) as (
       select s, 0 from unnest(${q.p(start)}::bigint[]) s
       union
       select e.to_id, w.depth + 1 from w join edge e on e.from_id = w.id
       where w.depth < ${q.p(depth)} and e.kind in ('used', 'wasGeneratedBy', 'wasInformedBy', 'wasDerivedFrom')${vis}
     ) select distinct id from w`,
    q.params);
  return rows.map((r) => Number(r.id));
}

export const FILE_REF_SQL = `select fv.node_id as id, n.key, p.path, p.path_bytes, fv.version, coalesce(fv.software, false) as software, fv.sha256, fv.size
  from file_version fv join node n on n.id = fv.node_id join path p on p.id = fv.path_id`;

export function fileRef(r: Record<string, unknown>): FileRef {
  return {
    id: Number(r.id), key: r.key as string, path: fromStoredPath(r.path as string, r.path_bytes as Uint8Array | null),
    version: Number(r.version), software: Boolean(r.software), sha256: (r.sha256 as string | null) ?? null, size: r.size === null || r.size === undefined ? null : Number(r.size),
  };
}

export async function keepSet(store: Store, viewer: Viewer, ref: NodeRef | NodeRef[]): Promise<KeepSet> {
  const db = store.db;
  const targets: number[] = [];
  for (const r of Array.isArray(ref) ? ref : [ref]) targets.push(...(await resolveNodes(db, r, viewer)));
  const anc = await ancestorIds(db, targets, 1000, viewer);
  const q = new Sql();
  const ancP = q.p(anc);
  const { rows } = await db.query<Record<string, unknown>>(
    `${FILE_REF_SQL}
     where fv.node_id = any(${ancP}::bigint[]) and not (fv.node_id = any(${q.p(targets)}::bigint[]))
       and coalesce(fv.file_class, 'data') <> 'pipe'
       and not exists (select 1 from edge g where g.from_id = fv.node_id and g.kind = 'wasGeneratedBy')
       and ${visibleTo(viewer, 'n', q)}
     order by p.path, fv.version`, q.params);
  // Executables run by ancestor runs, and the scripts of their jobs.
  // (Only of runs and jobs the viewer may see: a hidden job's script is not theirs to learn of.)
  const sq = new Sql();
  const { rows: execs } = await db.query<{ id: number }>(
    `select distinct e.to_id as id from edge e join node p on p.id = e.from_id
     where e.kind = 'used' and e.role = 'exec' and e.from_id = any(${sq.p(anc)}::bigint[])${visibleAnd(viewer, 'p', sq)}`, sq.params);
  const exec = new Set(execs.map((r) => Number(r.id)));
  const jq = new Sql();
  const { rows: jobs } = await db.query<{ script: string | null; cwd: string | null }>(
    `select distinct j.script, j.cwd from job j join node jn on jn.id = j.node_id join node p on p.job_id = j.node_id
     where p.id = any(${jq.p(anc)}::bigint[]) and j.script is not null${visibleAnd(viewer, 'p', jq)}${visibleAnd(viewer, 'jn', jq)}`, jq.params);
  const scriptPaths = new Set(jobs.map((j) => (j.script!.startsWith('/') || !j.cwd ? j.script! : `${j.cwd.replace(/\/$/, '')}/${j.script!.replace(/^\.\//, '')}`)));
  const out: KeepSet = { targets, inputs: [], programs: [], scripts: [], libraries: [] };
  for (const r of rows) {
    const f = fileRef(r);
    if (scriptPaths.has(f.path)) out.scripts.push(f);
    else if (exec.has(f.id)) out.programs.push(f);
    else if (f.software) out.libraries.push(f);
    else out.inputs.push(f);
  }
  return out;
}
