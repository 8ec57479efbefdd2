// Capture benchmark: what tracing costs a real workload.
//
//   npx tsx bench/capture.ts [--runs N] [--only a,b] [--modes m,n] [--quick]
//                            [--startup-runs N] [--workdir DIR] [--keep] [--write-docs]
//
// Every workload runs untraced, under `kiseki run --backend ebpf`, under
// `kiseki run --backend ptrace`, and, for comparison, under plain
// `strace -f -o /dev/null` and `strace -f --seccomp-bpf -e trace=<kiseki's set>`.
// Runs are interleaved (run 1 of every mode, then run 2, …) so that a noisy
// neighbour hurts all modes alike. It prints figures; it never fails on them.
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync,
} from 'node:fs';
import { cpus, release } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { PYTHON, WORKLOADS, WORKLOAD_DIR, type Workload } from './workloads/index.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const DOCS = join(ROOT, 'docs', 'performance.md');
/** The workloads see a plain PATH (no pyenv/cargo shims), the same in every mode. */
const WORK_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

// ---------------------------------------------------------------- options

interface Options {
  runs: number;
  startupRuns: number;
  only: string[] | null;
  modes: ModeName[];
  quick: boolean;
  /** Let `kiseki run` store its events (in a throwaway database under the workdir), as it does by default. */
  store: boolean;
  /** Before each run, wait until the rest of the machine uses less than this many CPUs… */
  quietBelow: number;
  /** …but at most this many seconds. */
  quietWaitS: number;
  workdir: string;
  keep: boolean;
  writeDocs: boolean;
}

const MODE_NAMES = ['untraced', 'ebpf', 'ptrace', 'strace', 'seccomp'] as const;
type ModeName = (typeof MODE_NAMES)[number];

function usage(): never {
  process.stdout.write(`usage: tsx bench/capture.ts [options]
  --runs N           measured runs per workload and mode (default 3; 1 with --quick)
  --startup-runs N   runs of the start-up probe per mode (default 10)
  --only a,b         workloads: ${WORKLOADS.map((w) => w.name).join(', ')}
  --modes a,b        modes: ${MODE_NAMES.join(', ')} (untraced is always included)
  --quick            1 run, smaller inputs: to try the bench quickly
  --workdir DIR      where inputs and outputs go (default /tmp/kiseki-bench)
  --keep             keep traces and outputs of every run
  --store            let kiseki run store its events too (a fresh database under the workdir);
                     by default it runs with --no-store: capture only
  --quiet-below C    before each run wait until other processes use < C CPUs (default 0.3)
  --quiet-wait S     … for at most S seconds (default 20; 0 = do not wait)
  --write-docs       write the tables into docs/performance.md under "Capture"
`);
  process.exit(0);
}

function parseOptions(argv: string[]): Options {
  const o: Options = {
    runs: 3, startupRuns: 10, only: null, modes: [...MODE_NAMES], quick: false,
    workdir: '/tmp/kiseki-bench', keep: false, writeDocs: false, quietBelow: 0.3, quietWaitS: 20, store: false,
  };
  let runsGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const int = (): number => {
      const v = value();
      if (!/^[1-9]\d*$/.test(v)) throw new Error(`${a} takes a positive integer, got ${v}`);
      return Number(v);
    };
    switch (a) {
      case '--runs': o.runs = int(); runsGiven = true; break;
      case '--startup-runs': o.startupRuns = int(); break;
      case '--only': o.only = value().split(',').filter(Boolean); break;
      case '--modes': {
        const m = value().split(',').filter(Boolean);
        for (const x of m) if (!(MODE_NAMES as readonly string[]).includes(x)) throw new Error(`unknown mode ${x}`);
        o.modes = MODE_NAMES.filter((x) => x === 'untraced' || m.includes(x));
        break;
      }
      case '--quick': o.quick = true; break;
      case '--workdir': o.workdir = resolve(value()); break;
      case '--keep': o.keep = true; break;
      case '--store': o.store = true; break;
      case '--quiet-below': o.quietBelow = Number(value()); break;
      case '--quiet-wait': o.quietWaitS = Number(value()); break;
      case '--write-docs': o.writeDocs = true; break;
      case '-h': case '--help': usage();
      // falls through (usage exits)
      default: throw new Error(`unknown option ${a} (--help lists them)`);
    }
  }
  if (o.quick && !runsGiven) o.runs = 1;
  if (o.only) {
    const known = new Set(WORKLOADS.map((w) => w.name));
    for (const n of o.only) if (!known.has(n)) throw new Error(`unknown workload ${n}; known: ${[...known].join(', ')}`);
  }
  return o;
}

// ---------------------------------------------------------------- modes

interface Mode {
  name: ModeName;
  label: string;
  /** Whether this is `kiseki run` (writes NDJSON events). */
  kiseki: boolean;
  /** comm of the tracer process under the spawned one (kiseki modes). */
  tracerComm?: string;
  argv(cmd: string[], out: string): string[];
}

/** `kiseki run` with this backend; capture only unless --store. */
let storeEvents = false;
function kisekiRun(backend: string, out: string, cmd: string[]): string[] {
  return [process.execPath, CLI, 'run', '-q', '--backend', backend, '--out', out, ...(storeEvents ? [] : ['--no-store']), '--', ...cmd];
}

function makeModes(names: ModeName[], straceTraceSet: string): Mode[] {
  const kiseki = (backend: string) => (cmd: string[], out: string) => kisekiRun(backend, out, cmd);
  const all: Record<ModeName, Mode> = {
    untraced: { name: 'untraced', label: 'untraced', kiseki: false, argv: (cmd) => cmd },
    ebpf: { name: 'ebpf', label: 'kiseki eBPF', kiseki: true, tracerComm: 'kiseki-ebpf', argv: kiseki('ebpf') },
    ptrace: { name: 'ptrace', label: 'kiseki ptrace', kiseki: true, tracerComm: 'strace', argv: kiseki('ptrace') },
    strace: {
      name: 'strace', label: 'strace -f', kiseki: false,
      argv: (cmd) => ['strace', '-f', '-o', '/dev/null', '--', ...cmd],
    },
    seccomp: {
      name: 'seccomp', label: 'strace -f --seccomp-bpf', kiseki: false,
      argv: (cmd) => ['strace', '-f', '--seccomp-bpf', '-e', `trace=${straceTraceSet}`, '-o', '/dev/null', '--', ...cmd],
    },
  };
  return names.map((n) => all[n]);
}

// ---------------------------------------------------------------- /proc

function procStatusKb(pid: number, field: string): number | null {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** pid → [ppid, comm] for every process (no /proc/PID/task/TID/children on every kernel). */
function processTable(): Map<number, [number, string]> {
  const table = new Map<number, [number, string]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      table.set(Number(entry), [ppid, comm]);
    } catch { /* gone */ }
  }
  return table;
}

/** The nearest descendant of `root` whose comm is `comm`. */
function findDescendant(root: number, comm: string): number | null {
  const table = processTable();
  const children = new Map<number, number[]>();
  for (const [pid, [ppid]] of table) {
    const list = children.get(ppid);
    if (list) list.push(pid); else children.set(ppid, [pid]);
  }
  let level = children.get(root) ?? [];
  for (let depth = 0; depth < 4 && level.length; depth++) {
    const hit = level.find((p) => table.get(p)?.[1] === comm);
    if (hit !== undefined) return hit;
    level = level.flatMap((p) => children.get(p) ?? []);
  }
  return null;
}

/** Kernel memory charged to the BPF maps a process holds open (fdinfo `memlock`), in kB. */
function bpfMapKb(pid: number): number | null {
  let total = 0;
  let maps = 0;
  try {
    const fds = readdirSync(`/proc/${pid}/fd`);
    if (fds.length > 512) return null;
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) !== 'anon_inode:bpf-map') continue;
        const m = /^memlock:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
        if (m) { total += Number(m[1]); maps++; }
      } catch { /* closed meanwhile */ }
    }
  } catch {
    return null;
  }
  return maps ? Math.round(total / 1024) : null;
}

/** Polls VmHWM of the spawned process and of its tracer child every ~50 ms. */
class MemoryWatch {
  rootKb = 0;
  tracerKb = 0;
  bpfKb = 0;
  tracerPid: number | null = null;
  private timer: NodeJS.Timeout;
  private searches = 0;

  constructor(private readonly pid: number, private readonly tracerComm: string | undefined) {
    this.timer = setInterval(() => this.poll(), 50);
    this.poll();
  }

  poll(): void {
    const root = procStatusKb(this.pid, 'VmHWM');
    if (root !== null) this.rootKb = Math.max(this.rootKb, root);
    if (!this.tracerComm) return;
    // The backend may first run a short probe of its tracer (`strace … /bin/true`,
    // `kiseki-ebpf --check`): when the process found is gone, look again.
    if (this.tracerPid === null && this.searches++ < 400) this.tracerPid = findDescendant(this.pid, this.tracerComm);
    if (this.tracerPid !== null) {
      const t = procStatusKb(this.tracerPid, 'VmHWM');
      if (t === null) { this.tracerPid = null; return; }
      this.tracerKb = Math.max(this.tracerKb, t);
      if (this.tracerComm === 'kiseki-ebpf') {
        const b = bpfMapKb(this.tracerPid);
        if (b !== null) this.bpfKb = Math.max(this.bpfKb, b);
      }
    }
  }

  stop(): void { clearInterval(this.timer); }
}

// ---------------------------------------------------------------- running

interface RunResult {
  wallNs: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  mem: MemoryWatch | null;
}

const nowNs = (): bigint => process.hrtime.bigint();
/** CLOCK_REALTIME in ns, to µs precision, comparable with what a child prints. */
const realtimeNs = (): bigint => BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e3)) * 1000n;

function runOnce(argv: string[], opts: {
  cwd: string; env: NodeJS.ProcessEnv; stdoutFile?: string; stderrFile?: string;
  captureStdout?: boolean; tracerComm?: string; watch: boolean; timeoutMs: number;
}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const out = opts.stdoutFile ? openSync(opts.stdoutFile, 'w') : null;
    const err = opts.stderrFile ? openSync(opts.stderrFile, 'w') : null;
    const t0 = nowNs();
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: opts.cwd, env: opts.env, detached: true,
      stdio: ['ignore', opts.captureStdout ? 'pipe' : (out ?? 'ignore'), err ?? 'ignore'],
    });
    if (out !== null) closeSync(out);
    if (err !== null) closeSync(err);
    const mem = opts.watch && child.pid !== undefined ? new MemoryWatch(child.pid, opts.tracerComm) : null;
    let stdout = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ }
    }, opts.timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); mem?.stop(); reject(e); });
    child.on('exit', (code, signal) => {
      const wallNs = Number(nowNs() - t0);
      mem?.poll();
      mem?.stop();
      clearTimeout(timer);
      const done = () => resolvePromise({ wallNs, code, signal, timedOut, stdout, mem });
      if (child.stdout && !child.stdout.readableEnded) child.stdout.on('end', done); else done();
    });
  });
}

interface Sample {
  wallNs: number;
  insideNs: number | null;
  /** user + sys of the workload's processes, from bash's `times`. */
  cpuNs: number | null;
  events: number | null;
  lost: number;
  stillRunning: number;
  nodeKb: number | null;
  tracerKb: number | null;
  bpfKb: number | null;
  ok: boolean;
  /** Exit status not 0, or killed: left out of the medians. */
  failed: boolean;
  /** CPUs the rest of the machine used during the run (untraced runs only: busy − the workload's own CPU). */
  othersCpus: number | null;
  /** The machine was still busy (this many CPUs) when the run started. */
  startedBusy: number | null;
}

interface Cell {
  samples: Sample[];
  /** Each distinct problem, with the number of runs it happened in. */
  problems: Map<string, number>;
}

function readTrace(file: string): { events: number; lost: number; stillRunning: number; complete: boolean | null } {
  if (!existsSync(file)) return { events: 0, lost: 0, stillRunning: 0, complete: null };
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  let lost = 0;
  let stillRunning = 0;
  let complete: boolean | null = null;
  const last = lines[lines.length - 1];
  if (last?.includes('"run.end"')) {
    try {
      const end = JSON.parse(last) as { lostEvents?: number; stillRunning?: unknown[]; complete?: boolean };
      lost = end.lostEvents ?? 0;
      stillRunning = end.stillRunning?.length ?? 0;
      complete = end.complete ?? null;
    } catch { /* reported as incomplete */ }
  }
  return { events: lines.length, lost, stillRunning, complete };
}

/** Children's user + sys from the output of bash's `times` (second line: "0m4.512s 0m0.301s"). */
function readTimes(file: string): number | null {
  if (!existsSync(file)) return null;
  const line = readFileSync(file, 'utf8').trim().split('\n')[1] ?? '';
  const parts = [...line.matchAll(/(\d+)m([\d.]+)s/g)];
  if (parts.length !== 2) return null;
  return Math.round(parts.reduce((sum, m) => sum + (Number(m[1]) * 60 + Number(m[2])) * 1e9, 0));
}

function wrap(script: string, timeFile: string): string[] {
  // The workload times itself, so that the tracer's start-up and shutdown
  // stay out of the steady-state figure; `times` adds the CPU time (user +
  // sys) of everything it waited for, which a busy neighbour disturbs less.
  return ['/bin/bash', '-c',
    `t0=$(date +%s%N); ( ${script} ); rc=$?; t1=$(date +%s%N); times > '${timeFile}.cpu'; echo $((t1 - t0)) > '${timeFile}'; exit $rc`];
}

// ---------------------------------------------------------------- statistics and formatting

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
const secs = (ns: number | null): string => (ns === null ? '–' : `${(ns / 1e9).toFixed(2)} s`);
const ms = (ns: number | null): string => (ns === null ? '–' : `${(ns / 1e6).toFixed(ns < 1e8 ? 1 : 0)} ms`);
const mib = (kb: number | null): string => (kb === null ? '–' : `${(kb / 1024).toFixed(kb < 10240 ? 1 : 0)}`);
function pct(x: number | null, base: number | null): string {
  if (x === null || base === null || base === 0) return '';
  const p = (x / base - 1) * 100;
  return ` (${p >= 0 ? '+' : '−'}${Math.abs(p).toFixed(Math.abs(p) < 10 ? 1 : 0)} %)`;
}
function ratio(x: number | null, base: number | null): string {
  if (x === null || base === null || base === 0) return '';
  return ` (×${(x / base).toFixed(2)})`;
}
/** Spread of a set of runs: (max − min) / median. */
function spread(xs: number[]): string {
  const m = median(xs);
  if (!m || xs.length < 2) return '–';
  return `±${(((Math.max(...xs) - Math.min(...xs)) / m) * 50).toFixed(1)} %`;
}
function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}
const log = (s: string) => process.stderr.write(`${s}\n`);

// ---------------------------------------------------------------- the bench

/** Busy CPU time of the whole machine so far (all CPUs, ns), from /proc/stat. */
function machineBusyNs(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest is inside user)
  const busy = f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!;
  return (busy * 1e9) / CLK_TCK;
}
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** Waits (up to o.quietWaitS) until the machine is nearly idle; returns the CPUs in use when it gave up, or null. */
async function waitForQuiet(o: Options): Promise<number | null> {
  if (o.quietWaitS <= 0) return null;
  const deadline = Date.now() + o.quietWaitS * 1000;
  let load = 0;
  for (;;) {
    const b0 = machineBusyNs();
    const t0 = nowNs();
    await new Promise((r) => setTimeout(r, 500));
    load = (machineBusyNs() - b0) / Number(nowNs() - t0);
    if (load < o.quietBelow) return null;
    if (Date.now() >= deadline) return load;
  }
}

function sh(cmd: string): string {
  return spawnSync('bash', ['-c', cmd], { encoding: 'utf8' }).stdout.trim();
}

/** Runs `kiseki run --backend B -- /bin/true`; null when it works, else why not. */
function backendProblem(backend: string, dir: string): string | null {
  const out = join(dir, `probe-${backend}.ndjson`);
  const argv = kisekiRun(backend, out, ['/bin/true']);
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 60_000 });
  rmSync(out, { force: true });
  if (r.status === 0) return null;
  const lines = (r.stderr || r.error?.message || '').trim().split('\n');
  const why = lines.find((l) => /^(kiseki:|\w*Error\b)/.test(l.trim())) ?? lines.slice(-2).join(' ');
  return `exit ${r.status ?? r.signal}: ${why.trim().slice(0, 300)}`;
}

/**
 * The syscall set kiseki's ptrace backend gives strace, read from the
 * running strace's command line, so the seccomp comparison uses the same one.
 */
async function discoverStraceSet(dir: string): Promise<{ set: string; argv: string[] } | null> {
  const out = join(dir, 'probe-set.ndjson');
  const argv = kisekiRun('ptrace', out, ['/bin/sleep', '1']);
  const child = spawn(argv[0]!, argv.slice(1), { stdio: 'ignore' });
  let found: { set: string; argv: string[] } | null = null;
  const deadline = Date.now() + 5000;
  while (!found && Date.now() < deadline && child.exitCode === null) {
    await new Promise((r) => setTimeout(r, 20));
    const pid = child.pid === undefined ? null : findDescendant(child.pid, 'strace');
    if (pid === null) continue;
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      const end = argv.indexOf('--');
      // The backend may first run strace on /bin/true to see that it works: wait for the real run.
      if (!argv.slice(end + 1).some((a) => a.endsWith('sleep'))) continue;
      const opts = end < 0 ? argv : argv.slice(0, end);
      for (let i = 0; i < opts.length; i++) {
        const a = opts[i]!;
        const v = a === '-e' ? opts[i + 1] : a.startsWith('-e') ? a.slice(2) : a.startsWith('--trace=') ? `trace=${a.slice(8)}` : a.startsWith('--expr=') ? a.slice(7) : undefined;
        if (v?.startsWith('trace=')) found = { set: v.slice(6), argv: opts };
      }
    } catch { /* not yet exec'd */ }
  }
  await new Promise((r) => (child.exitCode === null ? child.on('exit', r) : r(null)));
  rmSync(out, { force: true });
  return found;
}

/** kiseki's strace command line, long lists shortened. */
function straceOptionsText(argv: string[]): string {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-e' || a === '-o') {
      const v = argv[++i] ?? '';
      const eq = v.indexOf('=');
      out.push(a, a === '-o' ? 'FIFO' : v.length > 60 && eq > 0 ? `${v.slice(0, eq)}=…` : v);
    } else {
      out.push(a);
    }
  }
  return out.join(' ');
}

function buildStartStamp(dir: string): string {
  const bin = join(dir, 'startstamp');
  const src = join(WORKLOAD_DIR, 'startstamp.c');
  let r = spawnSync('gcc', ['-O2', '-static', '-o', bin, src], { encoding: 'utf8' });
  if (r.status !== 0) r = spawnSync('gcc', ['-O2', '-o', bin, src], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gcc startstamp.c: ${r.stderr}`);
  return bin;
}

interface StartupRow { mode: Mode; startNs: number[]; wallNs: number[]; problems: string[] }

async function measureStartup(modes: Mode[], o: Options, dir: string, env: NodeJS.ProcessEnv): Promise<StartupRow[]> {
  const bin = buildStartStamp(dir);
  const rows = modes.map((mode) => ({ mode, startNs: [] as number[], wallNs: [] as number[], problems: [] as string[] }));
  for (let i = 0; i < o.startupRuns; i++) {
    for (let k = 0; k < rows.length; k++) {
      const row = rows[(i + k) % rows.length]!;
      const out = join(dir, `startup-${row.mode.name}.ndjson`);
      const before = realtimeNs();
      const r = await runOnce(row.mode.argv([bin], out), {
        cwd: dir, env, captureStdout: true, stderrFile: join(dir, 'startup.err'), watch: false, timeoutMs: 60_000,
      });
      rmSync(out, { force: true });
      const stamp = /^(\d+)$/m.exec(r.stdout);
      if (r.code !== 0 || !stamp) {
        row.problems.push(`exit ${r.code ?? r.signal}: ${readFileSync(join(dir, 'startup.err'), 'utf8').trim().slice(-300)}`);
        continue;
      }
      row.startNs.push(Number(BigInt(stamp[1]!) - before));
      row.wallNs.push(r.wallNs);
    }
  }
  return rows;
}

interface WorkloadResult {
  workload: Workload;
  reference: string | null;
  cells: Map<ModeName, Cell>;
  skipped?: string;
}

async function benchWorkload(w: Workload, modes: Mode[], o: Options, env: NodeJS.ProcessEnv): Promise<WorkloadResult> {
  const cells = new Map<ModeName, Cell>(modes.map((m) => [m.name, { samples: [], problems: new Map() }]));
  const missing = w.requires.filter((f) => !existsSync(f));
  if (missing.length) return { workload: w, reference: null, cells, skipped: `missing ${missing.join(', ')} (run bench/setup)` };

  const dir = join(o.workdir, w.name);
  const runs = join(o.workdir, 'runs', w.name);
  mkdirSync(runs, { recursive: true });
  log(`${w.name}: setting up in ${dir}`);
  w.setup(dir, o.quick);

  // Warm-up (page cache, Python byte-code caches), untimed; it also gives the reference result.
  w.prepare(dir);
  const t = join(runs, 'warmup.time');
  const warm = await runOnce(wrap(w.script(o.quick), t), {
    cwd: dir, env, stdoutFile: join(runs, 'warmup.out'), stderrFile: join(runs, 'warmup.err'), watch: false, timeoutMs: 600_000,
  });
  if (warm.code !== 0) {
    const tail = readFileSync(join(runs, 'warmup.err'), 'utf8').trim().slice(-400);
    return { workload: w, reference: null, cells, skipped: `fails untraced (exit ${warm.code ?? warm.signal}): ${tail}` };
  }
  let reference: string;
  try {
    reference = w.check(dir);
  } catch (e) {
    return { workload: w, reference: null, cells, skipped: `untraced output is wrong: ${(e as Error).message}` };
  }
  log(`${w.name}: warm-up ${secs(warm.wallNs)}, ${reference}`);
  // A traced run that takes 30× the untraced one is stopped: the figure says enough.
  const timeoutMs = Math.max(120_000, (warm.wallNs / 1e6) * 30);

  for (let i = 0; i < o.runs; i++) {
    for (let k = 0; k < modes.length; k++) {
      const mode = modes[(i + k) % modes.length]!;
      const cell = cells.get(mode.name)!;
      const base = join(runs, `${mode.name}-${i + 1}`);
      const timeFile = `${base}.time`;
      const traceFile = `${base}.ndjson`;
      rmSync(timeFile, { force: true });
      rmSync(`${timeFile}.cpu`, { force: true });
      rmSync(traceFile, { force: true });
      w.prepare(dir);
      const busyBefore = await waitForQuiet(o);
      const b0 = machineBusyNs();
      const r = await runOnce(mode.argv(wrap(w.script(o.quick), timeFile), traceFile), {
        cwd: dir, env, stdoutFile: `${base}.out`, stderrFile: `${base}.err`,
        tracerComm: mode.tracerComm, watch: mode.name !== 'untraced', timeoutMs,
      });
      const busyDuring = machineBusyNs() - b0;
      const problems: string[] = [];
      if (r.timedOut) problems.push(`killed after ${Math.round(timeoutMs / 1000)} s`);
      else if (r.code !== 0) problems.push(`exit ${r.code ?? r.signal}`);
      const stderr = existsSync(`${base}.err`) ? readFileSync(`${base}.err`, 'utf8') : '';
      for (const line of stderr.split('\n')) if (line.startsWith('kiseki:')) problems.push(line.trim().slice(0, 300));
      if (r.code !== 0 && !r.timedOut) {
        const lines = stderr.trim().split('\n').filter((l) => l.trim() && !l.startsWith('kiseki:'));
        const tail = (lines.find((l) => /Error\b|error:/.test(l)) ?? lines.slice(-2).join(' ')).trim().slice(0, 300);
        if (tail) problems.push(`stderr: ${tail}`);
      }
      let summary = '';
      try {
        summary = w.check(dir);
        if (summary !== reference) problems.push(`result differs: ${summary} (untraced: ${reference})`);
      } catch (e) {
        problems.push(`wrong result: ${(e as Error).message}`);
      }
      const inside = existsSync(timeFile) ? Number(readFileSync(timeFile, 'utf8').trim()) : NaN;
      const trace = mode.kiseki ? readTrace(traceFile) : null;
      if (trace) {
        if (trace.lost) problems.push(`${trace.lost} events lost`);
        if (trace.complete === null) problems.push('trace has no run.end');
        else if (!trace.complete && !trace.lost) problems.push('trace marked incomplete');
        if (trace.stillRunning) problems.push(`${trace.stillRunning} processes still running at the end`);
      }
      const sample: Sample = {
        wallNs: r.wallNs,
        insideNs: Number.isFinite(inside) && inside > 0 ? inside : null,
        cpuNs: readTimes(`${timeFile}.cpu`),
        events: trace ? trace.events : null,
        lost: trace?.lost ?? 0,
        stillRunning: trace?.stillRunning ?? 0,
        nodeKb: mode.kiseki ? (r.mem?.rootKb || null) : null,
        tracerKb: mode.kiseki ? (r.mem?.tracerKb || null) : (r.mem?.rootKb || null),
        bpfKb: r.mem?.bpfKb || null,
        ok: problems.length === 0,
        failed: r.timedOut || r.code !== 0,
        othersCpus: null,
        startedBusy: busyBefore,
      };
      if (mode.name === 'untraced' && sample.cpuNs !== null) sample.othersCpus = Math.max(0, (busyDuring - sample.cpuNs) / sample.wallNs);
      cell.samples.push(sample);
      for (const p0 of problems) {
        // Temporary names (gcc's /tmp/ccXXXXXX.s) differ per run: count them as one problem.
        const p = p0.replace(/\s+/g, ' ').replace(/\/tmp\/cc\w{6}/g, '/tmp/ccXXXXXX').trim();
        cell.problems.set(p, (cell.problems.get(p) ?? 0) + 1);
      }
      log(`${w.name} ${mode.name} #${i + 1}: wall ${secs(sample.wallNs)}, inside ${secs(sample.insideNs)}, cpu ${secs(sample.cpuNs)}`
        + (sample.events !== null ? `, ${sample.events} events` : '')
        + (sample.tracerKb ? `, tracer ${mib(sample.tracerKb)} MiB` : '')
        + (problems.length ? ` — ${problems.join('; ')}` : ''));
      if (!o.keep) {
        rmSync(traceFile, { force: true });
      }
    }
  }
  return { workload: w, reference, cells };
}

// ---------------------------------------------------------------- report

function report(o: Options, modes: Mode[], startup: StartupRow[], results: WorkloadResult[], straceSet: { set: string; argv: string[] } | null, notes: string[], elapsedS: number): string {
  const parts: string[] = [];
  const kernel = release();
  const osName = /^PRETTY_NAME="?([^"\n]*)/m.exec(existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : '')?.[1] ?? 'Linux';
  const straceV = sh('strace -V | head -1').replace(/^strace -- version /, '');
  const cmd = ['npm run bench:capture --', ...process.argv.slice(2)].join(' ').replace(/ --$/, '');
  const commit = process.env.KISEKI_BENCH_COMMIT
    ?? (sh(`git -C '${ROOT}' rev-parse --short HEAD 2>/dev/null`)
      + (sh(`git -C '${ROOT}' status --porcelain -- src scripts 2>/dev/null`) ? ' plus uncommitted changes' : ''));
  parts.push(`Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC with \`${cmd}\``
    + (commit ? ` on kiseki ${commit}` : '')
    + ` (${o.runs} run${o.runs > 1 ? 's' : ''} per mode, modes interleaved, median; whole bench ${elapsedS < 600 ? (elapsedS / 60).toFixed(1) : Math.round(elapsedS / 60)} min).`
    + ` Machine: ${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? '?'}), Linux ${kernel}, ${osName}, Node ${process.versions.node}, strace ${straceV}.`
    + (o.quick ? ' **Quick mode: smaller inputs, not comparable with full runs.**' : ''));
  parts.push('Other engineers\' jobs may share this machine: read differences of a few per cent as noise; the "untraced spread" column shows how far the untraced runs alone were apart.');

  const modeLabel = (m: Mode) => m.label;
  const traced = modes.filter((m) => m.name !== 'untraced');

  // Start-up
  if (startup.length) {
    parts.push('### Start-up\n\nFrom just before the bench spawns the tracer to `main()` of a static probe program that prints `CLOCK_REALTIME` (median of '
      + `${o.startupRuns}); "whole run" is the wall time of tracing that no-op program from spawn to exit (start-up + shutdown).`);
    parts.push(table(['mode', 'start-up', 'whole run of a no-op'], startup.map((r) => [
      modeLabel(r.mode),
      ms(median(r.startNs)) + (r.problems.length ? ` (${r.problems.length} failed)` : ''),
      ms(median(r.wallNs)),
    ])));
  }

  const ok = results.filter((r) => !r.skipped);
  const med = (r: WorkloadResult, m: ModeName, f: (s: Sample) => number | null): number | null => {
    const xs = (r.cells.get(m)?.samples ?? []).filter((s) => !s.failed).map(f).filter((x): x is number => x !== null);
    return median(xs);
  };
  /** A time cell: median of the runs that worked, and how many did not. */
  const timeCell = (r: WorkloadResult, m: ModeName, f: (s: Sample) => number | null, rel: (x: number | null, b: number | null) => string): string => {
    const samples = r.cells.get(m)?.samples ?? [];
    const failed = samples.filter((s) => s.failed).length;
    if (samples.length && failed === samples.length) return `**failed** (${failed}/${samples.length})`;
    const x = med(r, m, f);
    return secs(x) + rel(x, med(r, 'untraced', f)) + (failed ? ` **${failed}/${samples.length} failed**` : '');
  };
  if (ok.length) {
    parts.push('### Steady state (timed inside the traced command)\n\nThe workload writes its own elapsed time, so tracer start-up and shutdown are left out. Overhead against untraced in brackets. '
      + '"Untraced spread": (slowest − fastest) / 2 / median of the untraced runs; "others\' load": CPUs that other processes of the machine used during the untraced runs (median).');
    parts.push(table(['workload', 'untraced', 'untraced spread', 'others\' load', ...traced.map(modeLabel)], ok.map((r) => {
      const base = med(r, 'untraced', (s) => s.insideNs);
      const others = med(r, 'untraced', (s) => s.othersCpus);
      const spr = spread((r.cells.get('untraced')?.samples ?? []).filter((s) => !s.failed).map((s) => s.insideNs).filter((x): x is number => x !== null));
      return [r.workload.label, secs(base), spr, others === null ? '–' : `${others.toFixed(2)} CPU`, ...traced.map((m) => timeCell(r, m.name, (s) => s.insideNs, pct))];
    })));
    parts.push('### CPU time of the traced command\n\nuser + sys of the workload\'s own processes (bash `times`), without the tracer\'s processes: in-kernel tracing work done in the traced process shows here, and a busy neighbour disturbs it less than wall time.');
    parts.push(table(['workload', 'untraced', ...traced.map(modeLabel)], ok.map((r) =>
      [r.workload.label, secs(med(r, 'untraced', (s) => s.cpuNs)), ...traced.map((m) => timeCell(r, m.name, (s) => s.cpuNs, pct))])));
    parts.push('### Whole run (from spawning the tracer to its exit)\n\nRatio to untraced in brackets.');
    parts.push(table(['workload', 'untraced', ...traced.map(modeLabel)], ok.map((r) => {
      const base = med(r, 'untraced', (s) => s.wallNs);
      return [r.workload.label, secs(base), ...traced.map((m) => timeCell(r, m.name, (s) => s.wallNs, ratio))];
    })));
    const kmodes = traced.filter((m) => m.kiseki);
    const smodes = traced.filter((m) => !m.kiseki);
    if (traced.length) {
      parts.push('### Events and tracer memory\n\nEvents: lines of the `--out` NDJSON per run. Memory: peak resident set (VmHWM, MiB), polled every 50 ms, of the `kiseki` Node process + its tracer process (`kiseki-ebpf` or `strace`); '
        + 'for eBPF the kernel memory of the BPF maps (fdinfo `memlock`) is listed apart (the ring buffer among them is also mapped into the loader, so its touched pages count in both). Plain strace: the strace process.');
      const head = ['workload'];
      for (const m of kmodes) head.push(`${m.label} events`);
      for (const m of kmodes) head.push(`${m.label} MiB (node + tracer)`);
      if (kmodes.some((m) => m.name === 'ebpf')) head.push('BPF maps MiB');
      for (const m of smodes) head.push(`${m.label} MiB`);
      parts.push(table(head, ok.map((r) => {
        const row = [r.workload.label];
        for (const m of kmodes) {
          const e = med(r, m.name, (s) => s.events);
          row.push(e === null ? '–' : Math.round(e).toLocaleString('en-US'));
        }
        for (const m of kmodes) {
          const n = med(r, m.name, (s) => s.nodeKb);
          const t = med(r, m.name, (s) => s.tracerKb);
          row.push(n === null && t === null ? '–' : `${mib((n ?? 0) + (t ?? 0))} (${mib(n)} + ${mib(t)})`);
        }
        if (kmodes.some((m) => m.name === 'ebpf')) row.push(mib(med(r, 'ebpf', (s) => s.bpfKb)));
        for (const m of smodes) row.push(mib(med(r, m.name, (s) => s.tracerKb)));
        return row;
      })));
    }

    // Against the targets (figures, not a verdict).
    const lines: string[] = [];
    const eStart = startup.find((r) => r.mode.name === 'ebpf');
    if (eStart?.startNs.length) lines.push(`- Start-up with eBPF: ${ms(median(eStart.startNs))} (target ≤ 300 ms).`);
    if (modes.some((m) => m.name === 'ebpf')) {
      for (const kind of ['compute', 'io'] as const) {
        const rs = ok.filter((r) => r.workload.kind === kind);
        if (!rs.length) continue;
        const over = (r: WorkloadResult, f: (s: Sample) => number | null): string => {
          const x = med(r, 'ebpf', f);
          return x === null ? 'failed' : pct(x, med(r, 'untraced', f)).replace(/[()]/g, '').trim();
        };
        const figs = rs.map((r) => `${r.workload.label} ${over(r, (s) => s.insideNs)} wall / ${over(r, (s) => s.cpuNs)} CPU`);
        lines.push(`- eBPF steady-state overhead, ${kind === 'compute' ? 'compute-bound codes (target ≤ 1 %, reference 1–3 %)' : 'build, import and tar (target ≤ 10 %)'}: ${figs.join(', ')}.`);
      }
    }
    const memMax = (m: ModeName) => {
      const xs = ok.flatMap((r) => (r.cells.get(m)?.samples ?? []).map((s) => (s.nodeKb ?? 0) + (s.tracerKb ?? 0)));
      return xs.length ? Math.max(...xs) : null;
    };
    for (const m of kmodes) {
      const x = memMax(m.name);
      if (x) lines.push(`- Peak tracer memory, ${m.label}: ${mib(x)} MiB = ${(x * 1.024 / 1000).toFixed(0)} MB, node + tracer, worst run (target ≤ 100 MB).`);
    }
    if (modes.some((m) => m.name === 'ptrace') && modes.some((m) => m.name === 'strace')) {
      const figs = ok.map((r) => {
        const p = med(r, 'ptrace', (s) => s.insideNs);
        const s = med(r, 'strace', (x) => x.insideNs);
        return p !== null && s !== null ? `${r.workload.label} ${(p / s).toFixed(2)}` : null;
      }).filter(Boolean);
      lines.push(`- kiseki ptrace ÷ plain \`strace -f\`, steady state (target: clearly below 1): ${figs.join(', ')}.`);
    }
    if (lines.length) parts.push(`### Against the targets\n\n${lines.join('\n')}`);
  }

  const wl = results.map((r) => `- **${r.workload.label}** (\`${r.workload.name}\`): ${r.workload.describe(o.quick)}`
    + (r.skipped ? ` — **skipped: ${r.skipped}**` : r.reference ? `; result: ${r.reference}` : ''));
  parts.push(`### Workloads\n\nAll run with \`PATH=${WORK_PATH}\` and \`${PYTHON}\`; inputs are in \`bench/workloads/\` or generated by \`bench/workloads/generate.ts\`. Each is warmed up once untraced; its result is checked after every run against the untraced one.\n\n${wl.join('\n')}`);
  parts.push(`Modes: \`untraced\`; \`kiseki run -q --backend ebpf|ptrace --out FILE${o.store ? '' : ' --no-store'} -- CMD\` (${o.store ? 'storing its events into a fresh embedded database, as kiseki run does by default' : 'capture only: the events go to the NDJSON file and are not stored; `--store` measures storing too'}); \`strace -f -o /dev/null -- CMD\`; `
    + `\`strace -f --seccomp-bpf -e trace=SET -o /dev/null -- CMD\` with SET the syscall set kiseki's ptrace backend passes to strace`
    + (straceSet ? ` (read from its running strace: ${straceSet.set.split(',').length} syscalls; kiseki runs \`${straceOptionsText(straceSet.argv)}\`).` : '.'));

  const problemLines: string[] = [...notes];
  const all = results.flatMap((r) => [...r.cells.values()].flatMap((c) => c.samples));
  const busyStarts = all.filter((x) => x.startedBusy !== null);
  if (busyStarts.length) {
    problemLines.push(`- ${busyStarts.length} of ${all.length} runs started while other processes still used ≥ ${o.quietBelow} CPUs after waiting ${o.quietWaitS} s `
      + `(median ${median(busyStarts.map((x) => x.startedBusy!))!.toFixed(2)} CPUs): the machine was shared.`);
  }
  for (const r of results) {
    for (const [m, cell] of r.cells) {
      for (const [p, n] of cell.problems) {
        problemLines.push(`- ${r.workload.label}, ${modes.find((x) => x.name === m)?.label ?? m}: ${p} (${n} of ${cell.samples.length} runs)`);
      }
    }
  }
  for (const r of startup) for (const p of r.problems.slice(0, 2)) problemLines.push(`- start-up probe, ${r.mode.label}: ${p}`);
  if (problemLines.length) parts.push(`### What went wrong\n\n${problemLines.join('\n')}`);
  return parts.join('\n\n');
}

function writeDocs(section: string): void {
  const heading = '## Capture';
  const body = `${heading}\n\n${section}\n`;
  let text = existsSync(DOCS) ? readFileSync(DOCS, 'utf8') : '# Performance\n\nFigures measured by `npm run bench`. Each section is written by its benchmark with `--write-docs`.\n';
  const start = text.search(/^## Capture\s*$/m);
  if (start >= 0) {
    const rest = text.slice(start + heading.length);
    const next = rest.search(/^## /m);
    const end = next >= 0 ? start + heading.length + next : text.length;
    text = `${text.slice(0, start)}${body}${next >= 0 ? '\n' : ''}${text.slice(end)}`;
  } else {
    text = `${text.trimEnd()}\n\n${body}`;
  }
  mkdirSync(join(ROOT, 'docs'), { recursive: true });
  writeFileSync(DOCS, text);
  log(`wrote ${DOCS}`);
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const started = Date.now();
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  mkdirSync(o.workdir, { recursive: true });
  // kiseki's data (and, with --store, its database) goes under the workdir, never into the user's own.
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: WORK_PATH, KISEKI_DATA_DIR: join(o.workdir, 'kiseki-data') };
  process.env.KISEKI_DATA_DIR = env.KISEKI_DATA_DIR;
  delete env.KISEKI_DB;
  delete process.env.KISEKI_DB;
  storeEvents = o.store;
  if (o.store) rmSync(env.KISEKI_DATA_DIR!, { recursive: true, force: true });
  const notes: string[] = [];

  let names = o.modes;
  for (const b of ['ebpf', 'ptrace'] as const) {
    if (!names.includes(b)) continue;
    const why = backendProblem(b, o.workdir);
    if (why) {
      notes.push(`- kiseki --backend ${b} does not run here (${why}); left out.`);
      log(`kiseki --backend ${b} does not work: ${why}`);
      names = names.filter((n) => n !== b);
    }
  }
  let straceSet: { set: string; argv: string[] } | null = null;
  if (names.includes('seccomp')) {
    straceSet = names.includes('ptrace') ? await discoverStraceSet(o.workdir) : null;
    if (!straceSet) {
      notes.push('- Could not read the syscall set from kiseki\'s strace; `strace -f --seccomp-bpf` used `%process,%file,%desc` instead.');
      straceSet = null;
    } else {
      log(`kiseki's strace traces ${straceSet.set.split(',').length} syscalls`);
    }
  }
  const modes = makeModes(names, straceSet?.set ?? '%process,%file,%desc');

  log(`start-up: ${o.startupRuns} runs per mode`);
  const startup = await measureStartup(modes, o, o.workdir, env);
  for (const r of startup) log(`  ${r.mode.label}: start-up ${ms(median(r.startNs))}, no-op run ${ms(median(r.wallNs))}`);

  const results: WorkloadResult[] = [];
  for (const w of WORKLOADS.filter((x) => !o.only || o.only.includes(x.name))) {
    const r = await benchWorkload(w, modes, o, env);
    if (r.skipped) log(`${w.name}: skipped: ${r.skipped}`);
    results.push(r);
  }
  if (!o.keep) rmSync(join(o.workdir, 'runs'), { recursive: true, force: true });

  const text = report(o, modes, startup, results, straceSet, notes, (Date.now() - started) / 1000);
  process.stdout.write(`\n${text}\n`);
  if (o.writeDocs) writeDocs(text);
}

main().catch((e: unknown) => {
  log(`bench/capture: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});
