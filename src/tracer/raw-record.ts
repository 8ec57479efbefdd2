// RawRecord: what a tracer backend saw, one system call (or scheduler event)
// at a time, after the call returned. Both backends (eBPF and ptrace) produce
// exactly this vocabulary; the agent's normalizer turns it into TraceEvents.
//
// Conventions shared by every record:
// - pid is the thread-group id (what userspace calls the pid); tid the thread.
// - ts is microseconds since the Unix epoch.
// - ret is the syscall's return value; negative values are -errno.
// - strings that name files are surrogate-escaped text (see core/bytes-text),
//   never truncated silently: a backend that had to cut a string sets
//   `truncated: true` on the record.
// - dirfd uses AT_FDCWD = -100 for "relative to the cwd".

export const AT_FDCWD = -100;

interface Base {
  pid: number;
  tid: number;
  ts: number;
}

/** A new process (not a thread: backends drop CLONE_THREAD clones). */
export interface ForkRecord extends Base {
  kind: 'fork';
  child: number;
  /** Process start time in ns since boot when the backend knows it. */
  childStartNs?: number;
  /** true when the child shares the parent's fd table (CLONE_FILES). */
  sharesFiles?: boolean;
}

export interface ExecRecord extends Base {
  kind: 'exec';
  path: string;
  argv: string[];
  /** The whole environment as KEY=VALUE strings; filtered later. */
  env?: string[];
  ret: number;
  uid?: number;
  gid?: number;
  euid?: number;
  egid?: number;
  /** Process start time in ns since boot when the backend knows it. */
  startNs?: number;
  truncated?: boolean;
}

export interface ExitRecord extends Base {
  kind: 'exit';
  /** Exit status as in wait(2): code << 8, or the signal number. */
  status: number;
}

export interface OpenRecord extends Base {
  kind: 'open';
  dirfd: number;
  path: string;
  flags: number;
  mode: number;
  ret: number;
  dev?: number;
  ino?: number;
  truncated?: boolean;
}

export interface CloseRecord extends Base {
  kind: 'close';
  fd: number;
  ret: number;
}

/** close_range(2). */
export interface CloseRangeRecord extends Base {
  kind: 'close_range';
  first: number;
  last: number;
  flags: number;
  ret: number;
}

/**
 * Bytes moved through one fd. The eBPF backend sums in the kernel and sends
 * one record per (process, fd) before close, exec and exit; ptrace may send
 * one per call. The normalizer adds them up either way.
 */
export interface IoRecord extends Base {
  kind: 'io';
  fd: number;
  bytesRead: number;
  bytesWritten: number;
}

/** dup, dup2, dup3, fcntl(F_DUPFD[_CLOEXEC]). newfd is the returned fd. */
export interface DupRecord extends Base {
  kind: 'dup';
  oldfd: number;
  ret: number;
  cloexec: boolean;
}

/** fcntl(F_SETFD): sets or clears close-on-exec. */
export interface SetCloexecRecord extends Base {
  kind: 'set_cloexec';
  fd: number;
  cloexec: boolean;
  ret: number;
}

export interface PipeRecord extends Base {
  kind: 'pipe';
  /** [read end, write end], valid when ret === 0. */
  fds: [number, number];
  flags: number;
  ret: number;
}

export interface ChdirRecord extends Base {
  kind: 'chdir';
  path: string;
  ret: number;
  truncated?: boolean;
}

export interface FchdirRecord extends Base {
  kind: 'fchdir';
  fd: number;
  ret: number;
}

/** An existing name and a new one, each relative to its own dirfd. */
interface PathPair {
  olddirfd: number;
  oldpath: string;
  newdirfd: number;
  newpath: string;
  flags: number;
  ret: number;
  truncated?: boolean;
}

/** rename, renameat, renameat2. */
export interface RenameRecord extends Base, PathPair {
  kind: 'rename';
}

/** link, linkat. */
export interface LinkRecord extends Base, PathPair {
  kind: 'link';
}

/** symlink, symlinkat: target is stored as written, not resolved. */
export interface SymlinkRecord extends Base {
  kind: 'symlink';
  target: string;
  newdirfd: number;
  linkpath: string;
  ret: number;
  truncated?: boolean;
}

/** unlink, unlinkat, rmdir (rmdir sets AT_REMOVEDIR = 0x200 in flags). */
export interface UnlinkRecord extends Base {
  kind: 'unlink';
  dirfd: number;
  path: string;
  flags: number;
  ret: number;
  truncated?: boolean;
}

export interface MkdirRecord extends Base {
  kind: 'mkdir';
  dirfd: number;
  path: string;
  mode: number;
  ret: number;
  truncated?: boolean;
}

/** truncate(2) by path. */
export interface TruncateRecord extends Base {
  kind: 'truncate';
  path: string;
  length: number;
  ret: number;
  truncated?: boolean;
}

export interface FtruncateRecord extends Base {
  kind: 'ftruncate';
  fd: number;
  length: number;
  ret: number;
}

/**
 * copy_file_range, sendfile, splice, tee: ret bytes went from fdIn to fdOut.
 * Informational (it says which fds a copy joined): the bytes themselves must
 * ALSO be reported through io records (read on fdIn, written on fdOut), and
 * the normalizer counts bytes from io records only.
 */
export interface TransferRecord extends Base {
  kind: 'transfer';
  call: 'copy_file_range' | 'sendfile' | 'splice' | 'tee';
  fdIn: number;
  fdOut: number;
  ret: number;
}

/** mmap of a file: only the fd, protection and flags matter for provenance. */
export interface MmapRecord extends Base {
  kind: 'mmap';
  fd: number;
  prot: number;
  flags: number;
  /** The returned address is irrelevant; 0 on success, -errno on failure. */
  ret: number;
}

/**
 * Agent mode (eBPF): the process became traced at this exec because its new
 * environment names a job (SLURM_JOB_ID / PBS_JOBID). The exec record
 * follows; its parent is not traced (a scheduler daemon).
 */
export interface AttachRecord extends Base {
  kind: 'attach';
  scheduler: 'slurm' | 'pbs';
  startNs: number;
  ppid: number;
  /** Its working directory, read by the loader right away (absent if it was gone). */
  cwd?: string;
}

/** The backend lost records (ring buffer overflow, parse failure, ...). */
export interface LostRecord extends Base {
  kind: 'lost';
  count: number;
  reason: string;
}

export type RawRecord =
  | ForkRecord
  | ExecRecord
  | ExitRecord
  | OpenRecord
  | CloseRecord
  | CloseRangeRecord
  | IoRecord
  | DupRecord
  | SetCloexecRecord
  | PipeRecord
  | ChdirRecord
  | FchdirRecord
  | RenameRecord
  | LinkRecord
  | SymlinkRecord
  | UnlinkRecord
  | MkdirRecord
  | TruncateRecord
  | FtruncateRecord
  | TransferRecord
  | MmapRecord
  | AttachRecord
  | LostRecord;

export type RawRecordKind = RawRecord['kind'];

// Flag values from the Linux UAPI (x86_64 and arm64 agree on these).
export const O_ACCMODE = 0o3;
export const O_RDONLY = 0o0;
export const O_WRONLY = 0o1;
export const O_RDWR = 0o2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_DIRECTORY = 0o200000;
export const O_CLOEXEC = 0o2000000;
export const O_PATH = 0o10000000;
export const O_TMPFILE = 0o20000000 | O_DIRECTORY;
export const AT_REMOVEDIR = 0x200;
export const AT_EMPTY_PATH = 0x1000;
export const PROT_WRITE = 0x2;
export const MAP_SHARED = 0x1;
export const MAP_SHARED_VALIDATE = 0x3;
export const CLOSE_RANGE_CLOEXEC = 0x4;
