// The API's schemas: they validate requests and make the OpenAPI document
// (/api/openapi.json), so the two cannot drift. Query parameters arrive as
// strings; unknown parameters are refused (strict objects).
import { z } from '@hono/zod-openapi';
import { EDGE_KIND_NAMES, NODE_KINDS } from '../graph/index.js';
import { parseIsoUs } from './time.js';

export const MAX_PAGE_SIZE = 200;
export const MAX_PAGE = 1_000_000;

// ── query parameter types ─────────────────────────────────────────────
const wholeNumber = (min: number, max: number) =>
  z.string().regex(/^\d{1,16}$/, 'expected a whole number').transform(Number).pipe(z.number().int().min(min).max(max));

/** A whole number in [min, max] given as text; `def` when absent. */
export function intParam(min: number, max: number, def: number, description?: string) {
  return wholeNumber(min, max).prefault(String(def))
    .openapi({ type: 'integer', minimum: min, maximum: max, default: def, ...(description ? { description } : {}) });
}

export const boolParam = (description?: string) => z.enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1')
  .optional()
  .openapi({ type: 'boolean', ...(description ? { description } : {}) });

const isoParam = (endOfDay: boolean, description: string) => z.string().max(64)
  .refine((v) => parseIsoUs(v, endOfDay) !== undefined, 'expected an ISO 8601 time (2025-04-10, 2025-04-10T14:14:03Z, 2025-04-10T16:14+02:00)')
  .transform((v) => parseIsoUs(v, endOfDay)!)
  .optional()
  .openapi({ type: 'string', format: 'date-time', description, example: '2025-04-10T14:14:03Z' });

const text = (max: number, description: string, example?: string) =>
  z.string().max(max).optional().openapi({ description, ...(example ? { example } : {}) });

export const Visibility = z.enum(['private', 'group', 'public']).openapi('Visibility', { description: 'Who may see a node (enforced once sign-in exists).' });
export const EdgeKindSchema = z.enum(EDGE_KIND_NAMES as [string, ...string[]]).openapi('EdgeKind');
export const NodeKindSchema = z.enum(NODE_KINDS).openapi('NodeKind');

/** The search criteria: combined with AND; all optional. */
export const criteriaFields = {
  jobId: text(200, "Substring of the scheduler's job id, or a glob (* ? [..]).", '1001'),
  filename: text(1000, 'Substring of a path (case-insensitive), or a glob: without / against the file name, with / the whole path; ** crosses folders.', '*.csv'),
  annotation: text(1000, 'Substring of an annotation (additional item) key or value, on the job or any of its nodes.'),
  script: text(1000, "Substring (or glob) of the job script's path."),
  user: text(200, 'User name, or numeric uid.'),
  from: isoParam(false, 'Jobs running at or after this time (ISO 8601; a date alone is its start; no zone = UTC).'),
  to: isoParam(true, 'Jobs that started at or before this time (a date alone includes that whole day).'),
  visibility: Visibility.optional(),
  includeSoftware: boolParam('Count system software (libraries, executables) as files (default false).'),
};

const pageFields = {
  page: intParam(1, MAX_PAGE, 1, '1-based page number.'),
  pageSize: intParam(1, MAX_PAGE_SIZE, 20, `Items per page (at most ${MAX_PAGE_SIZE}).`),
};
const order = z.enum(['asc', 'desc']).optional().openapi({ description: 'Sort order.' });

export const SearchQuery = z.strictObject({
  ...criteriaFields,
  sort: z.enum(['start', 'end', 'jobId', 'user', 'name', 'state']).optional().openapi({ description: 'Sort key (default start).' }),
  order: order.openapi({ description: 'Sort order (default desc).' }),
  ...pageFields,
});
export type SearchQuery = z.infer<typeof SearchQuery>;
export type Criteria = Pick<SearchQuery, keyof typeof criteriaFields>;

export const ENTITY_SORTS = {
  job: ['start', 'end', 'jobId', 'user', 'name', 'state', 'id'],
  process: ['start', 'end', 'pid', 'path', 'host', 'id'],
  file: ['path', 'version', 'size', 'mtime', 'inode', 'id'],
} as const;

export const EntitiesQuery = z.strictObject({
  ...criteriaFields,
  type: z.enum(['job', 'process', 'file']).prefault('job').openapi({ description: 'Which entities to list (default job).' }),
  sort: z.enum([...new Set(Object.values(ENTITY_SORTS).flat())] as [string, ...string[]]).optional()
    .openapi({ description: 'job: start|end|jobId|user|name|state|id; process: start|end|pid|path|host|id; file: path|version|size|mtime|inode|id.' }),
  order,
  ...pageFields,
});
export type EntitiesQuery = z.infer<typeof EntitiesQuery>;

export const RelationsQuery = z.strictObject({
  ...criteriaFields,
  edgeKind: EdgeKindSchema.optional(),
  sort: z.enum(['from', 'to', 'kind']).optional().openapi({ description: 'Sort key (default from).' }),
  order,
  ...pageFields,
});
export type RelationsQuery = z.infer<typeof RelationsQuery>;

/** Routes without query parameters refuse any. */
export const NoQuery = z.strictObject({});

export const NodeIdParam = z.strictObject({
  id: z.string().regex(/^\d{1,15}$/, 'expected a node id (a whole number)').transform(Number)
    .openapi({ param: { name: 'id', in: 'path' }, type: 'integer', example: 42 }),
});
export const AnnotationParams = z.strictObject({
  id: NodeIdParam.shape.id,
  annotationId: z.string().regex(/^\d{1,15}$/, 'expected an annotation id (a whole number)').transform(Number)
    .openapi({ param: { name: 'annotationId', in: 'path' }, type: 'integer', example: 7 }),
});
export const LinkIdParam = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{6,64}$/, 'expected a link id').openapi({ param: { name: 'id', in: 'path' }, example: 'k3J9xQ2mA7pL' }),
});

export const GraphQuery = z.strictObject({
  includeSoftware: boolParam('Show system software (default false).'),
  groupThreshold: intParam(1, 1000, 20, 'Files attached to one program run in one direction beyond this many become one group.'),
});

export const NeighboursQuery = z.strictObject({
  direction: z.enum(['in', 'out', 'both']).prefault('both').openapi({ description: "Edge direction seen from this node: 'out' = edges from it (default both)." }),
  edgeKind: EdgeKindSchema.optional(),
  includeSoftware: boolParam('Include system software (default false).'),
  ...pageFields,
});

export const LineageQuery = z.strictObject({
  node: z.string().regex(/^\d{1,15}$/, 'expected a node id').transform(Number).optional().openapi({ type: 'integer', description: 'Start node id (or give path).' }),
  path: z.string().min(1).max(4096).optional().openapi({ description: 'Start file path (its newest version), instead of node.' }),
  direction: z.enum(['up', 'down', 'both']).prefault('up').openapi({ description: 'up = ancestors (what it came from), down = descendants (default up).' }),
  depth: intParam(1, 100, 10, 'Steps to walk.'),
  includeSoftware: boolParam('Include system software (default false).'),
  groupThreshold: intParam(1, 1000, 50, 'Neighbours walked per node and edge kind before the rest is summarized as a group.'),
  maxNodes: intParam(1, 5000, 2000, 'Most nodes returned (truncated says when reached).'),
});

export const IngestQuery = z.strictObject({
  source: z.string().min(1).max(256).optional().openapi({ description: 'Batch source (NDJSON bodies; or the X-Kiseki-Source header).' }),
  seq: z.string().regex(/^\d{1,15}$/, 'expected a whole number').transform(Number).optional()
    .openapi({ type: 'integer', description: 'Batch sequence number from 0 (NDJSON bodies; or the X-Kiseki-Seq header).' }),
  wait: boolParam('Answer after the batch is aggregated (default false: aggregation runs in the background).'),
});

// ── bodies ─────────────────────────────────────────────────────────────
export const IngestJsonBody = z.strictObject({
  source: z.string().min(1).max(256),
  seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  events: z.array(z.unknown()).max(1_000_000),
}).openapi('IngestBatch');

export const AnnotationBody = z.strictObject({
  key: z.string().max(200).optional().openapi({ description: "Item name (default '')." }),
  value: z.string().min(1).max(10_000),
}).openapi('AnnotationInput');

export const AnnotationUpdateBody = z.strictObject({
  key: z.string().max(200).optional().openapi({ description: 'New item name (unchanged when absent).' }),
  value: z.string().min(1).max(10_000),
}).openapi('AnnotationUpdate');

export const VisibilityBody = z.strictObject({
  visibility: Visibility,
  applyToFiles: z.boolean().optional().openapi({ description: "Jobs only: also set the job's program runs and the file versions it made." }),
}).openapi('VisibilityInput');

const SearchValue = z.union([z.string().max(4096), z.number(), z.boolean(), z.null(), z.array(z.string().max(4096)).max(100)]);
export const LinkBody = z.strictObject({
  search: z.record(z.string().min(1).max(64), SearchValue)
    .refine((o) => Object.keys(o).length <= 50, 'at most 50 fields')
    .openapi({ description: 'The search as the UI holds it (field → value).', example: { jobId: '1001', view: 'graph' } }),
  selection: z.string().max(2000).nullable().optional().openapi({ description: 'What is selected (a node id, a tab, ...).' }),
}).openapi('LinkInput');

// ── responses ──────────────────────────────────────────────────────────
const Iso = z.string().nullable().openapi({ format: 'date-time', example: '2025-04-10T14:14:03.366564Z' });

export const ErrorSchema = z.object({
  error: z.object({
    code: z.string().openapi({ example: 'E_BAD_PARAMETER' }),
    message: z.string().openapi({ example: 'pageSize: Too big: expected number to be <=200' }),
    index: z.number().int().optional().openapi({ description: 'Ingest: 0-based index of the first bad event.' }),
    line: z.number().int().optional().openapi({ description: 'Ingest (NDJSON): line of the first bad event.' }),
  }),
}).openapi('Error');

export const JobHit = z.object({
  id: z.number().int().openapi({ description: 'Node id.' }),
  key: z.string(),
  jobId: z.string(),
  scheduler: z.string(),
  name: z.string().nullable(),
  user: z.string().nullable(),
  uid: z.number().int().nullable(),
  script: z.string().nullable(),
  start: Iso,
  end: Iso,
  state: z.string().nullable(),
  exitCode: z.number().int().nullable(),
  host: z.string().nullable(),
  visibility: Visibility,
  matchedFiles: z.number().int().openapi({ description: 'Files (paths) the job read, wrote or removed that match `filename` (all of them without it; at most 100,000).' }),
}).openapi('JobHit');

export const SearchResult = z.object({
  total: z.number().int(), page: z.number().int(), pageSize: z.number().int(), items: z.array(JobHit),
}).openapi('SearchResult');

export const GraphNode = z.object({
  id: z.number().int(),
  key: z.string().openapi({ description: 'Stable node key (j:…, p:…, f:…#version, u:uid).' }),
  kind: NodeKindSchema,
  label: z.string(),
  path: z.string().optional().openapi({ description: 'Files: the exact path.' }),
  software: z.boolean().optional().openapi({ description: 'Files: a program or library.' }),
  visibility: Visibility.optional(),
  attrs: z.record(z.string(), z.unknown()).openapi({ description: 'A few facts for labels and tooltips (per kind).' }),
}).openapi('GraphNode');

export const GraphEdge = z.object({
  id: z.string().openapi({ example: '12-used-34' }),
  kind: EdgeKindSchema,
  from: z.number().int(),
  to: z.number().int(),
  role: z.string().nullable().optional(),
}).openapi('GraphEdge');

export const Group = z.object({
  id: z.string().openapi({ example: 'g:12:used' }),
  kind: z.literal('group'),
  of: NodeKindSchema.openapi({ description: "Kind of the members ('file' in job graphs)." }),
  parent: z.number().int().openapi({ description: 'The node the members are attached to (a program run in job graphs).' }),
  relation: EdgeKindSchema.openapi({ description: 'Edge kind joining parent and members (used, wasGeneratedBy; lineage: any).' }),
  direction: z.enum(['in', 'out']).openapi({ description: "'out': edges parent → member (used); 'in': member → parent (wasGeneratedBy)." }),
  count: z.number().int().openapi({ description: 'All members.' }),
  sample: z.array(GraphNode).openapi({ description: 'A few members. Members may also be listed in nodes (lineage: the walked ones are).' }),
}).openapi('Group');

export const HiddenNode = z.object({
  id: z.number().int().negative().openapi({ description: 'Negative and numbered per answer (-1, -2, …): not a node id, meaningless outside this answer.' }),
  kind: z.literal('hidden'),
  label: z.literal(''),
  hidden: z.literal(true),
  count: z.number().int().positive().openapi({ description: 'How many hidden neighbours it stands for.' }),
  parent: z.number().int().openapi({ description: 'The visible node they are attached to.' }),
  relation: EdgeKindSchema,
  direction: z.enum(['in', 'out']).openapi({ description: "'out': edges parent → hidden (what it used or came from); 'in': hidden → parent." }),
}).openapi('HiddenNode', {
  description: 'Nodes the viewer may not see, attached to one visible node by one edge kind in one direction ("2 hidden inputs"). ' +
    'Edges in `edges` end at its id; nothing about the hidden nodes (id, key, label, path, kind, time) is given, and the walk does not go through them.',
});

export const JobGraphResult = z.object({
  job: z.number().int(), nodes: z.array(GraphNode), edges: z.array(GraphEdge), hidden: z.array(HiddenNode), groups: z.array(Group),
}).openapi('JobGraph');

export const LineageResult = z.object({
  start: z.array(z.number().int()), nodes: z.array(GraphNode.extend({ depth: z.number().int() })), edges: z.array(GraphEdge),
  hidden: z.array(HiddenNode.extend({ depth: z.number().int() })), groups: z.array(Group), truncated: z.boolean(),
}).openapi('Lineage');

export const Annotation = z.object({
  id: z.number().int(), node: z.number().int(), key: z.string(), value: z.string(), author: z.string().nullable(), createdAt: z.string(), updatedAt: z.string(),
}).openapi('Annotation');

export const NodeDetail = GraphNode.extend({
  ts: Iso,
  job: z.number().int().nullable().openapi({ description: 'The job node this node belongs to.' }),
  ownerUid: z.number().int().nullable(),
  ownerGid: z.number().int().nullable(),
}).catchall(z.unknown()).openapi('NodeDetail', {
  description: 'Every fact of the node. process: pid, ppid, uid, gid, euid, egid, exe, argv, cwd, env, host, start, end, exitCode, signal, mpiRank; ' +
    'file: path, version, inode, dev, size, mtime, sha256, host, fileClass, observed, existsNow, current; ' +
    'job: jobId, scheduler, name, user, uid, gid, script, argv, cwd, host, backend, submit, start, end, state, exitCode, signal, complete, lostEvents, nodes, account, partition, qos, comment, nodeList, scriptSha256, scriptText; user: uid, name.',
});

export const NodeResult = z.object({
  node: NodeDetail,
  annotations: z.array(Annotation),
  neighbours: z.array(z.object({ kind: EdgeKindSchema, direction: z.enum(['in', 'out']), nodeKind: NodeKindSchema, count: z.number().int() })),
}).openapi('NodeResult');

export const NeighboursResult = z.object({
  total: z.number().int(), page: z.number().int(), pageSize: z.number().int(),
  items: z.array(z.object({ edge: GraphEdge, node: GraphNode })),
}).openapi('Neighbours');

export const EntityRow = z.record(z.string(), z.unknown()).openapi('EntityRow', {
  description: 'job: id, job_id, scheduler, name, filename, user, uid, script, host, start, end, state, exit_code, matched_files, additem, visibility; ' +
    'process: id, pid, ppid, uid, gid, euid, egid, path, host, args, argv, parent, start, end, exit_code, mpi, job, job_id, additem, visibility; ' +
    'file: id, uid, path, version, inode, dev, host, size, mtime, sha256, software, job, job_id, additem, visibility.',
});
export const EntitiesResult = z.object({
  type: z.enum(['job', 'process', 'file']), total: z.number().int(), page: z.number().int(), pageSize: z.number().int(), items: z.array(EntityRow),
}).openapi('Entities');

const NodeRefSchema = z.object({ id: z.number().int(), kind: NodeKindSchema, label: z.string() });
export const RelationsResult = z.object({
  total: z.number().int(), page: z.number().int(), pageSize: z.number().int(),
  items: z.array(z.object({ id: z.string(), kind: EdgeKindSchema, from: NodeRefSchema, to: NodeRefSchema })),
}).openapi('Relations');

export const VisibilityResult = GraphNode.extend({ updated: z.number().int().openapi({ description: 'Nodes changed.' }) }).openapi('VisibilityResult');

export const LinkCreated = z.object({ id: z.string(), url: z.string() }).openapi('LinkCreated');
export const LinkResult = z.object({
  id: z.string(), search: z.record(z.string(), z.unknown()), selection: z.string().nullable(), createdAt: z.string(),
}).openapi('Link');

export const IngestResult = z.object({
  source: z.string(), seq: z.number().int(), status: z.enum(['stored', 'duplicate']), events: z.number().int(),
  aggregated: z.boolean().openapi({ description: 'true when the answer waited for aggregation (wait=true).' }),
}).openapi('IngestResult');

export const HealthResult = z.object({
  status: z.literal('ok'), version: z.string(), db: z.enum(['pglite', 'postgres']),
  aggregation: z.object({ running: z.boolean(), lastError: z.string().nullable() }),
}).openapi('Health');

export const AnnotationList = z.object({ items: z.array(Annotation) }).openapi('Annotations');

export const ExportQuery = z.strictObject({
  job: z.string().regex(/^\d{1,15}$/, 'expected a job node id').transform(Number).optional().openapi({ type: 'integer', description: 'A job (node id): its whole graph.' }),
  node: z.string().regex(/^\d{1,15}$/, 'expected a node id').transform(Number).optional().openapi({ type: 'integer', description: 'A node: a job\'s graph, or the lineage of a file version or run.' }),
  path: z.string().min(1).max(4096).optional().openapi({ description: 'A file path (newest version): its lineage.' }),
  includeSoftware: boolParam('Include system software (default false).'),
});
export const ProvJson = z.record(z.string(), z.unknown()).openapi('ProvJson', { description: 'W3C PROV-JSON: prefix, entity, activity, agent, used, wasGeneratedBy, ...' });
