// TraceEvent: the normalized, documented event stream (docs/event-format.md).
// This file is the one place where events are declared and decoded.
import { z } from 'zod';

export const TRACE_FORMAT = 'kiseki.trace/1';

/** Microseconds since the Unix epoch. */
const Ts = z.number().int().nonnegative();
/** A process instance: `host:bootId:pid:startNs`, never a bare pid. */
const ProcRef = z.string().min(1);
const Path = z.string().min(1);

export const FileClass = z.enum(['data', 'software', 'pipe']);
export type FileClass = z.infer<typeof FileClass>;

const ProgramRun = {
  proc: ProcRef,
  /** Which exec of the process did it: 0 before the first traced exec. */
  execSeq: z.number().int().nonnegative(),
};

/** A scheduler's job: `{scheduler: 'slurm', id: '42'}`; a local run is scheduler `local`. */
export const JobRef = z.object({ scheduler: z.string().min(1), id: z.string().min(1) }).strict();
export type JobRef = z.infer<typeof JobRef>;

export const RunStart = z.object({
  type: z.literal('run.start'),
  format: z.literal(TRACE_FORMAT),
  ts: Ts,
  runId: z.string().uuid(),
  host: z.string(),
  bootId: z.string(),
  backend: z.enum(['ebpf', 'ptrace']),
  argv: z.array(z.string()).min(1),
  cwd: Path,
  uid: z.number().int(),
  gid: z.number().int(),
  user: z.string(),
  job: z.object({ scheduler: z.string(), id: z.string() }).strict(),
}).strict();

export const ProcessStart = z.object({
  type: z.literal('process.start'),
  ts: Ts,
  proc: ProcRef,
  parent: ProcRef.nullable(),
  /** The parent's exec at fork time, so fork-only children link to a run. */
  parentExecSeq: z.number().int().nonnegative().nullable(),
  host: z.string(),
  bootId: z.string(),
  pid: z.number().int().positive(),
  ppid: z.number().int().nonnegative(),
  startNs: z.string(),
  cwd: Path,
  /**
   * Cluster mode: the job this process belongs to (from SLURM_JOB_ID /
   * PBS_JOBID at exec, inherited at fork, or a registered pid). Absent: the
   * job of the source's run.start.
   */
  job: JobRef.optional(),
}).strict();

export const ProcessExec = z.object({
  type: z.literal('process.exec'),
  ts: Ts,
  ...ProgramRun,
  exe: Path,
  argv: z.array(z.string()),
  cwd: Path,
  env: z.record(z.string(), z.string()),
  uid: z.number().int().optional(),
  gid: z.number().int().optional(),
  euid: z.number().int().optional(),
  egid: z.number().int().optional(),
  truncated: z.boolean().optional(),
}).strict();

export const ProcessExecFailed = z.object({
  type: z.literal('process.exec_failed'),
  ts: Ts,
  ...ProgramRun,
  path: Path,
  argv: z.array(z.string()),
  errno: z.number().int().positive(),
}).strict();

export const ProcessExit = z.object({
  type: z.literal('process.exit'),
  ts: Ts,
  proc: ProcRef,
  exitCode: z.number().int().nullable(),
  signal: z.number().int().nullable(),
}).strict();

export const FileAccess = z.object({
  type: z.literal('file.access'),
  ts: Ts,
  tsEnd: Ts,
  ...ProgramRun,
  path: Path,
  fileClass: FileClass,
  read: z.boolean(),
  write: z.boolean(),
  create: z.boolean(),
  truncate: z.boolean(),
  append: z.boolean(),
  bytesRead: z.number().int().nonnegative(),
  bytesWritten: z.number().int().nonnegative(),
  mmapWrite: z.boolean(),
  dev: z.number().int().optional(),
  ino: z.number().int().optional(),
}).strict();

export const FileRename = z.object({
  type: z.literal('file.rename'),
  ts: Ts,
  ...ProgramRun,
  from: Path,
  to: Path,
}).strict();

export const FileLink = z.object({
  type: z.literal('file.link'),
  ts: Ts,
  ...ProgramRun,
  /** The existing file (hard link) or the link's target text (symlink). */
  target: z.string(),
  path: Path,
  symbolic: z.boolean(),
}).strict();

export const FileUnlink = z.object({
  type: z.literal('file.unlink'),
  ts: Ts,
  ...ProgramRun,
  path: Path,
  directory: z.boolean(),
}).strict();

export const FileTruncate = z.object({
  type: z.literal('file.truncate'),
  ts: Ts,
  ...ProgramRun,
  path: Path,
  length: z.number().int().nonnegative(),
}).strict();

export const FileMkdir = z.object({
  type: z.literal('file.mkdir'),
  ts: Ts,
  ...ProgramRun,
  path: Path,
}).strict();

/** What the file was after the run: identity and content of a version. */
export const FileFacts = z.object({
  type: z.literal('file.facts'),
  ts: Ts,
  path: Path,
  exists: z.boolean(),
  dev: z.number().int().optional(),
  ino: z.number().int().optional(),
  size: z.number().int().nonnegative().optional(),
  mtime: Ts.optional(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  /** Why there is no hash: too large, unreadable, not written, ... */
  hashSkipped: z.string().optional(),
}).strict();

export const TraceLost = z.object({
  type: z.literal('trace.lost'),
  ts: Ts,
  count: z.number().int().positive(),
  reason: z.string(),
  /** Cluster mode: the job whose events were lost (absent: the source's job). */
  job: JobRef.optional(),
}).strict();

/**
 * A scheduler's record of a job (Slurm Prolog/Epilog hooks, PBS hooks):
 * sent at start and at end; later non-null values win.
 */
export const JobInfo = z.object({
  type: z.literal('job.info'),
  ts: Ts,
  job: JobRef,
  cluster: z.string().optional(),
  name: z.string().optional(),
  user: z.string().optional(),
  uid: z.number().int().optional(),
  gid: z.number().int().optional(),
  account: z.string().optional(),
  partition: z.string().optional(),
  qos: z.string().optional(),
  nodes: z.array(z.string()).optional(),
  /** Path of the submitted script (Slurm's Command). */
  scriptPath: z.string().optional(),
  /** The job script's text, as the scheduler kept it. */
  script: z.string().optional(),
  scriptSha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  submitArgs: z.array(z.string()).optional(),
  submitDir: z.string().optional(),
  submitTs: Ts.optional(),
  startTs: Ts.optional(),
  endTs: Ts.optional(),
  exitCode: z.number().int().nullable().optional(),
  signal: z.number().int().nullable().optional(),
  state: z.string().optional(),
  comment: z.string().optional(),
}).strict();

export const RunEnd = z.object({
  type: z.literal('run.end'),
  ts: Ts,
  runId: z.string().uuid(),
  exitCode: z.number().int().nullable(),
  signal: z.number().int().nullable(),
  lostEvents: z.number().int().nonnegative(),
  /** Processes still alive when tracing stopped (daemons past the linger). */
  stillRunning: z.array(ProcRef),
  complete: z.boolean(),
}).strict();

export const TraceEvent = z.discriminatedUnion('type', [
  RunStart,
  ProcessStart,
  ProcessExec,
  ProcessExecFailed,
  ProcessExit,
  FileAccess,
  FileRename,
  FileLink,
  FileUnlink,
  FileTruncate,
  FileMkdir,
  FileFacts,
  TraceLost,
  RunEnd,
  JobInfo,
]);

export type TraceEvent = z.infer<typeof TraceEvent>;
export type TraceEventType = TraceEvent['type'];
export type EventOf<T extends TraceEventType> = Extract<TraceEvent, { type: T }>;

export class TraceEventError extends Error {
  readonly code = 'E_TRACE_EVENT';
  constructor(message: string, readonly line?: number) {
    super(message);
  }
}

/** Decode one NDJSON line; throws TraceEventError naming what is wrong. */
export function decodeTraceEvent(line: string, lineNo?: number): TraceEvent {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (err) {
    throw new TraceEventError(`not JSON: ${(err as Error).message}`, lineNo);
  }
  return decodeTraceEventValue(json, lineNo);
}

/**
 * Decode an already parsed JSON value (a batch body parsed whole): the same
 * check as decodeTraceEvent without printing and re-parsing each event.
 */
export function decodeTraceEventValue(json: unknown, lineNo?: number): TraceEvent {
  const parsed = TraceEvent.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new TraceEventError(`${issue.path.join('.') || '(event)'}: ${issue.message}`, lineNo);
  }
  return parsed.data;
}

export function encodeTraceEvent(event: TraceEvent): string {
  return JSON.stringify(event);
}
