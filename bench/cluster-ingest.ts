// Cluster ingest benchmark: N agents (default 8) send batches at once to one
// ingest endpoint on the real store; prints events/s stored and aggregated.
//
//   npx tsx bench/cluster-ingest.ts [--agents 8] [--batches 10] [--events 5000] [--db postgres://...]
//
// Each agent is a source `agent:bench-<i>` sending seq 0, 1, … gzip'd over
// HTTP with a node token, as `kiseki agent` does; the events are a job's
// worth of process trees with file reads and writes (one job per agent, so
// the aggregator does real version and edge work). Prints figures; never fails on them.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import type { TraceEvent } from '../src/core/trace-event.js';
import { aggregationStatus } from '../src/graph/index.js';
import { createIngestServer } from '../src/ingest/ingest-http.js';
import { createNodeToken } from '../src/ingest/node-tokens.js';
import { openStore, resetStore } from '../src/store/index.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : def;
}
const AGENTS = Number(arg('agents', '8'));
const BATCHES = Number(arg('batches', '10'));
const EVENTS = Number(arg('events', '5000'));
const DB = arg('db', process.env.KISEKI_TEST_POSTGRES ?? 'postgres:///kiseki_test?host=/var/run/postgresql');

function batchOf(agent: number, seq: number): TraceEvent[] {
  const host = `bench${agent}`;
  const job = { scheduler: 'slurm', id: String(1000 + agent) };
  const out: TraceEvent[] = [];
  let pid = seq * 100_000 + 10;
  while (out.length < EVENTS) {
    const proc = `${host}:boot:${pid}:${pid}`;
    out.push({ type: 'process.start', ts: 1, proc, parent: null, parentExecSeq: null, host, bootId: 'boot', pid, ppid: 1, startNs: String(pid), cwd: '/w', job });
    out.push({ type: 'process.exec', ts: 2, proc, execSeq: 1, exe: '/usr/bin/tool', argv: ['tool', String(pid)], cwd: '/w', env: {} });
    for (let f = 0; f < 6; f++) {
      const write = f === 5;
      out.push({
        type: 'file.access', ts: 3 + f, tsEnd: 4 + f, proc, execSeq: 1, path: write ? `/w/${host}/out-${pid}` : `/w/shared/in-${f}`, fileClass: 'data',
        read: !write, write, create: write, truncate: write, append: false, bytesRead: write ? 0 : 100, bytesWritten: write ? 10 : 0, mmapWrite: false,
      });
    }
    out.push({ type: 'process.exit', ts: 20, proc, exitCode: 0, signal: null });
    pid += 1;
  }
  return out.slice(0, EVENTS);
}

const store = await openStore({ db: DB, schema: 'kiseki_bench_cluster' });
await resetStore(store.db);
await store.db.exec('delete from node_token');
const token = await createNodeToken(store.db, 'bench');
const server = createIngestServer(store);
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/ingest`;

const bodies = Array.from({ length: AGENTS }, (_, a) => Array.from({ length: BATCHES }, (_, s) =>
  gzipSync(JSON.stringify({ source: `agent:bench-${a}`, seq: s, events: batchOf(a, s) }))));
const total = AGENTS * BATCHES * EVENTS;
console.log(`${AGENTS} agents × ${BATCHES} batches × ${EVENTS} events = ${total} events (${DB.replace(/\?.*/, '')})`);

const t0 = performance.now();
await Promise.all(bodies.map(async (list) => {
  for (const body of list) {
    const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
  }
}));
const t1 = performance.now();
for (;;) {
  const st = await aggregationStatus(store.db);
  if (st.every((s) => s.pendingEvents === 0)) break;
  await new Promise((r) => setTimeout(r, 100));
}
const t2 = performance.now();
console.log(`stored and aggregated (ingest answers after aggregating): ${Math.round(total / ((t1 - t0) / 1000))} events/s (${((t1 - t0) / 1000).toFixed(1)} s)`);
console.log(`all aggregated: ${Math.round(total / ((t2 - t0) / 1000))} events/s (${((t2 - t0) / 1000).toFixed(1)} s)`);
server.close();
await store.close();
