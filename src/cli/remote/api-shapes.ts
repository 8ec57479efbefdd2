// The API's JSON (docs/api.md) turned into what the CLI's formatters take:
// ISO times back to microseconds, GraphNodes to NodeInfo, API lineage
// groups back to summaries. The formatters then print the same tables and
// trees as the direct mode.
import type { EdgeKind, JobHit, Lineage, LineageSummary } from '../../graph/index.js';
import type { NodeInfo } from '../describe.js';

export interface ApiJobHit {
  id: number; key: string; jobId: string; scheduler: string; name: string | null; user: string | null; uid: number | null;
  script: string | null; start: string | null; end: string | null; state: string | null; exitCode: number | null;
  host: string | null; visibility: string; matchedFiles: number;
}

export interface ApiPage<T> { total: number; page: number; pageSize: number; items: T[] }

export interface ApiNode {
  id: number; key: string; kind: 'job' | 'process' | 'file' | 'user' | 'hidden'; label: string; path?: string; software?: boolean;
  visibility?: string; attrs?: Record<string, unknown>; depth?: number;
}

export interface ApiEdge { id: string; kind: EdgeKind; from: number; to: number; role?: string | null }

export interface ApiGroup {
  id: string; kind: 'group'; parent: number; relation: EdgeKind; direction: 'in' | 'out'; count: number; sample: ApiNode[];
}

export interface ApiLineage { start: number[]; nodes: ApiNode[]; edges: ApiEdge[]; groups: ApiGroup[]; hidden?: ApiNode[]; truncated: boolean }

export interface ApiJobGraph { job: number; nodes: ApiNode[]; edges: ApiEdge[]; groups: ApiGroup[]; hidden?: ApiNode[] }

export interface ApiNodeResult {
  node: ApiNode & Record<string, unknown>;
  annotations: { id: number; key: string; value: string; author: string | null }[];
  neighbours: { kind: EdgeKind; direction: 'in' | 'out'; nodeKind: string; count: number }[];
}

/** `2025-04-10T14:14:03.366564Z` → microseconds since the epoch (all six digits kept). */
export function isoToUs(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const m = /^(.*?)(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/.exec(iso);
  const ms = Date.parse(m ? `${m[1]}${m[3] ?? 'Z'}` : iso);
  if (Number.isNaN(ms)) return null;
  const frac = m?.[2] ? Number(m[2].padEnd(6, '0').slice(0, 6)) : 0;
  return ms * 1000 + frac;
}

export function jobHitOf(j: ApiJobHit): JobHit & { visibility: string; matchedFiles: number } {
  return {
    id: j.id, key: j.key, scheduler: j.scheduler, jobId: j.jobId, name: j.name, script: j.script, user: j.user, uid: j.uid, host: j.host,
    startTs: isoToUs(j.start), endTs: isoToUs(j.end), state: j.state, exitCode: j.exitCode,
    // The API has no "complete" flag on hits; unknown is not "incomplete".
    complete: null, visibility: j.visibility, matchedFiles: j.matchedFiles,
  };
}

export function nodeInfoOf(n: ApiNode): NodeInfo {
  const a = n.attrs ?? {};
  const kind = n.kind === 'hidden' ? 'user' : n.kind;
  const info: NodeInfo = { id: n.id, key: n.key ?? '', kind, label: n.kind === 'hidden' ? '(hidden)' : n.label };
  if (n.kind === 'file') {
    if (n.path !== undefined) info.path = n.path;
    if (typeof a.version === 'number') info.version = a.version;
    info.fileClass = typeof a.fileClass === 'string' ? a.fileClass : null;
    info.software = n.software === true;
  }
  if (n.kind === 'process' && Array.isArray(a.argv)) info.argv = a.argv as string[];
  if (n.kind === 'job' && typeof a.jobId === 'string') info.jobId = a.jobId;
  return info;
}

/** Every node named in a lineage or job graph (group samples included), by id. */
export function nodeInfos(nodes: ApiNode[], groups: ApiGroup[] = []): Map<number, NodeInfo> {
  const out = new Map<number, NodeInfo>();
  for (const n of [...nodes, ...groups.flatMap((g) => g.sample)]) out.set(n.id, nodeInfoOf(n));
  return out;
}

/**
 * The API lineage as the graph layer's Lineage, for renderTree. Hidden
 * placeholders (nodes the viewer may not see) become summaries with no
 * sample, returned in `hidden`: the tree says that N more exist, never
 * what they are.
 */
export function lineageOf(l: ApiLineage, direction: Lineage['direction']): { lineage: Lineage; hidden: Set<LineageSummary> } {
  const summaries: LineageSummary[] = l.groups.map((g) => ({
    node: g.parent, direction: g.direction === 'out' ? 'up' : 'down', edgeKind: g.relation, count: g.count, sample: g.sample.map((s) => s.id),
  }));
  const hidden = new Set<LineageSummary>();
  for (const h of (l.hidden ?? []) as (ApiNode & { parent: number; relation: EdgeKind; direction: 'in' | 'out'; count: number })[]) {
    const s: LineageSummary = { node: h.parent, direction: h.direction === 'out' ? 'up' : 'down', edgeKind: h.relation, count: h.count, sample: [] };
    summaries.push(s);
    hidden.add(s);
  }
  const hiddenIds = new Set((l.hidden ?? []).map((h) => h.id));
  const base = {
    start: l.start, direction,
    nodes: l.nodes.map((n) => ({ id: n.id, key: n.key, kind: n.kind, label: n.label, ts: null, depth: n.depth ?? 0, software: n.software === true })),
    edges: l.edges.filter((e) => !hiddenIds.has(e.from) && !hiddenIds.has(e.to)).map((e) => ({ from: e.from, kind: e.kind, to: e.to, role: e.role ?? null })),
    summaries, truncated: l.truncated,
  };
  // (`hidden` is the graph layer's own bookkeeping; the summaries above carry it here.)
  return { lineage: { ...base, hidden: [] } as unknown as Lineage, hidden };
}
