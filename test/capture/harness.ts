// Runs commands under the real `kiseki run` (built CLI, real eBPF or strace)
// and reduces the trace to facts that tests can compare exactly.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { decodeTraceEvent, type EventOf, type TraceEvent } from '../../src/core/trace-event.js';
import { packageRoot } from '../../src/core/package-root.js';

export const CLI = join(packageRoot(), 'dist', 'cli', 'main.js');
export const PROGRAMS = join(packageRoot(), 'test', 'capture', 'programs');
export type Backend = 'ebpf' | 'ptrace';

/** Compiles every test program once per test file; returns the bin folder. */
export function buildPrograms(): string {
  const bin = mkdtempSync(join(tmpdir(), 'kiseki-progs-'));
  for (const src of readdirSync(PROGRAMS).filter((f) => f.endsWith('.c'))) {
    const out = join(bin, basename(src, '.c'));
    const r = spawnSync('gcc', ['-O0', '-pthread', '-o', out, join(PROGRAMS, src)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`gcc ${src}: ${r.stderr}`);
  }
  return bin;
}

export function workdir(): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'kiseki-case-')));
  mkdirSync(join(dir, '.trace'));
  return dir;
}

export interface Traced {
  result: SpawnSyncReturns<string>;
  events: TraceEvent[];
}

export function trace(backend: Backend, dir: string, argv: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; linger?: number } = {}): Traced {
  const out = join(dir, '.trace', `${backend}-${Date.now()}-${Math.random().toString(36).slice(2)}.ndjson`);
  const args = [CLI, 'run', '-q', '--no-store', '--backend', backend, '--out', out];
  if (opts.linger !== undefined) args.push('--linger', String(opts.linger));
  const result = spawnSync(process.execPath, [...args, '--', ...argv], {
    cwd: dir, encoding: 'utf8', input: opts.input ?? '', env: { ...process.env, ...opts.env }, timeout: 120_000,
  });
  let events: TraceEvent[] = [];
  try {
    events = readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l, i) => decodeTraceEvent(l, i + 1));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return { result, events };
}

/** The program (executable basename) that ran each (process, execSeq). */
function programs(events: TraceEvent[]): (proc: string, execSeq: number) => string {
  const exe = new Map<string, string>();
  const parentOf = new Map<string, [string | null, number | null]>();
  for (const e of events) {
    if (e.type === 'process.exec') exe.set(`${e.proc}#${e.execSeq}`, basename(e.exe));
    if (e.type === 'process.start') parentOf.set(e.proc, [e.parent, e.parentExecSeq]);
  }
  const lookup = (proc: string, seq: number): string => {
    const hit = exe.get(`${proc}#${seq}`);
    if (hit) return hit;
    if (seq === 0) {
      const [parent, pseq] = parentOf.get(proc) ?? [null, null];
      if (parent !== null && pseq !== null) return lookup(parent, pseq);
      return '(kiseki)';
    }
    return '?';
  };
  return lookup;
}

export interface FactOptions {
  /** Paths under this folder are shown relative to it ("./x"). */
  root: string;
  /** Replace parts of paths that differ between runs (e.g. sed's temp name). */
  rename?: Array<[RegExp, string]>;
  /** Include software-class files (libraries, executables); off by default. */
  software?: boolean;
}

function show(path: string, o: FactOptions): string {
  let p = path.startsWith('pipe:[') ? 'pipe' : path.startsWith(`${o.root}/`) ? `./${path.slice(o.root.length + 1)}` : path;
  for (const [re, to] of o.rename ?? []) p = p.replace(re, to);
  return p;
}

/** "program path r|w|rw" for every (program run, file) pair, sorted, unique. */
export function accessFacts(events: TraceEvent[], o: FactOptions): string[] {
  const prog = programs(events);
  const modes = new Map<string, { r: boolean; w: boolean }>();
  for (const e of events) {
    if (e.type !== 'file.access' || (e.fileClass === 'software' && !o.software)) continue;
    const key = `${prog(e.proc, e.execSeq)} ${show(e.path, o)}`;
    const m = modes.get(key) ?? { r: false, w: false };
    m.r ||= e.read;
    m.w ||= e.write;
    modes.set(key, m);
  }
  return [...modes].map(([k, m]) => `${k} ${m.r ? 'r' : ''}${m.w ? 'w' : ''}`).sort();
}

/** Namespace operations: rename, link, symlink, unlink, truncate, mkdir. */
export function fileOps(events: TraceEvent[], o: FactOptions): string[] {
  const out: string[] = [];
  for (const e of events) {
    if (e.type === 'file.rename') out.push(`rename ${show(e.from, o)} ${show(e.to, o)}`);
    else if (e.type === 'file.link') out.push(`${e.symbolic ? 'symlink' : 'link'} ${e.symbolic ? e.target : show(e.target, o)} ${show(e.path, o)}`);
    else if (e.type === 'file.unlink') out.push(`${e.directory ? 'rmdir' : 'unlink'} ${show(e.path, o)}`);
    else if (e.type === 'file.truncate') out.push(`truncate ${show(e.path, o)} ${e.length}`);
    else if (e.type === 'file.mkdir') out.push(`mkdir ${show(e.path, o)}`);
  }
  return out.sort();
}

export function ofType<T extends TraceEvent['type']>(events: TraceEvent[], type: T): EventOf<T>[] {
  return events.filter((e): e is EventOf<T> => e.type === type);
}
