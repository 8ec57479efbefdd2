// `kiseki run`: one command traced on this machine, from start to the last
// event on disk. The command runs as a shell would run it; tracing must never
// change what it sees or how it ends.
import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { nowUs } from '../core/clock.js';
import type { KisekiConfig } from '../core/config.js';
import { textToBytes } from '../core/bytes-text.js';
import { TRACE_FORMAT, type TraceEvent } from '../core/trace-event.js';
import type { TracerBackend } from '../tracer/backend.js';
import { FileFactsCollector } from './file-facts.js';
import { EnvFilter, FileRules } from './file-rules.js';
import { hostIdentity, inheritedStdio, processStartNs } from './host-identity.js';
import { Normalizer } from './normalizer.js';

export interface LocalRunRequest {
  file: string;
  argv: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  backend: TracerBackend;
  config: KisekiConfig;
  /** The run's id (a uuid); made here when not given. */
  runId?: string;
  /** Receives every event in order; may buffer. */
  sink(event: TraceEvent): void;
}

export interface LocalRunResult {
  runId: string;
  exitCode: number | null;
  signal: number | null;
  lostEvents: number;
  events: number;
  stillRunning: string[];
}

const FORWARDED = ['SIGTERM', 'SIGHUP', 'SIGUSR1', 'SIGUSR2'] as const;
// The terminal sends these to the whole foreground group: the command gets
// its own copy, so kiseki must not die of them before the command does.
const IGNORED = ['SIGINT', 'SIGQUIT'] as const;

export async function runTraced(req: LocalRunRequest): Promise<LocalRunResult> {
  const runId = req.runId ?? randomUUID();
  const { host, bootId } = hostIdentity();
  const user = userInfo();
  let count = 0;
  const facts = new FileFactsCollector(req.config.capture.hashMaxBytes);
  const emit = (event: TraceEvent) => {
    count += 1;
    facts.observe(event);
    req.sink(event);
  };
  const normalizer = new Normalizer({
    host, bootId,
    rules: new FileRules(req.config.capture.fileRules),
    env: new EnvFilter(req.config.capture.envAllow),
    emit,
    isDirectory: (path) => {
      try {
        return statSync(textToBytes(path)).isDirectory();
      } catch {
        return false;
      }
    },
  });
  emit({
    type: 'run.start', format: TRACE_FORMAT, ts: nowUs(), runId, host, bootId, backend: req.backend.name,
    argv: req.argv, cwd: req.cwd, uid: user.uid, gid: user.gid, user: user.username,
    job: { scheduler: 'local', id: runId },
  });

  let rootPid: number | undefined;
  const forward = (signal: NodeJS.Signals) => {
    if (rootPid !== undefined) {
      try { process.kill(rootPid, signal); } catch { /* already gone */ }
    }
  };
  const noop = () => {};
  // A bug in kiseki must not cost the command its exit status: report it,
  // mark the trace incomplete, and keep waiting for the command.
  let internalErrors = 0;
  const internal = (err: unknown) => {
    internalErrors += 1;
    if (internalErrors > 1) return;
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`kiseki: internal error; this run's trace is incomplete, the command goes on: ${message}\n`);
    try {
      emit({ type: 'trace.lost', ts: nowUs(), count: 1, reason: `kiseki internal error: ${message}` });
    } catch { /* the sink itself failed: the run.end will still say incomplete */ }
  };
  for (const s of FORWARDED) process.on(s, forward);
  for (const s of IGNORED) process.on(s, noop);
  process.on('uncaughtException', internal);
  process.on('unhandledRejection', internal);
  const stdio = inheritedStdio();
  try {
    const outcome = await req.backend.trace({
      file: req.file, argv: req.argv, cwd: req.cwd, env: req.env, lingerMs: req.config.capture.lingerMs,
      onStarted: (pid) => {
        rootPid = pid;
        normalizer.startRoot({
          pid, ppid: process.pid, ts: nowUs(), cwd: req.cwd,
          startNs: processStartNs(pid) ?? String(nowUs() * 1000), fds: stdio,
        });
      },
      onRecord: (record) => {
        try {
          normalizer.push(record);
        } catch (err) {
          internal(err);
        }
      },
    });
    const stillRunning = normalizer.finish();
    const end = nowUs();
    for (const f of await facts.collect(end)) emit(f);
    const lostEvents = Math.max(normalizer.lostEvents, outcome.lost) + internalErrors;
    emit({
      type: 'run.end', ts: end, runId, exitCode: outcome.exitCode, signal: outcome.signal,
      lostEvents, stillRunning, complete: lostEvents === 0 && stillRunning.length === 0,
    });
    return { runId, exitCode: outcome.exitCode, signal: outcome.signal, lostEvents, events: count, stillRunning };
  } finally {
    for (const s of FORWARDED) process.off(s, forward);
    for (const s of IGNORED) process.off(s, noop);
    process.off('uncaughtException', internal);
    process.off('unhandledRejection', internal);
  }
}
