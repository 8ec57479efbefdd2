// The edge kinds of the provenance graph (W3C PROV), declared once here with
// the node kinds each may join. Every edge is checked against this table
// before it is written (checkEdge throws on a violation).
export const NODE_KINDS = ['job', 'process', 'file', 'user'] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

export const EDGE_KINDS = {
  /** A program run read a file version. */
  used: { from: ['process'], to: ['file'] },
  /** A file version was made (written, renamed into place) by a program run. */
  wasGeneratedBy: { from: ['file'], to: ['process'] },
  /** A program run follows another: the run before the exec, or the fork parent. */
  wasInformedBy: { from: ['process'], to: ['process'] },
  /** A job's root program run was started by the job. */
  wasStartedBy: { from: ['process'], to: ['job'] },
  /** A job, or a program run under another uid, acted for a user. */
  wasAssociatedWith: { from: ['job', 'process'], to: ['user'] },
  /** A file version came from another: rename, link, in-place revision. */
  wasDerivedFrom: { from: ['file'], to: ['file'] },
  /** A file version ended: unlinked, overwritten, renamed away or over. */
  wasInvalidatedBy: { from: ['file'], to: ['process'] },
} as const satisfies Record<string, { from: readonly NodeKind[]; to: readonly NodeKind[] }>;

export type EdgeKind = keyof typeof EDGE_KINDS;
export const EDGE_KIND_NAMES = Object.keys(EDGE_KINDS) as EdgeKind[];

/** Edge kinds that lineage follows (invalidation is not a dependency). */
export const LINEAGE_EDGE_KINDS: EdgeKind[] = ['used', 'wasGeneratedBy', 'wasInformedBy', 'wasStartedBy', 'wasAssociatedWith', 'wasDerivedFrom'];

export class GraphError extends Error {
  constructor(readonly code: 'E_GRAPH_EDGE_KIND' | 'E_GRAPH_NODE_KEY' | 'E_GRAPH_NOT_FOUND' | 'E_GRAPH_QUERY', message: string) {
    super(message);
    this.name = 'GraphError';
  }
}

export function isEdgeKind(k: string): k is EdgeKind {
  return Object.prototype.hasOwnProperty.call(EDGE_KINDS, k);
}

/** Throws GraphError unless `kind` may join a `from` node to a `to` node. */
export function checkEdge(kind: string, from: NodeKind, to: NodeKind): asserts kind is EdgeKind {
  if (!isEdgeKind(kind)) throw new GraphError('E_GRAPH_EDGE_KIND', `unknown edge kind ${JSON.stringify(kind)}`);
  const decl = EDGE_KINDS[kind];
  if (!(decl.from as readonly string[]).includes(from) || !(decl.to as readonly string[]).includes(to)) {
    throw new GraphError('E_GRAPH_EDGE_KIND', `${kind} may not join ${from} → ${to} (allowed: ${decl.from.join('|')} → ${decl.to.join('|')})`);
  }
}
