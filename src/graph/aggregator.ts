// The incremental aggregator: raw events → graph, per source in (seq, idx)
// order, one chunk per transaction. The chunk's graph rows, the builder
// state it changed and the source's cursor commit together, so a crash
// (kill -9) mid-chunk leaves the previous state and a re-run redoes exactly
// that chunk. Batches of a source are taken in seq order from 0 without
// gaps: a batch after a missing seq waits until the gap is filled.
// Aggregation is serialized database-wide (advisory lock on PostgreSQL;
// PGlite has one connection), so path versions are numbered consistently.
import type { Queryable } from '../store/db.js';
import type { Store } from '../store/open-store.js';
import { fromStoredPath } from '../store/path-text.js';
import type { TraceEvent } from '../core/trace-event.js';
import { MemoryState, newHead, type ProcState } from './builder-state.js';
import { GraphBuilder, stateKeysOf } from './builder.js';
import type { GraphMutation } from './mutation.js';
import { processKey } from './node-keys.js';
import { recentBatches } from './recent-batches.js';
import { writeMutations } from './write-rows.js';

/** A fixed advisory lock id for aggregation ("kiseki-a"). */
const AGGREGATE_LOCK = (0x6b6973656b692d61n % 2n ** 62n).toString();

export interface ChunkInfo {
  source: string;
  fromSeq: number;
  fromIdx: number;
  events: number;
}

export interface AggregateOptions {
  /** Only this source (default: every source with pending events). */
  source?: string;
  /** Events per transaction (default 5000). */
  chunkSize?: number;
  /** Stop after this many chunks (default: until nothing is pending). */
  maxChunks?: number;
  /** Called inside the transaction after the rows are written, before commit (tests). */
  beforeCommit?: (info: ChunkInfo) => Promise<void> | void;
}

export interface AggregateResult {
  events: number;
  chunks: number;
  nodes: number;
  edges: number;
}

interface SourceRow {
  source: string;
  next_seq: number;
  next_idx: number;
  job_key: string | null;
  job_uid: number | null;
  job_gid: number | null;
}

/** Sources whose next batch has arrived. */
export async function pendingSources(db: Queryable, only?: string): Promise<string[]> {
  const { rows } = await db.query<{ source: string }>(
    `select s.source from ingest_source s
     where ($1::text is null or s.source = $1)
       and exists (select 1 from ingest_batch b where b.source = s.source and b.seq = s.next_seq)
     order by s.source`,
    [only ?? null],
  );
  return rows.map((r) => r.source);
}

function procFromRow(r: Record<string, unknown>): ProcState {
  return {
    proc: r.proc as string, jobKey: (r.job_key as string | null) ?? null, parent: (r.parent as string | null) ?? null,
    parentExecSeq: r.parent_exec_seq === null ? null : Number(r.parent_exec_seq), started: Boolean(r.started), root: Boolean(r.root),
    execSeqs: ((r.exec_seqs as number[] | null) ?? []).map(Number), startTs: r.start_ts === null ? null : Number(r.start_ts),
    host: (r.host as string | null) ?? null, pid: r.pid === null ? null : Number(r.pid), ppid: r.ppid === null ? null : Number(r.ppid),
    cwd: (r.cwd as string | null) ?? null,
  };
}

/** Loads what a chunk's events need into a MemoryState. */
interface Loaded {
  st: MemoryState;
  /** Ids of the paths already stored. */
  pathIds: Map<string, number>;
  /** What was loaded, as JSON: a state the chunk did not change is not written back. */
  before: Map<string, string>;
}

async function loadState(tx: Queryable, src: SourceRow, events: TraceEvent[]): Promise<Loaded> {
  const st = new MemoryState({ source: src.source, jobKey: src.job_key, jobUid: src.job_uid, jobGid: src.job_gid });
  const pathIds = new Map<string, number>();
  const before = new Map<string, string>();
  const need = stateKeysOf(events);
  // Processes, then their fork parents (not named by this chunk's events).
  let procs = [...need.procs];
  for (let round = 0; procs.length > 0 && round < 64; round++) {
    const { rows } = await tx.query('select * from proc_state where proc = any($1::text[])', [procs]);
    for (const r of rows) st.procs.set(r.proc as string, procFromRow(r));
    procs = [...new Set(rows.map((r) => r.parent as string | null).filter((p): p is string => !!p && !st.procs.has(p)))];
  }
  const keys = [...need.paths.keys()];
  if (keys.length > 0) {
    const { rows } = await tx.query<{ id: number; key: string; path: string; path_bytes: Uint8Array | null; head_version: number; head_key: string | null; head_exists: boolean; head_gen_key: string | null; head_read_other: boolean }>(
      'select id, key, path, path_bytes, head_version, head_key, head_exists, head_gen_key, head_read_other from path where key = any($1::text[])', [keys],
    );
    for (const r of rows) {
      st.heads.set(r.key, {
        pathKey: r.key, path: fromStoredPath(r.path, r.path_bytes), version: Number(r.head_version),
        headKey: r.head_key, exists: r.head_exists, genKey: r.head_gen_key, readByOther: r.head_read_other,
      });
      pathIds.set(r.key, Number(r.id));
      before.set(`h\n${r.key}`, JSON.stringify(st.heads.get(r.key)));
    }
  }
  // For the revision rule of renames and links: which current versions of
  // the target paths did the runs of this chunk (or the source's writer) read?
  const targets: string[] = [];
  const readers = new Set<string>();
  for (const ev of events) {
    if (ev.type !== 'file.rename' && ev.type !== 'file.link') continue;
    for (const [k] of stateKeysOf([ev]).paths) {
      const h = st.heads.get(k);
      if (h?.headKey) targets.push(h.headKey);
      if (h?.genKey) readers.add(h.genKey);
    }
  }
  if (targets.length > 0) {
    for (const p of st.procs.values()) for (const n of p.execSeqs) readers.add(processKey(p.proc, n));
    const { rows } = await tx.query<{ f: string; t: string }>(
      `select a.key as f, b.key as t from edge e join node a on a.id = e.from_id join node b on b.id = e.to_id
       where e.kind = 'used' and b.key = any($1::text[]) and a.key = any($2::text[])`,
      [targets, [...readers]],
    );
    for (const r of rows) st.noteUsed(r.f, r.t);
  }
  for (const [k, p] of st.procs) before.set(`p\n${k}`, JSON.stringify(p));
  st.dirtyHeads.clear();
  st.dirtyProcs.clear();
  // Heads not in the database start empty.
  for (const [k, p] of need.paths) if (!st.heads.has(k)) st.heads.set(k, newHead(k, p));
  return { st, pathIds, before };
}

/** One chunk of one source; returns null when the source has nothing pending. */
async function aggregateChunk(store: Store, source: string, opts: AggregateOptions): Promise<{ events: number; nodes: number; edges: number; moved: boolean } | null> {
  const chunkSize = opts.chunkSize ?? 5000;
  const recent = recentBatches(store);
  let done: { from: number; to: number } | undefined;
  const r = await store.db.transaction(async (tx) => {
    // No wait for the WAL flush at commit: a chunk whose commit a server
    // crash loses takes its cursor with it, so the next pass redoes it.
    if (store.db.kind === 'postgres') await tx.query(`select pg_advisory_xact_lock($1), set_config('synchronous_commit', 'off', true)`, [AGGREGATE_LOCK]);
    const { rows: srcRows } = await tx.query<SourceRow>('select * from ingest_source where source = $1 for update', [source]);
    const src = srcRows[0];
    if (!src) return null;
    src.next_seq = Number(src.next_seq);
    src.next_idx = Number(src.next_idx);
    // The contiguous run of received batches from next_seq.
    const { rows: batches } = await tx.query<{ seq: number; event_count: number; sha256: string }>(
      'select seq, event_count, sha256 from ingest_batch where source = $1 and seq >= $2 order by seq limit 10000', [source, src.next_seq],
    );
    let last = -1;
    const counts = new Map<number, number>();
    const sha256s = new Map<number, string>();
    for (const b of batches) {
      const seq = Number(b.seq);
      if (seq !== src.next_seq + counts.size) break;
      counts.set(seq, Number(b.event_count));
      sha256s.set(seq, b.sha256);
      last = seq;
    }
    if (last < 0) return null;
    // Only the batches this chunk reaches: keeps the scan to ~chunkSize rows
    // whatever the planner thinks of a freshly filled raw_event (with stale
    // statistics it bitmap-scans every pending event and sorts them).
    let upto = src.next_seq;
    for (let have = (counts.get(upto) ?? 0) - src.next_idx; have < chunkSize && upto < last; ) have += counts.get(++upto) ?? 0;
    last = upto;
    // The events: kept in memory by this process's ingest, else read back.
    let taken = recent.take(source, src.next_seq, src.next_idx, last, chunkSize, (seq) => sha256s.get(seq));
    if (!taken) {
      const { rows: raw } = await tx.query<{ seq: number; idx: number; body: string }>(
        `select seq, idx, body from raw_event
         where source = $1 and (seq, idx) >= ($2::bigint, $3::int) and seq <= $4
         order by seq, idx limit $5`,
        [source, src.next_seq, src.next_idx, last, chunkSize],
      );
      const end = raw[raw.length - 1];
      taken = { events: raw.map((r) => JSON.parse(r.body) as TraceEvent), endSeq: end ? Number(end.seq) : -1, endIdx: end ? Number(end.idx) : -1 };
    }
    const events = taken.events;
    // Cursor after the last event taken; past the end of its batch → next batch.
    let nextSeq = src.next_seq;
    let nextIdx = src.next_idx;
    if (events.length > 0) {
      nextSeq = taken.endSeq;
      nextIdx = taken.endIdx + 1;
    }
    while (counts.has(nextSeq) && nextIdx >= counts.get(nextSeq)!) {
      nextSeq++;
      nextIdx = 0;
    }
    const { st, pathIds, before } = await loadState(tx, src, events);
    const builder = new GraphBuilder(st);
    const muts: GraphMutation[] = [];
    for (const ev of events) for (const m of builder.apply(ev)) muts.push(m);
    // Write back only the state entries the chunk changed.
    const heads = [...st.dirtyHeads].map((k) => st.heads.get(k)!).filter((h) => before.get(`h\n${h.pathKey}`) !== JSON.stringify(h));
    const procs = [...st.dirtyProcs].map((k) => st.procs.get(k)!).filter((p) => before.get(`p\n${p.proc}`) !== JSON.stringify(p));
    const written = await writeMutations(tx, muts, { heads, procs, pathIds });
    await tx.query(
      `update ingest_source set next_seq = $2, next_idx = $3, job_key = $4, job_uid = $5, job_gid = $6, updated_at = now() where source = $1`,
      [source, nextSeq, nextIdx, st.src.jobKey, st.src.jobUid, st.src.jobGid],
    );
    await opts.beforeCommit?.({ source, fromSeq: src.next_seq, fromIdx: src.next_idx, events: events.length });
    done = { from: src.next_seq, to: nextSeq };
    return { events: events.length, ...written, moved: nextSeq !== src.next_seq || nextIdx !== src.next_idx };
  });
  // Committed: the batches before the cursor are not needed again.
  if (done) recent.forget(source, done.from, done.to);
  return r;
}

/** Processes pending raw events into the graph until none is left (or maxChunks). */
export async function aggregate(store: Store, opts: AggregateOptions = {}): Promise<AggregateResult> {
  const total: AggregateResult = { events: 0, chunks: 0, nodes: 0, edges: 0 };
  for (;;) {
    const sources = await pendingSources(store.db, opts.source);
    if (sources.length === 0) return total;
    let progressed = false;
    // One chunk per source in turn, not each source drained before the next:
    // a source that keeps sending (an agent on a busy node) cannot hold back
    // the graph of another source's finished job.
    let active = sources;
    while (active.length > 0) {
      const more: string[] = [];
      for (const source of active) {
        if (opts.maxChunks !== undefined && total.chunks >= opts.maxChunks) return total;
        const r = await aggregateChunk(store, source, opts);
        if (!r) continue;
        total.chunks++;
        total.events += r.events;
        total.nodes += r.nodes;
        total.edges += r.edges;
        if (r.moved) progressed = true;
        if (r.events > 0 && r.moved) more.push(source);
      }
      active = more;
    }
    if (!progressed) return total;
  }
}

/** How far aggregation is: per source, received batches vs the cursor. */
export async function aggregationStatus(db: Queryable): Promise<{ source: string; nextSeq: number; nextIdx: number; receivedBatches: number; pendingEvents: number }[]> {
  const { rows } = await db.query<{ source: string; next_seq: number; next_idx: number; received: number; pending: number }>(
    `select s.source, s.next_seq, s.next_idx,
       (select count(*) from ingest_batch b where b.source = s.source) as received,
       (select count(*) from raw_event r where r.source = s.source and (r.seq, r.idx) >= (s.next_seq, s.next_idx)) as pending
     from ingest_source s order by s.source`,
  );
  return rows.map((r) => ({ source: r.source, nextSeq: Number(r.next_seq), nextIdx: Number(r.next_idx), receivedBatches: Number(r.received), pendingEvents: Number(r.pending) }));
}
