// Turning what a caller names (node id, node key, a path, a job id) into node ids.
import type { Queryable } from '../../store/db.js';
import { toStoredPath } from '../../store/path-text.js';
import { GraphError } from '../edge-kinds.js';
import { pathKey } from '../node-keys.js';

/** A node id, a node key ('f:/data/x#2'), a file path (latest version unless `version`), or a job. */
export type NodeRef = number | string | { path: string; version?: number } | { jobId: string; scheduler?: string };

export async function resolveNode(db: Queryable, ref: NodeRef): Promise<number> {
  const ids = await resolveNodes(db, ref);
  return ids[0]!;
}

async function one(db: Queryable, sql: string, params: unknown[], what: string): Promise<number> {
  const { rows } = await db.query<{ id: number }>(sql, params);
  if (rows.length === 0) throw new GraphError('E_GRAPH_NOT_FOUND', `no such ${what}`);
  if (rows.length > 1) throw new GraphError('E_GRAPH_NOT_FOUND', `${what} is ambiguous (${rows.length} matches); name the scheduler`);
  return Number(rows[0]!.id);
}

export async function resolveNodes(db: Queryable, ref: NodeRef): Promise<number[]> {
  if (typeof ref === 'number') return [await one(db, 'select id from node where id = $1', [ref], `node ${ref}`)];
  if (typeof ref === 'string') {
    if (ref.startsWith('/')) return resolveNodes(db, { path: ref });
    return [await one(db, 'select id from node where key = $1', [ref], `node ${JSON.stringify(ref)}`)];
  }
  if ('path' in ref) {
    const key = pathKey(ref.path);
    if (ref.version !== undefined) {
      return [await one(db, `select fv.node_id as id from path p join file_version fv on fv.path_id = p.id where p.key = $1 and fv.version = $2`,
        [key, ref.version], `version ${ref.version} of ${toStoredPath(ref.path).path}`)];
    }
    return [await one(db, `select fv.node_id as id from path p join file_version fv on fv.path_id = p.id where p.key = $1 order by fv.version desc limit 1`,
      [key], `file ${toStoredPath(ref.path).path}`)];
  }
  return [await one(db, `select node_id as id from job where job_ref = $1 and ($2::text is null or scheduler = $2)`,
    [ref.jobId, ref.scheduler ?? null], `job ${JSON.stringify(ref.jobId)}`)];
}
