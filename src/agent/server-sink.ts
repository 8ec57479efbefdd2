// A RunSink that hands a run's events to a running `kiseki serve` (POST
// /api/v1/ingest, NDJSON), for when the server holds the embedded database
// (PGlite allows one process per folder). Batches go one at a time, in
// order (source run:<runId>, seq 0, 1, …), so the job's graph grows on the
// server while the command runs; the last one waits for aggregation, so the
// run is searchable when `kiseki run` returns. Like every sink it never
// throws: a failure stops the forwarding and is reported by close() (the
// NDJSON trace file keeps every event).
import { encodeTraceEvent, type TraceEvent } from '../core/trace-event.js';
import type { RunSink, SinkReport } from './run-sink.js';

export interface ServerSinkOptions {
  /** The server's base URL (server.json's url). */
  url: string;
  /** server.json's local secret: this machine's runs ingest as the local admin even when sign-in is configured. */
  token?: string;
  source: string;
  batchSize?: number;
  maxDelayMs?: number;
  /** Tries per batch when the server cannot be reached or answers 5xx (default 4). */
  tries?: number;
}

export class ServerSink implements RunSink {
  private buf: string[] = [];
  private seq = 0;
  private stored = 0;
  private pushed = 0;
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private failure: { code: string; message: string } | undefined;

  constructor(private readonly opts: ServerSinkOptions) {}

  push(event: TraceEvent): void {
    if (this.failure) return;
    this.pushed++;
    try {
      this.buf.push(encodeTraceEvent(event));
    } catch (err) {
      this.failure = { code: 'E_RUN_STORE', message: (err as Error).message };
      return;
    }
    if (this.buf.length >= (this.opts.batchSize ?? 2000)) this.send(false);
    else this.timer ??= setTimeout(() => this.send(false), this.opts.maxDelayMs ?? 500);
  }

  private send(last: boolean): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buf.length === 0 && !last) return;
    const lines = this.buf;
    this.buf = [];
    this.chain = this.chain.then(async () => {
      if (this.failure || lines.length === 0) return;
      const seq = this.seq++;
      try {
        await this.post(seq, lines, last);
        this.stored += lines.length;
      } catch (err) {
        const e = err as { code?: string; message?: string };
        this.failure = { code: e.code ?? 'E_RUN_STORE', message: e.message ?? String(err) };
      }
    });
  }

  private async post(seq: number, lines: string[], wait: boolean): Promise<void> {
    const url = `${this.opts.url.replace(/\/+$/, '')}/api/v1/ingest?${new URLSearchParams({ source: this.opts.source, seq: String(seq), ...(wait ? { wait: 'true' } : {}) })}`;
    const body = `${lines.join('\n')}\n`;
    const tries = this.opts.tries ?? 4;
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-ndjson', ...(this.opts.token ? { authorization: `Bearer ${this.opts.token}` } : {}) }, body, signal: AbortSignal.timeout(120_000) });
      } catch (err) {
        const e = err as Error & { cause?: { code?: string } };
        if (attempt < tries) {
          await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
          continue;
        }
        throw Object.assign(new Error(`cannot reach kiseki serve at ${this.opts.url}: ${e.cause?.code ?? e.message}`), { code: 'E_RUN_SERVER' });
      }
      if (res.ok) {
        await res.arrayBuffer().catch(() => undefined);
        return;
      }
      const text = await res.text().catch(() => '');
      let reply: { error?: { code?: string; message?: string } } = {};
      try {
        reply = JSON.parse(text) as typeof reply;
      } catch {
        /* not JSON */
      }
      if (res.status >= 500 && attempt < tries) {
        await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
        continue;
      }
      throw Object.assign(new Error(`kiseki serve refused batch ${seq}: ${reply.error?.message ?? `HTTP ${res.status} ${text.slice(0, 200)}`}`),
        { code: reply.error?.code ?? 'E_RUN_SERVER' });
    }
  }

  async close(): Promise<SinkReport[]> {
    this.send(true);
    await this.chain;
    const r: SinkReport = { sink: 'store', ok: !this.failure && this.stored === this.pushed, events: this.stored, where: this.opts.url };
    if (this.failure) r.error = this.failure;
    else if (this.stored !== this.pushed) r.error = { code: 'E_RUN_STORE', message: `only ${this.stored} of ${this.pushed} events were stored` };
    return [r];
  }
}
