// Lineage: ancestors (up: what it came from) and descendants (down: what
// came from it) of a file version, process or job. One recursive CTE with a
// depth bound; revisits are cut by UNION and the bound, so cycles are safe.
// Each step takes at most maxPerGroup neighbours per (node, edge kind):
// large fan-in/fan-out is returned as a summary {count, sample} and never
// walked in full. System software (software files no recorded process made)
// is a leaf and hidden unless includeSoftware.
// Visibility: a node the viewer may not see is reached but never walked
// through, and is shown only as a placeholder (redaction.ts): "2 hidden
// inputs", with no id, key, label or time of its own.
import type { Queryable } from '../../store/db.js';
import type { Store } from '../../store/open-store.js';
import { GraphError, LINEAGE_EDGE_KINDS, type EdgeKind, type NodeKind } from '../edge-kinds.js';
import { redact, type HiddenNode } from './redaction.js';
import { resolveNodes, type NodeRef } from './resolve.js';
import { Sql, visibleAnd, visibleTo, type Viewer } from './viewer.js';

export type Direction = 'up' | 'down' | 'both';

export interface LineageOptions {
  direction?: Direction;
  /** Steps from the start (default 10, at most 100). */
  depth?: number;
  /** Neighbours walked per node and edge kind before summarizing (default 50). */
  maxPerGroup?: number;
  /** Most nodes returned (default 5000); `truncated` tells when reached. */
  maxNodes?: number;
  includeSoftware?: boolean;
  /** Edge kinds to follow (default: all but wasInvalidatedBy). */
  edgeKinds?: EdgeKind[];
}

export interface LineageNode {
  id: number;
  key: string;
  kind: NodeKind;
  label: string;
  ts: number | null;
  /** Steps from the start: negative up (ancestors), positive down, 0 the start. */
  depth: number;
  software: boolean;
}

export interface LineageEdge {
  from: number;
  kind: EdgeKind;
  to: number;
  role: string | null;
}

export interface LineageSummary {
  node: number;
  direction: 'up' | 'down';
  edgeKind: EdgeKind;
  count: number;
  /** The neighbours that were walked (maxPerGroup of them). */
  sample: number[];
}

export interface Lineage {
  start: number[];
  direction: Direction;
  nodes: LineageNode[];
  /** Edges; an edge to a node the viewer may not see ends at a placeholder (a negative id in `hidden`). */
  edges: LineageEdge[];
  /** Placeholders for hidden neighbours: one per (visible node, edge kind, direction), with a count. */
  hidden: (HiddenNode & { depth: number })[];
  summaries: LineageSummary[];
  truncated: boolean;
}

/** System software: a software-class file version nothing recorded generated. */
const SYSTEM_SOFTWARE = (id: string) => `exists (select 1 from file_version sv where sv.node_id = ${id} and sv.software
  and not exists (select 1 from edge g where g.from_id = sv.node_id and g.kind = 'wasGeneratedBy'))`;

/** Start nodes: a job stands for itself and all its program runs. */
/** Start nodes the viewer may see: a node they may not see is not found, as a missing one. */
export async function startNodes(db: Queryable, ref: NodeRef, viewer?: Viewer): Promise<number[]> {
  const q = new Sql();
  if (typeof ref === 'number') {
    // A node id: the node and, for a job, its runs, in one round trip.
    const visN = viewer ? visibleAnd(viewer, 'n', q) : '';
    const visP = viewer ? visibleAnd(viewer, 'p', q) : '';
    const r = q.p(ref);
    const { rows } = await db.query<{ id: number }>(
      `select n.id from node n where n.id = ${r}${visN}
       union all select p.id from node j join node p on p.job_id = j.id where j.id = ${r} and j.kind = 'job' and p.kind = 'process'${visP}`, q.params);
    if (!rows.some((x) => Number(x.id) === ref)) throw new GraphError('E_GRAPH_NOT_FOUND', `no such node ${ref}`);
    return [ref, ...new Set(rows.map((x) => Number(x.id)).filter((id) => id !== ref))];
  }
  const ids = await resolveNodes(db, ref, viewer);
  const i = q.p(ids);
  const visP = viewer ? visibleAnd(viewer, 'p', q) : '';
  const { rows } = await db.query<{ id: number }>(
    `select n.id from node n where n.id = any(${i}::bigint[])
     union select p.id from node p join node j on j.id = p.job_id
     where j.id = any(${i}::bigint[]) and j.kind = 'job' and p.kind = 'process'${visP}`, q.params);
  return [...new Set([...ids, ...rows.map((r) => Number(r.id))])];
}

export async function walk(db: Queryable, start: number[], dir: 'up' | 'down', o: Required<Omit<LineageOptions, 'direction'>>, viewer?: Viewer): Promise<{ depth: Map<number, number>; truncated: boolean }> {
  const q = new Sql();
  const [near, far] = dir === 'up' ? ['from_id', 'to_id'] : ['to_id', 'from_id'];
  const sw = o.includeSoftware ? 'true' : `not ${SYSTEM_SOFTWARE('w.id')}`;
  // A node the viewer may not see is reached (its placeholder needs it) but
  // not walked through: nothing beyond it is reached by way of it.
  const vis = viewer && viewer.kind !== 'admin' ? ` and exists (select 1 from node vn where vn.id = w.id${visibleAnd(viewer, 'vn', q)})` : '';
  // Rows, not nodes: a node may come back at several depths.
  const cap = o.maxNodes * 4;
  const { rows } = await db.query<{ id: number; depth: number }>(
    `with recursive w(id, depth) as (
       select s, 0 from unnest(${q.p(start)}::bigint[]) s
       union
       select nb.id, w.depth + 1
       from w cross join lateral unnest(${q.p(o.edgeKinds)}::text[]) as k(kind)
       cross join lateral (
         select e.${far} as id from edge e where e.${near} = w.id and e.kind = k.kind order by e.${far} limit ${q.p(o.maxPerGroup)}
       ) nb
       where w.depth < ${q.p(o.depth)} and (w.depth = 0 or (${sw}${vis}))
     )
     select id, depth from w limit ${q.p(cap)}`,
    q.params);
  // No ORDER/GROUP BY above: PostgreSQL evaluates the recursive CTE lazily,
  // breadth first, so the LIMIT stops the walk early on huge graphs.
  const depth = new Map<number, number>();
  for (const r of rows) {
    const id = Number(r.id);
    const d = Number(r.depth);
    if (!depth.has(id) || d < depth.get(id)!) depth.set(id, d);
  }
  let truncated = rows.length >= cap;
  if (depth.size > o.maxNodes) {
    const keep = [...depth].sort((a, b) => a[1] - b[1] || a[0] - b[0]).slice(0, o.maxNodes);
    depth.clear();
    for (const [id, d] of keep) depth.set(id, d);
    truncated = true;
  }
  return { depth, truncated };
}

export async function lineage(store: Store, viewer: Viewer, ref: NodeRef, opts: LineageOptions = {}): Promise<Lineage> {
  const db = store.db;
  const direction = opts.direction ?? 'up';
  const o = {
    depth: Math.min(Math.max(opts.depth ?? 10, 0), 100),
    maxPerGroup: Math.max(opts.maxPerGroup ?? 50, 1),
    maxNodes: Math.max(opts.maxNodes ?? 5000, 1),
    includeSoftware: opts.includeSoftware ?? false,
    edgeKinds: opts.edgeKinds ?? LINEAGE_EDGE_KINDS,
  };
  const start = await startNodes(db, ref, viewer);
  const depths = new Map<number, number>();
  let truncated = false;
  const dirs: ('up' | 'down')[] = direction === 'both' ? ['up', 'down'] : [direction];
  for (const d of dirs) {
    const r = await walk(db, start, d, o, viewer);
    truncated ||= r.truncated;
    for (const [id, dep] of r.depth) {
      const signed = d === 'up' ? -dep : dep;
      const had = depths.get(id);
      if (had === undefined || Math.abs(signed) < Math.abs(had)) depths.set(id, signed);
    }
  }
  const ids = [...depths.keys()];
  const q = new Sql();
  const idsP = q.p(ids);
  // The nodes (whether the viewer may see each, whether it is system
  // software) and the edges between them: two independent queries, sent at
  // once (PostgreSQL runs them on two connections; round trips dominate on a
  // busy machine). A node the viewer may not see gives nothing but its id.
  const vis = visibleTo(viewer, 'n', q);
  const [{ rows: nodeRows }, { rows: edgeRows }] = await Promise.all([
    db.query<{ id: number; key: string | null; kind: NodeKind | null; label: string | null; ts: number | null; software: boolean | null; system: boolean; visible: boolean }>(
      `select n.id, v.visible,
         case when v.visible then n.key end as key, case when v.visible then n.kind end as kind,
         case when v.visible then n.label end as label, case when v.visible then n.ts end as ts, fv.software,
         coalesce(fv.software, false) and not exists (select 1 from edge g where g.from_id = n.id and g.kind = 'wasGeneratedBy') as system
       from node n cross join lateral (select ${vis} as visible) v left join file_version fv on fv.node_id = n.id
       where n.id = any(${idsP}::bigint[])`, q.params),
    db.query<{ from_id: number; kind: EdgeKind; to_id: number; role: string | null }>(
      `select from_id, kind, to_id, role from edge where from_id = any($1::bigint[]) and to_id = any($1::bigint[]) and kind = any($2::text[])`,
      [ids, o.edgeKinds]),
  ]);
  const visible = new Set(nodeRows.filter((r) => r.visible).map((r) => Number(r.id)));
  // Left out (not redacted): system software unless asked for, visible or not.
  const left = new Set<number>();
  if (!o.includeSoftware) for (const r of nodeRows) if (r.system && !start.includes(Number(r.id))) left.add(Number(r.id));
  const keep = (id: number) => visible.has(id) && !left.has(id);
  const redacted = (id: number) => depths.has(id) && !visible.has(id) && !left.has(id);
  const nodes: LineageNode[] = nodeRows.filter((r) => keep(Number(r.id))).map((r) => ({
    id: Number(r.id), key: r.key!, kind: r.kind!, label: r.label!, ts: r.ts === null ? null : Number(r.ts), depth: depths.get(Number(r.id))!, software: r.software === true,
  })).sort((a, b) => Math.abs(a.depth) - Math.abs(b.depth) || a.depth - b.depth || a.id - b.id);
  const r = redact(edgeRows.map((e) => ({ from: Number(e.from_id), kind: e.kind, to: Number(e.to_id), role: e.role })), keep, redacted,
    (from, kind, to) => ({ from, kind, to, role: null }));
  const edges: LineageEdge[] = r.edges;
  // A placeholder sits one step further from the start than its visible node.
  const hidden = r.hidden.map((h) => ({ ...h, depth: depths.get(h.node)! + (h.direction === 'out' ? -1 : 1) }));
  // Groups that hit the walk limit: count them in full (capped) for the
  // summary; only neighbours the viewer may see are counted and sampled.
  const summaries: LineageSummary[] = [];
  const groupCount = new Map<string, number[]>();
  for (const e of edgeRows) {
    for (const d of dirs) {
      const [self, other] = d === 'up' ? [Number(e.from_id), Number(e.to_id)] : [Number(e.to_id), Number(e.from_id)];
      if (!keep(self)) continue;
      const k = `${self}|${d}|${e.kind}`;
      const list = groupCount.get(k) ?? [];
      list.push(other);
      groupCount.set(k, list);
    }
  }
  for (const [k, sample] of groupCount) {
    if (sample.length < o.maxPerGroup) continue;
    const [self, d, kind] = k.split('|') as [string, 'up' | 'down', EdgeKind];
    const [near, far] = d === 'up' ? ['from_id', 'to_id'] : ['to_id', 'from_id'];
    const cq = new Sql();
    const cvis = visibleAnd(viewer, 'm', cq);
    const { rows } = await db.query<{ n: number }>(
      `select count(*)::int as n from (select 1 from edge e ${cvis ? `join node m on m.id = e.${far}` : ''}
         where e.${near} = ${cq.p(Number(self))} and e.kind = ${cq.p(kind)}${cvis} limit 100001) x`, cq.params);
    const count = Number(rows[0]!.n);
    if (count > o.maxPerGroup) summaries.push({ node: Number(self), direction: d, edgeKind: kind, count, sample: sample.filter((id) => visible.has(id)).slice(0, o.maxPerGroup) });
  }
  return { start, direction, nodes, edges, hidden, summaries, truncated };
}
