// Turning what a caller names (node id, node key, a path, a job id) into node ids.
// With a viewer, only nodes the viewer may see are found, and a node they may
// not see is "not found" with the same message as a missing one: a private
// file's path or a private job's id cannot be confirmed by trying it.
import type { Queryable } from '../../store/db.js';
import { toStoredPath } from '../../store/path-text.js';
import { GraphError } from '../edge-kinds.js';
import { pathKey } from '../node-keys.js';
import { Sql, visibleAnd, type Viewer } from './viewer.js';

/** A node id, a node key ('f:/data/x#2'), a file path (latest version unless `version`), or a job. */
export type NodeRef = number | string | { path: string; version?: number } | { jobId: string; scheduler?: string };

export async function resolveNode(db: Queryable, ref: NodeRef, viewer?: Viewer): Promise<number> {
  const ids = await resolveNodes(db, ref, viewer);
  return ids[0]!;
}

async function one(db: Queryable, sql: string, params: unknown[], what: string): Promise<number> {
  const { rows } = await db.query<{ id: number }>(sql, params);
  if (rows.length === 0) throw new GraphError('E_GRAPH_NOT_FOUND', `no such ${what}`);
  if (rows.length > 1) throw new GraphError('E_GRAPH_NOT_FOUND', `${what} is ambiguous (${rows.length} matches); name the scheduler`);
  return Number(rows[0]!.id);
}

/** Without a viewer: every node (the local admin's tools). */
export async function resolveNodes(db: Queryable, ref: NodeRef, viewer?: Viewer): Promise<number[]> {
  const q = new Sql();
  // The visibility condition's parameters come first ($1…); the lookup's follow.
  const vis = viewer ? visibleAnd(viewer, 'n', q) : '';
  const p = (v: unknown) => q.p(v);
  if (typeof ref === 'number') return [await one(db, `select n.id from node n where n.id = ${p(ref)}${vis}`, q.params, `node ${ref}`)];
  if (typeof ref === 'string') {
    if (ref.startsWith('/')) return resolveNodes(db, { path: ref }, viewer);
    return [await one(db, `select n.id from node n where n.key = ${p(ref)}${vis}`, q.params, `node ${JSON.stringify(ref)}`)];
  }
  if ('path' in ref) {
    const key = pathKey(ref.path);
    const from = `from path p join file_version fv on fv.path_id = p.id join node n on n.id = fv.node_id`;
    if (ref.version !== undefined) {
      return [await one(db, `select fv.node_id as id ${from} where p.key = ${p(key)} and fv.version = ${p(ref.version)}${vis}`,
        q.params, `version ${ref.version} of ${toStoredPath(ref.path).path}`)];
    }
    // The latest version the viewer may see.
    return [await one(db, `select fv.node_id as id ${from} where p.key = ${p(key)}${vis} order by fv.version desc limit 1`,
      q.params, `file ${toStoredPath(ref.path).path}`)];
  }
  return [await one(db, `select j.node_id as id from job j join node n on n.id = j.node_id
    where j.job_ref = ${p(ref.jobId)} and (${p(ref.scheduler ?? null)}::text is null or j.scheduler = ${p(ref.scheduler ?? null)})${vis}`,
    q.params, `job ${JSON.stringify(ref.jobId)}`)];
}
