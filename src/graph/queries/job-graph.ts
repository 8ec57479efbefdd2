// A job's graph: the job, its user, its program runs, the file versions they
// read, wrote or removed, and the edges between them. Large groups (one run
// reading 10,000 files) are cut to a sample with a summary; system software
// is left out unless includeSoftware.
// Visibility: program runs the viewer may not see are not walked; a
// neighbour they may not see is a placeholder (redaction.ts).
import type { Store } from '../../store/open-store.js';
import type { EdgeKind, NodeKind } from '../edge-kinds.js';
import { GraphError } from '../edge-kinds.js';
import { redact, type HiddenNode } from './redaction.js';
import { resolveNodes, type NodeRef } from './resolve.js';
import { Sql, visibleAnd, visibleTo, type Viewer } from './viewer.js';

export interface GraphNode {
  id: number;
  key: string;
  kind: NodeKind;
  label: string;
  ts: number | null;
  software: boolean;
  fileClass: string | null;
}

export interface GraphEdge {
  from: number;
  kind: EdgeKind;
  to: number;
  role: string | null;
  bytes: number | null;
}

export interface GroupSummary {
  /** The node whose neighbours were cut. */
  node: number;
  edgeKind: EdgeKind;
  direction: 'out' | 'in';
  count: number;
  sample: number[];
}

export interface JobGraph {
  job: number;
  nodes: GraphNode[];
  /** Edges; one to a node the viewer may not see ends at a placeholder (a negative id in `hidden`). */
  edges: GraphEdge[];
  hidden: HiddenNode[];
  summaries: GroupSummary[];
}

export async function jobGraph(store: Store, viewer: Viewer, job: NodeRef, opts: { includeSoftware?: boolean; maxPerGroup?: number } = {}): Promise<JobGraph> {
  const db = store.db;
  const jobRef = typeof job === 'string' && !job.startsWith('j:') ? { jobId: job } : job;
  // Missing and not visible answer the same.
  const jobId = (await resolveNodes(db, jobRef, viewer))[0]!;
  const max = opts.maxPerGroup ?? 50;
  const vq = new Sql();
  const { rows: jr } = await db.query(`select 1 from node n where n.id = ${vq.p(jobId)} and n.kind = 'job' and ${visibleTo(viewer, 'n', vq)}`, vq.params);
  if (jr.length === 0) throw new GraphError('E_GRAPH_NOT_FOUND', `no such job ${jobId}`);
  // The job's program runs the viewer may see: the walk starts only there.
  const pq = new Sql();
  const jp = pq.p(jobId);
  const { rows: er } = await db.query<{ from_id: number; kind: EdgeKind; to_id: number; role: string | null; bytes: number | null }>(
    `with procs as (select n.id from node n where n.job_id = ${jp} and n.kind = 'process'${visibleAnd(viewer, 'n', pq)})
     select e.from_id, e.kind, e.to_id, e.role, e.bytes from edge e where e.from_id in (select id from procs)
     union
     select e.from_id, e.kind, e.to_id, e.role, e.bytes from edge e where e.to_id in (select id from procs)
     union
     select e.from_id, e.kind, e.to_id, e.role, e.bytes from edge e where e.from_id = ${jp} or e.to_id = ${jp}`,
    pq.params);
  let edges: GraphEdge[] = er.map((e) => ({ from: Number(e.from_id), kind: e.kind, to: Number(e.to_id), role: e.role, bytes: e.bytes === null ? null : Number(e.bytes) }));
  const ids = new Set<number>([jobId]);
  for (const e of edges) ids.add(e.from).add(e.to);
  // Renames and links between the job's file versions.
  const { rows: dr } = await db.query<{ from_id: number; to_id: number; role: string | null }>(
    `select from_id, to_id, role from edge where kind = 'wasDerivedFrom' and from_id = any($1::bigint[]) and to_id = any($1::bigint[])`, [[...ids]]);
  for (const d of dr) edges.push({ from: Number(d.from_id), kind: 'wasDerivedFrom', to: Number(d.to_id), role: d.role, bytes: null });
  const q = new Sql();
  const vis = visibleTo(viewer, 'n', q);
  // A node the viewer may not see gives nothing but its id (and whether it is system software, left out for everyone).
  const { rows: nr } = await db.query<{ id: number; key: string | null; kind: NodeKind | null; label: string | null; ts: number | null; software: boolean | null; file_class: string | null; gen: boolean; visible: boolean }>(
    `select n.id, v.visible, case when v.visible then n.key end as key, case when v.visible then n.kind end as kind,
       case when v.visible then n.label end as label, case when v.visible then n.ts end as ts, fv.software,
       case when v.visible then fv.file_class end as file_class,
       exists (select 1 from edge g where g.from_id = n.id and g.kind = 'wasGeneratedBy') as gen
     from node n cross join lateral (select ${vis} as visible) v left join file_version fv on fv.node_id = n.id
     where n.id = any(${q.p([...ids])}::bigint[])`, q.params);
  const system = (n: (typeof nr)[number]) => !opts.includeSoftware && n.software === true && !n.gen;
  let nodes: GraphNode[] = nr
    .filter((n) => n.visible && !system(n))
    .map((n) => ({ id: Number(n.id), key: n.key!, kind: n.kind!, label: n.label!, ts: n.ts === null ? null : Number(n.ts), software: n.software === true, fileClass: n.file_class }));
  const keep = new Set(nodes.map((n) => n.id));
  const redacted = new Set(nr.filter((n) => !n.visible && !system(n)).map((n) => Number(n.id)));
  const r = redact(edges, (id) => keep.has(id), (id) => redacted.has(id), (from, kind, to) => ({ from, kind, to, role: null, bytes: null }));
  edges = r.edges;
  // Summarize big groups around each program run.
  const summaries: GroupSummary[] = [];
  const groups = new Map<string, GraphEdge[]>();
  const kindOf = new Map(nodes.map((n) => [n.id, n.kind]));
  for (const e of edges) {
    for (const [self, other, dir] of [[e.from, e.to, 'out'], [e.to, e.from, 'in']] as const) {
      if (kindOf.get(self) !== 'process' || kindOf.get(other) !== 'file') continue;
      const k = `${self}|${e.kind}|${dir}`;
      const list = groups.get(k) ?? [];
      list.push(e);
      groups.set(k, list);
    }
  }
  const drop = new Set<GraphEdge>();
  for (const [k, list] of groups) {
    if (list.length <= max) continue;
    const [self, kind, dir] = k.split('|') as [string, EdgeKind, 'out' | 'in'];
    const other = (e: GraphEdge) => (dir === 'out' ? e.to : e.from);
    const sorted = [...list].sort((a, b) => other(a) - other(b));
    for (const e of sorted.slice(max)) drop.add(e);
    summaries.push({ node: Number(self), edgeKind: kind, direction: dir, count: list.length, sample: sorted.slice(0, max).map(other) });
  }
  if (drop.size > 0) {
    edges = edges.filter((e) => !drop.has(e));
    const used = new Set<number>([jobId]);
    for (const e of edges) used.add(e.from).add(e.to);
    nodes = nodes.filter((n) => used.has(n.id));
  }
  nodes.sort((a, b) => a.id - b.id);
  return { job: jobId, nodes, edges, hidden: r.hidden, summaries };
}
