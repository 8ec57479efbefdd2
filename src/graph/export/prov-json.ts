// PROV-JSON export (W3C Member Submission "The PROV-JSON Serialization",
// 2013): a job's whole graph, or the lineage (ancestors) of a file version,
// as one PROV document that any PROV tool can read. Read through the query
// functions (jobGraph, lineage) and the node tables; no SQL of its own
// beyond fetching the nodes' facts.
//
//   file version → entity     process run, job → activity     user → agent
//   used, wasGeneratedBy, wasInformedBy (prov:informed/prov:informant),
//   wasStartedBy, wasAssociatedWith, wasDerivedFrom
//   (prov:generatedEntity/prov:usedEntity), wasInvalidatedBy
//
// Identifiers are qualified names `kiseki:<node key>` with the key
// percent-encoded where a URI would not allow its characters, so the same
// graph always exports the same ids. Times are xsd:dateTime (UTC, µs).
//
// Redaction: what the viewer may not see is exported as the query functions
// give it, a placeholder per (visible node, edge kind, direction). Each is
// `kiseki:hidden-<n>` with no attributes but prov:type kiseki:Hidden,
// kiseki:hidden true and kiseki:count (how many nodes it stands for),
// declared as an entity, activity or agent by the place it takes in its
// relation (the input of `used` is an entity, whatever generated something
// is an activity), so the document stays valid PROV.
import { displayText, textToBytes } from '../../core/bytes-text.js';
import type { Store } from '../../store/open-store.js';
import { fromStoredPath } from '../../store/path-text.js';
import { GraphError, type EdgeKind, type NodeKind } from '../edge-kinds.js';
import { jobGraph } from '../queries/job-graph.js';
import { lineage } from '../queries/lineage.js';
import type { HiddenNode } from '../queries/redaction.js';
import { resolveNodes, type NodeRef } from '../queries/resolve.js';
import type { Viewer } from '../queries/viewer.js';

export const KISEKI_NS = 'urn:kiseki:';

export const PROV_PREFIXES = {
  prov: 'http://www.w3.org/ns/prov#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  kiseki: KISEKI_NS,
} as const;

type Literal = string | number | boolean | { $: string; type: string } | (string | number | boolean)[];
type Attrs = Record<string, Literal>;

export interface ProvJsonDocument {
  prefix: Record<string, string>;
  entity?: Record<string, Attrs>;
  activity?: Record<string, Attrs>;
  agent?: Record<string, Attrs>;
  used?: Record<string, Attrs>;
  wasGeneratedBy?: Record<string, Attrs>;
  wasInformedBy?: Record<string, Attrs>;
  wasStartedBy?: Record<string, Attrs>;
  wasAssociatedWith?: Record<string, Attrs>;
  wasDerivedFrom?: Record<string, Attrs>;
  wasInvalidatedBy?: Record<string, Attrs>;
}

export interface ProvExportOptions {
  /** Include system software (libraries, executables nothing recorded made). Default false. */
  includeSoftware?: boolean;
  /** Lineage depth for a file (default 100, the most lineage allows). */
  depth?: number;
}

export interface ProvExport {
  document: ProvJsonDocument;
  /** What was exported: the job, or the file version whose lineage it is. */
  scope: { kind: 'job' | 'lineage'; node: number };
  nodes: number;
  relations: number;
  /** The lineage walk stopped before the end (the document is partial). */
  truncated: boolean;
}

const URI_SAFE = /[A-Za-z0-9\-._~:/@!$&()*+,;=]/;

/** `kiseki:<key>` with every byte a URI path does not allow percent-encoded. */
export function provId(key: string): string {
  let out = '';
  for (const ch of key) {
    if (ch.length === 1 && URI_SAFE.test(ch)) out += ch;
    else for (const b of textToBytes(ch)) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return `kiseki:${out}`;
}

/** µs since the epoch → xsd:dateTime in UTC with microseconds. */
export function xsdDateTime(us: number): string {
  const ms = Math.floor(us / 1000);
  const iso = new Date(ms).toISOString(); // …T12:34:56.789Z
  return `${iso.slice(0, 23)}${String(us - ms * 1000).padStart(3, '0')}Z`;
}

const qname = (q: string): { $: string; type: string } => ({ $: q, type: 'xsd:QName' });
const dateTime = (us: number): { $: string; type: string } => ({ $: xsdDateTime(us), type: 'xsd:dateTime' });

function put(attrs: Attrs, key: string, v: unknown): void {
  if (v === null || v === undefined || v === '') return;
  if (Array.isArray(v)) {
    const items = v.filter((x): x is string | number | boolean => ['string', 'number', 'boolean'].includes(typeof x))
      .map((x) => (typeof x === 'string' ? displayText(x) : x));
    if (items.length > 0) attrs[key] = items; // PROV-JSON arrays hold at least one literal
    return;
  }
  if (typeof v === 'string') attrs[key] = displayText(v);
  else if (typeof v === 'number' || typeof v === 'boolean') attrs[key] = v;
}

const parseJson = (v: unknown): unknown => {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
};

/** What a relation's from and to ends are in PROV (placeholders are declared as that). */
const HIDDEN_PLACE: Partial<Record<EdgeKind, { from: 'entity' | 'activity' | 'agent'; to: 'entity' | 'activity' | 'agent' }>> = {
  used: { from: 'activity', to: 'entity' },
  wasGeneratedBy: { from: 'entity', to: 'activity' },
  wasInvalidatedBy: { from: 'entity', to: 'activity' },
  wasInformedBy: { from: 'activity', to: 'activity' },
  wasStartedBy: { from: 'activity', to: 'activity' },
  wasAssociatedWith: { from: 'activity', to: 'agent' },
  wasDerivedFrom: { from: 'entity', to: 'entity' },
};

interface EdgeRow { from: number; kind: EdgeKind; to: number; role: string | null; bytes?: number | null; tsFirst?: number | null }

/** Builds the document for a set of node ids and the edges between them. */
export async function provDocument(store: Store, ids: number[], edges: EdgeRow[], hidden: HiddenNode[] = []): Promise<ProvJsonDocument> {
  const db = store.db;
  const { rows: nodes } = await db.query<{ id: number; key: string; kind: NodeKind; label: string; ts: number | null }>(
    'select id, key, kind, label, ts from node where id = any($1::bigint[]) order by id', [ids]);
  const byKind = (k: NodeKind) => nodes.filter((n) => n.kind === k).map((n) => Number(n.id));
  const facts = async (sql: string, k: NodeKind) => {
    const list = byKind(k);
    if (list.length === 0) return new Map<number, Record<string, unknown>>();
    const { rows } = await db.query<Record<string, unknown>>(sql, [list]);
    return new Map(rows.map((r) => [Number(r.node_id), r]));
  };
  const jobs = await facts('select * from job where node_id = any($1::bigint[])', 'job');
  const procs = await facts('select * from process where node_id = any($1::bigint[])', 'process');
  const files = await facts(`select fv.*, p.path, p.path_bytes from file_version fv join path p on p.id = fv.path_id where fv.node_id = any($1::bigint[])`, 'file');
  const users = await facts('select * from user_agent where node_id = any($1::bigint[])', 'user');

  const doc: ProvJsonDocument = { prefix: { ...PROV_PREFIXES } };
  const idOf = new Map<number, string>();
  const entity: Record<string, Attrs> = {};
  const activity: Record<string, Attrs> = {};
  const agent: Record<string, Attrs> = {};
  for (const n of nodes) {
    const id = Number(n.id);
    const pid = provId(n.key);
    idOf.set(id, pid);
    const a: Attrs = {};
    if (n.kind === 'file') {
      const f = files.get(id) ?? {};
      const path = f.path !== undefined ? fromStoredPath(f.path as string, (f.path_bytes as Uint8Array | null) ?? null) : n.label;
      put(a, 'prov:label', path);
      put(a, 'kiseki:path', path);
      if (displayText(path) !== path) a['kiseki:pathHex'] = textToBytes(path).toString('hex');
      put(a, 'kiseki:version', f.version === undefined ? undefined : Number(f.version));
      put(a, 'kiseki:fileClass', f.file_class ?? 'data');
      if (f.software) a['kiseki:software'] = true;
      if (f.observed) a['kiseki:observed'] = true;
      put(a, 'kiseki:sha256', f.sha256);
      put(a, 'kiseki:size', f.size === null || f.size === undefined ? undefined : Number(f.size));
      put(a, 'kiseki:inode', f.ino === null || f.ino === undefined ? undefined : Number(f.ino));
      put(a, 'kiseki:device', f.dev === null || f.dev === undefined ? undefined : Number(f.dev));
      if (f.mtime !== null && f.mtime !== undefined) a['kiseki:mtime'] = dateTime(Number(f.mtime));
      if (typeof f.exists_now === 'boolean') a['kiseki:existsNow'] = f.exists_now;
      if (n.ts !== null) a['kiseki:createdAt'] = dateTime(Number(n.ts));
      a['prov:type'] = qname(f.file_class === 'pipe' ? 'kiseki:Pipe' : f.software ? 'kiseki:Software' : 'kiseki:File');
      entity[pid] = a;
    } else if (n.kind === 'process') {
      const p = procs.get(id) ?? {};
      a['prov:type'] = qname('kiseki:ProgramRun');
      put(a, 'prov:label', n.label);
      if (p.start_ts !== null && p.start_ts !== undefined) a['prov:startTime'] = xsdDateTime(Number(p.start_ts));
      if (p.end_ts !== null && p.end_ts !== undefined) a['prov:endTime'] = xsdDateTime(Number(p.end_ts));
      put(a, 'kiseki:exe', p.exe);
      put(a, 'kiseki:argv', parseJson(p.argv));
      put(a, 'kiseki:cwd', p.cwd);
      put(a, 'kiseki:pid', p.pid === null || p.pid === undefined ? undefined : Number(p.pid));
      put(a, 'kiseki:host', p.host);
      put(a, 'kiseki:proc', p.proc);
      put(a, 'kiseki:execSeq', p.exec_seq === undefined ? undefined : Number(p.exec_seq));
      put(a, 'kiseki:uid', p.uid);
      put(a, 'kiseki:euid', p.euid);
      put(a, 'kiseki:exitCode', p.exit_code);
      put(a, 'kiseki:signal', p.signal);
      activity[pid] = a;
    } else if (n.kind === 'job') {
      const j = jobs.get(id) ?? {};
      a['prov:type'] = qname('kiseki:Job');
      put(a, 'prov:label', j.name ?? n.label);
      if (j.start_ts !== null && j.start_ts !== undefined) a['prov:startTime'] = xsdDateTime(Number(j.start_ts));
      if (j.end_ts !== null && j.end_ts !== undefined) a['prov:endTime'] = xsdDateTime(Number(j.end_ts));
      put(a, 'kiseki:scheduler', j.scheduler);
      put(a, 'kiseki:jobId', j.job_ref);
      put(a, 'kiseki:script', j.script);
      put(a, 'kiseki:argv', parseJson(j.argv));
      put(a, 'kiseki:cwd', j.cwd);
      put(a, 'kiseki:host', j.host);
      put(a, 'kiseki:user', j.user_name);
      put(a, 'kiseki:backend', j.backend);
      put(a, 'kiseki:state', j.state);
      put(a, 'kiseki:exitCode', j.exit_code);
      put(a, 'kiseki:signal', j.signal);
      // the scheduler's record (cluster mode); the script's text stays in the store, its hash names it
      put(a, 'kiseki:account', j.account);
      put(a, 'kiseki:partition', j.partition);
      put(a, 'kiseki:qos', j.qos);
      put(a, 'kiseki:nodes', parseJson(j.node_list));
      if (j.submit_ts !== null && j.submit_ts !== undefined) a['kiseki:submitTime'] = xsdDateTime(Number(j.submit_ts));
      put(a, 'kiseki:scriptSha256', j.script_sha256);
      if (typeof j.complete === 'boolean') a['kiseki:complete'] = j.complete;
      activity[pid] = a;
    } else {
      const u = users.get(id) ?? {};
      a['prov:type'] = qname('prov:Person');
      put(a, 'prov:label', u.name ?? n.label);
      put(a, 'kiseki:uid', u.uid);
      agent[pid] = a;
    }
  }
  for (const h of hidden) {
    const pid = `kiseki:hidden-${-h.id}`;
    idOf.set(h.id, pid);
    const a: Attrs = { 'prov:type': qname('kiseki:Hidden'), 'kiseki:hidden': true, 'kiseki:count': h.count };
    const place = HIDDEN_PLACE[h.edgeKind]?.[h.direction === 'out' ? 'to' : 'from'] ?? 'entity';
    ({ entity, activity, agent })[place][pid] = a;
  }
  if (Object.keys(entity).length) doc.entity = entity;
  if (Object.keys(activity).length) doc.activity = activity;
  if (Object.keys(agent).length) doc.agent = agent;

  const counters = new Map<string, number>();
  const rel = (kind: keyof ProvJsonDocument, prefix: string, attrs: Attrs) => {
    const n = (counters.get(prefix) ?? 0) + 1;
    counters.set(prefix, n);
    ((doc[kind] ??= {}) as Record<string, Attrs>)[`_:${prefix}${n}`] = attrs;
  };
  const sorted = [...edges].sort((x, y) => x.kind.localeCompare(y.kind) || x.from - y.from || x.to - y.to);
  for (const e of sorted) {
    const from = idOf.get(e.from);
    const to = idOf.get(e.to);
    if (!from || !to) continue;
    const a: Attrs = {};
    const time = e.tsFirst !== null && e.tsFirst !== undefined ? xsdDateTime(e.tsFirst) : undefined;
    switch (e.kind) {
      case 'used':
        Object.assign(a, { 'prov:activity': from, 'prov:entity': to });
        if (time) a['prov:time'] = time;
        break;
      case 'wasGeneratedBy':
      case 'wasInvalidatedBy':
        Object.assign(a, { 'prov:entity': from, 'prov:activity': to });
        if (time) a['prov:time'] = time;
        break;
      case 'wasInformedBy':
        Object.assign(a, { 'prov:informed': from, 'prov:informant': to });
        break;
      case 'wasStartedBy':
        Object.assign(a, { 'prov:activity': from, 'prov:starter': to });
        break;
      case 'wasAssociatedWith':
        Object.assign(a, { 'prov:activity': from, 'prov:agent': to });
        break;
      case 'wasDerivedFrom':
        Object.assign(a, { 'prov:generatedEntity': from, 'prov:usedEntity': to });
        if (e.role === 'revision') a['prov:type'] = qname('prov:Revision');
        break;
      default:
        continue;
    }
    put(a, 'kiseki:role', e.role);
    if (e.bytes !== null && e.bytes !== undefined) a['kiseki:bytes'] = e.bytes;
    const prefix = { used: 'u', wasGeneratedBy: 'g', wasInvalidatedBy: 'inv', wasInformedBy: 'inf', wasStartedBy: 's', wasAssociatedWith: 'assoc', wasDerivedFrom: 'd' }[e.kind as string]!;
    rel(e.kind as keyof ProvJsonDocument, prefix, a);
  }
  return doc;
}

async function edgeTimes(store: Store, edges: { from: number; kind: EdgeKind; to: number }[]): Promise<Map<string, { bytes: number | null; tsFirst: number | null }>> {
  const out = new Map<string, { bytes: number | null; tsFirst: number | null }>();
  if (edges.length === 0) return out;
  const { rows } = await store.db.query<{ from_id: number; kind: string; to_id: number; bytes: number | null; ts_first: number | null }>(
    `select e.from_id, e.kind, e.to_id, e.bytes, e.ts_first from edge e
     join unnest($1::bigint[], $2::text[], $3::bigint[]) as x(f, k, t) on e.from_id = x.f and e.kind = x.k and e.to_id = x.t`,
    [edges.map((e) => e.from), edges.map((e) => e.kind), edges.map((e) => e.to)]);
  for (const r of rows) {
    out.set(`${r.from_id}|${r.kind}|${r.to_id}`, { bytes: r.bytes === null ? null : Number(r.bytes), tsFirst: r.ts_first === null ? null : Number(r.ts_first) });
  }
  return out;
}

/** A whole job: the job, its user, its program runs and every file they touched. */
export async function exportJobProvJson(store: Store, viewer: Viewer, job: NodeRef, opts: ProvExportOptions = {}): Promise<ProvExport> {
  const g = await jobGraph(store, viewer, job, { includeSoftware: opts.includeSoftware ?? false, maxPerGroup: 1_000_000 });
  const times = await edgeTimes(store, g.edges);
  const edges = g.edges.map((e) => ({ ...e, tsFirst: times.get(`${e.from}|${e.kind}|${e.to}`)?.tsFirst ?? null }));
  const document = await provDocument(store, g.nodes.map((n) => n.id), edges, g.hidden);
  return { document, scope: { kind: 'job', node: g.job }, nodes: g.nodes.length, relations: edges.length, truncated: false };
}

/** The lineage of a file version: it and everything it came from. */
export async function exportLineageProvJson(store: Store, viewer: Viewer, ref: NodeRef, opts: ProvExportOptions = {}): Promise<ProvExport> {
  const [node] = await resolveNodes(store.db, ref, viewer);
  if (node === undefined) throw new GraphError('E_GRAPH_NOT_FOUND', 'nothing to export');
  const l = await lineage(store, viewer, ref, {
    direction: 'up', depth: opts.depth ?? 100, maxPerGroup: 100_000, maxNodes: 200_000, includeSoftware: opts.includeSoftware ?? false,
  });
  const times = await edgeTimes(store, l.edges);
  const edges = l.edges.map((e) => {
    const t = times.get(`${e.from}|${e.kind}|${e.to}`);
    return { ...e, bytes: t?.bytes ?? null, tsFirst: t?.tsFirst ?? null };
  });
  const document = await provDocument(store, l.nodes.map((n) => n.id), edges, l.hidden);
  return { document, scope: { kind: 'lineage', node }, nodes: l.nodes.length, relations: edges.length, truncated: l.truncated };
}
