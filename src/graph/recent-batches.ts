// Events of the batches this process has just stored, kept for the
// aggregator so that it need not read them back from raw_event and parse
// them again. Only a shortcut: a kept batch is used only when its sha256 is
// the one ingest_batch holds for that (source, seq) (a store emptied and
// refilled since cannot hand out old events); the aggregator's cursor still
// comes from the database, and a batch not kept here (stored by another
// process, or dropped to bound memory) is read from raw_event as before.
import type { TraceEvent } from '../core/trace-event.js';

/**
 * Most events kept per store: 20 batches of 5,000, ~30 MB of heap (29 MB per
 * 100,000 events of bench/store.ts's stream, measured). Aggregation that
 * keeps up needs only the last few; a backlog past this is read back.
 */
const MAX_EVENTS = 100_000;

export class RecentBatches {
  /** `${seq}\n${source}` → the batch, oldest first. */
  private readonly batches = new Map<string, { events: TraceEvent[]; sha256: string }>();
  private events = 0;

  /** A batch just committed (replaces what was kept under the same pair). */
  remember(source: string, seq: number, events: TraceEvent[], sha256: string): void {
    if (events.length === 0 || events.length > MAX_EVENTS) return;
    this.forget(source, seq, seq + 1);
    this.batches.set(`${seq}\n${source}`, { events, sha256 });
    this.events += events.length;
    for (const [old, b] of this.batches) {
      if (this.events <= MAX_EVENTS) break;
      this.batches.delete(old);
      this.events -= b.events.length;
    }
  }

  get(source: string, seq: number): { events: TraceEvent[]; sha256: string } | undefined {
    return this.batches.get(`${seq}\n${source}`);
  }

  /** Drops the source's batches before `seq` (aggregated). */
  forget(source: string, fromSeq: number, toSeq: number): void {
    for (let s = fromSeq; s < toSeq; s++) {
      const k = `${s}\n${source}`;
      const b = this.batches.get(k);
      if (!b) continue;
      this.batches.delete(k);
      this.events -= b.events.length;
    }
  }

  /**
   * Up to `limit` events from (fromSeq, fromIdx) through batch `lastSeq`,
   * with the position of the last one; null when a batch is not kept, or
   * kept with another sha256 than the stored one (`sha256Of`).
   */
  take(source: string, fromSeq: number, fromIdx: number, lastSeq: number, limit: number, sha256Of: (seq: number) => string | undefined): { events: TraceEvent[]; endSeq: number; endIdx: number } | null {
    const events: TraceEvent[] = [];
    let endSeq = -1;
    let endIdx = -1;
    for (let seq = fromSeq; seq <= lastSeq && events.length < limit; seq++) {
      const kept = this.get(source, seq);
      if (!kept || kept.sha256 !== sha256Of(seq)) return null;
      const b = kept.events;
      const start = seq === fromSeq ? fromIdx : 0;
      const n = Math.min(b.length - start, limit - events.length);
      for (let i = 0; i < n; i++) events.push(b[start + i]!);
      if (n > 0) {
        endSeq = seq;
        endIdx = start + n - 1;
      }
    }
    return { events, endSeq, endIdx };
  }
}

const byStore = new WeakMap<object, RecentBatches>();

/** The recent batches of one store (keyed by the Store object). */
export function recentBatches(store: object): RecentBatches {
  let r = byStore.get(store);
  if (!r) byStore.set(store, (r = new RecentBatches()));
  return r;
}
