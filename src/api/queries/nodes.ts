// Nodes as the API shows them (GraphNode): one query for any set of ids,
// filtered by what the viewer may see.
import type { EdgeKind, NodeKind, Viewer } from '../../graph/index.js';
import { Sql, visibleTo } from '../../graph/index.js';
import type { Queryable } from '../../store/index.js';
import { fromStoredPath } from '../../store/index.js';
import { isoUs } from '../time.js';

export type VisibilityName = 'private' | 'group' | 'public';

export interface ApiNode {
  id: number;
  key: string;
  kind: NodeKind;
  label: string;
  path?: string;
  software?: boolean;
  visibility: VisibilityName;
  attrs: Record<string, unknown>;
}

export interface ApiEdge {
  id: string;
  kind: EdgeKind;
  from: number;
  to: number;
  role?: string | null;
}

export const edgeId = (from: number, kind: string, to: number) => `${from}-${kind}-${to}`;

export function apiEdge(from: number, kind: EdgeKind, to: number, role?: string | null): ApiEdge {
  return { id: edgeId(from, kind, to), kind, from, to, ...(role !== undefined ? { role } : {}) };
}

/** SQL: is file-version node `id` system software (software nothing recorded generated)? */
export const SYSTEM_SOFTWARE = (id: string) => `exists (select 1 from file_version sv where sv.node_id = ${id} and sv.software
  and not exists (select 1 from edge g where g.from_id = sv.node_id and g.kind = 'wasGeneratedBy'))`;

const NODE_SQL = `select n.id, n.key, n.kind, n.label, n.ts, n.visibility,
    fv.version, fv.software, fv.file_class, fv.size, fv.exists_now, p.path, p.path_bytes,
    (fv.software is true and not exists (select 1 from edge g where g.from_id = n.id and g.kind = 'wasGeneratedBy')) as system_software,
    pr.pid, pr.exe, pr.argv, pr.host as p_host, pr.start_ts as p_start, pr.end_ts as p_end, pr.exit_code as p_exit,
    j.job_ref, j.scheduler, j.state, j.user_name, j.name as j_name, j.start_ts as j_start, j.end_ts as j_end, j.exit_code as j_exit,
    u.uid as u_uid, u.name as u_name
  from node n
  left join file_version fv on n.kind = 'file' and fv.node_id = n.id
  left join path p on p.id = fv.path_id
  left join process pr on n.kind = 'process' and pr.node_id = n.id
  left join job j on n.kind = 'job' and j.node_id = n.id
  left join user_agent u on n.kind = 'user' and u.node_id = n.id`;

export function parseJsonArray(v: unknown): string[] | null {
  if (typeof v !== 'string') return null;
  try {
    const a = JSON.parse(v) as unknown;
    return Array.isArray(a) ? (a as string[]) : null;
  } catch {
    return null;
  }
}

export function toApiNode(r: Record<string, unknown>): ApiNode & { systemSoftware: boolean } {
  const kind = r.kind as NodeKind;
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  const node: ApiNode & { systemSoftware: boolean } = {
    id: Number(r.id), key: r.key as string, kind, label: r.label as string, visibility: r.visibility as VisibilityName, attrs: {},
    systemSoftware: r.system_software === true,
  };
  if (kind === 'file') {
    node.path = fromStoredPath(r.path as string, (r.path_bytes as Uint8Array | null) ?? null);
    node.software = r.software === true;
    node.attrs = { version: num(r.version), fileClass: r.file_class ?? 'data', size: num(r.size), exists: r.exists_now ?? null };
  } else if (kind === 'process') {
    node.attrs = { pid: num(r.pid), exe: r.exe ?? null, argv: parseJsonArray(r.argv), host: r.p_host ?? null, start: isoUs(num(r.p_start)), end: isoUs(num(r.p_end)), exitCode: num(r.p_exit) };
  } else if (kind === 'job') {
    node.attrs = { jobId: r.job_ref ?? null, scheduler: r.scheduler ?? null, name: r.j_name ?? null, user: r.user_name ?? null, state: r.state ?? null, start: isoUs(num(r.j_start)), end: isoUs(num(r.j_end)), exitCode: num(r.j_exit) };
  } else if (kind === 'user') {
    node.attrs = { uid: num(r.u_uid), name: r.u_name ?? null };
  }
  return node;
}

export function publicNode(n: ApiNode & { systemSoftware?: boolean }): ApiNode {
  const { systemSoftware: _s, ...rest } = n as ApiNode & { systemSoftware?: boolean };
  return rest;
}

/** The visible nodes among `ids`, by id (system software flagged). */
export async function loadNodes(db: Queryable, viewer: Viewer, ids: number[]): Promise<Map<number, ApiNode & { systemSoftware: boolean }>> {
  const out = new Map<number, ApiNode & { systemSoftware: boolean }>();
  if (ids.length === 0) return out;
  const q = new Sql();
  const { rows } = await db.query<Record<string, unknown>>(
    `${NODE_SQL} where n.id = any(${q.p([...new Set(ids)])}::bigint[]) and ${visibleTo(viewer, 'n', q)}`, q.params);
  for (const r of rows) {
    const n = toApiNode(r);
    out.set(n.id, n);
  }
  return out;
}

export async function loadNode(db: Queryable, viewer: Viewer, id: number): Promise<(ApiNode & { systemSoftware: boolean }) | undefined> {
  return (await loadNodes(db, viewer, [id])).get(id);
}
