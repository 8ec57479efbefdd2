// Streams events into the store as they come (`kiseki run` while the job
// runs, an agent): buffers them, and sends a batch (source, seq 0, 1, 2, …)
// when it holds batchSize events or maxDelayMs has passed. Batches go one at
// a time, in order; each is ingested (and aggregated) before the next.
import type { TraceEvent } from '../core/trace-event.js';
import type { Store } from '../store/open-store.js';
import { ingest, type BatchResult } from './ingest.js';

export interface BatchWriterOptions {
  source: string;
  /** First sequence number (default 0; a resumed source continues its numbering). */
  startSeq?: number;
  batchSize?: number;
  /** Longest time an event waits in the buffer (default 1000 ms). */
  maxDelayMs?: number;
  /** Aggregate after each batch (default true: the job's graph grows as it runs). */
  aggregate?: boolean;
}

export class BatchWriter {
  private buf: TraceEvent[] = [];
  private seq: number;
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private failure: unknown;
  readonly results: BatchResult[] = [];

  constructor(private readonly store: Store, private readonly opts: BatchWriterOptions) {
    this.seq = opts.startSeq ?? 0;
  }

  /** The next sequence number to be sent. */
  get nextSeq(): number {
    return this.seq;
  }

  push(event: TraceEvent): void {
    if (this.failure) throw this.failure;
    this.buf.push(event);
    if (this.buf.length >= (this.opts.batchSize ?? 5000)) this.send();
    else if (!this.timer) this.timer = setTimeout(() => this.send(), this.opts.maxDelayMs ?? 1000);
  }

  private send(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buf.length === 0) return;
    const events = this.buf;
    const seq = this.seq++;
    this.buf = [];
    this.chain = this.chain.then(async () => {
      if (this.failure) return;
      try {
        this.results.push(await ingest(this.store, { source: this.opts.source, seq, events }, { aggregate: this.opts.aggregate ?? true }));
      } catch (err) {
        this.failure = err;
      }
    });
  }

  /** Sends what is buffered and waits for every batch; throws the first failure. */
  async flush(): Promise<void> {
    this.send();
    await this.chain;
    if (this.failure) throw this.failure;
  }
}
