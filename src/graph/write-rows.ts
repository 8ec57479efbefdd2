// GraphMutation[] → rows: merges the mutations of one chunk per node and per
// edge, checks every edge against EDGE_KINDS, and upserts with multi-row
// unnest() statements. Re-applying the same chunk gives the same rows.
import type { Queryable } from '../store/db.js';
import { toStoredPath } from '../store/path-text.js';
import { displayText } from '../core/bytes-text.js';
import type { PathHead, ProcState } from './builder-state.js';
import { checkEdge, GraphError, type NodeKind } from './edge-kinds.js';
import type { EdgeMutation, GraphMutation, NodeMutation } from './mutation.js';
import { kindOfKey } from './node-keys.js';

type AnyAttrs = Record<string, unknown>;
interface MergedNode {
  key: string;
  kind: NodeKind;
  label: string;
  job: string | null;
  ts: number | null;
  ownerUid: number | null;
  ownerGid: number | null;
  attrs: AnyAttrs;
}

const LONE = /[\ud800-\udfff]/;
/** Text for a text column: lone surrogates (invalid bytes) shown as \xNN. */
export function safeText(s: string | null | undefined): string | null {
  if (s === null || s === undefined) return null;
  return LONE.test(s) ? displayText(s).replace(/[\ud800-\udfff]/g, '\ufffd') : s;
}

function mergeNodes(muts: NodeMutation[]): Map<string, MergedNode> {
  const out = new Map<string, MergedNode>();
  for (const m of muts) {
    let n = out.get(m.key);
    if (!n) {
      out.set(m.key, (n = { key: m.key, kind: m.kind, label: '', job: null, ts: null, ownerUid: null, ownerGid: null, attrs: {} }));
    } else if (n.kind !== m.kind) {
      throw new GraphError('E_GRAPH_NODE_KEY', `node ${m.key} is both ${n.kind} and ${m.kind}`);
    }
    if (kindOfKey(m.key) !== m.kind) throw new GraphError('E_GRAPH_NODE_KEY', `node key ${m.key} does not name a ${m.kind}`);
    if (m.label) n.label = m.label;
    if (m.job !== undefined) n.job = m.job;
    // A file version's time is its earliest (creation, or first sight); other nodes take the latest.
    if (m.ts !== undefined) n.ts = m.kind === 'file' && n.ts !== null ? Math.min(n.ts, m.ts) : m.ts;
    if (m.ownerUid !== undefined) n.ownerUid = m.ownerUid;
    if (m.ownerGid !== undefined) n.ownerGid = m.ownerGid;
    // An ended job keeps its final state: a start record that arrives after the end (another node's agent, a late hook) says 'running'.
    const ended = m.kind === 'job' && n.attrs.endTs != null && m.attrs.endTs == null;
    for (const [k, v] of Object.entries(m.attrs)) if (v !== undefined && !(ended && k === 'state')) n.attrs[k] = v;
  }
  return out;
}

function mergeEdges(muts: EdgeMutation[]): Map<string, EdgeMutation> {
  const out = new Map<string, EdgeMutation>();
  for (const m of muts) {
    checkEdge(m.kind, kindOfKey(m.from), kindOfKey(m.to));
    const k = `${m.from}\n${m.kind}\n${m.to}`;
    const e = out.get(k);
    if (!e) {
      out.set(k, { ...m });
      continue;
    }
    if (m.bytes !== undefined) e.bytes = (e.bytes ?? 0) + m.bytes;
    if (m.ts !== undefined) e.ts = e.ts === undefined ? m.ts : Math.min(e.ts, m.ts);
    const last = m.tsLast ?? m.ts;
    if (last !== undefined) e.tsLast = Math.max(e.tsLast ?? e.ts ?? last, last);
    e.role ??= m.role;
    e.job ??= m.job;
  }
  return out;
}

const col = <T>(rows: MergedNode[], f: (n: MergedNode) => T | undefined): (T | null)[] => rows.map((n) => f(n) ?? null);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? safeText(v) : null);
const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);
const json = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));

async function idsOf(tx: Queryable, keys: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (keys.length === 0) return out;
  const { rows } = await tx.query<{ id: number; key: string }>('select id, key from node where key = any($1::text[])', [keys]);
  for (const r of rows) out.set(r.key, Number(r.id));
  return out;
}

/**
 * Ids of the nodes this transaction inserted (not updated). Ids come from an
 * identity column and are never reused, so no edge or per-kind row can name
 * such a node yet: their rows go in with a plain INSERT, which costs about
 * half of an upsert's speculative insertion (edges: ~6 µs each here).
 */
type FreshIds = Set<number>;

/** Indexes of the rows whose id column (the first) names a fresh node, and of the others. */
function splitFresh(ids: unknown[], fresh: FreshIds, also?: unknown[]): { fresh: number[]; old: number[] } {
  const out = { fresh: [] as number[], old: [] as number[] };
  ids.forEach((id, i) => (fresh.has(id as number) || (also !== undefined && fresh.has(also[i] as number)) ? out.fresh : out.old).push(i));
  return out;
}

const pick = (cols: unknown[][], idx: number[]): unknown[][] => cols.map((c) => idx.map((i) => c[i]));

async function upsertNodes(tx: Queryable, rows: MergedNode[], ids: Map<string, number>, fresh: FreshIds): Promise<void> {
  if (rows.length === 0) return;
  const jobIds = rows.map((n) => (n.job ? ids.get(n.job) ?? null : null));
  rows.forEach((n, i) => {
    if (n.job && jobIds[i] === null) throw new GraphError('E_GRAPH_NODE_KEY', `job ${n.job} of ${n.key} has no node`);
  });
  const { rows: out } = await tx.query<{ id: number; key: string }>(
    `insert into node (key, kind, label, job_id, ts, owner_uid, owner_gid)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::int[], $7::int[])
     on conflict (key) do update set
       label = case when excluded.label <> '' then excluded.label else node.label end,
       job_id = coalesce(node.job_id, excluded.job_id),
       ts = case when node.kind = 'file' then least(node.ts, excluded.ts) else coalesce(excluded.ts, node.ts) end,
       owner_uid = coalesce(excluded.owner_uid, node.owner_uid),
       owner_gid = coalesce(excluded.owner_gid, node.owner_gid)
     returning id, key, xmax = 0 as inserted`,
    [col(rows, (n) => n.key), col(rows, (n) => n.kind), col(rows, (n) => safeText(n.label) ?? ''), jobIds, col(rows, (n) => n.ts), col(rows, (n) => n.ownerUid), col(rows, (n) => n.ownerGid)],
  );
  for (const r of out as { id: number; key: string; inserted: boolean }[]) {
    const id = Number(r.id);
    ids.set(r.key, id);
    if (r.inserted) fresh.add(id);
  }
}

/**
 * `insert … on conflict (pk) do update set c = coalesce(excluded.c, t.c)` over
 * unnest(): absent (null) attributes keep what is stored.
 */
/** `merge`: a column's SET expression when the row exists (default: the new value unless null). */
async function upsertKind(tx: Queryable, table: string, pk: string, cols: [string, string, unknown[]][], fresh: FreshIds, merge: Record<string, string> = {}): Promise<void> {
  if (cols[0]![2].length === 0) return;
  const names = cols.map((c) => c[0]);
  const types = cols.map((c, i) => `$${i + 1}::${c[1]}[]`);
  const sets = names.filter((n) => n !== pk).map((n) => `${n} = ${merge[n] ?? `coalesce(excluded.${n}, t.${n})`}`);
  const values = cols.map((c) => c[2]);
  const split = splitFresh(values[0]!, fresh);
  const insert = `insert into ${table} as t (${names.join(', ')}) select * from unnest(${types.join(', ')})`;
  if (split.fresh.length > 0) await tx.query(insert, pick(values, split.fresh));
  if (split.old.length > 0) await tx.query(`${insert} on conflict (${pk}) do update set ${sets.join(', ')}`, pick(values, split.old));
}

function parseJobKey(key: string): { scheduler: string; jobRef: string } {
  const rest = key.slice(2);
  const i = rest.indexOf(':');
  return { scheduler: rest.slice(0, i), jobRef: rest.slice(i + 1) };
}

export interface WriteState {
  /** Path heads to write (new or changed). */
  heads: PathHead[];
  procs: ProcState[];
  /** Ids of stored paths whose heads are not rewritten. */
  pathIds?: Map<string, number>;
}

export async function writeMutations(tx: Queryable, muts: GraphMutation[], state: WriteState): Promise<{ nodes: number; edges: number }> {
  const nodes = mergeNodes(muts.filter((m): m is NodeMutation => m.op === 'node'));
  const edges = mergeEdges(muts.filter((m): m is EdgeMutation => m.op === 'edge'));

  // Paths first (file versions point at them), with the builder's head state.
  const pathIds = new Map<string, number>(state.pathIds ?? []);
  if (state.heads.length > 0) {
    const stored = state.heads.map((h) => toStoredPath(h.path));
    const { rows } = await tx.query<{ id: number; key: string }>(
      `insert into path (key, path, path_bytes, head_version, head_key, head_exists, head_gen_key, head_read_other)
       select * from unnest($1::text[], $2::text[], $3::bytea[], $4::int[], $5::text[], $6::bool[], $7::text[], $8::bool[])
       on conflict (key) do update set head_version = excluded.head_version, head_key = excluded.head_key,
         head_exists = excluded.head_exists, head_gen_key = excluded.head_gen_key, head_read_other = excluded.head_read_other
       returning id, key`,
      [state.heads.map((h) => h.pathKey), stored.map((s) => s.path), stored.map((s) => s.pathBytes), state.heads.map((h) => h.version),
        state.heads.map((h) => h.headKey), state.heads.map((h) => h.exists), state.heads.map((h) => h.genKey), state.heads.map((h) => h.readByOther)],
    );
    for (const r of rows) pathIds.set(r.key, Number(r.id));
  }

  // Node identities: jobs first so the others can point at their job.
  const all = [...nodes.values()];
  const referenced = new Set<string>();
  for (const n of all) if (n.job) referenced.add(n.job);
  for (const e of edges.values()) {
    referenced.add(e.from).add(e.to);
    if (e.job) referenced.add(e.job);
  }
  for (const n of all) referenced.delete(n.key);
  const ids = await idsOf(tx, [...referenced]);
  const fresh: FreshIds = new Set();
  await upsertNodes(tx, all.filter((n) => n.kind === 'job' || n.kind === 'user'), ids, fresh);
  await upsertNodes(tx, all.filter((n) => n.kind !== 'job' && n.kind !== 'user'), ids, fresh);
  const idOf = (k: string) => {
    const id = ids.get(k);
    if (id === undefined) throw new GraphError('E_GRAPH_NODE_KEY', `edge end ${k} has no node`);
    return id;
  };

  const jobs = all.filter((n) => n.kind === 'job');
  const a = (n: MergedNode) => n.attrs;
  await upsertKind(tx, 'job', 'node_id', [
    ['node_id', 'bigint', jobs.map((n) => idOf(n.key))],
    ['scheduler', 'text', jobs.map((n) => parseJobKey(n.key).scheduler)],
    ['job_ref', 'text', jobs.map((n) => safeText(parseJobKey(n.key).jobRef))],
    ['name', 'text', col(jobs, (n) => str(a(n).name))],
    ['script', 'text', col(jobs, (n) => str(a(n).script))],
    ['argv', 'text', col(jobs, (n) => json(a(n).argv))],
    ['cwd', 'text', col(jobs, (n) => str(a(n).cwd))],
    ['host', 'text', col(jobs, (n) => str(a(n).host))],
    ['uid', 'int', col(jobs, (n) => num(a(n).uid))],
    ['gid', 'int', col(jobs, (n) => num(a(n).gid))],
    ['user_name', 'text', col(jobs, (n) => str(a(n).userName))],
    ['backend', 'text', col(jobs, (n) => str(a(n).backend))],
    ['start_ts', 'bigint', col(jobs, (n) => num(a(n).startTs))],
    ['end_ts', 'bigint', col(jobs, (n) => num(a(n).endTs))],
    ['exit_code', 'int', col(jobs, (n) => num(a(n).exitCode))],
    ['signal', 'int', col(jobs, (n) => num(a(n).signal))],
    ['state', 'text', col(jobs, (n) => str(a(n).state))],
    ['complete', 'bool', col(jobs, (n) => bool(a(n).complete))],
    ['lost_events', 'bigint', col(jobs, (n) => num(a(n).lostEvents))],
    ['cluster', 'text', col(jobs, (n) => str(a(n).cluster))],
    ['account', 'text', col(jobs, (n) => str(a(n).account))],
    ['partition', 'text', col(jobs, (n) => str(a(n).partition))],
    ['qos', 'text', col(jobs, (n) => str(a(n).qos))],
    ['comment', 'text', col(jobs, (n) => str(a(n).comment))],
    ['node_list', 'text', col(jobs, (n) => json(a(n).nodeList))],
    ['submit_ts', 'bigint', col(jobs, (n) => num(a(n).submitTs))],
    ['script_sha256', 'text', col(jobs, (n) => str(a(n).scriptSha256))],
  ], fresh, {
    // An ended job keeps its final state against records without an end (see mergeNodes).
    state: 'case when t.end_ts is not null and excluded.end_ts is null then t.state else coalesce(excluded.state, t.state) end',
  });
  // Job scripts, once per content hash (the first text stays: same hash, same text).
  const scripts = new Map<string, { text: string; ts: number | null }>();
  for (const n of jobs) {
    const sha = a(n).scriptSha256;
    const text = a(n).scriptText;
    if (typeof sha === 'string' && typeof text === 'string') scripts.set(sha, { text: safeText(text) ?? '', ts: num(a(n).submitTs) ?? num(a(n).startTs) ?? null });
  }
  if (scripts.size > 0) {
    await tx.query(
      `insert into job_script (sha256, text, first_ts) select * from unnest($1::text[], $2::text[], $3::bigint[])
       on conflict (sha256) do nothing`,
      [[...scripts.keys()], [...scripts.values()].map((s) => s.text), [...scripts.values()].map((s) => s.ts)],
    );
  }

  const procs = all.filter((n) => n.kind === 'process');
  await upsertKind(tx, 'process', 'node_id', [
    ['node_id', 'bigint', procs.map((n) => idOf(n.key))],
    ['proc', 'text', col(procs, (n) => str(a(n).proc))],
    ['exec_seq', 'int', col(procs, (n) => num(a(n).execSeq))],
    ['host', 'text', col(procs, (n) => str(a(n).host))],
    ['pid', 'int', col(procs, (n) => num(a(n).pid))],
    ['ppid', 'int', col(procs, (n) => num(a(n).ppid))],
    ['exe', 'text', col(procs, (n) => str(a(n).exe))],
    ['argv', 'text', col(procs, (n) => json(a(n).argv))],
    ['cwd', 'text', col(procs, (n) => str(a(n).cwd))],
    ['env', 'text', col(procs, (n) => json(a(n).env))],
    ['uid', 'int', col(procs, (n) => num(a(n).uid))],
    ['gid', 'int', col(procs, (n) => num(a(n).gid))],
    ['euid', 'int', col(procs, (n) => num(a(n).euid))],
    ['egid', 'int', col(procs, (n) => num(a(n).egid))],
    ['start_ts', 'bigint', col(procs, (n) => num(a(n).startTs))],
    ['end_ts', 'bigint', col(procs, (n) => num(a(n).endTs))],
    ['exit_code', 'int', col(procs, (n) => num(a(n).exitCode))],
    ['signal', 'int', col(procs, (n) => num(a(n).signal))],
    ['truncated', 'bool', col(procs, (n) => bool(a(n).truncated))],
  ], fresh);

  const files = all.filter((n) => n.kind === 'file');
  const pathIdOf = (n: MergedNode) => {
    const id = pathIds.get(a(n).pathKey as string);
    if (id === undefined) throw new GraphError('E_GRAPH_NODE_KEY', `file ${n.key}: its path has no head state`);
    return id;
  };
  // software: once marked, stays marked (coalesce would let false overwrite true).
  await upsertKind(tx, 'file_version', 'node_id', [
    ['node_id', 'bigint', files.map((n) => idOf(n.key))],
    ['path_id', 'bigint', files.map(pathIdOf)],
    ['version', 'int', col(files, (n) => num(a(n).version))],
    ['file_class', 'text', col(files, (n) => str(a(n).fileClass))],
    ['software', 'bool', col(files, (n) => bool(a(n).software))],
    ['observed', 'bool', col(files, (n) => bool(a(n).observed))],
    ['exists_now', 'bool', col(files, (n) => bool(a(n).existsNow))],
    ['dev', 'bigint', col(files, (n) => num(a(n).dev))],
    ['ino', 'bigint', col(files, (n) => num(a(n).ino))],
    ['size', 'bigint', col(files, (n) => num(a(n).size))],
    ['mtime', 'bigint', col(files, (n) => num(a(n).mtime))],
    ['sha256', 'text', col(files, (n) => str(a(n).sha256))],
    ['hash_skipped', 'text', col(files, (n) => str(a(n).hashSkipped))],
  ], fresh);

  const users = all.filter((n) => n.kind === 'user');
  await upsertKind(tx, 'user_agent', 'node_id', [
    ['node_id', 'bigint', users.map((n) => idOf(n.key))],
    ['uid', 'int', col(users, (n) => num(a(n).uid))],
    ['name', 'text', col(users, (n) => str(a(n).name))],
  ], fresh);

  const es = [...edges.values()];
  if (es.length > 0) {
    const values = [es.map((e) => idOf(e.from)), es.map((e) => e.kind), es.map((e) => idOf(e.to)), es.map((e) => e.role ?? null), es.map((e) => e.bytes ?? null),
      es.map((e) => e.ts ?? null), es.map((e) => e.tsLast ?? e.ts ?? null), es.map((e) => (e.job ? ids.get(e.job) ?? null : null))];
    // An edge with an end this transaction created cannot be stored yet.
    const split = splitFresh(values[0]!, fresh, values[2]!);
    const insert = `insert into edge (from_id, kind, to_id, role, bytes, ts_first, ts_last, job_id)
       select * from unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[])`;
    if (split.fresh.length > 0) await tx.query(insert, pick(values, split.fresh));
    if (split.old.length > 0) {
      await tx.query(
        `${insert}
       on conflict (from_id, kind, to_id) do update set
         role = coalesce(edge.role, excluded.role),
         bytes = case when edge.bytes is null and excluded.bytes is null then null else coalesce(edge.bytes, 0) + coalesce(excluded.bytes, 0) end,
         ts_first = least(edge.ts_first, excluded.ts_first),
         ts_last = greatest(edge.ts_last, excluded.ts_last),
         job_id = coalesce(edge.job_id, excluded.job_id)`,
        pick(values, split.old),
      );
    }
  }

  if (state.procs.length > 0) {
    const p = state.procs;
    await tx.query(
      `insert into proc_state (proc, job_key, parent, parent_exec_seq, started, root, exec_seqs, start_ts, host, pid, ppid, cwd)
       select u.proc, u.job_key, u.parent, u.pes, u.started, u.root, string_to_array(u.seqs, ',')::int[], u.start_ts, u.host, u.pid, u.ppid, u.cwd
       from unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::bool[], $6::bool[], $7::text[], $8::bigint[], $9::text[], $10::int[], $11::int[], $12::text[])
         as u(proc, job_key, parent, pes, started, root, seqs, start_ts, host, pid, ppid, cwd)
       on conflict (proc) do update set job_key = excluded.job_key, parent = excluded.parent, parent_exec_seq = excluded.parent_exec_seq,
         started = excluded.started, root = excluded.root, exec_seqs = excluded.exec_seqs, start_ts = excluded.start_ts,
         host = excluded.host, pid = excluded.pid, ppid = excluded.ppid, cwd = excluded.cwd`,
      [p.map((x) => x.proc), p.map((x) => x.jobKey), p.map((x) => x.parent), p.map((x) => x.parentExecSeq), p.map((x) => x.started), p.map((x) => x.root),
        p.map((x) => x.execSeqs.join(',')), p.map((x) => x.startTs), p.map((x) => x.host), p.map((x) => x.pid), p.map((x) => x.ppid), p.map((x) => safeText(x.cwd))],
    );
  }
  return { nodes: nodes.size, edges: edges.size };
}
