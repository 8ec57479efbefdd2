// Job graph, lineage, node details and one-hop neighbours in the API's
// shapes (GraphNode / GraphEdge / Group).
import {
  EDGE_KINDS, getNode, GraphError, jobGraph, lineage, Sql, visibleAnd, visibleTo,
  type EdgeKind, type HiddenNode, type NodeKind, type Viewer,
} from '../../graph/index.js';
import type { Store } from '../../store/index.js';
import { isoUs } from '../time.js';
import { annotationsOf, type AnnotationOut } from './annotations.js';
import { apiEdge, loadNode, loadNodes, publicNode, SYSTEM_SOFTWARE, toApiNode, type ApiEdge, type ApiNode } from './nodes.js';

export interface ApiGroup {
  id: string;
  kind: 'group';
  of: NodeKind;
  parent: number;
  relation: EdgeKind;
  direction: 'in' | 'out';
  count: number;
  sample: ApiNode[];
}

/** A placeholder for hidden neighbours (graph/queries/redaction.ts), in the API's shape. */
export interface ApiHidden {
  id: number;
  kind: 'hidden';
  label: '';
  hidden: true;
  count: number;
  parent: number;
  relation: EdgeKind;
  direction: 'in' | 'out';
}

function apiHidden(h: HiddenNode): ApiHidden {
  return { id: h.id, kind: 'hidden', label: '', hidden: true, count: h.count, parent: h.node, relation: h.edgeKind, direction: h.direction };
}

/** Members shown in a group's sample. */
const GROUP_SAMPLE = 10;

export async function apiJobGraph(store: Store, viewer: Viewer, jobNode: number, opts: { includeSoftware: boolean; groupThreshold: number }) {
  const g = await jobGraph(store, viewer, jobNode, { includeSoftware: opts.includeSoftware, maxPerGroup: opts.groupThreshold });
  let edges = g.edges;
  const grouped: { parent: number; relation: EdgeKind; direction: 'in' | 'out'; count: number; members: number[] }[] = [];
  for (const s of g.summaries) {
    const members = new Set(s.sample);
    // The group stands for all its members: drop their edges to the parent.
    edges = edges.filter((e) => !(e.kind === s.edgeKind && (s.direction === 'out' ? e.from === s.node && members.has(e.to) : e.to === s.node && members.has(e.from))));
    grouped.push({ parent: s.node, relation: s.edgeKind, direction: s.direction, count: s.count, members: s.sample.slice(0, GROUP_SAMPLE) });
  }
  const linked = new Set<number>([g.job]);
  for (const e of edges) linked.add(e.from).add(e.to);
  const nodeIds = g.nodes.map((n) => n.id).filter((id) => linked.has(id));
  const loaded = await loadNodes(store.db, viewer, [...nodeIds, ...grouped.flatMap((x) => x.members)]);
  const pick = (ids: number[]) => ids.map((id) => loaded.get(id)).filter((n): n is NonNullable<typeof n> => n !== undefined).map(publicNode);
  return {
    job: g.job,
    nodes: pick(nodeIds),
    edges: edges.map((e) => apiEdge(e.from, e.kind, e.to, e.role)),
    hidden: g.hidden.map(apiHidden),
    groups: grouped.map((x): ApiGroup => ({
      id: `g:${x.parent}:${x.relation}`, kind: 'group', of: 'file', parent: x.parent, relation: x.relation, direction: x.direction,
      count: x.count, sample: pick(x.members),
    })),
  };
}

export async function apiLineage(store: Store, viewer: Viewer, ref: number | { path: string }, opts: {
  direction: 'up' | 'down' | 'both'; depth: number; includeSoftware: boolean; groupThreshold: number; maxNodes: number;
}) {
  if (typeof ref === 'number' && !(await loadNode(store.db, viewer, ref))) throw new GraphError('E_GRAPH_NOT_FOUND', `no such node ${ref}`);
  const l = await lineage(store, viewer, ref, {
    direction: opts.direction, depth: opts.depth, includeSoftware: opts.includeSoftware, maxPerGroup: opts.groupThreshold, maxNodes: opts.maxNodes,
  });
  const samples = l.summaries.map((s) => s.sample.slice(0, GROUP_SAMPLE));
  const loaded = await loadNodes(store.db, viewer, [...l.nodes.map((n) => n.id), ...samples.flat()]);
  const nodes = l.nodes.flatMap((n) => {
    const a = loaded.get(n.id);
    return a ? [{ ...publicNode(a), depth: n.depth }] : [];
  });
  const groups = l.summaries.map((s, i): ApiGroup => {
    const sample = samples[i]!.map((id) => loaded.get(id)).filter((n): n is NonNullable<typeof n> => n !== undefined).map(publicNode);
    const decl = EDGE_KINDS[s.edgeKind];
    const of = (sample[0]?.kind ?? (s.direction === 'up' ? decl.to[0] : decl.from[0])) as NodeKind;
    return {
      id: `g:${s.node}:${s.edgeKind}:${s.direction === 'up' ? 'out' : 'in'}`, kind: 'group', of, parent: s.node, relation: s.edgeKind,
      direction: s.direction === 'up' ? 'out' : 'in', count: s.count, sample,
    };
  });
  return {
    start: l.start, nodes, edges: l.edges.map((e) => apiEdge(e.from, e.kind, e.to, e.role)),
    hidden: l.hidden.map((h) => ({ ...apiHidden(h), depth: h.depth })), groups, truncated: l.truncated,
  };
}

/** Hosts a job's program runs ran on (the runs the viewer may see). */
async function jobHosts(store: Store, viewer: Viewer, job: number): Promise<string[]> {
  const q = new Sql();
  const { rows } = await store.db.query<{ host: string }>(
    `select distinct p.host from node n join process p on p.node_id = n.id
     where n.job_id = ${q.p(job)} and n.kind = 'process' and p.host is not null${visibleAnd(viewer, 'n', q)} order by 1`, q.params);
  return rows.map((r) => r.host);
}

export async function apiNodeDetails(store: Store, viewer: Viewer, id: number): Promise<{
  node: Record<string, unknown>; annotations: AnnotationOut[]; neighbours: { kind: EdgeKind; direction: 'in' | 'out'; nodeKind: NodeKind; count: number }[];
}> {
  const summary = await loadNode(store.db, viewer, id);
  if (!summary) throw new GraphError('E_GRAPH_NOT_FOUND', `no such node ${id}`);
  const d = await getNode(store, viewer, id, { maxPerGroup: 1 });
  const f = d.facts;
  const node: Record<string, unknown> = {
    ...publicNode(summary), ts: isoUs(d.ts), job: d.jobId, ownerUid: d.ownerUid, ownerGid: d.ownerGid,
  };
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  if (d.kind === 'process') {
    Object.assign(node, {
      proc: f.proc, execSeq: f.execSeq, host: f.host, pid: f.pid, ppid: f.ppid, uid: f.uid, gid: f.gid, euid: f.euid, egid: f.egid,
      exe: f.exe, argv: f.argv, cwd: f.cwd, env: f.env, start: isoUs(num(f.startTs)), end: isoUs(num(f.endTs)),
      exitCode: f.exitCode, signal: f.signal, truncated: f.truncated ?? null, mpiRank: null,
    });
  } else if (d.kind === 'file') {
    let host: string | null = null;
    if (d.jobId !== null) {
      const { rows } = await store.db.query<{ host: string | null }>('select host from job where node_id = $1', [d.jobId]);
      host = rows[0]?.host ?? null;
    }
    Object.assign(node, {
      path: f.path, version: f.version, fileClass: f.fileClass ?? 'data', software: f.software === true, observed: f.observed ?? null,
      existsNow: f.existsNow ?? null, current: f.isCurrent ?? null, inode: num(f.ino), dev: num(f.dev), size: num(f.size),
      mtime: isoUs(num(f.mtime)), sha256: f.sha256 ?? null, hashSkipped: f.hashSkipped ?? null, host,
    });
  } else if (d.kind === 'job') {
    Object.assign(node, {
      jobId: f.jobRef, scheduler: f.scheduler, cluster: f.cluster ?? null, name: f.name ?? null, user: f.userName ?? null, uid: f.uid ?? null,
      gid: f.gid ?? null, script: f.script ?? null, argv: f.argv ?? null, cwd: f.cwd ?? null, host: f.host ?? null, backend: f.backend ?? null,
      submit: isoUs(num(f.submitTs)), start: isoUs(num(f.startTs)), end: isoUs(num(f.endTs)), state: f.state ?? null, exitCode: f.exitCode ?? null,
      signal: f.signal ?? null, complete: f.complete ?? null, lostEvents: num(f.lostEvents), nodes: await jobHosts(store, viewer, id),
      // the scheduler's record (cluster mode; null for local runs)
      account: f.account ?? null, partition: f.partition ?? null, qos: f.qos ?? null, comment: f.comment ?? null,
      nodeList: f.nodeList ?? null, scriptSha256: f.scriptSha256 ?? null, scriptText: f.scriptText ?? null,
    });
  } else if (d.kind === 'user') {
    Object.assign(node, { uid: f.uid, name: f.name ?? null });
  }
  return {
    node,
    annotations: await annotationsOf(store.db, id),
    neighbours: d.neighbours.map((g) => ({ kind: g.edgeKind, direction: g.direction, nodeKind: g.nodeKind, count: g.count })),
  };
}

export async function apiNeighbours(store: Store, viewer: Viewer, id: number, o: {
  direction: 'in' | 'out' | 'both'; edgeKind?: string; includeSoftware?: boolean; page: number; pageSize: number;
}): Promise<{ total: number; items: { edge: ApiEdge; node: ApiNode }[] }> {
  if (!(await loadNode(store.db, viewer, id))) throw new GraphError('E_GRAPH_NOT_FOUND', `no such node ${id}`);
  const q = new Sql();
  const idP = q.p(id);
  const kind = o.edgeKind ? `and e.kind = ${q.p(o.edgeKind)}` : '';
  const parts: string[] = [];
  if (o.direction !== 'in') parts.push(`select e.from_id, e.kind, e.to_id, e.role, e.to_id as other from edge e where e.from_id = ${idP} ${kind}`);
  if (o.direction !== 'out') parts.push(`select e.from_id, e.kind, e.to_id, e.role, e.from_id as other from edge e where e.to_id = ${idP} ${kind}`);
  const sw = o.includeSoftware ? '' : `and not ${SYSTEM_SOFTWARE('m.id')}`;
  const base = `from (${parts.join(' union all ')}) x join node m on m.id = x.other where ${visibleTo(viewer, 'm', q)} ${sw}`;
  const countParams = [...q.params];
  const lim = q.p(o.pageSize);
  const off = q.p((o.page - 1) * o.pageSize);
  const [cnt, page] = await Promise.all([
    store.db.query<{ n: number }>(`select count(*)::int as n ${base}`, countParams),
    store.db.query<{ from_id: number; kind: EdgeKind; to_id: number; role: string | null; other: number }>(
      `select x.from_id, x.kind, x.to_id, x.role, x.other ${base} order by x.other, x.kind, x.from_id limit ${lim} offset ${off}`, q.params),
  ]);
  const nodes = await loadNodes(store.db, viewer, page.rows.map((r) => Number(r.other)));
  return {
    total: Number(cnt.rows[0]!.n),
    items: page.rows.flatMap((r) => {
      const n = nodes.get(Number(r.other));
      return n ? [{ edge: apiEdge(Number(r.from_id), r.kind, Number(r.to_id), r.role), node: publicNode(n) }] : [];
    }),
  };
}

export { toApiNode };
