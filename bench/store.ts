// Store benchmark: `npm run bench:store -- [options]` (figures printed, not a timed test).
//
//   --db postgres|pglite|both   which databases (default both)
//   --pg URL                    PostgreSQL database (default postgres:///kiseki_bench?host=/var/run/postgresql);
//                               the bench makes its own schemas there (kiseki_bench_stream, kiseki_graph_1m, kiseki_graph_10m)
//   --quick                     smaller sizes: 50k events, one 100k-edge graph
//   --events N                  events in the ingest stream (default 200,000)
//   --runs N                    repetitions of the ingest measurements, median reported (default 3)
//   --sizes 1m,10m              graph sizes in edges (default: 1m,10m on PostgreSQL, 1m on PGlite)
//   --workdir DIR               PGlite folders (default /tmp/kiseki-bench-store)
//   --rebuild                   rebuild the synthetic graphs even when a stored one of this generator exists
//   --graphs-only               only the query part (no event stream)
//   --stream-only               only the event stream (no graphs)
//   --json                      print the results as JSON too
//
// Two parts, measured differently:
// 1. Ingest and aggregation rates on a realistic EVENT STREAM (make-like
//    compile steps, pipes, in-place edits, renames, logs), through the real
//    code: `ingest` (validation + raw rows), `aggregate` (builder + graph rows).
// 2. Query latency on big SYNTHETIC GRAPHS generated directly in SQL
//    (bench/store-graph.ts: jobs of runs reading/writing file versions,
//    fan-in, fan-out, chains across jobs), 1M and 10M edges: lineage depth 10
//    up and down from random file versions, filename substring search, and
//    the time from ingesting a small batch to a search finding it (through
//    the real ingest + aggregator, on the big graph).
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { execSync } from 'node:child_process';
import { aggregate, lineage, LOCAL_ADMIN, searchFiles } from '../src/graph/index.js';
import { ingest } from '../src/ingest/index.js';
import { openStore, resetStore, type Store } from '../src/store/index.js';
import type { TraceEvent } from '../src/core/trace-event.js';
import { SyntheticTrace, type Proc } from '../test/store/synthetic-trace.js';
import { cpuMark, cpuSince } from './cpu.js';
import { buildSyntheticGraph, FILE0, GENERATOR, REF, shapeFor } from './store-graph.js';
import { rng } from './rng.js';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const flag = (name: string) => args.includes(`--${name}`);
const quick = flag('quick');
const dbs = (opt('db') ?? 'both') === 'both' ? ['postgres', 'pglite'] : [opt('db')!];
const pgUrl = opt('pg') ?? process.env.KISEKI_BENCH_POSTGRES ?? 'postgres:///kiseki_bench?host=/var/run/postgresql';
const eventsTarget = Number(opt('events') ?? (quick ? 50_000 : 200_000));
const runs = Number(opt('runs') ?? (quick ? 1 : 3));
const workdir = opt('workdir') ?? '/tmp/kiseki-bench-store';
const parseSize = (s: string) => Math.round(Number(s.replace(/[mk]$/i, '')) * (/m$/i.test(s) ? 1e6 : /k$/i.test(s) ? 1e3 : 1));
const sizesFor = (db: string): number[] => {
  if (flag('stream-only')) return [];
  const s = opt('sizes');
  if (s) return s.split(',').map(parseSize);
  if (quick) return [100_000];
  return db === 'postgres' ? [1_000_000, 10_000_000] : [1_000_000];
};
const SAMPLES = quick ? 30 : 100;
const log = (s: string) => console.error(s);

// ── helpers ─────────────────────────────────────────────────────────────
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
async function timeEach(n: number, f: (k: number) => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  const ts: number[] = [];
  for (let k = 0; k < n; k++) {
    const s = performance.now();
    await f(k);
    ts.push(performance.now() - s);
  }
  return { p50: pct(ts, 50), p95: pct(ts, 95) };
}

// ── the event stream ────────────────────────────────────────────────────
/** A job's trace: compile steps (60 %), pipelines (20 %), scripts with logs and in-place edits (20 %). */
function eventStream(target: number): TraceEvent[] {
  const r = rng(42);
  const t = new SyntheticTrace();
  const d = '/home/alice/work';
  t.runStart(['bash', 'build.sh'], d);
  const sh = t.spawn(null, '/usr/bin/bash', ['bash', 'build.sh'], d);
  t.read(sh, '/usr/lib/x86_64-linux-gnu/libc.so.6', 'software');
  t.read(sh, `${d}/build.sh`);
  let i = 0;
  const step = (p: Proc) => t.read(p, '/usr/lib/x86_64-linux-gnu/libc.so.6', 'software');
  while (t.events.length < target) {
    const x = r();
    if (x < 0.6) {
      const cc = t.spawn(sh, '/usr/bin/cc', ['cc', '-c', `src/f${i}.c`], d);
      step(cc);
      t.read(cc, `${d}/src/f${i}.c`);
      t.read(cc, `${d}/include/h${i % 50}.h`);
      t.read(cc, `${d}/include/common.h`);
      t.write(cc, `${d}/obj/f${i}.o`);
      t.exit(cc);
      t.facts(`${d}/obj/f${i}.o`, { size: 1000 + i });
    } else if (x < 0.8) {
      const cat = t.spawn(sh, '/usr/bin/cat', ['cat', `in${i}.csv`], d);
      const sort = t.spawn(sh, '/usr/bin/sort', ['sort'], d);
      step(cat);
      step(sort);
      t.read(cat, `/data/in/in${i % 500}.csv`);
      t.access(cat, `pipe:[${10000 + i}]`, { write: true, fileClass: 'pipe' });
      t.exit(cat);
      t.access(sort, `pipe:[${10000 + i}]`, { read: true, fileClass: 'pipe' });
      t.write(sort, `${d}/out/sorted${i}.csv.tmp`);
      t.rename(sort, `${d}/out/sorted${i}.csv.tmp`, `${d}/out/sorted${i}.csv`);
      t.exit(sort);
    } else {
      const py = t.spawn(sh, '/usr/bin/python3', ['python3', 'analyse.py', `${i}`], d);
      step(py);
      t.read(py, '/usr/lib/python3.11/json/__init__.py', 'software');
      t.read(py, `${d}/analyse.py`);
      t.read(py, `/data/ref/table${i % 20}.h5`);
      t.write(py, `${d}/results/r${i}.h5`);
      t.write(py, `${d}/run.log`, { append: true });
      if (i % 10 === 0) {
        const sed = t.spawn(sh, '/usr/bin/sed', ['sed', '-i', 's/x/y/', 'params.txt'], d);
        t.read(sed, `${d}/params.txt`);
        t.write(sed, `${d}/sed${i}`);
        t.rename(sed, `${d}/sed${i}`, `${d}/params.txt`);
        t.exit(sed);
      }
      t.exit(py);
    }
    i++;
  }
  t.exit(sh);
  t.runEnd();
  return t.events;
}

// ── stores ──────────────────────────────────────────────────────────────
async function freshPgSchema(schema: string): Promise<Store> {
  const boot = await openStore({ db: pgUrl, migrate: false });
  await boot.db.exec(`drop schema if exists ${schema} cascade`);
  await boot.close();
  return openStore({ db: pgUrl, schema });
}
async function freshPglite(name: string): Promise<Store> {
  const dir = join(workdir, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(workdir, { recursive: true });
  return openStore({ db: dir });
}

interface StreamFigures {
  ingest: number;
  aggregate: number;
  endToEnd: number;
  streamed: number;
  /** CPU µs per event: this process and the PostgreSQL backends, for ingest and for aggregation. */
  cpuIngestNode: number;
  cpuIngestPg: number;
  cpuAggNode: number;
  cpuAggPg: number;
  nodes: number;
  edges: number;
}

async function streamRun(db: string, events: TraceEvent[]): Promise<StreamFigures> {
  const batches: TraceEvent[][] = [];
  for (let k = 0; k < events.length; k += 5000) batches.push(events.slice(k, k + 5000));
  // (a) ingest everything, then aggregate the backlog.
  let store = db === 'postgres' ? await freshPgSchema('kiseki_bench_stream') : await freshPglite('stream');
  await resetStore(store.db);
  let mark = await cpuMark(store.db);
  let t0 = performance.now();
  for (const [seq, b] of batches.entries()) await ingest(store, { source: 'bench', seq, events: b }, { aggregate: false });
  const ingestS = (performance.now() - t0) / 1000;
  const cpuI = await cpuSince(store.db, mark);
  mark = await cpuMark(store.db);
  t0 = performance.now();
  const agg = await aggregate(store);
  const aggS = (performance.now() - t0) / 1000;
  const cpuA = await cpuSince(store.db, mark);
  await store.close();
  // (b) streamed: each batch ingested and aggregated as it comes (what `kiseki run` does).
  store = db === 'postgres' ? await freshPgSchema('kiseki_bench_stream') : await freshPglite('stream');
  await resetStore(store.db);
  t0 = performance.now();
  for (const [seq, b] of batches.entries()) await ingest(store, { source: 'bench', seq, events: b });
  const streamedS = (performance.now() - t0) / 1000;
  await store.close();
  return {
    ingest: events.length / ingestS, aggregate: agg.events / aggS, endToEnd: events.length / (ingestS + aggS),
    streamed: events.length / streamedS, nodes: agg.nodes, edges: agg.edges,
    cpuIngestNode: (cpuI.nodeMs * 1000) / events.length, cpuIngestPg: (cpuI.pgMs * 1000) / events.length,
    cpuAggNode: (cpuA.nodeMs * 1000) / events.length, cpuAggPg: (cpuA.pgMs * 1000) / events.length,
  };
}

// ── graphs ──────────────────────────────────────────────────────────────
async function graphStore(db: string, edges: number): Promise<Store> {
  const name = `kiseki_graph_${edges >= 1e6 ? `${edges / 1e6}m` : `${edges / 1e3}k`}`.replace('.', '_');
  const wanted = shapeFor(edges);
  const have = async (s: Store) => {
    try {
      const { rows } = await s.db.query<{ edges: number; generator: number }>('select edges, generator from bench_graph order by built_at desc limit 1');
      return rows[0] !== undefined && Number(rows[0].edges) === wanted.edges && Number(rows[0].generator) === GENERATOR;
    } catch {
      return false;
    }
  };
  if (db === 'postgres') {
    let s = await openStore({ db: pgUrl, schema: name });
    if (!flag('rebuild') && (await have(s))) return s;
    await s.close();
    s = await freshPgSchema(name);
    log(`building ${name} on PostgreSQL (${wanted.edges} edges)`);
    const t = performance.now();
    await buildSyntheticGraph(s.db, edges, log);
    log(`  built in ${((performance.now() - t) / 1000).toFixed(0)} s`);
    return s;
  }
  const dir = join(workdir, name);
  if (existsSync(dir) && !flag('rebuild')) {
    const s = await openStore({ db: dir });
    if (await have(s)) return s;
    await s.close();
  }
  const s = await freshPglite(name);
  log(`building ${name} on PGlite (${wanted.edges} edges)`);
  const t = performance.now();
  await buildSyntheticGraph(s.db, edges, log);
  log(`  built in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  return s;
}

interface GraphFigures {
  edges: number;
  files: number;
  lineageUp: { p50: number; p95: number };
  lineageDown: { p50: number; p95: number };
  sharedDown: { p50: number; p95: number };
  search: { p50: number; p95: number };
  searchFolder: { p50: number; p95: number };
  queryable: { p50: number; p95: number };
}

async function graphRun(db: string, edges: number): Promise<GraphFigures> {
  const store = await graphStore(db, edges);
  const shape = shapeFor(edges);
  const N = shape.processes;
  const r = rng(7);
  const fileId = () => FILE0 + Math.floor(r() * 2 * N);
  // Warm-up (first queries load the indexes).
  for (let k = 0; k < 5; k++) await lineage(store, LOCAL_ADMIN, fileId(), { direction: 'both' });
  const lineageUp = await timeEach(SAMPLES, () => lineage(store, LOCAL_ADMIN, fileId(), { direction: 'up', depth: 10 }));
  const lineageDown = await timeEach(SAMPLES, () => lineage(store, LOCAL_ADMIN, fileId(), { direction: 'down', depth: 10 }));
  const sharedDown = await timeEach(Math.min(SAMPLES, 30), () => lineage(store, LOCAL_ADMIN, REF + Math.floor(r() * 1000), { direction: 'down', depth: 10 }));
  // Filename substrings a user would type: part of a random file's name
  // (`s7_3fa2c1`), or a job's folder (`run123456/`, ~40 files).
  const names: string[] = [];
  const folders: string[] = [];
  const { rows } = await store.db.query<{ path: string }>(
    `select path from path where id = any($1::bigint[])`, [Array.from({ length: SAMPLES }, () => 10000 + Math.floor(r() * 2 * N))]);
  for (const row of rows) {
    const base = row.path.slice(row.path.lastIndexOf('/') + 1);
    names.push(base.slice(0, base.indexOf('_') + 7));
    folders.push(/run\d+\//.exec(row.path)![0]);
  }
  const search = await timeEach(names.length, (k) => searchFiles(store, LOCAL_ADMIN, { filename: names[k]! }));
  const searchFolder = await timeEach(folders.length, (k) => searchFiles(store, LOCAL_ADMIN, { filename: folders[k]! }));
  // Ingest → queryable: a small batch (a job writing one new file), ingested
  // and aggregated by `ingest`, then a search polled until it finds the file.
  const tag = `${Date.now().toString(36)}${Math.floor(r() * 1e6)}`;
  const queryable = await timeEach(quick ? 5 : 20, async (k) => {
    const t = new SyntheticTrace();
    t.runStart(['python3', 'step.py'], '/scratch/alice/fresh');
    const p = t.spawn(null, '/usr/bin/python3', ['python3', 'step.py'], '/scratch/alice/fresh');
    t.read(p, '/data/ref/genome1.fa');
    t.write(p, `/scratch/alice/fresh/q${tag}_${k}.out`);
    t.exit(p);
    t.runEnd();
    await ingest(store, { source: `q-${tag}-${k}`, seq: 0, events: t.events });
    for (;;) {
      const found = await searchFiles(store, LOCAL_ADMIN, { filename: `q${tag}_${k}.` });
      if (found.total > 0) break;
      await new Promise((res) => setTimeout(res, 5));
    }
  });
  await store.close();
  return { edges: shape.edges, files: shape.files, lineageUp, lineageDown, sharedDown, search, searchFolder, queryable };
}

// ── main ────────────────────────────────────────────────────────────────
const started = new Date();
const load0 = loadavg();
let rev = '?';
try {
  rev = execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
} catch {
  /* not a checkout */
}
log(`kiseki ${rev}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, load average ${load0.map((x) => x.toFixed(1)).join(' ')}`);
const events = eventStream(eventsTarget);
log(`event stream: ${events.length} events`);
const results: Record<string, { stream: StreamFigures | null; graphs: GraphFigures[] }> = {};
for (const db of dbs) {
  const rs: StreamFigures[] = [];
  for (let k = 0; k < (flag('graphs-only') ? 0 : runs); k++) {
    const f = await streamRun(db, events);
    log(`${db} stream run ${k + 1}/${runs}: ingest ${f.ingest.toFixed(0)}/s, aggregate ${f.aggregate.toFixed(0)}/s, end to end ${f.endToEnd.toFixed(0)}/s, streamed ${f.streamed.toFixed(0)}/s`);
    rs.push(f);
  }
  const stream: StreamFigures | null = rs.length === 0 ? null : {
    ingest: median(rs.map((x) => x.ingest)), aggregate: median(rs.map((x) => x.aggregate)), endToEnd: median(rs.map((x) => x.endToEnd)),
    streamed: median(rs.map((x) => x.streamed)), nodes: rs[0]!.nodes, edges: rs[0]!.edges,
    cpuIngestNode: median(rs.map((x) => x.cpuIngestNode)), cpuIngestPg: median(rs.map((x) => x.cpuIngestPg)),
    cpuAggNode: median(rs.map((x) => x.cpuAggNode)), cpuAggPg: median(rs.map((x) => x.cpuAggPg)),
  };
  const graphs: GraphFigures[] = [];
  for (const size of sizesFor(db)) {
    const g = await graphRun(db, size);
    log(`${db} ${size} edges: lineage up p95 ${g.lineageUp.p95.toFixed(1)} ms, down p95 ${g.lineageDown.p95.toFixed(1)} ms, search p95 ${g.search.p95.toFixed(1)} ms, queryable p95 ${g.queryable.p95.toFixed(0)} ms`);
    graphs.push(g);
  }
  results[db] = { stream, graphs };
}

// ── report ──────────────────────────────────────────────────────────────
const load1 = loadavg();
const n0 = (x: number) => Math.round(x).toLocaleString('en-US');
const ms = (x: { p50: number; p95: number }) => `${x.p50 < 10 ? x.p50.toFixed(1) : x.p50.toFixed(0)} / ${x.p95 < 10 ? x.p95.toFixed(1) : x.p95.toFixed(0)} ms`;
const label = (db: string) => (db === 'postgres' ? 'PostgreSQL 15' : 'PGlite');
const out: string[] = [];
out.push(`Measured ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC on kiseki ${rev}: \`npm run bench:store -- ${args.join(' ')}\`.`);
out.push(`Machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load average ${load0[0]!.toFixed(1)} at the start and ${load1[0]!.toFixed(1)} at the end (other engineers' jobs).`);
out.push('');
const st = (d: string) => results[d]!.stream!;
if (results[dbs[0]!]!.stream) {
out.push(`Event stream: ${n0(events.length)} events (${n0(st(dbs[0]!).nodes)} nodes, ${n0(st(dbs[0]!).edges)} edges), batches of 5,000, median of ${runs} run(s).`);
out.push('');
out.push(`| event stream (real ingest + aggregator) | ${dbs.map(label).join(' | ')} |`);
out.push(`| --- | ${dbs.map(() => '---').join(' | ')} |`);
out.push(`| ingest (validation + raw rows), events/s | ${dbs.map((d) => n0(st(d).ingest)).join(' | ')} |`);
out.push(`| aggregation, events/s | ${dbs.map((d) => n0(st(d).aggregate)).join(' | ')} |`);
out.push(`| end to end (ingest all, then aggregate), events/s | ${dbs.map((d) => n0(st(d).endToEnd)).join(' | ')} |`);
out.push(`| streamed (each batch ingested and aggregated), events/s | ${dbs.map((d) => n0(st(d).streamed)).join(' | ')} |`);
const us = (a: number, b: number, db: string) => (db === 'postgres' ? `${a.toFixed(1)} + ${b.toFixed(1)} µs` : `${a.toFixed(1)} µs`);
out.push(`| CPU per event, ingest (Node${dbs.includes('postgres') ? ' + PostgreSQL backends' : ''}) | ${dbs.map((d) => us(st(d).cpuIngestNode, st(d).cpuIngestPg, d)).join(' | ')} |`);
out.push(`| CPU per event, aggregation (Node${dbs.includes('postgres') ? ' + PostgreSQL backends' : ''}) | ${dbs.map((d) => us(st(d).cpuAggNode, st(d).cpuAggPg, d)).join(' | ')} |`);
out.push('');
}
const cols: { db: string; g: GraphFigures }[] = [];
for (const d of dbs) for (const g of results[d]!.graphs) cols.push({ db: d, g });
if (cols.length > 0) {
const sz = (e: number) => (e >= 1e6 ? `${(e / 1e6).toFixed(0)}M` : `${(e / 1e3).toFixed(0)}k`);
out.push(`| synthetic graph (SQL-generated), p50 / p95 | ${cols.map((c) => `${label(c.db)}, ${sz(c.g.edges)} edges, ${sz(c.g.files)} files`).join(' | ')} |`);
out.push(`| --- | ${cols.map(() => '---').join(' | ')} |`);
out.push(`| lineage up (ancestors), depth 10, random file version | ${cols.map((c) => ms(c.g.lineageUp)).join(' | ')} |`);
out.push(`| lineage down (descendants), depth 10, random file version | ${cols.map((c) => ms(c.g.lineageDown)).join(' | ')} |`);
out.push(`| lineage down from a shared input (fan-out ~N/1000), depth 10 | ${cols.map((c) => ms(c.g.sharedDown)).join(' | ')} |`);
out.push(`| filename substring search (part of a name, \`s7_3fa2c1\`) | ${cols.map((c) => ms(c.g.search)).join(' | ')} |`);
out.push(`| filename substring search (a job folder, \`run123456/\`, 40 files) | ${cols.map((c) => ms(c.g.searchFolder)).join(' | ')} |`);
out.push(`| ingest a small batch → found by search | ${cols.map((c) => ms(c.g.queryable)).join(' | ')} |`);
}
console.log(out.join('\n'));
if (flag('json')) console.log(JSON.stringify(results, null, 1));
