// Where `kiseki run` puts the events of a run while it runs. Each sink takes
// events without ever making the tracer wait (push buffers and returns), and
// close() says what became of them; a sink never throws.
//
//   NdjsonFileSink   the trace file (always written: nothing is lost when the
//                    store cannot take the events; `kiseki ingest FILE` later)
//   StoreSink        the store, written from a worker thread, so neither the
//                    database nor PGlite's WASM ever runs on the thread that
//                    reads the tracer
//   TeeSink          both
//
// PGlite allows one process per folder: when `kiseki serve` holds the
// embedded database, a run hands its events to the server instead
// (ServerSink, server-sink.ts: batches over HTTP), chosen in openStoreSink()
// from <dataDir>/server.json.
import { close as fsClose, openSync, write } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { runningServer } from '../api/server-file.js';
import { encodeTraceEvent, type TraceEvent } from '../core/trace-event.js';
import { isPostgresUrl } from '../store/open-store.js';
import { ServerSink } from './server-sink.js';

export interface SinkReport {
  sink: 'file' | 'store';
  ok: boolean;
  /** Events written (file) or stored (store). */
  events: number;
  /** Where: the file, or the store's location. */
  where: string;
  error?: { code: string; message: string };
}

export interface RunSink {
  /** Takes one event; returns at once, never throws. */
  push(event: TraceEvent): void;
  /** Waits until every pushed event is written or has failed; never throws. */
  close(): Promise<SinkReport[]>;
}

/** The trace file is written in chunks of this many bytes. */
const FILE_CHUNK = 64 * 1024;
/** Longest an event waits in a chunk before it is written (ms). */
const FILE_DELAY_MS = 200;

/**
 * The trace file. Each event is encoded straight into a 64 KiB chunk, and
 * full chunks are written one at a time and then reused. Writing one string
 * per event instead kept tens of thousands of small strings and Buffers
 * queued in a stream long enough to be promoted to V8's old generation,
 * where only a full GC frees them: 20–30 MiB of `kiseki run`'s peak on
 * `tar czf`. Here the memory is two chunks, plus whatever a slow disk makes
 * wait.
 */
export class NdjsonFileSink implements RunSink {
  private fd: number | undefined;
  private count = 0;
  private error: Error | undefined;
  private chunk: Buffer = Buffer.allocUnsafe(FILE_CHUNK);
  private used = 0;
  /** Chunks (and oversized lines) waiting for their write, oldest first. */
  private readonly queue: Array<{ buf: Buffer; len: number }> = [];
  private readonly spare: Buffer[] = [];
  private writing = false;
  private drained: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'w');
    } catch (err) {
      this.error = err as Error;
    }
  }

  push(event: TraceEvent): void {
    if (this.error) return;
    const line = encodeTraceEvent(event);
    // A UTF-8 byte per UTF-16 unit is at most 3 (a surrogate pair: 4 for 2).
    const room = line.length * 3 + 1;
    if (FILE_CHUNK - this.used < room) this.cut();
    if (room > FILE_CHUNK) {
      this.enqueue(Buffer.from(`${line}\n`));
    } else {
      this.used += this.chunk.write(line, this.used);
      this.chunk[this.used++] = 0x0a;
      this.timer ??= setTimeout(() => { this.timer = undefined; this.cut(); }, FILE_DELAY_MS);
    }
    this.count++;
  }

  /** Queues the current chunk for writing and starts a new one. */
  private cut(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.used === 0) return;
    this.enqueue(this.chunk, this.used);
    this.chunk = this.spare.pop() ?? Buffer.allocUnsafe(FILE_CHUNK);
    this.used = 0;
  }

  private enqueue(buf: Buffer, len = buf.length): void {
    this.queue.push({ buf, len });
    this.pump();
  }

  private pump(): void {
    if (this.writing || this.fd === undefined) return;
    const next = this.queue[0];
    if (!next || this.error) {
      this.queue.length = 0;
      this.drained?.();
      return;
    }
    this.writing = true;
    const writeFrom = (offset: number) => {
      write(this.fd!, next.buf, offset, next.len - offset, null, (err, n) => {
        if (err) this.error ??= err;
        else if (offset + n < next.len) return writeFrom(offset + n);
        this.queue.shift();
        if (next.buf.length === FILE_CHUNK && this.spare.length < 2) this.spare.push(next.buf);
        this.writing = false;
        this.pump();
      });
    };
    writeFrom(0);
  }

  async close(): Promise<SinkReport[]> {
    this.cut();
    if (this.writing || this.queue.length) await new Promise<void>((resolve) => { this.drained = resolve; });
    if (this.fd !== undefined) {
      const fd = this.fd;
      this.fd = undefined;
      await new Promise<void>((resolve) => fsClose(fd, (err) => { if (err) this.error ??= err; resolve(); }));
    }
    const r: SinkReport = { sink: 'file', ok: !this.error, events: this.error ? 0 : this.count, where: this.path };
    if (this.error) r.error = { code: 'E_RUN_FILE', message: `cannot write ${this.path}: ${this.error.message}` };
    return [r];
  }
}

export interface StoreSinkOptions {
  /** A postgres:// URL or a PGlite folder. */
  db: string;
  schema?: string;
  /** The ingest source (`run:<runId>`). */
  source: string;
  /** Events per stored batch (default 2000). */
  batchSize?: number;
  /** Longest an event waits before it is sent to the store (default 500 ms). */
  maxDelayMs?: number;
  /** The data dir: a `kiseki serve` running on this embedded database (its server.json) takes the events. */
  dataDir?: string;
}

/** Messages between StoreSink and its worker (store-worker.ts). */
export type ToWorker = { type: 'events'; events: TraceEvent[] } | { type: 'end' };
export type FromWorker =
  | { type: 'opened'; location: string }
  | { type: 'done'; stored: number; location: string }
  | { type: 'failed'; code: string; message: string; stored: number; location: string };

const redact = (db: string) => db.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');

/** How long close() waits for a store that has not opened yet (ms). */
const OPEN_TIMEOUT_MS = Number(process.env.KISEKI_STORE_OPEN_TIMEOUT_MS) || 30_000;

function workerUrl(): URL {
  // dist/agent/store-worker.js next to this file (tsx runs the .ts from src/).
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./store-worker${ext}`, import.meta.url);
}

export class StoreSink implements RunSink {
  private readonly worker: Worker;
  private buf: TraceEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private pushed = 0;
  private final: Promise<FromWorker>;
  private location: string;
  private opened = false;

  constructor(private readonly opts: StoreSinkOptions) {
    this.location = redact(opts.db);
    this.worker = new Worker(workerUrl(), { workerData: opts });
    this.final = new Promise<FromWorker>((resolve) => {
      this.worker.on('message', (m: FromWorker) => {
        if (m.type === 'opened') {
          this.opened = true;
          this.location = m.location;
        } else resolve(m);
      });
      this.worker.on('error', (err) => resolve({ type: 'failed', code: 'E_RUN_STORE', message: err.message, stored: 0, location: this.location }));
      this.worker.on('exit', (code) => resolve({ type: 'failed', code: 'E_RUN_STORE', message: `the store writer stopped (exit ${code})`, stored: 0, location: this.location }));
    });
  }

  push(event: TraceEvent): void {
    this.buf.push(event);
    this.pushed++;
    if (this.buf.length >= 1000) this.post();
    else this.timer ??= setTimeout(() => this.post(), 100);
  }

  private post(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buf.length === 0) return;
    const events = this.buf;
    this.buf = [];
    this.worker.postMessage({ type: 'events', events } satisfies ToWorker);
  }

  async close(): Promise<SinkReport[]> {
    this.post();
    this.worker.postMessage({ type: 'end' } satisfies ToWorker);
    // A store that is still not open this long after the command ended (a
    // server that does not answer) is given up: the trace file has everything.
    let timer: NodeJS.Timeout | undefined;
    const giveUp = new Promise<FromWorker>((resolve) => {
      const check = () => {
        if (!this.opened) resolve({ type: 'failed', code: 'E_STORE_OPEN', message: `the store at ${this.location} did not open within ${OPEN_TIMEOUT_MS / 1000} s of the command's end`, stored: 0, location: this.location });
      };
      timer = setTimeout(check, OPEN_TIMEOUT_MS);
    });
    const m = await Promise.race([this.final, giveUp]);
    clearTimeout(timer);
    await this.worker.terminate().catch(() => {});
    if (m.type === 'done') return [{ sink: 'store', ok: m.stored === this.pushed, events: m.stored, where: m.location, ...(m.stored === this.pushed ? {} : { error: { code: 'E_RUN_STORE', message: `only ${m.stored} of ${this.pushed} events were stored` } }) }];
    if (m.type === 'failed') return [{ sink: 'store', ok: false, events: m.stored, where: m.location, error: { code: m.code, message: m.message } }];
    return [{ sink: 'store', ok: false, events: 0, where: this.location, error: { code: 'E_RUN_STORE', message: 'no answer from the store writer' } }];
  }
}

export class TeeSink implements RunSink {
  constructor(private readonly sinks: RunSink[]) {}

  push(event: TraceEvent): void {
    for (const s of this.sinks) {
      try {
        s.push(event);
      } catch {
        /* a sink never throws; if one did, the others still get the event */
      }
    }
  }

  async close(): Promise<SinkReport[]> {
    return (await Promise.all(this.sinks.map((s) => s.close()))).flat();
  }
}

/**
 * The sink that stores a run's events: a running `kiseki serve` when it holds
 * the embedded database (its <dataDir>/server.json names this folder), else
 * the store itself (embedded or PostgreSQL).
 */
export function openStoreSink(opts: StoreSinkOptions): RunSink {
  if (opts.dataDir && !isPostgresUrl(opts.db)) {
    const server = runningServer(opts.dataDir, opts.db);
    if (server) {
      return new ServerSink({ url: server.url, ...(server.token ? { token: server.token } : {}), source: opts.source, batchSize: opts.batchSize ?? 2000, maxDelayMs: opts.maxDelayMs ?? 500 });
    }
  }
  return new StoreSink(opts);
}
