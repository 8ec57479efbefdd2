// Background aggregation: a writer stores its batch and returns; the
// aggregator then runs soon after, once at a time, until nothing is pending
// (a running job's graph grows as its events come). `kiseki serve` and the
// minimal ingest endpoint use it, so storing and aggregating overlap.
import { aggregate, type AggregateResult } from './aggregator.js';
import type { Store } from '../store/open-store.js';

export class AggregationRunner {
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;
  /** The last failure (logged; the next kick retries). */
  lastError: unknown;
  readonly totals: AggregateResult = { events: 0, chunks: 0, nodes: 0, edges: 0 };

  /** Called after each aggregation pass that did something (caches drop what they hold). */
  onChange: () => void = () => {};

  constructor(private readonly store: Store, private readonly log: (line: string) => void = () => {}) {}

  /** Aggregate soon; returns a promise that settles when what is pending now is aggregated. */
  kick(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.running) {
      this.again = true; // the running loop goes round once more
      return this.running;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        const r = await aggregate(this.store);
        this.totals.events += r.events;
        this.totals.chunks += r.chunks;
        this.totals.nodes += r.nodes;
        this.totals.edges += r.edges;
        this.lastError = undefined;
        if (r.events > 0) this.onChange();
      } catch (err) {
        this.lastError = err;
        this.log(`aggregation failed: ${(err as Error).message ?? String(err)}`);
        return;
      }
    } while (this.again && !this.closed);
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Resolves when no aggregation is running or queued. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
  }
}
