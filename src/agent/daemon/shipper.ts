// Ships spooled batches to the server's ingest endpoint, oldest first, one at
// a time: at-least-once delivery, made exactly-once by the server's
// idempotent ingest per (source, seq). Exponential back-off on failure.
import { gunzipSync, gzipSync } from 'node:zlib';
import type { TraceEvent } from '../../core/trace-event.js';
import { httpPost, type PostAnswer } from './http-post.js';
import { Spool, type SpoolBatch } from './spool.js';

export interface ShipperOptions {
  /** Base URL of the server, e.g. http://kiseki:8080 (the endpoint is /api/v1/ingest). */
  server: string;
  token?: string;
  source: string;
  log(line: string): void;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface ShipperStatus {
  shippedBatches: number;
  shippedEvents: number;
  lastShippedTs: number | null;
  lastError: string | null;
  lastErrorTs: number | null;
  failures: number;
  backoffMs: number;
}

export class Shipper {
  readonly status: ShipperStatus = {
    shippedBatches: 0, shippedEvents: 0, lastShippedTs: null, lastError: null, lastErrorTs: null, failures: 0, backoffMs: 0,
  };
  private stopped = false;
  private wake: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private gzipBody = true;

  constructor(private readonly spool: Spool, private readonly opts: ShipperOptions) {}

  start(): void {
    this.running ??= this.loop();
  }

  /** A new batch is in the spool. */
  kick(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }

  private async loop(): Promise<void> {
    let backoff = 0;
    while (!this.stopped) {
      const b = this.spool.oldest();
      if (!b) {
        await this.sleep(1000);
        continue;
      }
      const ok = await this.send(b);
      if (ok) {
        backoff = 0;
        this.status.backoffMs = 0;
        continue;
      }
      const min = this.opts.minBackoffMs ?? 500;
      backoff = backoff === 0 ? min : Math.min(backoff * 2, this.opts.maxBackoffMs ?? 30_000);
      this.status.backoffMs = backoff;
      await this.sleep(backoff * (0.75 + Math.random() * 0.5));
    }
  }

  private fail(why: string): false {
    this.status.failures += 1;
    this.status.lastErrorTs = Date.now();
    if (why !== this.status.lastError) this.opts.log(why);
    this.status.lastError = why;
    return false;
  }

  /** One POST; true when the server has the batch (stored or duplicate). */
  private async send(b: SpoolBatch): Promise<boolean> {
    const lines = gunzipSync(this.spool.read(b)).toString('utf8').split('\n').filter((l) => l !== '');
    const json = `{"source":${JSON.stringify(this.opts.source)},"seq":${b.seq},"events":[${lines.join(',')}]}`;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    let body: Buffer | string = json;
    if (this.gzipBody) {
      headers['content-encoding'] = 'gzip';
      body = gzipSync(json);
    }
    const url = `${this.opts.server.replace(/\/+$/, '')}/api/v1/ingest`;
    let res: PostAnswer;
    try {
      res = await httpPost(url, headers, body, 120_000);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      return this.fail(`cannot reach the server ${url}: ${e.code ?? e.message}; batch ${b.seq} stays in the spool`);
    }
    const text = res.text;
    let reply: { error?: string | { code?: string; message?: string }; reason?: string; code?: string } = {};
    try {
      reply = JSON.parse(text) as typeof reply;
    } catch {
      // not JSON: show the text
    }
    if (res.ok) {
      this.spool.ack(b);
      this.status.shippedBatches += 1;
      this.status.shippedEvents += lines.length;
      this.status.lastShippedTs = Date.now();
      if (this.status.lastError) this.opts.log(`server ${this.opts.server} accepts batches again`);
      this.status.lastError = null;
      return true;
    }
    if (res.status === 415 && this.gzipBody) {
      this.gzipBody = false; // the server does not take gzip bodies: send plain JSON
      return this.send(b);
    }
    const why = reply.reason ?? (typeof reply.error === 'object' ? reply.error?.message : reply.error) ?? text.slice(0, 200);
    if (res.status === 401 || res.status === 403) {
      return this.fail(`the server refused this node's token (HTTP ${res.status}): ${why}; check --token-file (batches stay in the spool)`);
    }
    if (res.status === 400 || res.status === 413) {
      // The batch itself is refused: keep the numbering gap-free by sending
      // a trace.lost in its place, so later batches can be aggregated.
      this.opts.log(`the server rejected batch ${b.seq} (${lines.length} events): ${why}; replacing it with a trace.lost`);
      const lost: TraceEvent = { type: 'trace.lost', ts: Date.now() * 1000, count: Math.max(1, lines.length), reason: `batch rejected by the server: ${why}`.slice(0, 500) };
      this.spool.replace(b, [lost]);
      return this.fail(`batch ${b.seq} rejected: ${why}`);
    }
    return this.fail(`the server answered HTTP ${res.status} for batch ${b.seq}: ${why}; will retry`);
  }
}

export { Spool };
