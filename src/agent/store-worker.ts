// The worker thread behind StoreSink: opens the store, streams the run's
// events into it with a BatchWriter (each batch ingested and aggregated, so
// the job's graph grows while it runs), and reports how it went. Any failure
// stops the storing (the trace file has every event) and is reported once.
import { parentPort, workerData } from 'node:worker_threads';
import { BatchWriter } from '../ingest/index.js';
import { openStore, type Store } from '../store/index.js';
import type { FromWorker, StoreSinkOptions, ToWorker } from './run-sink.js';

const opts = workerData as StoreSinkOptions;
const port = parentPort!;
const send = (m: FromWorker) => port.postMessage(m);

let store: Store | undefined;
let writer: BatchWriter | undefined;
let failure: { code: string; message: string } | undefined;
let location = opts.db.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
const pending: ToWorker[] = [];

function fail(err: unknown): void {
  const e = err as { code?: unknown; message?: string };
  failure ??= { code: typeof e.code === 'string' ? e.code : 'E_RUN_STORE', message: e.message ?? String(err) };
}

function stored(): number {
  return writer ? writer.results.reduce((n, r) => n + r.events, 0) : 0;
}

async function handle(m: ToWorker): Promise<void> {
  if (m.type === 'events') {
    if (failure || !writer) return;
    try {
      for (const e of m.events) writer.push(e);
    } catch (err) {
      fail(err);
    }
    return;
  }
  if (writer && !failure) {
    try {
      await writer.flush();
    } catch (err) {
      fail(err);
    }
  }
  await store?.close().catch(() => {});
  if (failure) send({ type: 'failed', ...failure, stored: stored(), location });
  else send({ type: 'done', stored: stored(), location });
}

let queue: Promise<void> = Promise.resolve();
port.on('message', (m: ToWorker) => {
  if (!store && !failure) {
    pending.push(m);
    return;
  }
  queue = queue.then(() => handle(m));
});

try {
  store = await openStore({ db: opts.db, ...(opts.schema ? { schema: opts.schema } : {}) });
  location = store.location;
  writer = new BatchWriter(store, { source: opts.source, batchSize: opts.batchSize ?? 2000, maxDelayMs: opts.maxDelayMs ?? 500 });
  send({ type: 'opened', location });
} catch (err) {
  fail(err);
}
for (const m of pending.splice(0)) queue = queue.then(() => handle(m));
