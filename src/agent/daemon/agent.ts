// `kiseki agent`: the node daemon of cluster mode. It runs the eBPF loader in
// agent mode (every process that execs with SLURM_JOB_ID / PBS_JOBID in its
// environment is traced, with its descendants), normalizes the records with
// per-process job attribution, cuts them into batches, writes the batches to
// a bounded disk spool and ships them to the server (see docs/cluster.md).
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { textToBytes } from '../../core/bytes-text.js';
import { nowUs } from '../../core/clock.js';
import type { KisekiConfig } from '../../core/config.js';
import { decodeTraceEvent, type JobRef, type TraceEvent } from '../../core/trace-event.js';
import { ebpfBackend, loaderPath } from '../../tracer/ebpf/ebpf-backend.js';
import { decodeLine } from '../../tracer/ebpf/ebpf-decoder.js';
import { DeferredLines } from '../../tracer/deferred-lines.js';
import { FileFactsCollector } from '../file-facts.js';
import { EnvFilter, FileRules } from '../file-rules.js';
import { hostIdentity } from '../host-identity.js';
import { Normalizer } from '../normalizer.js';
import { hasOptedIn, isSchedulerHook, jobFromEnv, procCwd, procStat, procStdio, readEnviron, runningJobProcesses } from './job-env.js';
import { Shipper } from './shipper.js';
import { Spool } from './spool.js';

export const PTRACE_CANNOT_TRACE_A_NODE =
  'kiseki agent needs the eBPF backend: ptrace (strace) can only follow the process tree it starts itself, ' +
  'so it cannot trace the jobs that a scheduler starts on a node';

export interface AgentOptions {
  /** The source name of this agent's batches (default `agent:<hostname>`); must stay the same across restarts. */
  id?: string;
  /** Host name put into process keys (default the machine's). */
  host?: string;
  server: string;
  token?: string;
  spoolDir: string;
  spoolMaxBytes: number;
  /** Where the hooks leave opt-in markers (default /run/kiseki). */
  runDir: string;
  /** Trace only jobs whose Prolog left an opt-in marker. */
  optIn: boolean;
  batchEvents: number;
  batchMs: number;
  config: KisekiConfig;
  log(line: string): void;
}

export interface AgentStatus {
  pid: number;
  id: string;
  server: string;
  startedTs: number;
  updatedTs: number;
  backlogBatches: number;
  backlogBytes: number;
  nextSeq: number;
  droppedEvents: number;
  unreportedLost: Record<string, { job: JobRef | null; count: number }>;
  kernelLost: number;
  jobs: Array<{ job: JobRef; processes: number }>;
  shipper: Shipper['status'];
}

const jobKeyOf = (j: JobRef) => `${j.scheduler}:${j.id}`;

export class Agent {
  readonly id: string;
  private readonly spool: Spool;
  private readonly shipper: Shipper;
  private readonly normalizer: Normalizer;
  private loader: ChildProcess | undefined;
  private loaderIn: Writable | undefined;
  private buf: TraceEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private statusTimer: NodeJS.Timeout | undefined;
  private readonly procJob = new Map<string, JobRef>();
  private readonly jobProcs = new Map<string, number>();
  private readonly facts = new Map<string, FileFactsCollector>();
  private kernelLost = 0;
  private readonly startedTs = Date.now();
  private stopping = false;
  private loaderDone: Promise<void> = Promise.resolve();
  readonly inboxDir: string;

  constructor(private readonly opts: AgentOptions) {
    const ident = hostIdentity();
    const host = opts.host ?? ident.host;
    this.id = opts.id ?? `agent:${host}`;
    this.spool = new Spool({ dir: opts.spoolDir, maxBytes: opts.spoolMaxBytes });
    this.inboxDir = join(opts.spoolDir, 'inbox');
    // Only root (the node's Prolog/Epilog, PBS hooks) may leave job records:
    // a record names a job's user and script, so no user may forge one.
    mkdirSync(this.inboxDir, { recursive: true, mode: 0o700 });
    chmodSync(this.inboxDir, 0o700);
    this.shipper = new Shipper(this.spool, { server: opts.server, ...(opts.token ? { token: opts.token } : {}), source: this.id, log: opts.log });
    const capture = opts.config.capture;
    this.normalizer = new Normalizer({
      host, bootId: ident.bootId,
      rules: new FileRules(capture.fileRules),
      env: new EnvFilter([...capture.envAllow, 'SLURM_JOB_ID', 'SLURM_STEP_ID', 'SLURM_PROCID', 'SLURM_NODEID', 'PBS_JOBID']),
      emit: (e) => this.emit(e),
      isDirectory: (path) => {
        try {
          return statSync(textToBytes(path)).isDirectory();
        } catch {
          return false;
        }
      },
      attribution: {
        jobOf: (pid, _scheduler, env) => {
          let e = env;
          let job = jobFromEnv(e);
          if (!job) {
            e = readEnviron(pid); // the block was cut at 16 KiB: the variable is further on
            job = jobFromEnv(e);
          }
          if (!job || isSchedulerHook(e)) return undefined;
          if (opts.optIn && !hasOptedIn(opts.runDir, job)) return undefined;
          return job;
        },
        rootOf: (pid, env) => ({ cwd: procCwd(pid, env), fds: procStdio(pid) }),
        untrace: (pid) => this.command(`untrace ${pid}`),
      },
    });
  }

  /** Checks that this node can be traced; throws with what to do. */
  static async check(backend: string | undefined): Promise<void> {
    if (backend === 'ptrace') throw new Error(PTRACE_CANNOT_TRACE_A_NODE);
    const a = await ebpfBackend.available();
    if (!a.ok) throw new Error(`${PTRACE_CANNOT_TRACE_A_NODE}; eBPF is not available here: ${a.reason}`);
  }

  async start(): Promise<void> {
    this.shipper.start();
    const child = spawn(loaderPath(), ['--agent'], { stdio: ['pipe', 'inherit', 'inherit', 'pipe'] });
    this.loader = child;
    this.loaderIn = child.stdin!;
    this.loaderIn.on('error', () => {});
    const out = child.stdio[3] as Readable;
    let started!: () => void;
    let failed!: (e: Error) => void;
    const ready = new Promise<void>((res, rej) => {
      started = res;
      failed = rej;
    });
    let loaderError: string | undefined;
    const onLine = (line: string) => {
      const d = decodeLine(line, { pid: 0 });
      if (d.type === 'start') return started();
      if (d.type === 'error') {
        loaderError = d.message;
        return;
      }
      if (d.type === 'end') return;
      const r = d.record;
      if (r.kind === 'lost') this.kernelLost += r.count;
      this.normalizer.push(r);
    };
    const lines = new DeferredLines(onLine);
    out.on('data', (c: Buffer) => lines.push(c));
    this.loaderDone = new Promise<void>((resolve) => {
      child.on('close', (code, signal) => {
        lines.finish();
        if (!this.stopping) {
          const why = loaderError ?? `exit status ${code ?? signal}`;
          this.opts.log(`the eBPF loader stopped: ${why}`);
          failed(new Error(`the eBPF loader stopped: ${why}`));
        }
        resolve();
      });
    });
    child.on('error', (e) => failed(e));
    await ready;
    this.adoptRunning();
    this.statusTimer = setInterval(() => {
      this.pollInbox();
      this.pollRegistered();
      if (this.spool.reportLost(nowUs()) !== null) this.shipper.kick();
      this.writeStatus();
    }, 500);
    this.writeStatus();
  }

  /** Jobs already running when the agent starts (a restart): trace them from now, and say events may be missing. */
  private adoptRunning(): void {
    const ts = nowUs();
    const jobs = new Map<string, JobRef>();
    for (const p of runningJobProcesses()) {
      if (p.pid === this.loader?.pid) continue;
      if (this.opts.optIn && !hasOptedIn(this.opts.runDir, p.job)) continue;
      this.command(`trace ${p.pid}`);
      this.normalizer.startRoot({ pid: p.pid, ppid: p.ppid, ts, cwd: procCwd(p.pid, p.env), startNs: p.startNs, fds: procStdio(p.pid), job: p.job });
      jobs.set(jobKeyOf(p.job), p.job);
    }
    for (const job of jobs.values()) {
      this.emit({ type: 'trace.lost', ts, count: 1, reason: 'the agent started while the job was running: its earlier events on this node may be missing', job });
    }
    if (jobs.size) this.opts.log(`adopted ${jobs.size} running job(s): ${[...jobs.keys()].join(', ')}`);
  }

  /**
   * Pids registered by a hook: <runDir>/register/<pid> holding `<scheduler> <id>`
   * (or just a Slurm job id). The file must belong to root or to the
   * process's own user (a user cannot put someone else's process in a job).
   */
  private pollRegistered(): void {
    const dir = join(this.opts.runDir, 'register');
    let names: string[];
    try {
      names = readdirSync(dir).filter((n) => /^\d+$/.test(n));
    } catch {
      return;
    }
    for (const n of names) {
      const file = join(dir, n);
      const pid = Number(n);
      try {
        const words = readFileSync(file, 'utf8').trim().split(/\s+/);
        const job: JobRef = words.length >= 2 ? { scheduler: words[0]!, id: words[1]! } : { scheduler: 'slurm', id: words[0]! };
        const owner = statSync(file).uid;
        const procUid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? -1);
        const st = procStat(pid);
        if (!job.id || !st || (owner !== 0 && owner !== procUid)) {
          this.opts.log(`ignoring registration ${file}: ${!st ? 'no such process' : 'file owner is neither root nor the process owner'}`);
        } else if (!this.normalizer.knows(pid) && (!this.opts.optIn || hasOptedIn(this.opts.runDir, job))) {
          this.command(`trace ${pid}`);
          this.normalizer.startRoot({ pid, ppid: st.ppid, ts: nowUs(), cwd: procCwd(pid), startNs: st.startNs, fds: procStdio(pid), job });
        }
      } catch (err) {
        this.opts.log(`ignoring registration ${file}: ${(err as Error).message}`);
      }
      rmSync(file, { force: true });
    }
  }

  private command(line: string): void {
    this.loaderIn?.write(`${line}\n`);
  }

  private emit(e: TraceEvent): void {
    if (e.type === 'trace.lost' && !e.job && this.jobProcs.size > 0) {
      // The kernel lost records (ring buffer, maps): every job traced now may miss some.
      for (const k of this.jobProcs.keys()) {
        const i = k.indexOf(':');
        this.push({ ...e, job: { scheduler: k.slice(0, i), id: k.slice(i + 1) } });
      }
      return;
    }
    let job: JobRef | undefined;
    if (e.type === 'process.start' && e.job) {
      job = e.job;
      this.procJob.set(e.proc, job);
      const k = jobKeyOf(job);
      this.jobProcs.set(k, (this.jobProcs.get(k) ?? 0) + 1);
      if (!this.facts.has(k)) this.facts.set(k, new FileFactsCollector(this.opts.config.capture.hashMaxBytes));
    } else if ('proc' in e) {
      job = this.procJob.get(e.proc);
    }
    if (job) this.facts.get(jobKeyOf(job))?.observe(e);
    this.push(e);
    if (e.type === 'process.exit' && job) {
      this.procJob.delete(e.proc);
      const k = jobKeyOf(job);
      const n = (this.jobProcs.get(k) ?? 1) - 1;
      if (n > 0) this.jobProcs.set(k, n);
      else this.jobIdle(k);
    }
  }

  /** A job has no traced process left on this node: its files' facts (sha256 of outputs). */
  private jobIdle(k: string): void {
    this.jobProcs.delete(k);
    const facts = this.facts.get(k);
    this.facts.delete(k);
    if (!facts) return;
    void facts.collect(nowUs()).then((list) => {
      for (const f of list) this.push(f);
    }, (err: unknown) => this.opts.log(`file facts of job ${k}: ${(err as Error).message}`));
  }

  private push(e: TraceEvent): void {
    this.buf.push(e);
    if (this.buf.length >= this.opts.batchEvents) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.opts.batchMs);
  }

  /** Buffered events → one spooled batch. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buf.length === 0) return;
    const events = this.buf;
    this.buf = [];
    const jobOf = (e: TraceEvent): JobRef | null =>
      (e.type === 'process.start' && e.job) || ('job' in e && e.type !== 'run.start' && e.job) || ('proc' in e ? this.procJob.get(e.proc) : undefined) || null;
    const seq = this.spool.write(events, jobOf, nowUs());
    if (seq === null) this.opts.log(`spool full (${this.spool.backlogBytes} bytes): dropped ${events.length} events; their jobs will be marked incomplete`);
    else this.shipper.kick();
  }

  /** job.info records the node's hooks left in <spool>/inbox. */
  private pollInbox(): void {
    let names: string[];
    try {
      names = readdirSync(this.inboxDir).filter((n) => n.endsWith('.json')).sort();
    } catch {
      return;
    }
    if (!names.length) return;
    const done: string[] = [];
    for (const n of names) {
      const file = join(this.inboxDir, n);
      try {
        const owner = statSync(file).uid;
        if (owner !== 0 && owner !== process.getuid?.()) throw new Error(`written by uid ${owner}, not by root: not a hook's record`);
        this.push(decodeTraceEvent(readFileSync(file, 'utf8').trim()));
      } catch (err) {
        this.opts.log(`ignoring ${file}: ${(err as Error).message}`);
      }
      done.push(file);
    }
    this.flush(); // on disk in the spool before the inbox files go
    for (const f of done) rmSync(f, { force: true });
  }

  status(): AgentStatus {
    const jobs = [...this.jobProcs.entries()].map(([k, n]) => {
      const i = k.indexOf(':');
      return { job: { scheduler: k.slice(0, i), id: k.slice(i + 1) }, processes: n };
    });
    return {
      pid: process.pid, id: this.id, server: this.opts.server, startedTs: this.startedTs, updatedTs: Date.now(),
      backlogBatches: this.spool.backlogBatches, backlogBytes: this.spool.backlogBytes, nextSeq: this.spool.nextSeq,
      droppedEvents: this.spool.droppedEvents, unreportedLost: this.spool.unreportedLost, kernelLost: this.kernelLost,
      jobs, shipper: { ...this.shipper.status },
    };
  }

  private writeStatus(): void {
    const file = join(this.opts.spoolDir, 'status.json');
    try {
      writeFileSync(`${file}.tmp`, JSON.stringify(this.status(), null, 1));
      renameSync(`${file}.tmp`, file);
    } catch {
      // status is best effort
    }
  }

  /** Stops tracing, spools what is buffered; the spool keeps what the server has not got. */
  async stop(opts: { drainMs?: number } = {}): Promise<void> {
    this.stopping = true;
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.loaderIn?.end();
    this.loader?.kill('SIGTERM');
    await this.loaderDone;
    this.normalizer.finish();
    this.pollInbox();
    this.flush();
    const until = Date.now() + (opts.drainMs ?? 0);
    while (this.spool.backlogBatches > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    await this.shipper.stop();
    this.writeStatus();
  }

  /** Resolves when the loader ends (it should not, unless stopped). */
  get done(): Promise<void> {
    return this.loaderDone;
  }
}

export function readAgentStatus(spoolDir: string): AgentStatus | undefined {
  try {
    return JSON.parse(readFileSync(join(spoolDir, 'status.json'), 'utf8')) as AgentStatus;
  } catch {
    return undefined;
  }
}
