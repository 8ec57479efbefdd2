// The API suites: the real server (startServer) on an ephemeral loopback
// port, spoken to over real HTTP (fetch), on PGlite and on PostgreSQL
// (test/store/stores.ts: a database per test file, emptied before each test).
// Data: a real ptrace trace made once per test file with the built CLI, and
// synthetic traces where volume matters.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startServer, type RunningServer, type StartServerOptions } from '../../src/api/server.js';
import { packageRoot } from '../../src/core/package-root.js';
import type { Store } from '../../src/store/index.js';
import { describeStores, type StoreContext } from '../store/stores.js';
import { SyntheticTrace } from '../store/synthetic-trace.js';

export const XSS = '<img src=x onerror=alert(1)>';

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface ApiContext extends StoreContext {
  readonly url: string;
  readonly server: RunningServer;
  call<T = any>(method: string, path: string, init?: { json?: unknown; body?: BodyInit; headers?: Record<string, string> }): Promise<Reply<T>>;
  get<T = any>(path: string, headers?: Record<string, string>): Promise<Reply<T>>;
  post<T = any>(path: string, json: unknown): Promise<Reply<T>>;
  put<T = any>(path: string, json: unknown): Promise<Reply<T>>;
  del<T = any>(path: string): Promise<Reply<T>>;
}

export async function call<T>(base: string, method: string, path: string, init: { json?: unknown; body?: BodyInit; headers?: Record<string, string> } = {}): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers };
  const res = await fetch(base + path, { method, headers, body: init.json !== undefined ? JSON.stringify(init.json) : init.body ?? null });
  const text = await res.text();
  let body: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json') && text) body = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: body as T, text };
}

/** describe() once per database, with a server on that database for the whole file. */
export function describeApi(title: string, body: (ctx: ApiContext) => void, fileName: string, opts: Omit<StartServerOptions, 'store'> = {}): void {
  describeStores(title, (sctx) => {
    let server: RunningServer | undefined;
    const ctx: ApiContext = Object.create(sctx, {
      url: { get: () => server!.url },
      server: { get: () => server! },
    });
    ctx.call = (method, path, init) => call(server!.url, method, path, init);
    ctx.get = (path, headers) => call(server!.url, 'GET', path, headers ? { headers } : {});
    ctx.post = (path, json) => call(server!.url, 'POST', path, { json });
    ctx.put = (path, json) => call(server!.url, 'PUT', path, { json });
    ctx.del = (path) => call(server!.url, 'DELETE', path);
    beforeAll(async () => {
      server = await startServer({ store: sctx.store, port: 0, ...opts });
    });
    afterAll(async () => {
      await server?.close();
    });
    body(ctx);
  }, fileName);
}

// ── data ───────────────────────────────────────────────────────────────
const CLI = join(packageRoot(), 'dist', 'cli', 'main.js');

/** The CLI as a command line: the build when it is there (npm test builds first), else the sources through tsx. */
export function cliCommand(): string[] {
  if (existsSync(CLI)) return [process.execPath, CLI];
  return [process.execPath, join(packageRoot(), 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(packageRoot(), 'src', 'cli', 'main.ts')];
}

export const JOB_SCRIPT = `set -e
mkdir -p data
printf 'b\\na\\n' > data/in.csv
printf 'x\\n' > '${XSS}.txt'
sort data/in.csv > data/sorted.csv
cat data/sorted.csv '${XSS}.txt' > 'out <b>&amp;.txt'
for i in $(seq 1 25); do printf "$i\\n" > data/part$i.csv; done
cat data/part*.csv > data/all.csv
`;

export interface RealTrace {
  dir: string;
  ndjson: string;
  text: string;
}

let real: RealTrace | undefined;

/**
 * \`kiseki run --backend ptrace -- bash job.sh\` (JOB_SCRIPT) in a fresh
 * folder, once per test file: sort, cat with an XSS-ish file name, bash
 * writing 25 files and cat reading them (groups beyond 20).
 */
export function realTrace(): RealTrace {
  if (real) return real;
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'kiseki-api-')));
  writeFileSync(join(dir, 'job.sh'), JOB_SCRIPT);
  mkdirSync(join(dir, '.home'));
  const ndjson = join(dir, '.trace.ndjson');
  const [exe, ...pre] = cliCommand();
  const r = spawnSync(exe!, [...pre, 'run', '-q', '--no-store', '--backend', 'ptrace', '--out', ndjson, '--', 'bash', 'job.sh'], {
    cwd: dir, encoding: 'utf8', input: '', timeout: 180_000, env: { ...process.env, KISEKI_DATA_DIR: join(dir, '.home') },
  });
  if (r.status !== 0 || !existsSync(ndjson)) throw new Error(`kiseki run failed (${r.status}): ${r.stderr}`);
  real = { dir, ndjson, text: readFileSync(ndjson, 'utf8') };
  return real;
}

/** A run that writes `n` files in one program run, then one that reads them all. */
export function manyFiles(n: number, dir = '/scratch/many'): SyntheticTrace {
  const t = new SyntheticTrace();
  t.runStart(['bash', 'fan.sh'], dir);
  const bash = t.spawn(null, '/usr/bin/bash', ['bash', 'fan.sh'], dir);
  const gen = t.spawn(bash, '/opt/gen', ['gen', String(n)], dir);
  for (let i = 0; i < n; i++) t.write(gen, `${dir}/f${String(i).padStart(4, '0')}.dat`);
  t.exit(gen);
  const sum = t.spawn(bash, '/opt/sum', ['sum'], dir);
  for (let i = 0; i < n; i++) t.read(sum, `${dir}/f${String(i).padStart(4, '0')}.dat`);
  t.write(sum, `${dir}/total.txt`);
  t.exit(sum);
  t.exit(bash);
  t.runEnd();
  return t;
}

/** Ingests NDJSON through the API (waiting for aggregation). */
export async function ingestText(ctx: ApiContext, source: string, text: string): Promise<Reply> {
  const r = await ctx.call('POST', `/api/v1/ingest?source=${encodeURIComponent(source)}&seq=0&wait=true`, {
    body: text, headers: { 'content-type': 'application/x-ndjson' },
  });
  if (r.status !== 202 && r.status !== 200) throw new Error(`ingest: ${r.status} ${r.text}`);
  return r;
}

export async function loadReal(ctx: ApiContext): Promise<RealTrace> {
  const t = realTrace();
  await ingestText(ctx, 'run:real', t.text);
  return t;
}

export type { Store };
