// Cluster ingest benchmark: N agents (default 8) send batches at once to one
// ingest endpoint on the real store; prints events/s stored and aggregated,
// and the CPU the server spent (its process + the PostgreSQL backends).
//
//   npx tsx bench/cluster-ingest.ts [--agents 8] [--batches 10] [--events 5000] [--db postgres://...]
//                                   [--aggregate background|inline]
//
// Each agent is a source `agent:bench-<i>` sending seq 0, 1, … gzip'd over
// HTTP with a node token, as `kiseki agent` does; the events are a job's
// worth of process trees with file reads and writes (one job per agent, so
// the aggregator does real version and edge work). The agents run in a child
// process, so the server's CPU figure is the server's alone (they still
// share the machine's cores). --aggregate background (default) aggregates
// behind the answers as `kiseki serve` does; inline answers each batch only
// after aggregating it. Prints figures; never fails on them.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import type { TraceEvent } from '../src/core/trace-event.js';
import { AggregationRunner, aggregationStatus } from '../src/graph/index.js';
import { createIngestServer } from '../src/ingest/ingest-http.js';
import { createNodeToken } from '../src/ingest/node-tokens.js';
import { openStore, resetStore } from '../src/store/index.js';
import { cpuMark, cpuSince } from './cpu.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : def;
}
const AGENTS = Number(arg('agents', '8'));
const BATCHES = Number(arg('batches', '10'));
const EVENTS = Number(arg('events', '5000'));
const DB = arg('db', process.env.KISEKI_TEST_POSTGRES ?? 'postgres:///kiseki_test?host=/var/run/postgresql');
const MODE = arg('aggregate', 'background');

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

if (process.argv.includes('--client')) {
  // The agents: make every body first, then send when told to.
  const url = arg('url', '');
  const token = arg('token', '');
  const bodies = Array.from({ length: AGENTS }, (_, a) => Array.from({ length: BATCHES }, (_, s) =>
    gzipSync(JSON.stringify({ source: `agent:bench-${a}`, seq: s, events: batchOf(a, s) }))));
  process.send!('ready');
  await once(process, 'message');
  await Promise.all(bodies.map(async (list) => {
    for (const body of list) {
      const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: `Bearer ${token}` } });
      if (!res.ok) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
    }
  }));
  process.send!('done', () => process.exit(0));
} else {
  const store = await openStore({ db: DB, schema: 'kiseki_bench_cluster' });
  await resetStore(store.db);
  await store.db.exec('delete from node_token');
  const token = await createNodeToken(store.db, 'bench');
  const runner = MODE === 'inline' ? undefined : new AggregationRunner(store, (l) => console.error(l));
  const server = createIngestServer(store, runner ? { aggregation: runner } : {});
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/ingest`;
  const total = AGENTS * BATCHES * EVENTS;
  const load0 = loadavg()[0]!;
  console.log(`${AGENTS} agents × ${BATCHES} batches × ${EVENTS} events = ${total} events (${DB.replace(/\?.*/, '')}), aggregation ${MODE}; ${cpus().length} CPUs, load average ${load0.toFixed(1)}`);

  const client = fork(import.meta.filename, [...process.argv.slice(2), '--client', '--url', url, '--token', token], { execArgv: ['--import', 'tsx'] });
  const [first] = (await once(client, 'message')) as [string];
  if (first !== 'ready') throw new Error(`agents: ${first}`);
  const mark = await cpuMark(store.db);
  const t0 = performance.now();
  client.send('go');
  const [exit] = await Promise.race([once(client, 'message'), once(client, 'exit')]) as [unknown];
  if (exit !== 'done') throw new Error(`the agents failed (exit ${String(exit)})`);
  const t1 = performance.now();
  // Counting pending events scans raw_event: ask only when the runner is idle.
  for (;;) {
    await runner?.idle();
    if (runner?.lastError) throw runner.lastError;
    const st = await aggregationStatus(store.db);
    if (st.every((s) => s.pendingEvents === 0)) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const t2 = performance.now();
  const cpu = await cpuSince(store.db, mark);
  const s = (ms: number) => (ms / 1000).toFixed(1);
  console.log(`all stored (last answer): ${Math.round(total / ((t1 - t0) / 1000))} events/s (${s(t1 - t0)} s)`);
  console.log(`all aggregated: ${Math.round(total / ((t2 - t0) / 1000))} events/s (${s(t2 - t0)} s); last batch stored → aggregated ${s(t2 - t1)} s`);
  console.log(`server CPU per event: ${((cpu.nodeMs * 1000) / total).toFixed(1)} µs Node + ${((cpu.pgMs * 1000) / total).toFixed(1)} µs PostgreSQL = ${Math.round(total / ((cpu.nodeMs + cpu.pgMs) / 1000))} events per CPU-second; load average ${loadavg()[0]!.toFixed(1)} at the end`);
  await runner?.close();
  server.close();
  await store.close();
}
