// One node with all its facts, annotations and neighbours (grouped, large
// groups summarized).
import type { Store } from '../../store/open-store.js';
import { fromStoredPath } from '../../store/path-text.js';
import { EDGE_KIND_NAMES, EDGE_KINDS, GraphError, type EdgeKind, type NodeKind } from '../edge-kinds.js';

/** Neighbour counts stop here (a hub's exact count costs a full index scan). */
const COUNT_CAP = 100_000;
import { resolveNode, type NodeRef } from './resolve.js';
import { Sql, visibleAnd, visibleTo, type Viewer } from './viewer.js';

export interface NodeSummary {
  id: number;
  key: string;
  kind: NodeKind;
  label: string;
  ts: number | null;
}

export interface NeighbourGroup {
  direction: 'out' | 'in';
  edgeKind: EdgeKind;
  nodeKind: NodeKind;
  /** How many neighbours the group has in all that the viewer may see (at most 100,000). */
  count: number;
  /** Up to maxPerGroup of them (the visible ones), in id order. */
  sample: (NodeSummary & { role: string | null; bytes: number | null })[];
}

export interface NodeDetails extends NodeSummary {
  /** The node's job; null also when the viewer may not see the job. */
  jobId: number | null;
  visibility: string;
  ownerUid: number | null;
  ownerGid: number | null;
  /** The kind's own facts (job, process, file version, user), camelCase. */
  facts: Record<string, unknown>;
  annotations: { id: number; key: string; value: string; authorName: string | null; createdAt: string }[];
  neighbours: NeighbourGroup[];
}

const camel = (s: string) => s.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
const JSON_COLS = new Set(['argv', 'env', 'node_list']);

export function factsOf(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (k === 'node_id' || k === 'path_bytes') continue;
    out[camel(k)] = JSON_COLS.has(k) && typeof v === 'string' ? JSON.parse(v) : v;
  }
  return out;
}

export const FILE_FACTS_SQL = `select fv.*, p.path, p.path_bytes,
  (p.head_key = n.key and p.head_exists) as is_current
  from file_version fv join path p on p.id = fv.path_id join node n on n.id = fv.node_id where fv.node_id = $1`;

export async function kindFacts(store: Store, id: number, kind: NodeKind): Promise<Record<string, unknown>> {
  const sql = {
    // the script's text is kept once per content hash (job_script)
    job: 'select j.*, s.text as script_text from job j left join job_script s on s.sha256 = j.script_sha256 where j.node_id = $1',
    process: 'select * from process where node_id = $1',
    file: FILE_FACTS_SQL,
    user: 'select * from user_agent where node_id = $1',
  }[kind];
  const { rows } = await store.db.query<Record<string, unknown>>(sql, [id]);
  const row = rows[0];
  if (!row) return {};
  const f = factsOf(row);
  if (kind === 'file') f.path = fromStoredPath(row.path as string, row.path_bytes as Uint8Array | null);
  return f;
}

export async function getNode(store: Store, viewer: Viewer, ref: NodeRef, opts: { maxPerGroup?: number } = {}): Promise<NodeDetails> {
  const id = await resolveNode(store.db, ref, viewer);
  const max = opts.maxPerGroup ?? 50;
  const q = new Sql();
  // A visible file may come from a job the viewer may not see: then its job is not named.
  const { rows } = await store.db.query<Record<string, unknown>>(
    `select n.*, (select jn.id from node jn where jn.id = n.job_id${visibleAnd(viewer, 'jn', q)}) as visible_job_id
     from node n where n.id = ${q.p(id)} and ${visibleTo(viewer, 'n', q)}`, q.params);
  const n = rows[0];
  if (!n) throw new GraphError('E_GRAPH_NOT_FOUND', `no such node ${id}`);
  const kind = n.kind as NodeKind;
  const facts = await kindFacts(store, id, kind);
  const { rows: ann } = await store.db.query<{ id: number; key: string; value: string; author_name: string | null; created_at: Date }>(
    'select id, key, value, author_name, created_at from annotation where node_id = $1 order by created_at, id', [id]);
  // Per direction and edge kind: a capped count and a sample, each an index
  // range scan, so a hub (libc, used by every run) costs no more than a leaf.
  const groups: NeighbourGroup[] = [];
  for (const [direction, near, far] of [['out', 'from_id', 'to_id'], ['in', 'to_id', 'from_id']] as const) {
    // Only neighbours the viewer may see are counted (the count would tell of the others).
    const cq = new Sql();
    const cvis = visibleAnd(viewer, 'm', cq);
    const { rows: counts } = await store.db.query<{ kind: EdgeKind; n: number }>(
      `select k.kind, (select count(*)::int from (select 1 from edge e ${cvis ? `join node m on m.id = e.${far}` : ''}
         where e.${near} = ${cq.p(id)} and e.kind = k.kind${cvis} limit ${COUNT_CAP}) c) as n
       from unnest(${cq.p(EDGE_KIND_NAMES)}::text[]) k(kind)`, cq.params);
    const present = counts.filter((c) => Number(c.n) > 0);
    if (present.length === 0) continue;
    const nq = new Sql();
    const { rows: nb } = await store.db.query<Record<string, unknown>>(
      `select k.kind, x.other, x.role, x.bytes, m.key, m.kind as node_kind, m.label, m.ts
       from unnest(${nq.p(present.map((c) => c.kind))}::text[]) k(kind)
       cross join lateral (select e.${far} as other, e.role, e.bytes from edge e
                           where e.${near} = ${nq.p(id)} and e.kind = k.kind order by e.${far} limit ${nq.p(max)}) x
       join node m on m.id = x.other
       where ${visibleTo(viewer, 'm', nq)}
       order by k.kind, x.other`, nq.params);
    for (const c of present) {
      const sample = nb.filter((r) => r.kind === c.kind).map((r) => ({
        id: Number(r.other), key: r.key as string, kind: r.node_kind as NodeKind, label: r.label as string,
        ts: r.ts === null ? null : Number(r.ts), role: (r.role as string) ?? null, bytes: r.bytes === null ? null : Number(r.bytes),
      }));
      const decl = EDGE_KINDS[c.kind];
      const nodeKind = (sample[0]?.kind ?? (direction === 'out' ? decl.to[0] : decl.from[0])) as NodeKind;
      groups.push({ direction, edgeKind: c.kind, nodeKind, count: Number(c.n), sample });
    }
  }
  return {
    id, key: n.key as string, kind, label: n.label as string, ts: n.ts === null ? null : Number(n.ts),
    jobId: n.visible_job_id === null || n.visible_job_id === undefined ? null : Number(n.visible_job_id), visibility: n.visibility as string,
    ownerUid: (n.owner_uid as number | null) ?? null, ownerGid: (n.owner_gid as number | null) ?? null,
    facts,
    annotations: ann.map((a) => ({ id: Number(a.id), key: a.key, value: a.value, authorName: a.author_name, createdAt: new Date(a.created_at).toISOString() })),
    neighbours: groups,
  };
}
