// Ingest: validated, idempotent, atomic. A batch (source, seq) is stored in
// one transaction with its raw events; the same batch again changes nothing;
// a bad batch is rejected whole. Then the aggregator turns pending raw
// events into graph rows.
import type { Queryable } from '../store/db.js';
import type { Store } from '../store/open-store.js';
import { aggregate, type AggregateResult } from '../graph/aggregator.js';
import { recentBatches } from '../graph/recent-batches.js';
import { IngestError } from './errors.js';
import { checkBatchHeader, validateEvents, type BatchInput, type ValidatedBatch } from './validate-batch.js';

export interface IngestOptions {
  /** Run the aggregator after storing (default true). */
  aggregate?: boolean;
}

export interface BatchResult {
  source: string;
  seq: number;
  status: 'stored' | 'duplicate';
  events: number;
}

export interface IngestResult {
  batches: BatchResult[];
  aggregated: AggregateResult | null;
}

const ROWS_PER_INSERT = 5000;

/** Internal: which batch a validation error came from. */
export type IngestErrorWithBatch = IngestError & { batchEvents?: unknown };

async function storeBatch(tx: Queryable, b: BatchInput, v: ValidatedBatch): Promise<BatchResult> {
  const base = { source: b.source, seq: b.seq, events: v.events.length };
  const ins = await tx.query(
    `insert into ingest_batch (source, seq, event_count, sha256) values ($1, $2, $3, $4)
     on conflict (source, seq) do nothing returning seq`,
    [b.source, b.seq, v.events.length, v.sha256],
  );
  if (ins.rows.length === 0) {
    const { rows } = await tx.query<{ sha256: string }>('select sha256 from ingest_batch where source = $1 and seq = $2', [b.source, b.seq]);
    if (rows[0]?.sha256 !== v.sha256) {
      throw new IngestError('E_INGEST_CONFLICT', `batch ${b.source}#${b.seq} was received before with different events`);
    }
    return { ...base, status: 'duplicate' };
  }
  await tx.query('insert into ingest_source (source) values ($1) on conflict (source) do nothing', [b.source]);
  // The columns go as three text parameters split on the server: no array
  // literals to escape and parse (every `"` of the JSON bodies would be
  // escaped twice). Canonical JSON never holds a raw newline (JSON.stringify
  // escapes control characters), and types are known names.
  for (let i = 0; i < v.events.length; i += ROWS_PER_INSERT) {
    const evs = v.events.slice(i, i + ROWS_PER_INSERT);
    await tx.query(
      `insert into raw_event (source, seq, idx, type, ts, body)
       select $1, $2, $3::int + u.n::int - 1, u.type, u.ts::bigint, u.body
       from unnest(string_to_array($4, E'\\n'), string_to_array($5, ','), string_to_array($6, E'\\n')) with ordinality as u(type, ts, body, n)`,
      [b.source, b.seq, i, evs.map((e) => e.type).join('\n'), evs.map((e) => e.ts).join(','), v.bodies.slice(i, i + ROWS_PER_INSERT).join('\n')],
    );
  }
  return { ...base, status: 'stored' };
}

/**
 * Stores several batches in ONE transaction (all or nothing), then
 * aggregates. Every batch is validated before anything is written.
 */
export async function ingestBatches(store: Store, batches: BatchInput[], opts: IngestOptions = {}): Promise<IngestResult> {
  const validated = batches.map((b) => {
    checkBatchHeader(b);
    try {
      return validateEvents(b.events);
    } catch (err) {
      if (err instanceof IngestError) (err as IngestErrorWithBatch).batchEvents = b.events;
      throw err;
    }
  });
  const results = await store.db.transaction(async (tx) => {
    const out: BatchResult[] = [];
    for (let i = 0; i < batches.length; i++) out.push(await storeBatch(tx, batches[i]!, validated[i]!));
    return out;
  });
  // Committed: the aggregator may take these events without reading them back.
  const recent = recentBatches(store);
  results.forEach((r, i) => {
    if (r.status === 'stored') recent.remember(r.source, r.seq, validated[i]!.events, validated[i]!.sha256);
  });
  const aggregated = opts.aggregate === false ? null : await aggregate(store);
  return { batches: results, aggregated };
}

/** Ingests one batch: { source, seq, events: objects or NDJSON text }. */
export async function ingest(store: Store, batch: BatchInput, opts: IngestOptions = {}): Promise<BatchResult & { aggregated: AggregateResult | null }> {
  const r = await ingestBatches(store, [batch], opts);
  return { ...r.batches[0]!, aggregated: r.aggregated };
}
