export { EDGE_KINDS, EDGE_KIND_NAMES, NODE_KINDS, LINEAGE_EDGE_KINDS, checkEdge, isEdgeKind, GraphError, type EdgeKind, type NodeKind } from './edge-kinds.js';
export type { GraphMutation, NodeMutation, EdgeMutation, JobAttrs, ProcessAttrs, FileAttrs, UserAttrs } from './mutation.js';
export { GraphBuilder, stateKeysOf } from './builder.js';
export { MemoryState, type BuilderState, type PathHead, type ProcState, type SourceState } from './builder-state.js';
export { jobKey, processKey, fileKey, userKey, kindOfKey, scriptOf } from './node-keys.js';
export { aggregate, aggregationStatus, pendingSources, type AggregateOptions, type AggregateResult, type ChunkInfo } from './aggregator.js';
export { AggregationRunner } from './aggregation-runner.js';
export * from './queries/index.js';
