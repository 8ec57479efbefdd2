// What the browser tests and the web benchmark share: real traces made by
// `kiseki run` (ptrace backend), a real `kiseki serve` on an embedded
// database in a temp folder on an ephemeral port, ingest over its API, and
// Debian's Chromium driven by playwright-core.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'dist/cli/main.js');
export const CHROMIUM = process.env.KISEKI_CHROMIUM ?? '/usr/bin/chromium';

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Trace a command with the real CLI; returns the NDJSON file and the run (job) id. */
export function traceRun(cwd: string, out: string, argv: string[]): { file: string; runId: string } {
  const r = spawnSync(process.execPath, [CLI, 'run', '--backend', 'ptrace', '--no-store', '-q', '--out', out, '--', ...argv], {
    cwd, encoding: 'utf8', env: { ...process.env, KISEKI_DATA_DIR: join(cwd, '.kiseki-data') }, timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`kiseki run ${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
  const first = JSON.parse(readFileSync(out, 'utf8').split('\n')[0]!) as { type: string; runId: string };
  if (first.type !== 'run.start') throw new Error(`${out} does not start with run.start`);
  return { file: out, runId: first.runId };
}

export const XSS_NAME = '<img src=x onerror=alert(1)>';

export interface Traces {
  dir: string;
  /** cat in1 in2 > mid; sort mid > out (job script pipeline.sh). */
  pipeline: { file: string; runId: string };
  /** one cat reads 100 inputs (job script fanin.sh). */
  fanin: { file: string; runId: string };
  /** writes a file named <img src=x onerror=alert(1)>. */
  xss: { file: string; runId: string };
  /** python3 reads and writes: interpreter and libraries are software. */
  python: { file: string; runId: string };
}

/** The four jobs the browser tests look at, traced for real. */
export function makeTraces(): Traces {
  const dir = tempDir('kiseki-web-');
  const work = join(dir, 'work');
  mkdirSync(join(work, 'inputs'), { recursive: true });
  writeFileSync(join(work, 'in1.txt'), 'banana\napple\n');
  writeFileSync(join(work, 'in2.txt'), 'cherry\n');
  for (let i = 1; i <= 100; i++) writeFileSync(join(work, 'inputs', `sample_${String(i).padStart(3, '0')}.dat`), `${i}\n`);
  writeFileSync(join(work, 'pipeline.sh'), 'cat in1.txt in2.txt > mid.txt\nsort mid.txt > sorted_out.txt\n');
  writeFileSync(join(work, 'fanin.sh'), 'cat inputs/*.dat > merged.out\n');
  writeFileSync(join(work, 'xss.sh'), `echo hi > '${XSS_NAME}'\n`);
  writeFileSync(join(work, 'convert.py'), "data = open('in1.txt').read()\nopen('upper.txt', 'w').write(data.upper())\n");
  const traces = join(dir, 'traces');
  mkdirSync(traces);
  return {
    dir,
    pipeline: traceRun(work, join(traces, 'pipeline.ndjson'), ['sh', 'pipeline.sh']),
    fanin: traceRun(work, join(traces, 'fanin.ndjson'), ['sh', 'fanin.sh']),
    xss: traceRun(work, join(traces, 'xss.ndjson'), ['sh', 'xss.sh']),
    python: traceRun(work, join(traces, 'python.ndjson'), ['/usr/bin/python3', 'convert.py']),
  };
}

export interface Server {
  url: string;
  proc: ChildProcess;
  stop: () => Promise<void>;
}

/** `kiseki serve` on an embedded database in dataDir, on an ephemeral loopback port. */
export async function startServe(dataDir: string): Promise<Server> {
  mkdirSync(dataDir, { recursive: true });
  const proc = spawn(process.execPath, [CLI, 'serve', '--db', join(dataDir, 'db'), '--listen', '127.0.0.1:0', '--web', join(ROOT, 'dist/web')], {
    env: { ...process.env, KISEKI_DATA_DIR: dataDir }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`kiseki serve did not start: ${err}`)), 60_000);
    proc.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /kiseki serve: (http:\/\/[^\s]+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]!);
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kiseki serve exited (${code}): ${err}`));
    });
  });
  return {
    url,
    proc,
    stop: () => new Promise<void>((done) => {
      if (proc.exitCode !== null) return done();
      proc.once('exit', () => done());
      proc.kill('SIGTERM');
      setTimeout(() => proc.kill('SIGKILL'), 10_000).unref();
    }),
  };
}

/** POST an NDJSON trace to /api/v1/ingest and wait until it is aggregated. */
export async function ingestFile(url: string, file: string, source?: string): Promise<void> {
  const text = readFileSync(file, 'utf8');
  await ingestText(url, text, source ?? `test:${file}`);
}

export async function ingestText(url: string, text: string, source: string, seq = 0): Promise<void> {
  const res = await fetch(`${url}/api/v1/ingest?source=${encodeURIComponent(source)}&seq=${seq}&wait=true`, {
    method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: text,
  });
  if (res.status !== 202 && res.status !== 200) throw new Error(`ingest ${source}: ${res.status} ${await res.text()}`);
}

export async function apiGet<T>(url: string, path: string): Promise<T> {
  const res = await fetch(`${url}/api/v1${path}`);
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update',
  '--no-first-run', '--disable-sync', '--disable-dev-shm-usage',
];

/** Debian's Chromium (never a downloaded browser); playwright gives it a fresh, empty profile each launch. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (scripts/setup --test does)`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** What the graph view exposes to tests and the benchmark (src/web/components/GraphView.tsx). */
export interface GraphDrawStats {
  nodes: number;
  edges: number;
  layoutMs: number;
  buildMs: number;
  drawMs: number;
  at: number;
}
export interface GraphSnapshot {
  nodes: { id: string; kind: string; label: string; fullLabel?: string; nodeId?: number; count?: number; software?: boolean; expanded?: boolean; selected?: boolean; position: { x: number; y: number } }[];
  edges: { id: string; kind: string; source: string; target: string }[];
  zoom: number;
  pan: { x: number; y: number };
}
declare global {
  interface Window {
    __kisekiGraph?: { snapshot: () => GraphSnapshot; stats: GraphDrawStats[]; fetchMs?: number; rendered?: (id: string) => { x: number; y: number } | null };
  }
}
