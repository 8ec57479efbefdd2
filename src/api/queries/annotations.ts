// Annotations ("additional items"): key/value text on any node, searchable.
import { GraphError } from '../../graph/index.js';
import type { Queryable } from '../../store/index.js';

export interface AnnotationOut {
  id: number;
  node: number;
  key: string;
  value: string;
  author: string | null;
  createdAt: string;
  updatedAt: string;
}

const COLS = 'id, node_id, key, value, author_name, created_at, updated_at';

function out(r: Record<string, unknown>): AnnotationOut {
  const iso = (v: unknown) => new Date(v as string | Date).toISOString();
  return {
    id: Number(r.id), node: Number(r.node_id), key: r.key as string, value: r.value as string, author: (r.author_name as string | null) ?? null,
    createdAt: iso(r.created_at), updatedAt: iso(r.updated_at ?? r.created_at),
  };
}

export async function annotationsOf(db: Queryable, node: number): Promise<AnnotationOut[]> {
  const { rows } = await db.query<Record<string, unknown>>(`select ${COLS} from annotation where node_id = $1 order by created_at, id`, [node]);
  return rows.map(out);
}

export async function addAnnotation(db: Queryable, node: number, a: { key: string; value: string }, author: { uid: number | null; name: string }): Promise<AnnotationOut> {
  const { rows } = await db.query<Record<string, unknown>>(
    `insert into annotation (node_id, key, value, author_uid, author_name) values ($1, $2, $3, $4, $5) returning ${COLS}`,
    [node, a.key, a.value, author.uid, author.name]);
  return out(rows[0]!);
}

export async function updateAnnotation(db: Queryable, node: number, id: number, a: { key?: string; value: string }): Promise<AnnotationOut> {
  const { rows } = await db.query<Record<string, unknown>>(
    `update annotation set key = coalesce($3, key), value = $4, updated_at = now() where id = $1 and node_id = $2 returning ${COLS}`,
    [id, node, a.key ?? null, a.value]);
  if (!rows[0]) throw new GraphError('E_GRAPH_NOT_FOUND', `no such annotation ${id} on node ${node}`);
  return out(rows[0]);
}

export async function deleteAnnotation(db: Queryable, node: number, id: number): Promise<void> {
  const { rows } = await db.query('delete from annotation where id = $1 and node_id = $2 returning id', [id, node]);
  if (rows.length === 0) throw new GraphError('E_GRAPH_NOT_FOUND', `no such annotation ${id} on node ${node}`);
}
