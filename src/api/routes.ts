// The API routes: Data retrieval (search, graph, node, neighbours, lineage,
// entities, relations, links) and Data integration (ingest, annotations,
// visibility, links). Each handler takes the viewer from the request
// context, so sign-in (a later issue) only changes how the viewer is made.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { exportJobProvJson, exportLineageProvJson } from '../graph/export/index.js';
import { ingest } from '../ingest/index.js';
import { actorOf, audit } from './auth/audit.js';
import { clientAddress } from './auth/resolve-viewer.js';
import { authorOf, managerOf, storeOf, viewerOf, writerOf, type ApiEnv } from './context.js';
import { nodeTokenOk } from './node-auth.js';
import { ApiError, badParameter, notFound } from './errors.js';
import { addAnnotation, annotationsOf, deleteAnnotation, updateAnnotation } from './queries/annotations.js';
import { apiJobGraph, apiLineage, apiNeighbours, apiNodeDetails } from './queries/graph.js';
import { createLink, getLink } from './queries/links.js';
import { listEntities, listRelations } from './queries/list.js';
import { loadNode, publicNode } from './queries/nodes.js';
import { loadOwned } from './queries/owner.js';
import { searchJobHits } from './queries/search.js';
import { setVisibility } from './queries/visibility.js';
import { error, json, jsonBody, V1 } from './route-docs.js';
import * as S from './schemas.js';

const E400 = { 400: error('Bad parameters: wrong type, unknown field, out of range (the message says which).') };
const E404 = { 404: error('No such node (or not visible to you).') };
const E401 = { 401: error('Sign in first (E_AUTH_REQUIRED), or a bad credential: unknown, revoked or expired token, ended session (the message says which).') };
const E403 = { 403: error("Not allowed: you may see the node but not change it (only its owner, an admin of its group, or an admin may), a share link (read-only), a missing CSRF token, or a cross-site request."), ...E401 };

export function registerRoutes(app: OpenAPIHono<ApiEnv>): void {
  // ── Data retrieval ─────────────────────────────────────────────────
  for (const [path, summary] of [[`${V1}/search`, 'Search jobs'], [`${V1}/jobs`, 'List jobs (the same as search)']] as const) {
    app.openapi(createRoute({
      method: 'get', path, tags: ['retrieval'], summary,
      description: 'Jobs matching all given criteria, with how many of their files matched.',
      request: { query: S.SearchQuery },
      responses: { 200: json(S.SearchResult, 'A page of jobs.'), ...E400 },
    }), async (c) => {
      const query = c.req.valid('query');
      const r = await searchJobHits(storeOf(c).db, viewerOf(c), query, c.get('deps').jobCounts);
      return c.json({ total: r.total, page: query.page, pageSize: query.pageSize, items: r.items }, 200);
    });
  }

  app.openapi(createRoute({
    method: 'get', path: `${V1}/jobs/{id}/graph`, tags: ['retrieval'], summary: "A job's provenance graph",
    description: 'The job, its user, its program runs and the files they read, wrote or removed. Files attached to one run in one direction beyond groupThreshold become one group.',
    request: { params: S.NodeIdParam, query: S.GraphQuery },
    responses: { 200: json(S.JobGraphResult, 'The graph.'), ...E400, ...E404 },
  }), async (c) => {
    const { id } = c.req.valid('param');
    const q = c.req.valid('query');
    const g = await apiJobGraph(storeOf(c), viewerOf(c), id, { includeSoftware: q.includeSoftware ?? false, groupThreshold: q.groupThreshold });
    return c.json(g, 200);
  });

  app.openapi(createRoute({
    method: 'get', path: `${V1}/nodes/{id}`, tags: ['retrieval'], summary: 'One node with every fact',
    request: { params: S.NodeIdParam, query: S.NoQuery },
    responses: { 200: json(S.NodeResult, 'The node, its annotations and neighbour counts.'), ...E400, ...E404 },
  }), async (c) => {
    const { id } = c.req.valid('param');
    const r = await apiNodeDetails(storeOf(c), viewerOf(c), id);
    return c.json(r as z.infer<typeof S.NodeResult>, 200);
  });

  app.openapi(createRoute({
    method: 'get', path: `${V1}/nodes/{id}/neighbours`, tags: ['retrieval'], summary: 'One hop from a node',
    description: 'For expand-on-click and for expanding a group (edgeKind=used&direction=out on the group parent).',
    request: { params: S.NodeIdParam, query: S.NeighboursQuery },
    responses: { 200: json(S.NeighboursResult, 'A page of (edge, node).'), ...E400, ...E404 },
  }), async (c) => {
    const { id } = c.req.valid('param');
    const q = c.req.valid('query');
    const r = await apiNeighbours(storeOf(c), viewerOf(c), id, {
      direction: q.direction, ...(q.edgeKind ? { edgeKind: q.edgeKind } : {}), includeSoftware: q.includeSoftware ?? false, page: q.page, pageSize: q.pageSize,
    });
    return c.json({ total: r.total, page: q.page, pageSize: q.pageSize, items: r.items }, 200);
  });

  app.openapi(createRoute({
    method: 'get', path: `${V1}/lineage`, tags: ['retrieval'], summary: 'Ancestors and/or descendants',
    request: { query: S.LineageQuery },
    responses: { 200: json(S.LineageResult, 'The lineage graph.'), ...E400, ...E404 },
  }), async (c) => {
    const q = c.req.valid('query');
    if ((q.node === undefined) === (q.path === undefined)) throw badParameter('give exactly one of node or path');
    const ref = q.node !== undefined ? q.node : { path: q.path! };
    const r = await apiLineage(storeOf(c), viewerOf(c), ref, {
      direction: q.direction, depth: q.depth, includeSoftware: q.includeSoftware ?? false, groupThreshold: q.groupThreshold, maxNodes: q.maxNodes,
    });
    return c.json(r, 200);
  });

  app.openapi(createRoute({
    method: 'get', path: `${V1}/entities`, tags: ['retrieval'], summary: 'List view: entities',
    description: 'Jobs, program runs or file versions of the jobs the criteria select, with the columns of the list view.',
    request: { query: S.EntitiesQuery },
    responses: { 200: json(S.EntitiesResult, 'A page of rows.'), ...E400 },
  }), async (c) => {
    const q = c.req.valid('query');
    const r = await listEntities(storeOf(c).db, viewerOf(c), q, c.get('deps').jobCounts);
    return c.json({ type: q.type, total: r.total, page: q.page, pageSize: q.pageSize, items: r.items }, 200);
  });

  app.openapi(createRoute({
    method: 'get', path: `${V1}/relations`, tags: ['retrieval'], summary: 'List view: relations',
    description: 'Edges of the jobs the criteria select.',
    request: { query: S.RelationsQuery },
    responses: { 200: json(S.RelationsResult, 'A page of edges.'), ...E400 },
  }), async (c) => {
    const q = c.req.valid('query');
    const r = await listRelations(storeOf(c).db, viewerOf(c), q);
    return c.json({ total: r.total, page: q.page, pageSize: q.pageSize, items: r.items }, 200);
  });

  app.openapi(createRoute({
    method: 'get', path: `${V1}/export/prov-json`, tags: ['retrieval'], summary: 'Export as W3C PROV-JSON',
    description: "job=ID: the job's whole graph; path=PATH or node=ID: that file version and everything it came from. Sent as a download (Content-Disposition).",
    request: { query: S.ExportQuery },
    responses: { 200: json(S.ProvJson, 'A PROV-JSON document.'), ...E400, ...E404 },
  }), async (c) => {
    const q = c.req.valid('query');
    const given = [q.job, q.node, q.path].filter((v) => v !== undefined).length;
    if (given !== 1) throw badParameter('give exactly one of job, node or path');
    const store = storeOf(c);
    const viewer = viewerOf(c);
    const o = { includeSoftware: q.includeSoftware ?? false };
    let x;
    if (q.job !== undefined) {
      const n = await loadNode(store.db, viewer, q.job);
      if (!n || n.kind !== 'job') throw notFound(`job ${q.job}`);
      x = await exportJobProvJson(store, viewer, q.job, o);
    } else if (q.node !== undefined) {
      const n = await loadNode(store.db, viewer, q.node);
      if (!n) throw notFound(`node ${q.node}`);
      x = n.kind === 'job' ? await exportJobProvJson(store, viewer, q.node, o) : await exportLineageProvJson(store, viewer, q.node, o);
    } else {
      x = await exportLineageProvJson(store, viewer, { path: q.path! }, o);
    }
    await audit(store.db, { action: 'export', ...actorOf(viewer), target: `node:${x.scope.node}`, client: clientAddress(c) ?? null, detail: { format: 'prov-json', scope: x.scope.kind } });
    c.header('Content-Disposition', `attachment; filename="kiseki-${x.scope.kind}-${x.scope.node}.prov.json"`);
    if (x.truncated) c.header('X-Kiseki-Truncated', 'true');
    return c.json(x.document as unknown as Record<string, unknown>, 200);
  });

  // ── Annotations (additional items) ─────────────────────────────────
  const visibleNode = async (c: Parameters<typeof storeOf>[0], id: number) => {
    const n = await loadNode(storeOf(c).db, viewerOf(c), id);
    if (!n) throw notFound(`node ${id}`);
    return n;
  };
  /** The node, when the viewer may change it; 404 when invisible, 403 when only visible. */
  const managedNode = async (c: Parameters<typeof storeOf>[0], id: number) => {
    writerOf(c);
    const n = await loadOwned(storeOf(c).db, viewerOf(c), id);
    if (!n) throw notFound(`node ${id}`);
    return { node: n, viewer: managerOf(c, n) };
  };

  app.openapi(createRoute({
    method: 'get', path: `${V1}/nodes/{id}/annotations`, tags: ['integration'], summary: "A node's annotations",
    request: { params: S.NodeIdParam, query: S.NoQuery },
    responses: { 200: json(S.AnnotationList, 'The annotations, oldest first.'), ...E400, ...E404 },
  }), async (c) => {
    const { id } = c.req.valid('param');
    await visibleNode(c, id);
    return c.json({ items: await annotationsOf(storeOf(c).db, id) }, 200);
  });

  app.openapi(createRoute({
    method: 'post', path: `${V1}/nodes/{id}/annotations`, tags: ['integration'], summary: 'Add an annotation',
    request: { params: S.NodeIdParam, query: S.NoQuery, body: jsonBody(S.AnnotationBody) },
    responses: { 201: json(S.Annotation, 'The new annotation.'), ...E400, ...E403, ...E404 },
  }), async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const { viewer } = await managedNode(c, id);
    const a = await addAnnotation(storeOf(c).db, id, { key: body.key ?? '', value: body.value }, authorOf(viewer));
    return c.json(a, 201);
  });

  app.openapi(createRoute({
    method: 'put', path: `${V1}/nodes/{id}/annotations/{annotationId}`, tags: ['integration'], summary: 'Change an annotation',
    request: { params: S.AnnotationParams, query: S.NoQuery, body: jsonBody(S.AnnotationUpdateBody) },
    responses: { 200: json(S.Annotation, 'The changed annotation.'), ...E400, ...E403, ...E404 },
  }), async (c) => {
    const { id, annotationId } = c.req.valid('param');
    const body = c.req.valid('json');
    await managedNode(c, id);
    return c.json(await updateAnnotation(storeOf(c).db, id, annotationId, body), 200);
  });

  app.openapi(createRoute({
    method: 'delete', path: `${V1}/nodes/{id}/annotations/{annotationId}`, tags: ['integration'], summary: 'Remove an annotation',
    request: { params: S.AnnotationParams, query: S.NoQuery },
    responses: { 204: { description: 'Removed.' }, ...E400, ...E403, ...E404 },
  }), async (c) => {
    const { id, annotationId } = c.req.valid('param');
    await managedNode(c, id);
    await deleteAnnotation(storeOf(c).db, id, annotationId);
    return c.body(null, 204);
  });

  // ── Visibility ─────────────────────────────────────────────────────
  app.openapi(createRoute({
    method: 'put', path: `${V1}/nodes/{id}/visibility`, tags: ['integration'], summary: "Set a node's visibility",
    description: "Who may see the node: private (its owner, admins of its group, admins), group (also its group's members), public (anyone, also without signing in). Only its owner, an admin of its group, or an admin may change it. For a job, applyToFiles also sets its program runs and the file versions it made.",
    request: { params: S.NodeIdParam, query: S.NoQuery, body: jsonBody(S.VisibilityBody) },
    responses: { 200: json(S.VisibilityResult, 'The node as it is now.'), ...E400, ...E403, ...E404 },
  }), async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const { node: n, viewer } = await managedNode(c, id);
    if (body.applyToFiles && n.kind !== 'job') throw badParameter(`applyToFiles: only for jobs (node ${id} is a ${n.kind})`);
    const store = storeOf(c);
    const updated = await store.db.transaction((tx) => setVisibility(tx, id, n.kind, body.visibility, body.applyToFiles ?? false));
    await audit(store.db, { action: 'visibility.set', ...actorOf(viewer), target: `node:${id}`, client: clientAddress(c) ?? null, detail: { visibility: body.visibility, applyToFiles: body.applyToFiles ?? false, updated } });
    const now = await visibleNode(c, id);
    return c.json({ ...publicNode(now), updated }, 200);
  });

  // ── Links ──────────────────────────────────────────────────────────
  app.openapi(createRoute({
    method: 'post', path: `${V1}/links`, tags: ['integration'], summary: 'Make a permanent link to a search and selection',
    description: 'The UI opens /l/{id}.',
    request: { query: S.NoQuery, body: jsonBody(S.LinkBody) },
    responses: { 201: json(S.LinkCreated, 'The link.'), ...E400, ...E403 },
  }), async (c) => {
    const viewer = writerOf(c);
    const body = c.req.valid('json');
    const id = await createLink(storeOf(c).db, body.search, body.selection ?? null, authorOf(viewer).name);
    const origin = new URL(c.req.url).origin;
    return c.json({ id, url: `${origin}/l/${id}` }, 201);
  });

  app.openapi(createRoute({
    method: 'get', path: `${V1}/links/{id}`, tags: ['retrieval'], summary: 'A permanent link',
    request: { params: S.LinkIdParam, query: S.NoQuery },
    responses: { 200: json(S.LinkResult, 'The search and selection.'), ...E400, 404: error('No such link.') },
  }), async (c) => {
    const { id } = c.req.valid('param');
    const l = await getLink(storeOf(c).db, id);
    if (!l) throw notFound(`link ${id}`);
    return c.json(l, 200);
  });

  // ── Ingest ─────────────────────────────────────────────────────────
  app.openapi(createRoute({
    method: 'post', path: `${V1}/ingest`, tags: ['integration'], summary: 'Store a batch of trace events',
    description: 'Loopback clients, or agents with a node token (Authorization: Bearer). NDJSON (application/x-ndjson; source and seq in the query or the X-Kiseki-Source / X-Kiseki-Seq headers) or JSON { source, seq, events }. '
      + 'Idempotent per (source, seq); a bad batch is refused whole, naming its first bad event, and nothing is written. '
      + 'Aggregation runs in the background (wait=true answers after it).',
    request: {
      query: S.IngestQuery,
      body: { content: { 'application/json': { schema: S.IngestJsonBody }, 'application/x-ndjson': { schema: z.string().openapi({ description: 'One TraceEvent per line.' }) } }, required: false },
    },
    responses: {
      200: json(S.IngestResult, 'A duplicate of a batch received before: nothing changed.'),
      202: json(S.IngestResult, 'Stored.'),
      400: error('E_INGEST_INVALID: an event is not a valid TraceEvent (index: 0-based, line: NDJSON line); E_INGEST_BATCH: bad source or seq; E_BAD_JSON, E_BAD_BODY.'),
      ...E403,
      401: error('E_NODE_TOKEN: the Authorization: Bearer node token is unknown or revoked (the message says which); E_AUTH_REQUIRED, E_AUTH_TOKEN.'),
      409: error('E_INGEST_CONFLICT: this (source, seq) was received before with other events.'),
      413: error('E_TOO_LARGE (the body) or E_INGEST_TOO_LARGE (one event).'),
      415: error('E_MEDIA_TYPE: neither JSON nor NDJSON.'),
    },
  }), async (c) => {
    if (!(await nodeTokenOk(c))) {
      // Without a node token: admins only (the local admin, or kiseki run on this machine via server.json's secret).
      const v = writerOf(c);
      if (v.kind !== 'admin') throw new ApiError(403, 'E_FORBIDDEN', 'ingest takes a node token (kiseki agent) or an admin');
    }
    const q = c.req.valid('query');
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    let batch: { source: string; seq: number; events: unknown[] | string };
    if (type === 'application/x-ndjson' || type === 'application/jsonl') {
      const source = q.source ?? c.req.header('x-kiseki-source');
      const seqText = q.seq !== undefined ? String(q.seq) : c.req.header('x-kiseki-seq');
      if (!source) throw new ApiError(400, 'E_INGEST_BATCH', 'NDJSON batches need a source (query source= or header X-Kiseki-Source)');
      if (seqText === undefined || !/^\d{1,15}$/.test(seqText)) throw new ApiError(400, 'E_INGEST_BATCH', 'NDJSON batches need seq, a whole number (query seq= or header X-Kiseki-Seq)');
      batch = { source, seq: Number(seqText), events: await c.req.text() };
    } else if (type === 'application/json') {
      const body = c.req.valid('json') as z.infer<typeof S.IngestJsonBody> | Record<string, never>;
      if (q.source !== undefined || q.seq !== undefined) throw badParameter('source and seq go in the JSON body');
      if (!('source' in body)) throw new ApiError(400, 'E_BAD_BODY', 'the body must be { source, seq, events }');
      batch = body as z.infer<typeof S.IngestJsonBody>;
    } else {
      throw new ApiError(415, 'E_MEDIA_TYPE', 'send application/x-ndjson or application/json');
    }
    const deps = c.get('deps');
    const r = await ingest(deps.store, batch, { aggregate: false });
    const done = r.status === 'stored' ? deps.aggregation.kick() : Promise.resolve();
    if (q.wait) {
      await done;
      await deps.aggregation.idle();
      if (deps.aggregation.lastError) throw deps.aggregation.lastError;
    }
    const out = { source: r.source, seq: r.seq, status: r.status, events: r.events, aggregated: q.wait === true };
    return r.status === 'stored' ? c.json(out, 202) : c.json(out, 200);
  });
}
