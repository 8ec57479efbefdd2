// The ptrace backend: the command runs under `strace -f --seccomp-bpf`,
// strace writes its trace to a named FIFO in a private temporary folder, and
// the streaming parser (strace-parser.ts) turns each line into RawRecords.
// docs/ptrace-backend.md explains the choices; the short version:
//
// - strace is the parent of the command (no -D), so Yama ptrace_scope=1
//   (tracing descendants only) is enough, and the command inherits the
//   caller's stdin/stdout/stderr, environment and cwd untouched. strace
//   closes its -o file in the command before exec, so the command gets no
//   extra fd.
// - `-I never_tstp`: strace ignores SIGINT, SIGQUIT, SIGTERM, SIGHUP and
//   SIGTSTP, so a Ctrl-C from the terminal reaches the command (which is in
//   the same foreground process group) without killing or detaching strace.
// - After the root exits, descendants are followed for `lingerMs`; then the
//   ones still traced get SIGTERM, and SIGKILL a second later. They cannot be
//   left running: with --seccomp-bpf a detached process keeps a seccomp
//   filter whose traced syscalls then fail with ENOSYS (strace >= 6.x kills
//   them on exit for that reason).

import { spawn, spawnSync } from 'node:child_process';
import { closeSync, constants as fsc, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { Socket } from 'node:net';
import { constants as osConstants, tmpdir } from 'node:os';
import { basename, delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import type { Availability, TraceOutcome, TraceRequest, TracerBackend } from '../backend.js';
import type { RawRecord } from '../raw-record.js';
import { StraceParser } from './strace-parser.js';

/**
 * The syscalls strace stops on (`-e trace=`), and nothing else: with
 * --seccomp-bpf every other syscall runs at full speed. Each name is prefixed
 * with `?` in the command line so that names an architecture lacks (open,
 * creat, ... on arm64; the *64 forms on 64-bit) are skipped, not an error.
 */
export const TRACED_SYSCALLS = [
  // Processes: children (threads are told apart by CLONE_THREAD) and programs.
  // Exits come from strace's own `+++ exited/killed +++` lines, which cover
  // every way a process can end, so exit/exit_group are not traced.
  'fork', 'vfork', 'clone', 'clone3', 'execve', 'execveat',
  // The fd table: what each fd names, and when it stops naming it.
  'open', 'openat', 'openat2', 'creat', 'close', 'close_range',
  'dup', 'dup2', 'dup3', 'fcntl', 'fcntl64', 'pipe', 'pipe2',
  // Bytes moved (the return value is the count).
  'read', 'readv', 'pread64', 'preadv', 'preadv2',
  'write', 'writev', 'pwrite64', 'pwritev', 'pwritev2',
  'copy_file_range', 'sendfile', 'sendfile64', 'splice', 'tee',
  // The cwd, for relative paths.
  'chdir', 'fchdir',
  // The namespace.
  'rename', 'renameat', 'renameat2', 'link', 'linkat', 'symlink', 'symlinkat',
  'unlink', 'unlinkat', 'rmdir', 'mkdir', 'mkdirat',
  'truncate', 'truncate64', 'ftruncate', 'ftruncate64',
  // Writes through a shared writable mapping (only those become records).
  'mmap', 'mmap2',
] as const;

/**
 * Syscalls printed with raw arguments (`-e raw=`): their arguments are fds
 * and numbers, and decoding them would make strace copy data buffers (read,
 * write) or iovecs into the trace for nothing.
 */
export const RAW_SYSCALLS = [
  'close', 'close_range', 'dup', 'dup2', 'dup3', 'fcntl', 'fcntl64',
  'read', 'readv', 'pread64', 'preadv', 'preadv2',
  'write', 'writev', 'pwrite64', 'pwritev', 'pwritev2',
  'copy_file_range', 'sendfile', 'sendfile64', 'splice', 'tee',
  'fchdir', 'ftruncate', 'ftruncate64', 'mmap', 'mmap2',
] as const;

/**
 * Signals strace reports. `+++ killed by SIG +++` is only printed for signals
 * in this set, so it holds every signal that can kill; the four whose default
 * action is to do nothing are left out (SIGCHLD alone is one line per child).
 */
export const SIGNAL_SET = '!SIGCHLD,SIGWINCH,SIGURG,SIGCONT';

/** `-s`: longest argv/env string printed whole (the kernel's MAX_ARG_STRLEN). */
export const STRING_LIMIT = 131072;

/** --seccomp-bpf appeared in strace 5.3. */
export const MIN_STRACE_VERSION: readonly [number, number] = [5, 3];

/** How long survivors get between SIGTERM and SIGKILL once the linger ends. */
const KILL_GRACE_MS = 1000;
const ROOT_POLL_MS = 50;
const FIND_ROOT_POLL_MS = 5;

export interface StraceInfo {
  path: string;
  version: [number, number];
  /** `--strings-in-hex=non-ascii-chars` is known (else octal escapes). */
  hexEscapes: boolean;
  /** `--argv0` is known (strace >= 6.x), so argv[0] can always be kept. */
  argv0Option: boolean;
}

/** Every strace option but the command, as `trace()` passes them. */
export function straceOptions(info: Pick<StraceInfo, 'hexEscapes'>, output: string): string[] {
  return [
    '-f', '--seccomp-bpf',
    '-ttt', // timestamps: seconds.microseconds since the epoch
    '-v', // whole argv and environment arrays for execve
    '-s', String(STRING_LIMIT),
    '-X', 'raw', // flags and constants as numbers
    ...(info.hexEscapes ? ['--strings-in-hex=non-ascii-chars'] : []),
    '-q', // no attach/detach messages; keeps `+++ exited +++` lines
    '-I', 'never_tstp',
    '-e', `signal=${SIGNAL_SET}`,
    '-e', `trace=${TRACED_SYSCALLS.map((s) => `?${s}`).join(',')}`,
    '-e', `raw=${RAW_SYSCALLS.map((s) => `?${s}`).join(',')}`,
    '-o', output,
  ];
}

export interface CommandPlan {
  /** Arguments after the options: `[--argv0 X] -- NAME ARGS...`. */
  args: string[];
  /** PATH strace itself should search, when the plan relies on it. */
  straceSearchPath?: string;
  /** true when the command's argv[0] will be the file, not the one asked. */
  argv0Lost: boolean;
}

/**
 * How to make strace exec `file` with `argv` exactly. strace execs its first
 * command word, found through its own PATH, with that word as argv[0]:
 * - with --argv0 (newer strace) anything goes;
 * - a bare name equal to the file's basename is found by giving strace
 *   PATH=dirname(file) (the command's own PATH is restored with -E);
 * - a name with a slash that resolves to the file from the cwd is passed as is;
 * - otherwise argv[0] becomes the file's path (reported as argv0Lost).
 */
export function planCommand(info: Pick<StraceInfo, 'argv0Option'>, req: Pick<TraceRequest, 'file' | 'argv' | 'cwd'>): CommandPlan {
  const argv0 = req.argv[0] ?? req.file;
  const rest = req.argv.slice(1);
  if (argv0 === req.file) return { args: ['--', req.file, ...rest], argv0Lost: false };
  if (info.argv0Option) return { args: [`--argv0=${argv0}`, '--', req.file, ...rest], argv0Lost: false };
  const dir = dirname(req.file);
  if (argv0 !== '' && !argv0.includes('/') && basename(req.file) === argv0 && isAbsolute(dir) && !dir.includes(delimiter)) {
    return { args: ['--', argv0, ...rest], straceSearchPath: dir, argv0Lost: false };
  }
  if (argv0.includes('/') && resolve(req.cwd, argv0) === resolve(req.cwd, req.file)) {
    return { args: ['--', argv0, ...rest], argv0Lost: false };
  }
  return { args: ['--', req.file, ...rest], argv0Lost: true };
}

// ---------------------------------------------------------------------------
// Finding and checking strace

function findOnPath(name: string): string | null {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const d of [...dirs, '/usr/bin', '/bin', '/usr/local/bin']) {
    const p = join(d, name);
    try {
      if (statSync(p).isFile()) return p;
    } catch {
      // not there
    }
  }
  return null;
}

export function parseStraceVersion(text: string): [number, number] | null {
  const m = /version\s+(\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

let infoCache: Promise<StraceInfo | string> | undefined;

/** strace's path, version and options, or why it cannot be used. */
export function straceInfo(): Promise<StraceInfo | string> {
  infoCache ??= Promise.resolve().then(() => {
    const path = process.env.KISEKI_STRACE || findOnPath('strace');
    if (!path) return 'strace is not installed';
    const v = spawnSync(path, ['-V'], { encoding: 'utf8', timeout: 10_000 });
    const version = parseStraceVersion(`${v.stdout}`);
    if (!version) return `cannot tell the version of ${path}`;
    const [maj, min] = MIN_STRACE_VERSION;
    if (version[0] < maj || (version[0] === maj && version[1] < min)) {
      return `strace ${version.join('.')} is too old (--seccomp-bpf needs ${maj}.${min})`;
    }
    const help = spawnSync(path, ['-h'], { encoding: 'utf8', timeout: 10_000 });
    const text = `${help.stdout}${help.stderr}`;
    return {
      path,
      version,
      hexEscapes: text.includes('non-ascii-chars'),
      argv0Option: text.includes('--argv0'),
    };
  });
  return infoCache;
}

function yamaScope(): number | null {
  try {
    return Number(readFileSync('/proc/sys/kernel/yama/ptrace_scope', 'utf8').trim());
  } catch {
    return null;
  }
}

let availableCache: Promise<Availability> | undefined;

async function available(): Promise<Availability> {
  availableCache ??= (async (): Promise<Availability> => {
    const info = await straceInfo();
    if (typeof info === 'string') return { ok: false, reason: info };
    const scope = yamaScope();
    if (scope === 3) return { ok: false, reason: 'ptrace is disabled (kernel.yama.ptrace_scope = 3)' };
    if (!findOnPath('mkfifo')) return { ok: false, reason: 'mkfifo is not installed' };
    // A real run with the real options tells whether ptrace and seccomp
    // filters are allowed here (containers often forbid one or the other).
    const truePath = findOnPath('true');
    if (truePath) {
      const probe = spawnSync(info.path, [...straceOptions(info, '/dev/null'), '--', truePath], {
        encoding: 'utf8',
        timeout: 15_000,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      if (probe.status !== 0) {
        const why = `${probe.stderr ?? ''}`.split('\n').find((l) => l.trim() !== '') ?? `exit status ${probe.status}`;
        const hint = scope === 2 ? ' (kernel.yama.ptrace_scope = 2 allows ptrace to admins only)' : '';
        return { ok: false, reason: `strace cannot trace here: ${why.trim()}${hint}` };
      }
    }
    return { ok: true, reason: `strace ${info.version.join('.')} with --seccomp-bpf` };
  })();
  return availableCache;
}

// ---------------------------------------------------------------------------
// /proc helpers

function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // After "pid (comm) ": state ppid pgrp ...; comm may hold spaces and ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  const f = statFields(pid);
  return f !== null && f[0] !== 'Z' && f[0] !== 'X';
}

function numericDirs(): number[] {
  try {
    return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number);
  } catch {
    return [];
  }
}

/**
 * strace's child once it has exec'd the command: a live process whose parent
 * is strace, traced by strace, with a command line that is no longer
 * strace's. (strace also forks a helper to test PTRACE_SEIZE that never execs
 * and dies at once: as a zombie its command line reads empty, hence the
 * liveness and non-empty checks.)
 */
export function findTracee(stracePid: number, straceCmdline: Buffer | null): number | null {
  if (!straceCmdline || straceCmdline.length === 0) return null;
  for (const pid of numericDirs()) {
    const f = statFields(pid);
    if (!f || Number(f[1]) !== stracePid || f[0] === 'Z' || f[0] === 'X') continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`);
      if (cmdline.length === 0 || cmdline.equals(straceCmdline)) continue;
      const status = readFileSync(`/proc/${pid}/status`, 'latin1');
      if (Number(/^TracerPid:\s*(\d+)/m.exec(status)?.[1]) !== stracePid) continue;
      if (!isAlive(pid)) continue;
      return pid;
    } catch {
      // gone
    }
  }
  return null;
}

/** Processes (thread-group leaders) whose tracer is `tracerPid`. */
export function tracedBy(tracerPid: number): number[] {
  const out: number[] = [];
  for (const pid of numericDirs()) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'latin1');
      const m = /^TracerPid:\s*(\d+)/m.exec(status);
      if (m && Number(m[1]) === tracerPid) out.push(pid);
    } catch {
      // gone
    }
  }
  return out;
}

function signalNumberOf(name: NodeJS.Signals | null): number | null {
  if (!name) return null;
  return (osConstants.signals as Record<string, number>)[name] ?? null;
}

// ---------------------------------------------------------------------------
// trace()

async function trace(request: TraceRequest): Promise<TraceOutcome> {
  const info = await straceInfo();
  if (typeof info === 'string') throw new Error(`ptrace backend unavailable: ${info}`);

  const dir = mkdtempSync(join(tmpdir(), 'kiseki-strace-'));
  const fifo = join(dir, 'trace.fifo');
  try {
    const mk = spawnSync('mkfifo', ['-m', '600', fifo], { encoding: 'utf8' });
    if (mk.status !== 0) throw new Error(`mkfifo ${fifo}: ${mk.stderr || mk.error?.message || 'failed'}`);
    return await runStrace(info, request, fifo);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function runStrace(info: StraceInfo, request: TraceRequest, fifo: string): Promise<TraceOutcome> {
  return new Promise<TraceOutcome>((resolvePromise, rejectPromise) => {
    // Open our end first, non-blocking, so strace's open for writing does
    // not wait and a FIFO without a writer yet is not taken for EOF.
    const fd = openSync(fifo, fsc.O_RDONLY | fsc.O_NONBLOCK);
    const stream = new Socket({ fd, readable: true, writable: false });

    let rootPid: number | null = null;
    let rootExitStatus: number | null = null;
    let startedCalled = false;
    let callbackError: unknown = null;
    const timers = new Set<NodeJS.Timeout>();
    const later = (ms: number, fn: () => void) => {
      const t = setTimeout(() => {
        timers.delete(t);
        fn();
      }, ms);
      timers.add(t);
    };
    const intervals = new Set<NodeJS.Timeout>();
    const every = (ms: number, fn: () => void) => {
      const t = setInterval(fn, ms);
      intervals.add(t);
      return t;
    };
    const stopInterval = (t: NodeJS.Timeout) => {
      clearInterval(t);
      intervals.delete(t);
    };

    const started = (pid: number) => {
      if (startedCalled) return;
      startedCalled = true;
      rootPid = pid;
      try {
        request.onStarted?.(pid);
      } catch (err) {
        callbackError ??= err;
      }
      watchRoot();
    };

    const parser = new StraceParser({
      onRecord: (record: RawRecord) => {
        if (!startedCalled && parser.rootPid !== null) started(parser.rootPid);
        if (record.kind === 'exit' && record.pid === rootPid) {
          rootExitStatus = record.status;
          rootGone();
        }
        try {
          request.onRecord(record);
        } catch (err) {
          callbackError ??= err;
        }
      },
    });

    // --- strace itself
    const plan = planCommand(info, request);
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(request.env)) if (v !== undefined) env[k] = v;
    const envArgs: string[] = [];
    if (plan.straceSearchPath !== undefined) {
      envArgs.push('-E', request.env.PATH === undefined ? 'PATH' : `PATH=${request.env.PATH}`);
      env.PATH = plan.straceSearchPath;
    }
    const straceArgv = [...straceOptions(info, fifo), ...envArgs, ...plan.args];
    const child = spawn(info.path, straceArgv, { cwd: request.cwd, env, stdio: 'inherit' });
    // strace's /proc/PID/cmdline, as its children show it until they exec.
    const straceCmdline = Buffer.from(`${[info.path, ...straceArgv].join('\0')}\0`);

    let straceExit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    let streamEnded = false;
    let spawnError: Error | null = null;

    // --- the root's pid: strace's child once it has exec'd, or the tid of
    // the first trace line, whichever comes first.
    if (child.pid !== undefined) {
      const stracePid = child.pid;
      const finder = every(FIND_ROOT_POLL_MS, () => {
        if (startedCalled || straceExit) return stopInterval(finder);
        const pid = findTracee(stracePid, straceCmdline);
        if (pid !== null) {
          stopInterval(finder);
          started(pid);
        }
      });
    }

    // --- the linger: once the root is gone, descendants get lingerMs.
    let rootIsGone = false;
    let rootWatch: NodeJS.Timeout | null = null;
    function watchRoot(): void {
      if (rootPid === null || rootWatch) return;
      const pid = rootPid;
      rootWatch = every(ROOT_POLL_MS, () => {
        if (!isAlive(pid)) rootGone();
      });
    }
    function rootGone(): void {
      if (rootIsGone) return;
      rootIsGone = true;
      if (rootWatch) stopInterval(rootWatch);
      if (straceExit) return;
      const linger = Number.isFinite(request.lingerMs) ? Math.max(0, request.lingerMs) : null;
      if (linger !== null) later(linger, endLinger);
    }
    function endLinger(): void {
      if (straceExit || child.pid === undefined) return;
      const stracePid = child.pid;
      const termed = new Map<number, number>();
      const sweep = () => {
        if (straceExit) return;
        const now = Date.now();
        for (const pid of tracedBy(stracePid)) {
          const since = termed.get(pid);
          try {
            if (since === undefined) {
              process.kill(pid, 'SIGTERM');
              termed.set(pid, now);
            } else if (now - since >= KILL_GRACE_MS) {
              process.kill(pid, 'SIGKILL');
            }
          } catch {
            // already gone
          }
        }
      };
      sweep();
      every(250, sweep);
    }

    // --- the trace stream
    stream.on('data', (chunk: Buffer) => parser.write(chunk));
    stream.on('end', () => {
      streamEnded = true;
      finish();
    });
    stream.on('error', (err) => {
      spawnError ??= err;
      streamEnded = true;
      finish();
    });

    child.on('error', (err) => {
      spawnError ??= err;
      straceExit ??= { code: null, signal: null };
      stream.destroy();
      streamEnded = true;
      finish();
    });
    child.on('exit', (code, signal) => {
      straceExit = { code, signal };
      // If strace never opened the FIFO (it failed early), open and close a
      // writer ourselves so the reader sees EOF; harmless otherwise.
      try {
        closeSync(openSync(fifo, fsc.O_WRONLY | fsc.O_NONBLOCK));
      } catch {
        // no reader any more: the stream has ended already
      }
      // A writer we do not know of must not hang us.
      later(5000, () => {
        if (!streamEnded) {
          stream.destroy();
          streamEnded = true;
          finish();
        }
      });
      finish();
    });

    let finished = false;
    function finish(): void {
      if (finished || !straceExit || !streamEnded) return;
      finished = true;
      for (const t of timers) clearTimeout(t);
      for (const t of intervals) clearInterval(t);
      if (!stream.destroyed) stream.destroy();
      try {
        parser.end();
      } catch (err) {
        callbackError ??= err;
      }
      if (spawnError && !startedCalled) {
        rejectPromise(spawnError);
        return;
      }
      if (callbackError) {
        rejectPromise(callbackError);
        return;
      }
      const root = rootPid ?? parser.rootPid ?? 0;
      let exitCode: number | null;
      let signal: number | null;
      if (rootExitStatus !== null) {
        const sig = rootExitStatus & 0x7f;
        exitCode = sig === 0 ? (rootExitStatus >> 8) & 0xff : null;
        signal = sig === 0 ? null : sig;
      } else {
        // No exit line for the root (strace failed, or could not exec it):
        // strace's own status is the best we have.
        exitCode = straceExit.code;
        signal = signalNumberOf(straceExit.signal);
        if (exitCode === null && signal === null) exitCode = 1;
      }
      resolvePromise({ rootPid: root, exitCode, signal, lost: parser.lost });
    }
  });
}

export const ptraceBackend: TracerBackend = {
  name: 'ptrace',
  available,
  trace,
};

/** For tests: forget cached probes (e.g. after changing KISEKI_STRACE). */
export function resetStraceCache(): void {
  infoCache = undefined;
  availableCache = undefined;
}
