// Store throughput: `npx tsx bench/store.ts [db] [events]`.
// db: a PGlite folder (default: a new temporary one) or postgres://…
// Generates a make-like synthetic trace (processes reading sources and
// libraries, writing objects), ingests it in batches of 5,000 events
// without aggregating, then aggregates, and times a few queries.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aggregate, lineage, LOCAL_ADMIN, searchFiles } from '../src/graph/index.js';
import { ingest } from '../src/ingest/index.js';
import { openStore, resetStore } from '../src/store/index.js';
import { SyntheticTrace } from '../test/store/synthetic-trace.js';

const db = process.argv[2] && process.argv[2] !== '-' ? process.argv[2] : mkdtempSync(join(tmpdir(), 'kiseki-bench-'));
const target = Number(process.argv[3] ?? 100_000);

const t = new SyntheticTrace();
t.runStart(['make', '-j2']);
const make = t.spawn(null, '/usr/bin/make', ['make', '-j2']);
t.read(make, '/home/alice/work/Makefile');
let i = 0;
while (t.events.length < target) {
  const cc = t.spawn(make, '/usr/bin/cc', ['cc', '-c', `src/f${i}.c`]);
  t.read(cc, '/usr/lib/x86_64-linux-gnu/libc.so.6', 'software');
  t.read(cc, `/home/alice/work/src/f${i}.c`);
  t.read(cc, `/home/alice/work/include/h${i % 50}.h`);
  t.write(cc, `/home/alice/work/obj/f${i}.o`);
  t.exit(cc);
  i++;
}
t.runEnd();
const events = t.events;

if (db.startsWith('postgres')) {
  // A schema of its own, made afresh each run.
  const boot = await openStore({ db, migrate: false });
  await boot.db.exec('drop schema if exists kiseki_bench cascade');
  await boot.close();
}
const store = await openStore({ db, ...(db.startsWith('postgres') ? { schema: 'kiseki_bench' } : {}) });
await resetStore(store.db);
let t0 = performance.now();
for (let k = 0, seq = 0; k < events.length; k += 5000, seq++) {
  await ingest(store, { source: 'bench', seq, events: events.slice(k, k + 5000) }, { aggregate: false });
}
const ingestS = (performance.now() - t0) / 1000;
t0 = performance.now();
const agg = await aggregate(store);
const aggS = (performance.now() - t0) / 1000;
const time = async (f: () => Promise<unknown>, n = 20) => {
  const ts: number[] = [];
  for (let k = 0; k < n; k++) {
    const s = performance.now();
    await f();
    ts.push(performance.now() - s);
  }
  ts.sort((a, b) => a - b);
  return `p50 ${ts[Math.floor(n / 2)]!.toFixed(1)} ms, p95 ${ts[Math.floor(n * 0.95)]!.toFixed(1)} ms`;
};
const lin = await time(() => lineage(store, LOCAL_ADMIN, { path: `/home/alice/work/obj/f${Math.floor(i / 2)}.o` }));
const down = await time(() => lineage(store, LOCAL_ADMIN, { path: '/home/alice/work/include/h7.h' }, { direction: 'down' }));
const search = await time(() => searchFiles(store, LOCAL_ADMIN, { filename: `f${Math.floor(i / 3)}.` }));
console.log(JSON.stringify({
  db: store.db.kind, events: events.length, processes: i,
  ingestEventsPerS: Math.round(events.length / ingestS), aggregateEventsPerS: Math.round(agg.events / aggS),
  endToEndEventsPerS: Math.round(events.length / (ingestS + aggS)), nodes: agg.nodes, edges: agg.edges,
  lineageUp: lin, lineageDownFanOut: down, filenameSearch: search,
}, null, 1));
await store.close();
