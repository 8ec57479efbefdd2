// What the graph view shows, as plain data: the job graph from the API, the
// neighbours added by expanding nodes one hop at a time, and groups (many
// sibling files of one program run shown as one node with a count). The
// view turns `visible()` into Cytoscape elements; everything here is pure.
import type { EdgeKind, GraphEdge, GraphNode, Group, JobGraph, Neighbour, NodeKind } from '../api/types';

export type VisibleKind = NodeKind | 'group' | 'hidden';

/**
 * Nodes the viewer may not see, as the API gives them (HiddenNode): one
 * placeholder per visible node, edge kind and direction, with a count and
 * a negative id that edges end at. Drawn as a grey node; it opens nothing.
 */
export interface HiddenPlaceholder {
  id: number;
  kind: 'hidden';
  count: number;
  parent: number;
  relation: EdgeKind;
  direction: 'in' | 'out';
}

export interface VisibleNode {
  id: string;
  kind: VisibleKind;
  label: string;
  /** The whole label (a file's full path). */
  fullLabel?: string;
  /** API node id (not for groups). */
  nodeId?: number;
  software?: boolean;
  visibility?: string;
  /** Groups: members in all, and whether expanding needs the API. Hidden: how many nodes it stands for. */
  count?: number;
  groupOf?: string;
  /** Nodes that have neighbours added by an expansion. */
  expanded?: boolean;
}

export interface VisibleEdge {
  id: string;
  kind: EdgeKind | 'group';
  /** Drawn from source to target: the direction data flows (input → run → output). */
  source: string;
  target: string;
}

export interface GroupState {
  id: string;
  parent: string;
  relation: EdgeKind;
  /** 'out': edges parent → member in PROV terms (used); 'in': member → parent (wasGeneratedBy). */
  direction: 'in' | 'out';
  count: number;
  members: Set<string>;
  expanded: boolean;
  /** Made in the browser from an expansion (all members known). */
  local: boolean;
}

export const nodeKey = (id: number) => `n${id}`;

/** A label short enough to draw: a long path keeps its last two parts. */
export function shortLabel(kind: string, label: string): string {
  if (label.length <= 32) return label;
  if (kind === 'file' && label.includes('/')) {
    const parts = label.split('/').filter(Boolean);
    const tail = parts.slice(-2).join('/');
    return tail.length <= 40 ? `…/${tail}` : `…${tail.slice(-39)}`;
  }
  return `${label.slice(0, 31)}…`;
}
export const groupKey = (id: string) => `g:${id}`;

/** PROV edges point from the dependent to what it depends on; the flow is the reverse. */
export function flowOf(e: GraphEdge): { source: string; target: string } {
  return { source: nodeKey(e.to), target: nodeKey(e.from) };
}

/** Which way a group's edge points in PROV terms when the server leaves it out. */
export function groupDirection(g: Group): 'in' | 'out' {
  if (g.direction) return g.direction;
  return g.relation === 'used' ? 'out' : 'in';
}

export class GraphModel {
  readonly nodes = new Map<string, GraphNode>();
  readonly edges = new Map<string, GraphEdge>();
  /** Nodes of the job graph itself. */
  readonly base = new Set<string>();
  readonly groups = new Map<string, GroupState>();
  /** Placeholders for hidden nodes, by key. */
  readonly hidden = new Map<string, HiddenPlaceholder>();
  /** Node → the nodes its expansion added. */
  readonly expansions = new Map<string, Set<string>>();
  /** Adjacency over all known edges (string ids). */
  private readonly adj = new Map<string, Set<string>>();

  constructor(readonly groupThreshold = 20) {}

  static fromJobGraph(g: JobGraph & { hidden?: HiddenPlaceholder[] }, groupThreshold = 20): GraphModel {
    const m = new GraphModel(groupThreshold);
    for (const n of g.nodes) {
      m.addNode(n);
      m.base.add(nodeKey(n.id));
    }
    for (const h of g.hidden ?? []) {
      m.hidden.set(nodeKey(h.id), h);
      m.base.add(nodeKey(h.id));
    }
    for (const e of g.edges) m.addEdge(e);
    for (const gr of g.groups) {
      const dir = groupDirection(gr);
      const parent = nodeKey(gr.parent);
      const members = new Set<string>();
      for (const s of gr.sample) {
        m.addNode(s);
        members.add(nodeKey(s.id));
      }
      // Members the server listed among the nodes, joined to the parent by the relation.
      for (const e of g.edges) {
        if (e.kind !== gr.relation) continue;
        if (dir === 'out' && nodeKey(e.from) === parent) members.add(nodeKey(e.to));
        if (dir === 'in' && nodeKey(e.to) === parent) members.add(nodeKey(e.from));
      }
      m.groups.set(groupKey(gr.id), { id: groupKey(gr.id), parent, relation: gr.relation, direction: dir, count: gr.count, members, expanded: false, local: false });
    }
    return m;
  }

  addNode(n: GraphNode): void {
    const k = nodeKey(n.id);
    const old = this.nodes.get(k);
    this.nodes.set(k, old ? { ...old, ...n } : n);
  }

  addEdge(e: GraphEdge): void {
    if (this.edges.has(e.id)) return;
    this.edges.set(e.id, e);
    const a = nodeKey(e.from);
    const b = nodeKey(e.to);
    if (!this.adj.has(a)) this.adj.set(a, new Set());
    if (!this.adj.has(b)) this.adj.set(b, new Set());
    this.adj.get(a)!.add(b);
    this.adj.get(b)!.add(a);
  }

  /** Nodes that are there (before groups absorb their members). */
  present(): Set<string> {
    const p = new Set(this.base);
    for (const s of this.expansions.values()) for (const k of s) p.add(k);
    for (const g of this.groups.values()) if (g.expanded) for (const k of g.members) p.add(k);
    return p;
  }

  visible(): { nodes: VisibleNode[]; edges: VisibleEdge[] } {
    const present = this.present();
    const hidden = new Set<string>();
    const shownGroups: GroupState[] = [];
    for (const g of this.groups.values()) {
      if (g.expanded || !present.has(g.parent)) continue;
      let absorbed = 0;
      for (const k of g.members) {
        if (!present.has(k)) {
          absorbed++;
          continue;
        }
        // A member joined to anything besides the parent stays visible (it links runs).
        const others = [...(this.adj.get(k) ?? [])].some((o) => o !== g.parent && present.has(o));
        if (!others) {
          hidden.add(k);
          absorbed++;
        }
      }
      if (absorbed > 0 || g.members.size === 0) shownGroups.push(g);
    }
    const nodes: VisibleNode[] = [];
    for (const k of present) {
      if (hidden.has(k)) continue;
      const h = this.hidden.get(k);
      if (h) {
        nodes.push({ id: k, kind: 'hidden', label: `${h.count} hidden`, count: h.count });
        continue;
      }
      const n = this.nodes.get(k);
      if (!n) continue;
      nodes.push({
        id: k, kind: n.kind, label: shortLabel(n.kind, n.label), fullLabel: n.label, nodeId: n.id, software: n.software === true, visibility: n.visibility,
        expanded: this.expansions.has(k),
      });
    }
    const shown = new Set(nodes.map((n) => n.id));
    const edges: VisibleEdge[] = [];
    for (const e of this.edges.values()) {
      const f = flowOf(e);
      if (shown.has(f.source) && shown.has(f.target)) edges.push({ id: `e:${e.id}`, kind: e.kind, ...f });
    }
    for (const g of shownGroups) {
      const visibleMembers = [...g.members].filter((k) => shown.has(k)).length;
      nodes.push({ id: g.id, kind: 'group', label: '', count: g.count - visibleMembers, groupOf: g.parent });
      // used: the files flow into the run; wasGeneratedBy: out of it.
      const intoParent = g.direction === 'out';
      edges.push({ id: `ge:${g.id}`, kind: 'group', source: intoParent ? g.id : g.parent, target: intoParent ? g.parent : g.id });
    }
    return { nodes, edges };
  }

  /** Add an expansion's neighbours; big sets of new siblings become a local group. */
  expand(key: string, items: Neighbour[], totals?: Map<string, number>): void {
    const present = this.present();
    const added = this.expansions.get(key) ?? new Set<string>();
    const buckets = new Map<string, { relation: EdgeKind; direction: 'in' | 'out'; keys: string[] }>();
    for (const { edge, node } of items) {
      this.addNode(node);
      this.addEdge(edge);
      const k = nodeKey(node.id);
      if (present.has(k) || k === key) continue;
      added.add(k);
      const direction = nodeKey(edge.from) === key ? 'out' : 'in';
      const b = `${edge.kind}|${direction}|${node.kind}`;
      if (!buckets.has(b)) buckets.set(b, { relation: edge.kind, direction, keys: [] });
      buckets.get(b)!.keys.push(k);
    }
    this.expansions.set(key, added);
    for (const [b, { relation, direction, keys }] of buckets) {
      const total = totals?.get(b) ?? keys.length;
      if (keys.length <= this.groupThreshold && total <= keys.length) continue;
      const id = groupKey(`x:${key}:${b}`);
      this.groups.set(id, { id, parent: key, relation, direction, count: Math.max(total, keys.length), members: new Set(keys), expanded: false, local: true });
    }
  }

  /** Undo an expansion (and those of nodes it brought that are gone now); close the node's groups. */
  collapse(key: string): void {
    const added = this.expansions.get(key);
    this.expansions.delete(key);
    for (const g of [...this.groups.values()]) {
      if (g.parent !== key) continue;
      if (g.local) this.groups.delete(g.id);
      else g.expanded = false;
    }
    if (!added) return;
    const present = this.present();
    for (const k of added) if (!present.has(k) && this.expansions.has(k)) this.collapse(k);
  }

  canCollapse(key: string): boolean {
    if (this.expansions.has(key)) return true;
    for (const g of this.groups.values()) if (g.parent === key && g.expanded) return true;
    return false;
  }

  /** Open a group whose members are all known; false when the API must list them first. */
  openGroup(id: string): boolean {
    const g = this.groups.get(id);
    if (!g) return false;
    if (g.members.size < g.count) return false;
    g.expanded = true;
    return true;
  }

  /** Add a group's members listed by the API and open it. */
  fillGroup(id: string, items: Neighbour[]): void {
    const g = this.groups.get(id);
    if (!g) return;
    for (const { edge, node } of items) {
      this.addNode(node);
      this.addEdge(edge);
      g.members.add(nodeKey(node.id));
    }
    g.count = Math.max(g.count, g.members.size);
    g.expanded = true;
  }

  group(id: string): GroupState | undefined {
    return this.groups.get(id);
  }

  kindOf(key: string): NodeKind | undefined {
    return this.nodes.get(key)?.kind;
  }
}
