// The one normalizer shared by both backends: RawRecord → TraceEvent.
// It keeps what the kernel keeps per process (fd table, cwd, current program)
// so that every file event names an absolute path and the program run that
// did it, whichever backend saw the system call.
import { nowUs } from '../core/clock.js';
import type { FileRuleAction } from '../core/defaults.js';
import type { EventOf, JobRef, TraceEvent } from '../core/trace-event.js';
import {
  AT_FDCWD, AT_REMOVEDIR, CLOSE_RANGE_CLOEXEC, MAP_SHARED, O_ACCMODE, O_APPEND, O_CLOEXEC, O_CREAT,
  O_DIRECTORY, O_PATH, O_RDONLY, O_TRUNC, O_WRONLY, PROT_WRITE, type RawRecord,
} from '../tracer/raw-record.js';
import { FdTable, type OpenDesc } from './fd-table.js';
import type { EnvFilter, FileRules } from './file-rules.js';
import { resolveAgainst } from './path-resolution.js';

interface Access {
  desc: OpenDesc;
  execSeq: number;
  openedHere: boolean;
  bytesRead: number;
  bytesWritten: number;
  mmapWrite: boolean;
  truncated: boolean;
  ts: number;
  tsEnd: number;
}

interface Proc {
  ref: string;
  pid: number;
  cwd: string;
  fds: FdTable;
  execSeq: number;
  accesses: Map<OpenDesc, Access>;
  pipes: number;
  /** Cluster mode: the job this process belongs to. */
  job?: JobRef;
  /** Agent mode: attached at exec, process.start waits for that exec's environment. */
  attach?: { ppid: number; ts: number; startNs: string; scheduler: 'slurm' | 'pbs'; cwd?: string };
}

/** Agent mode: how a process that execs with a job variable joins its job. */
export interface JobAttribution {
  /**
   * The job of a process attached at exec, from its environment (which may
   * be cut at 16 KiB: read /proc/PID/environ then), or undefined to leave
   * the process untraced.
   */
  jobOf(pid: number, scheduler: 'slurm' | 'pbs', env: readonly string[] | undefined): JobRef | undefined;
  /** Where the attached process starts: cwd and the fds it inherited. */
  rootOf(pid: number, env: readonly string[] | undefined): { cwd: string; fds: InheritedFd[] };
  /** A process left out (no job, job not opted in, excluded): stop tracing it. */
  untrace(pid: number): void;
}

type Desc = OpenDesc & { cls: FileRuleAction | 'pipe' };

export interface InheritedFd {
  fd: number;
  /** What /proc/PID/fd/N links to: a path, `pipe:[ino]`, `/dev/pts/0`, ... */
  target: string;
  flags: number;
}

export interface NormalizerOptions {
  host: string;
  bootId: string;
  rules: FileRules;
  env: EnvFilter;
  emit(event: TraceEvent): void;
  /** Is this path a directory? Used only for opens that moved no bytes. */
  isDirectory(path: string): boolean;
  /** Agent mode: processes join jobs at exec (attach records). */
  attribution?: JobAttribution;
}

/** Records of a pid whose fork we have not seen yet are held, up to this many. */
const MAX_PENDING = 100_000;

export class Normalizer {
  private readonly procs = new Map<number, Proc>();
  private readonly pending = new Map<number, RawRecord[]>();
  private pendingCount = 0;
  private lost = 0;
  private rootPid: number | undefined;
  /** Agent mode: pids left out (and their children) until they exit. */
  private readonly ignored = new Set<number>();

  constructor(private readonly opts: NormalizerOptions) {}

  get lostEvents(): number {
    return this.lost;
  }

  procRef(pid: number, startNs: string): string {
    return `${this.opts.host}:${this.opts.bootId}:${pid}:${startNs}`;
  }

  startRoot(root: { pid: number; ppid: number; ts: number; cwd: string; startNs: string; fds: InheritedFd[]; job?: JobRef }): string {
    const proc = this.newProc(root.pid, root.startNs, root.cwd, new FdTable());
    if (root.job) proc.job = root.job;
    for (const f of root.fds) {
      const desc = this.inheritedDesc(f, root.ts);
      if (desc) proc.fds.set(f.fd, desc, false);
    }
    this.rootPid = root.pid;
    this.emitStart(proc, null, null, root.ppid, root.ts, root.startNs);
    this.replay(root.pid);
    return proc.ref;
  }

  push(r: RawRecord): void {
    if (r.kind === 'lost') {
      this.lost += r.count;
      this.opts.emit({ type: 'trace.lost', ts: r.ts, count: r.count, reason: r.reason });
      return;
    }
    if (r.kind === 'attach') {
      if (this.procs.has(r.pid) || !this.opts.attribution) return; // registered before: already a root
      this.ignored.delete(r.pid);
      const proc = this.newProc(r.pid, String(r.startNs), '/', new FdTable());
      proc.attach = { ppid: r.ppid, ts: r.ts, startNs: String(r.startNs), scheduler: r.scheduler, ...(r.cwd !== undefined ? { cwd: r.cwd } : {}) };
      return;
    }
    const proc = this.procs.get(r.pid);
    if (!proc) {
      if (this.ignored.size > 0 && this.ignored.has(r.pid)) {
        if (r.kind === 'fork') this.ignore(r.child);
        else if (r.kind === 'exit') this.ignored.delete(r.pid);
        return;
      }
      this.hold(r);
      return;
    }
    this.apply(proc, r);
  }

  /** Is this pid traced now? */
  knows(pid: number): boolean {
    return this.procs.has(pid);
  }

  /** Agent mode: the jobs of the processes now traced, with how many each has. */
  liveJobs(): Map<string, { job: JobRef; procs: number }> {
    const out = new Map<string, { job: JobRef; procs: number }>();
    for (const p of this.procs.values()) {
      if (!p.job) continue;
      const k = `${p.job.scheduler}:${p.job.id}`;
      const e = out.get(k) ?? { job: p.job, procs: 0 };
      e.procs += 1;
      out.set(k, e);
    }
    return out;
  }

  private ignore(pid: number): void {
    this.ignored.add(pid);
    this.pending.delete(pid);
    this.opts.attribution?.untrace(pid);
  }

  /** Ends the trace: flushes open accesses; returns processes still alive. */
  finish(): string[] {
    for (const proc of this.procs.values()) this.flushAll(proc);
    if (this.pendingCount > 0) {
      this.lost += this.pendingCount;
      this.opts.emit({
        type: 'trace.lost', ts: nowUs(), count: this.pendingCount,
        reason: 'records of processes whose start was not seen',
      });
      this.pending.clear();
      this.pendingCount = 0;
    }
    return [...this.procs.values()].map((p) => p.ref);
  }

  private hold(r: RawRecord): void {
    if (this.pendingCount >= MAX_PENDING) {
      this.lost += 1;
      return;
    }
    const list = this.pending.get(r.pid) ?? [];
    list.push(r);
    this.pending.set(r.pid, list);
    this.pendingCount += 1;
  }

  private replay(pid: number): void {
    const held = this.pending.get(pid);
    if (!held) return;
    this.pending.delete(pid);
    this.pendingCount -= held.length;
    for (const r of held) this.push(r);
  }

  private newProc(pid: number, startNs: string, cwd: string, fds: FdTable): Proc {
    const proc: Proc = { ref: this.procRef(pid, startNs), pid, cwd, fds, execSeq: 0, accesses: new Map(), pipes: 0 };
    this.procs.set(pid, proc);
    return proc;
  }

  private emitStart(proc: Proc, parent: Proc | null, parentExecSeq: number | null, ppid: number, ts: number, startNs: string): void {
    this.opts.emit({
      type: 'process.start', ts, proc: proc.ref, parent: parent?.ref ?? null, parentExecSeq,
      host: this.opts.host, bootId: this.opts.bootId, pid: proc.pid, ppid, startNs, cwd: proc.cwd,
      ...(proc.job ? { job: proc.job } : {}),
    });
  }

  private apply(proc: Proc, r: Exclude<RawRecord, { kind: 'lost' }>): void {
    switch (r.kind) {
      case 'fork': {
        const old = this.procs.get(r.child);
        if (old) this.flushAll(old);
        // What the parent did before the fork happened before anything the
        // child does; strace may deliver the parent's later records (its
        // close of a redirection, say) after the whole child, so settle the
        // parent's accesses now, while the order is still known.
        this.flushAll(proc);
        const startNs = String(r.childStartNs ?? r.ts * 1000);
        const child = this.newProc(r.child, startNs, proc.cwd, r.sharesFiles ? proc.fds : proc.fds.clone());
        if (proc.job) child.job = proc.job;
        this.emitStart(child, proc, proc.execSeq, proc.pid, r.ts, startNs);
        this.replay(r.child);
        return;
      }
      case 'exec': return this.exec(proc, r);
      case 'attach': return;
      case 'exit': {
        this.flushAll(proc);
        const signal = r.status & 0x7f;
        this.opts.emit({
          type: 'process.exit', ts: r.ts, proc: proc.ref,
          exitCode: signal ? null : (r.status >> 8) & 0xff, signal: signal || null,
        });
        this.procs.delete(proc.pid);
        return;
      }
      case 'open': {
        if (r.ret < 0) return;
        const path = this.resolveAt(proc, r.dirfd, r.path);
        if (path === undefined) return;
        const isDir = (r.flags & O_DIRECTORY) !== 0 || (r.flags & O_PATH) !== 0;
        const desc: Desc = {
          kind: isDir ? 'dir' : 'file', path, flags: r.flags, openedTs: r.ts,
          cls: this.opts.rules.classify(path), ...(r.dev !== undefined ? { dev: r.dev } : {}),
          ...(r.ino !== undefined ? { ino: r.ino } : {}),
        };
        this.closeFd(proc, r.ret, r.ts);
        proc.fds.set(r.ret, desc, (r.flags & O_CLOEXEC) !== 0);
        if (!isDir) {
          const acc = this.access(proc, desc, r.ts);
          acc.openedHere = true;
          acc.truncated ||= (r.flags & O_TRUNC) !== 0;
        }
        return;
      }
      case 'close':
        if (r.ret === 0 || r.ret === -4 /* EINTR still closes */) this.closeFd(proc, r.fd, r.ts);
        return;
      case 'close_range': {
        if (r.ret < 0) return;
        for (const fd of proc.fds.fdsInRange(r.first, r.last)) {
          if (r.flags & CLOSE_RANGE_CLOEXEC) proc.fds.setCloexec(fd, true);
          else this.closeFd(proc, fd, r.ts);
        }
        return;
      }
      case 'io': {
        const desc = proc.fds.get(r.fd);
        if (!desc) return;
        const acc = this.access(proc, desc, r.ts);
        acc.bytesRead += r.bytesRead;
        acc.bytesWritten += r.bytesWritten;
        return;
      }
      case 'dup': {
        if (r.ret < 0 || r.ret === r.oldfd) return;
        const desc = proc.fds.get(r.oldfd);
        this.closeFd(proc, r.ret, r.ts);
        if (desc) proc.fds.set(r.ret, desc, r.cloexec);
        return;
      }
      case 'set_cloexec':
        if (r.ret >= 0) proc.fds.setCloexec(r.fd, r.cloexec);
        return;
      case 'pipe': {
        if (r.ret < 0) return;
        proc.pipes += 1;
        const path = `pipe:[${proc.ref}:${proc.pipes}]`;
        const end = (write: boolean): Desc => ({ kind: 'pipe', path, flags: 0, pipeWriteEnd: write, openedTs: r.ts, cls: 'pipe' });
        this.closeFd(proc, r.fds[0], r.ts);
        this.closeFd(proc, r.fds[1], r.ts);
        proc.fds.set(r.fds[0], end(false), (r.flags & O_CLOEXEC) !== 0);
        proc.fds.set(r.fds[1], end(true), (r.flags & O_CLOEXEC) !== 0);
        return;
      }
      case 'chdir':
        if (r.ret === 0) proc.cwd = resolveAgainst(proc.cwd, r.path);
        return;
      case 'fchdir': {
        const desc = proc.fds.get(r.fd);
        if (r.ret === 0 && desc && desc.path.startsWith('/')) proc.cwd = desc.path;
        return;
      }
      case 'rename': {
        if (r.ret < 0) return;
        const from = this.resolveAt(proc, r.olddirfd, r.oldpath);
        const to = this.resolveAt(proc, r.newdirfd, r.newpath);
        if (from === undefined || to === undefined) return;
        this.flushPath(from);
        this.flushPath(to);
        if (this.kept(from) || this.kept(to)) {
          this.opts.emit({ type: 'file.rename', ts: r.ts, proc: proc.ref, execSeq: proc.execSeq, from, to });
        }
        this.renameOpenDescs(from, to);
        return;
      }
      case 'link': {
        if (r.ret < 0) return;
        const target = this.resolveAt(proc, r.olddirfd, r.oldpath);
        const path = this.resolveAt(proc, r.newdirfd, r.newpath);
        if (target === undefined || path === undefined || !this.kept(path)) return;
        this.flushPath(target);
        this.opts.emit({ type: 'file.link', ts: r.ts, proc: proc.ref, execSeq: proc.execSeq, target, path, symbolic: false });
        return;
      }
      case 'symlink': {
        if (r.ret < 0) return;
        const path = this.resolveAt(proc, r.newdirfd, r.linkpath);
        if (path === undefined || !this.kept(path)) return;
        this.opts.emit({ type: 'file.link', ts: r.ts, proc: proc.ref, execSeq: proc.execSeq, target: r.target, path, symbolic: true });
        return;
      }
      case 'unlink': {
        if (r.ret < 0) return;
        const path = this.resolveAt(proc, r.dirfd, r.path);
        if (path === undefined || !this.kept(path)) return;
        this.flushPath(path);
        this.opts.emit({
          type: 'file.unlink', ts: r.ts, proc: proc.ref, execSeq: proc.execSeq, path,
          directory: (r.flags & AT_REMOVEDIR) !== 0,
        });
        return;
      }
      case 'mkdir': {
        if (r.ret < 0) return;
        const path = this.resolveAt(proc, r.dirfd, r.path);
        if (path === undefined || !this.kept(path)) return;
        this.opts.emit({ type: 'file.mkdir', ts: r.ts, proc: proc.ref, execSeq: proc.execSeq, path });
        return;
      }
      case 'truncate': {
        if (r.ret < 0) return;
        const path = resolveAgainst(proc.cwd, r.path);
        if (!this.kept(path)) return;
        this.flushPath(path);
        this.opts.emit({ type: 'file.truncate', ts: r.ts, proc: proc.ref, execSeq: proc.execSeq, path, length: r.length });
        return;
      }
      case 'ftruncate': {
        const desc = proc.fds.get(r.fd);
        if (r.ret < 0 || !desc || desc.kind !== 'file') return;
        const acc = this.access(proc, desc, r.ts);
        acc.truncated = true;
        if (this.kept(desc.path)) {
          this.opts.emit({ type: 'file.truncate', ts: r.ts, proc: proc.ref, execSeq: proc.execSeq, path: desc.path, length: r.length });
        }
        return;
      }
      case 'transfer':
        // Bytes arrive as io records; the transfer itself adds nothing yet.
        return;
      case 'mmap': {
        const desc = proc.fds.get(r.fd);
        if (r.ret < 0 || !desc) return;
        if ((r.prot & PROT_WRITE) && (r.flags & MAP_SHARED)) this.access(proc, desc, r.ts).mmapWrite = true;
        return;
      }
    }
  }

  private exec(proc: Proc, r: Extract<RawRecord, { kind: 'exec' }>): void {
    if (proc.attach && r.ret >= 0) {
      const a = proc.attach;
      proc.attach = undefined;
      const attr = this.opts.attribution!;
      const job = attr.jobOf(proc.pid, a.scheduler, r.env);
      if (!job) {
        this.procs.delete(proc.pid);
        this.ignore(proc.pid);
        return;
      }
      proc.job = job;
      const root = attr.rootOf(proc.pid, r.env);
      proc.cwd = a.cwd ?? root.cwd;
      for (const f of root.fds) {
        const desc = this.inheritedDesc(f, a.ts);
        if (desc) proc.fds.set(f.fd, desc, false);
      }
      this.emitStart(proc, null, null, a.ppid, a.ts, a.startNs);
    }
    const path = resolveAgainst(proc.cwd, r.path);
    if (r.ret < 0) {
      this.opts.emit({
        type: 'process.exec_failed', ts: r.ts, proc: proc.ref, execSeq: proc.execSeq,
        path, argv: r.argv, errno: -r.ret,
      });
      return;
    }
    this.flushAll(proc);
    proc.fds.closeOnExec();
    proc.execSeq += 1;
    const ids = { uid: r.uid, gid: r.gid, euid: r.euid, egid: r.egid };
    const event: EventOf<'process.exec'> = {
      type: 'process.exec', ts: r.ts, proc: proc.ref, execSeq: proc.execSeq, exe: path,
      argv: r.argv, cwd: proc.cwd, env: this.opts.env.pick(r.env ?? []),
    };
    for (const [k, v] of Object.entries(ids)) if (v !== undefined) (event as Record<string, unknown>)[k] = v;
    if (r.truncated) event.truncated = true;
    this.opts.emit(event);
  }

  private resolveAt(proc: Proc, dirfd: number, path: string): string | undefined {
    if (path.startsWith('/')) return resolveAgainst('/', path);
    if (dirfd === AT_FDCWD) return resolveAgainst(proc.cwd, path);
    const dir = proc.fds.get(dirfd);
    if (!dir || !dir.path.startsWith('/')) return undefined;
    return resolveAgainst(dir.path, path);
  }

  private kept(path: string): boolean {
    return this.opts.rules.classify(path) !== 'drop';
  }

  private inheritedDesc(f: InheritedFd, ts: number): Desc | undefined {
    if (f.target.startsWith('/')) {
      return { kind: 'file', path: f.target, flags: f.flags, openedTs: ts, cls: this.opts.rules.classify(f.target) };
    }
    return undefined;
  }

  private access(proc: Proc, desc: OpenDesc, ts: number): Access {
    let acc = proc.accesses.get(desc);
    if (!acc) {
      acc = {
        desc, execSeq: proc.execSeq, openedHere: false, bytesRead: 0, bytesWritten: 0,
        mmapWrite: false, truncated: false, ts, tsEnd: ts,
      };
      proc.accesses.set(desc, acc);
    }
    acc.tsEnd = Math.max(acc.tsEnd, ts);
    return acc;
  }

  private closeFd(proc: Proc, fd: number, ts: number): void {
    const released = proc.fds.close(fd);
    if (!released) return;
    const acc = proc.accesses.get(released);
    if (acc) {
      acc.tsEnd = Math.max(acc.tsEnd, ts);
      this.flush(proc, acc);
    }
  }

  private flushAll(proc: Proc): void {
    for (const acc of [...proc.accesses.values()]) this.flush(proc, acc);
  }

  /** Emits the accesses to path that are still open, before an event about it. */
  private flushPath(path: string): void {
    for (const proc of this.procs.values()) {
      for (const acc of [...proc.accesses.values()]) if (acc.desc.path === path) this.flush(proc, acc);
    }
  }

  private renameOpenDescs(from: string, to: string): void {
    for (const proc of this.procs.values()) {
      for (const desc of proc.fds.descriptions()) {
        if (desc.path === from) {
          desc.path = to;
          (desc as Desc).cls = this.opts.rules.classify(to);
        }
      }
    }
  }

  private flush(proc: Proc, acc: Access): void {
    proc.accesses.delete(acc.desc);
    const desc = acc.desc as Desc;
    if (desc.cls === 'drop' || desc.kind === 'dir' || desc.kind === 'unknown') return;
    const accmode = desc.flags & O_ACCMODE;
    const moved = acc.bytesRead > 0 || acc.bytesWritten > 0 || acc.mmapWrite || acc.truncated;
    if (!moved && (!acc.openedHere || this.opts.isDirectory(desc.path))) return;
    const isPipe = desc.kind === 'pipe';
    const created = acc.openedHere && (desc.flags & O_CREAT) !== 0;
    const read = acc.bytesRead > 0 || (!isPipe && acc.openedHere && accmode === O_RDONLY);
    const write = acc.bytesWritten > 0 || acc.mmapWrite || acc.truncated
      || (!isPipe && acc.openedHere && (accmode === O_WRONLY || (created && accmode !== O_RDONLY)));
    if (!read && !write) return;
    this.opts.emit({
      type: 'file.access', ts: acc.ts, tsEnd: acc.tsEnd, proc: proc.ref, execSeq: acc.execSeq,
      path: desc.path, fileClass: desc.cls === 'pipe' ? 'pipe' : desc.cls === 'software' ? 'software' : 'data',
      read, write, create: created, truncate: acc.truncated,
      append: acc.openedHere && (desc.flags & O_APPEND) !== 0,
      bytesRead: acc.bytesRead, bytesWritten: acc.bytesWritten, mmapWrite: acc.mmapWrite,
      ...(desc.dev !== undefined ? { dev: desc.dev } : {}), ...(desc.ino !== undefined ? { ino: desc.ino } : {}),
    });
  }
}
