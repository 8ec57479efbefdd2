// Lineage redaction: an edge between a node the viewer may see and one they
// may not becomes an edge to a placeholder. One placeholder stands for all
// hidden neighbours of one visible node over one edge kind in one direction
// ("2 hidden inputs"), so the answer says that something hidden is there
// without its id, key, label, path, kind or time. Placeholder ids are
// negative and numbered per answer (-1, -2, …): they mean nothing outside it.
import type { EdgeKind } from '../edge-kinds.js';

export interface HiddenNode {
  /** Negative, per answer. */
  id: number;
  kind: 'hidden';
  label: '';
  hidden: true;
  /** How many hidden neighbours it stands for. */
  count: number;
  /** The visible node they are attached to. */
  node: number;
  edgeKind: EdgeKind;
  /** 'out': edges node → hidden (what it used, came from); 'in': hidden → node. */
  direction: 'out' | 'in';
}

interface EdgeLike { from: number; kind: EdgeKind; to: number }

/**
 * Splits `edges` by the viewer's sight: edges between two shown nodes stay;
 * an edge between a shown node and a hidden one goes to that pair's
 * placeholder (made with `make`); anything else (hidden to hidden, or
 * touching a node left out for other reasons) is dropped.
 */
export function redact<E extends EdgeLike>(edges: E[], shown: (id: number) => boolean, hidden: (id: number) => boolean,
  make: (from: number, kind: EdgeKind, to: number) => E): { edges: E[]; hidden: HiddenNode[] } {
  const kept: E[] = [];
  const groups = new Map<string, { node: number; edgeKind: EdgeKind; direction: 'out' | 'in'; others: Set<number> }>();
  for (const e of edges) {
    const f = shown(e.from);
    const t = shown(e.to);
    if (f && t) kept.push(e);
    else if (f && hidden(e.to)) add(e.from, e.kind, 'out', e.to);
    else if (t && hidden(e.from)) add(e.to, e.kind, 'in', e.from);
  }
  function add(node: number, edgeKind: EdgeKind, direction: 'out' | 'in', other: number) {
    const k = `${node}|${edgeKind}|${direction}`;
    const g = groups.get(k) ?? { node, edgeKind, direction, others: new Set<number>() };
    g.others.add(other);
    groups.set(k, g);
  }
  const sorted = [...groups.values()].sort((a, b) => a.node - b.node || a.edgeKind.localeCompare(b.edgeKind) || a.direction.localeCompare(b.direction));
  const out: HiddenNode[] = sorted.map((g, i) => ({
    id: -(i + 1), kind: 'hidden', label: '', hidden: true, count: g.others.size, node: g.node, edgeKind: g.edgeKind, direction: g.direction,
  }));
  for (const h of out) kept.push(h.direction === 'out' ? make(h.node, h.edgeKind, h.id) : make(h.id, h.edgeKind, h.node));
  return { edges: kept, hidden: out };
}
