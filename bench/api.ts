// API benchmark: `npm run bench:api -- [options]` (figures printed; not a timed test).
//
// The Search API (GET /api/v1/search) under 50 concurrent clients, on a
// PostgreSQL store of 1M file versions (10,000 jobs of 100 files, generated
// in SQL: bench/api-data.ts), through a real `kiseki serve` (the built CLI,
// its own process) over loopback HTTP, picking from a mix of the searches
// the UI makes (job id, user, time ranges, script, file names and globs,
// additional items, visibility, deep pages). Two runs: closed loop (each
// client sends its next search as soon as the answer is in: the server's
// saturation) and paced (each client thinks a random time, 1 s on average,
// between searches, as people do). Target: p95 <= 100 ms.
//
//   --pg URL          PostgreSQL database (default postgres:///kiseki_bench?host=/var/run/postgresql;
//                     the bench uses its own schema there, kiseki_bench_api_<files>)
//   --files N         file versions in the store (default 1000000)
//   --clients N       concurrent clients (default 50)
//   --seconds N       measured time of each run (default 30), after a 5 s warm-up
//   --think-ms N      mean think time of the paced run (default 1000; 0 = no paced run)
//   --pool N          the server's PostgreSQL connections (kiseki serve --db-pool; default: its default)
//   --viewer WHO      admin (default: the loopback local admin, who sees everything) or member
//                     (a signed-in member, user7, with an API token: every query filters by what
//                     user7 may see: their own jobs and the public ones)
//   --rebuild         make the store again even when one of this version exists
//   --write-docs      put the figures in docs/performance.md (section "API")
//   --json            print the results as JSON too
import { spawn, execSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { createApiToken } from '../src/api/auth/api-tokens.js';
import { packageRoot } from '../src/core/package-root.js';
import { openStore } from '../src/store/index.js';
import { API_DATA_VERSION, apiShape, buildApiData, T0 } from './api-data.js';
import { rng } from './rng.js';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const flag = (name: string) => args.includes(`--${name}`);
const pgUrl = opt('pg') ?? process.env.KISEKI_BENCH_POSTGRES ?? 'postgres:///kiseki_bench?host=/var/run/postgresql';
const files = Number(opt('files') ?? 1_000_000);
const clients = Number(opt('clients') ?? 50);
const seconds = Number(opt('seconds') ?? 30);
const thinkMs = Number(opt('think-ms') ?? 1000);
const WARMUP_S = 5;
const viewer = opt('viewer') ?? 'admin';
if (viewer !== 'admin' && viewer !== 'member') throw new Error('--viewer takes admin or member');
/** Authorization header of the load's clients (member: set in main). */
let auth: Record<string, string> = {};
const shape = apiShape(files);
const schema = `kiseki_bench_api_${files >= 1e6 && files % 1e6 === 0 ? `${files / 1e6}m` : `${Math.round(files / 1e3)}k`}`;
const log = (s: string) => console.error(s);


const iso = (us: number) => new Date(us / 1000).toISOString().slice(0, 19) + 'Z';
const DAY = 86_400_000_000;

/** The searches the UI makes, each a function of a random source. */
const MIX: { name: string; what: string; query: (r: () => number) => string }[] = [
  { name: 'recent', what: 'no criteria, newest first', query: () => '' },
  { name: 'jobId', what: 'job id (substring)', query: (r) => `jobId=${100000 + Math.floor(r() * shape.jobs)}` },
  { name: 'user', what: 'user', query: (r) => `user=user${Math.floor(r() * 50)}` },
  { name: 'user+month', what: 'user and a 30-day range', query: (r) => { const d = T0 + Math.floor(r() * 330) * DAY; return `user=user${Math.floor(r() * 50)}&from=${iso(d)}&to=${iso(d + 30 * DAY)}`; } },
  { name: 'week', what: 'a 7-day range', query: (r) => { const d = T0 + Math.floor(r() * 350) * DAY; return `from=${iso(d)}&to=${iso(d + 7 * DAY)}`; } },
  { name: 'script', what: 'job script name', query: (r) => `script=analysis_${Math.floor(r() * 40)}.sh` },
  { name: 'filename', what: "a job's folder (substring, 100 files)", query: (r) => `filename=${encodeURIComponent(`/job${100000 + Math.floor(r() * shape.jobs)}/`)}` },
  { name: 'glob', what: 'glob */jobN/out_*.h5', query: (r) => `filename=${encodeURIComponent(`/scratch/*/*/job${100000 + Math.floor(r() * shape.jobs)}/out_*.h5`)}` },
  { name: 'name+user', what: 'a file name every job has, with a user', query: (r) => { const i = Math.floor(r() * 50); return `filename=out_${i}.${['dat', 'h5', 'csv', 'txt', 'log'][i % 5]}&user=user${Math.floor(r() * 50)}`; } },
  { name: 'annotation', what: 'additional item', query: (r) => `annotation=calib-${Math.floor(r() * 20)}` },
  { name: 'visibility', what: 'public jobs of a user', query: (r) => `visibility=public&user=user${Math.floor(r() * 50)}` },
  { name: 'deep page', what: 'page 50 of everything, by job id', query: (r) => `sort=jobId&order=asc&page=${40 + Math.floor(r() * 20)}&pageSize=50` },
];

/**
 * Searches whose totals are checked against a count made directly in SQL on
 * the base tables (file names through the edges, not job_file), before the
 * load: fast answers must also be right.
 */
const CHECKS: { query: string; sql: string; params: unknown[] }[] = (() => {
  const fileJobs = (where: string) => `select count(distinct x.job_id)::int as n from (
      select e.job_id from path p join file_version fv on fv.path_id = p.id join edge e on e.to_id = fv.node_id and e.kind = 'used'
        where ${where} and not coalesce(fv.software, false)
      union all
      select e.job_id from path p join file_version fv on fv.path_id = p.id join edge e on e.from_id = fv.node_id and e.kind in ('wasGeneratedBy', 'wasInvalidatedBy')
        where ${where} and not coalesce(fv.software, false)) x join job j on j.node_id = x.job_id`;
  const d = T0 + 100 * DAY;
  return [
    { query: 'user=user7', sql: 'select count(*)::int as n from job where user_name = $1', params: ['user7'] },
    { query: 'jobId=105500', sql: `select count(*)::int as n from job where job_ref like '%105500%'`, params: [] },
    { query: 'script=analysis_7.sh', sql: `select count(*)::int as n from job where script like '%analysis\\_7.sh%'`, params: [] },
    { query: `from=${iso(d)}&to=${iso(d + 7 * DAY)}`, sql: 'select count(*)::int as n from job where coalesce(end_ts, start_ts) >= $1 and start_ts <= $2', params: [d, d + 7 * DAY] },
    { query: 'annotation=calib-3', sql: `select count(distinct j.node_id)::int as n from job j join node an on an.id = j.node_id or an.job_id = j.node_id
        join annotation a on a.node_id = an.id where a.value ilike '%calib-3%' or a.key ilike '%calib-3%'`, params: [] },
    { query: 'visibility=public&user=user5', sql: `select count(*)::int as n from job j join node n on n.id = j.node_id where n.visibility = 'public' and j.user_name = 'user5'`, params: [] },
    { query: `filename=${encodeURIComponent('/job105500/')}`, sql: fileJobs(`p.path like '%/job105500/%'`), params: [] },
    { query: `filename=${encodeURIComponent('/scratch/*/*/job105500/out_*.h5')}`, sql: fileJobs(`p.path ~ '^/scratch/[^/]*/[^/]*/job105500/out_[^/]*\\.h5$'`), params: [] },
    { query: 'filename=out_7.csv&user=user3', sql: `${fileJobs(`p.path ilike '%out\\_7.csv%'`)} where j.user_name = 'user3'`, params: [] },
    { query: 'filename=out_12.csv&user=user9', sql: `${fileJobs(`p.path ilike '%out\\_12.csv%'`)} where j.user_name = 'user9'`, params: [] },
  ];
})();

/** user7 as a signed-in member with an API token; their search total checked against SQL. */
async function signInMember(url: string): Promise<string> {
  const store = await openStore({ db: pgUrl, schema });
  try {
    const { rows } = await store.db.query<{ id: number }>(
      `insert into app_user (username, source, uid, gid, role) values ('user7', 'local', 1007, 1007, 'member')
       on conflict (username) do update set role = 'member' returning id`);
    const { token } = await createApiToken(store.db, Number(rows[0]!.id), 'bench', 1);
    auth = { authorization: `Bearer ${token}` };
    const res = await fetch(`${url}/api/v1/search`, { headers: auth });
    const body = (await res.json()) as { total?: number };
    const want = Number((await store.db.query<{ n: number }>(
      `select count(*)::int as n from job j join node n on n.id = j.node_id where n.visibility = 'public' or n.owner_uid = 1007`)).rows[0]!.n);
    log(`  check as user7: API ${body.total}, SQL ${want}`);
    if (res.status !== 200 || body.total !== want) throw new Error(`wrong answer for user7: ${res.status} total ${body.total}; SQL counts ${want}`);
    return ` The load then ran as user7, a signed-in member (API token): every search filtered to user7's own and public jobs (${want.toLocaleString('en')} of ${shape.jobs.toLocaleString('en')}; checked against SQL).`;
  } finally {
    await store.close();
  }
}

async function checkTotals(url: string): Promise<string> {
  const store = await openStore({ db: pgUrl, schema });
  try {
    for (const c of CHECKS) {
      const res = await fetch(`${url}/api/v1/search?${c.query}`);
      const body = (await res.json()) as { total?: number };
      const { rows } = await store.db.query<{ n: number }>(c.sql, c.params);
      const want = Number(rows[0]!.n);
      log(`  check ${c.query}: API ${body.total}, SQL ${want}`);
      if (res.status !== 200 || body.total !== want) throw new Error(`wrong answer: ${c.query} gave ${res.status} total ${body.total}; SQL counts ${want}`);
    }
  } finally {
    await store.close();
  }
  return `Checked before the load: the totals of ${CHECKS.length} searches (user, job id, script, a week, additional item, public jobs of a user, a folder, a glob, two file names with a user) equal counts made directly in SQL on the base tables.`;
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function ensureStore(): Promise<{ built: boolean; buildSeconds: number | null }> {
  let store = await openStore({ db: pgUrl, schema });
  try {
    await store.db.exec('create table if not exists bench_meta (key text primary key, value text)');
    const { rows } = await store.db.query<{ value: string }>(`select value from bench_meta where key = 'api-data'`);
    const want = JSON.stringify({ version: API_DATA_VERSION, shape });
    if (!flag('rebuild') && rows[0]?.value === want) {
      log(`store ${schema}: already built (${shape.files.toLocaleString('en')} file versions)`);
      return { built: false, buildSeconds: null };
    }
    log(`store ${schema}: building ${shape.files.toLocaleString('en')} file versions, ${shape.jobs.toLocaleString('en')} jobs ...`);
    const t = performance.now();
    // A fresh schema: the migrations make every table and index (a failed build may have left some dropped).
    await store.db.exec(`drop schema ${schema} cascade`);
    await store.close();
    store = await openStore({ db: pgUrl, schema });
    await store.db.exec('create table if not exists bench_meta (key text primary key, value text)');
    await buildApiData(store.db, shape, log);
    await store.db.query(`insert into bench_meta (key, value) values ('api-data', $1) on conflict (key) do update set value = excluded.value`, [want]);
    const s = (performance.now() - t) / 1000;
    log(`store built in ${s.toFixed(0)} s`);
    return { built: true, buildSeconds: s };
  } finally {
    await store.close();
  }
}

async function startServe(): Promise<{ url: string; stop: () => Promise<void> }> {
  const cli = join(packageRoot(), 'dist', 'cli', 'main.js');
  if (!existsSync(cli)) throw new Error('dist/cli/main.js is missing: npm run build:ts first (npm run bench:api does)');
  const db = `${pgUrl}${pgUrl.includes('?') ? '&' : '?'}schema=${schema}`;
  const pool = opt('pool') ? ['--db-pool', opt('pool')!] : [];
  const proc = spawn(process.execPath, [cli, 'serve', '--db', db, '--listen', '127.0.0.1:0', ...pool], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr!.setEncoding('utf8');
  const url = await new Promise<string>((resolve, reject) => {
    proc.stderr!.on('data', (c: string) => {
      err += c;
      const m = /kiseki serve: (http:\/\/[^ ]+) /.exec(err);
      if (m) resolve(m[1]!);
    });
    proc.on('exit', (code) => reject(new Error(`kiseki serve exited ${code}: ${err}`)));
  });
  return {
    url,
    stop: () => new Promise<void>((resolve) => {
      proc.on('exit', () => resolve());
      proc.kill('SIGTERM');
    }),
  };
}

interface Sample { type: number; ms: number; status: number; total: number }

async function load(url: string, durationS: number, seed: number, meanThinkMs = 0): Promise<Sample[]> {
  const samples: Sample[] = [];
  const end = performance.now() + durationS * 1000;
  const client = async (c: number) => {
    const r = rng(seed * 1000 + c);
    // paced clients start spread over one think time
    if (meanThinkMs > 0) await new Promise((res) => setTimeout(res, r() * meanThinkMs));
    while (performance.now() < end) {
      const type = Math.floor(r() * MIX.length);
      const q = MIX[type]!.query(r);
      const t = performance.now();
      const res = await fetch(`${url}/api/v1/search${q ? `?${q}` : ''}`, { headers: auth });
      const body = (await res.json()) as { total?: number };
      samples.push({ type, ms: performance.now() - t, status: res.status, total: body.total ?? -1 });
      if (meanThinkMs > 0) await new Promise((res2) => setTimeout(res2, -Math.log(1 - r()) * meanThinkMs));
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, c) => client(c)));
  return samples;
}

interface RunResult {
  label: string;
  requests: number;
  errors: number;
  throughput: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Load average (1 min) of the machine when the run ended. */
  loadEnd: number;
  perType: { name: string; what: string; n: number; p50: number; p95: number; medianHits: number }[];
}

function summarize(label: string, samples: Sample[]): RunResult {
  const all = samples.map((s) => s.ms).sort((a, b) => a - b);
  return {
    label, requests: samples.length, errors: samples.filter((s) => s.status !== 200).length, throughput: samples.length / seconds,
    p50: pct(all, 50), p95: pct(all, 95), p99: pct(all, 99), max: all[all.length - 1] ?? NaN, loadEnd: loadavg()[0]!,
    perType: MIX.map((m, i) => {
      const mine = samples.filter((s) => s.type === i);
      const ms = mine.map((s) => s.ms).sort((a, b) => a - b);
      const totals = mine.map((s) => s.total).sort((a, b) => a - b);
      return { name: m.name, what: m.what, n: ms.length, p50: pct(ms, 50), p95: pct(ms, 95), medianHits: pct(totals, 50) };
    }),
  };
}

function machine(): string {
  const cpu = cpus()[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown CPU';
  let pg = '';
  try {
    pg = execSync('psql --version', { encoding: 'utf8' }).trim().replace(/^psql \(PostgreSQL\) /, 'PostgreSQL ');
  } catch {
    pg = 'PostgreSQL';
  }
  return `${cpus().length} CPUs (${cpu}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}, ${pg}`;
}

function commit(): string {
  try {
    return execSync('git rev-parse --short HEAD', { cwd: packageRoot(), encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const started = new Date();
  const { buildSeconds } = await ensureStore();
  const server = await startServe();
  const load0 = loadavg()[0]!;
  log(`kiseki serve at ${server.url}; warm-up ${WARMUP_S} s, then ${seconds} s per run with ${clients} clients (load average ${loadavg().map((x) => x.toFixed(1)).join(' ')})`);
  const runs: RunResult[] = [];
  let checked = '';
  try {
    checked = await checkTotals(server.url);
    if (viewer === 'member') checked += await signInMember(server.url);
    await load(server.url, WARMUP_S, 1);
    runs.push(summarize('closed loop', await load(server.url, seconds, 2)));
    if (thinkMs > 0) runs.push(summarize(`paced (${(thinkMs / 1000).toFixed(1)} s think time)`, await load(server.url, seconds, 3, thinkMs)));
  } finally {
    await server.stop();
  }
  const f = (ms: number) => (Number.isNaN(ms) ? '–' : `${ms < 10 ? ms.toFixed(1) : ms.toFixed(0)} ms`);
  const lines = [
    `Store: ${shape.files.toLocaleString('en')} file versions, ${shape.jobs.toLocaleString('en')} jobs, ${shape.processes.toLocaleString('en')} program runs (PostgreSQL). `
      + `${clients} clients, ${seconds} s per run; load average of the machine at the start: ${load0.toFixed(1)}.`,
    '',
    '| run | requests/s | p50 | p95 | p99 | errors | load average at its end |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...runs.map((r) => `| ${r.label} | ${r.throughput.toFixed(0)} | ${f(r.p50)} | ${f(r.p95)} | ${f(r.p99)} | ${r.errors} | ${r.loadEnd.toFixed(1)} |`),
    '',
    `| search | median hits | ${runs.map((r) => `${r.label} p50 | p95`).join(' | ')} |`,
    `| --- | --- | ${runs.map(() => '--- | ---').join(' | ')} |`,
    ...MIX.map((m, i) => `| ${m.what} | ${(runs[0]!.perType[i]!.medianHits).toLocaleString('en')} | ${runs.map((r) => `${f(r.perType[i]!.p50)} | ${f(r.perType[i]!.p95)}`).join(' | ')} |`),
    '',
    checked,
  ];
  console.log(lines.join('\n'));
  if (flag('json')) console.log(JSON.stringify({ files: shape.files, jobs: shape.jobs, clients, seconds, runs }, null, 1));
  if (flag('write-docs')) writeDocs(lines, started, buildSeconds);
}

function writeDocs(lines: string[], started: Date, buildSeconds: number | null): void {
  const file = join(packageRoot(), 'docs', 'performance.md');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Performance\n\nFigures measured by `npm run bench`. Each section is written by its benchmark with `--write-docs`.\n';
  const title = viewer === 'member' ? '## API, as a signed-in member' : '## API';
  const section = [
    title,
    '',
    `Measured ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC with \`npm run bench:api -- --write-docs${viewer === 'member' ? ' --viewer member' : ''}\` on kiseki ${commit()}. Machine: ${machine()}.`,
    'The server is a real `kiseki serve` (its own process, PostgreSQL pool of its default size) on loopback; the clients run in the bench process on the same cores. '
      + 'Closed loop: each client sends its next search as soon as the answer is in, so latency includes queueing behind the other clients (the server saturated). '
      + 'Paced: each client waits a random think time between searches, as a person does. '
      + `The store (bench/api-data.ts) is made in SQL${buildSeconds ? ` (${buildSeconds.toFixed(0)} s)` : ''}: jobs of 4 program runs and 100 file versions each, 50 users, a year of start times. `
      + "Other engineers' jobs share the machine: the load average says how busy it was. "
      + 'Where the time goes and what would help: [docs/api.md](api.md#performance).',
    '',
    ...lines,
    '',
  ].join('\n');
  const re = new RegExp(`${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n[\\s\\S]*?(?=\n## |$)`);
  const out = re.test(text) ? text.replace(re, section.trimEnd() + '\n') : `${text.trimEnd()}\n\n${section}`;
  writeFileSync(file, out);
  log(`wrote the API section of ${file}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
