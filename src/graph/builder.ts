// TraceEvent → GraphMutation: the pure heart of the aggregator. No database
// here: the builder reads and updates a BuilderState and returns the nodes
// and edges to upsert. Same events + same state → same mutations.
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { EventOf, TraceEvent } from '../core/trace-event.js';
import type { BuilderState, PathHead, ProcState } from './builder-state.js';
import type { EdgeKind } from './edge-kinds.js';
import type { EdgeMutation, FileAttrs, GraphMutation, NodeMutation } from './mutation.js';
import { basename, fileKey, jobKey, pathKey, procHostBoot, processKey, scriptOf, userKey } from './node-keys.js';

type FileClass = FileAttrs['fileClass'];

export class GraphBuilder {
  private out: GraphMutation[] = [];

  constructor(private readonly st: BuilderState) {}

  /** The mutations for one event (state is updated as a side effect). */
  apply(ev: TraceEvent): GraphMutation[] {
    this.out = [];
    switch (ev.type) {
      case 'run.start': this.runStart(ev); break;
      case 'run.end': this.runEnd(ev); break;
      case 'trace.lost': this.traceLost(ev); break;
      case 'job.info': this.jobInfo(ev); break;
      case 'process.start': this.processStart(ev); break;
      case 'process.exec': this.processExec(ev); break;
      case 'process.exit': this.processExit(ev); break;
      case 'file.access': this.fileAccess(ev); break;
      case 'file.rename': this.fileRename(ev); break;
      case 'file.link': this.fileLink(ev); break;
      case 'file.unlink': this.fileUnlink(ev); break;
      case 'file.truncate': this.fileTruncate(ev); break;
      case 'file.facts': this.fileFacts(ev); break;
      case 'process.exec_failed':
      case 'file.mkdir':
        break; // kept as raw events only
    }
    return this.out;
  }

  // ── jobs and users ──────────────────────────────────────────────────
  private currentJob(): string {
    const src = this.st.src;
    if (src.jobKey) return src.jobKey;
    // Events before any run.start: a job standing for the source itself.
    src.jobKey = jobKey('source', src.source);
    this.node({ op: 'node', kind: 'job', key: src.jobKey, label: src.source, attrs: { scheduler: 'source', jobRef: src.source, state: 'running' } });
    return src.jobKey;
  }

  private jobPatch(attrs: Extract<NodeMutation, { kind: 'job' }>['attrs']): void {
    const key = this.currentJob();
    this.node({ op: 'node', kind: 'job', key, attrs });
  }

  private runStart(ev: EventOf<'run.start'>): void {
    const key = jobKey(ev.job.scheduler, ev.job.id);
    const src = this.st.src;
    src.jobKey = key;
    src.jobUid = ev.uid;
    src.jobGid = ev.gid;
    const script = scriptOf(ev.argv);
    this.node({
      op: 'node', kind: 'job', key, label: ev.job.id, ts: ev.ts, ownerUid: ev.uid, ownerGid: ev.gid,
      attrs: {
        scheduler: ev.job.scheduler, jobRef: ev.job.id, name: script ? basename(script) : null, script,
        argv: ev.argv, cwd: ev.cwd, host: ev.host, uid: ev.uid, gid: ev.gid, userName: ev.user,
        backend: ev.backend, startTs: ev.ts, state: 'running',
      },
    });
    const u = userKey(ev.uid);
    this.node({ op: 'node', kind: 'user', key: u, label: ev.user, attrs: { uid: ev.uid, name: ev.user } });
    this.edge('wasAssociatedWith', key, u, { ts: ev.ts, role: 'owner' });
  }

  /** Cluster mode: a job named by an event (process.start, trace.lost, job.info). */
  private namedJob(job: { scheduler: string; id: string }): string {
    const key = jobKey(job.scheduler, job.id);
    this.node({ op: 'node', kind: 'job', key, label: job.id, attrs: { scheduler: job.scheduler, jobRef: job.id } });
    return key;
  }

  private traceLost(ev: EventOf<'trace.lost'>): void {
    if (!ev.job) return this.jobPatch({ complete: false });
    this.node({ op: 'node', kind: 'job', key: this.namedJob(ev.job), attrs: { complete: false } });
  }

  private jobInfo(ev: EventOf<'job.info'>): void {
    const key = this.namedJob(ev.job);
    const attrs: Extract<NodeMutation, { kind: 'job' }>['attrs'] = {};
    if (ev.name !== undefined) attrs.name = ev.name;
    if (ev.scriptPath !== undefined) attrs.script = ev.scriptPath;
    if (ev.submitArgs !== undefined) attrs.argv = ev.submitArgs;
    if (ev.submitDir !== undefined) attrs.cwd = ev.submitDir;
    if (ev.nodes !== undefined) {
      attrs.host = ev.nodes.join(',');
      attrs.nodeList = ev.nodes;
    }
    if (ev.cluster !== undefined) attrs.cluster = ev.cluster;
    if (ev.account !== undefined) attrs.account = ev.account;
    if (ev.partition !== undefined) attrs.partition = ev.partition;
    if (ev.qos !== undefined) attrs.qos = ev.qos;
    if (ev.comment !== undefined) attrs.comment = ev.comment;
    if (ev.submitTs !== undefined) attrs.submitTs = ev.submitTs;
    if (ev.script !== undefined && ev.script !== '') {
      // Hashed here, not taken from the event: scripts are shared by hash
      // across jobs, so one node must not be able to file a text under
      // another script's hash.
      attrs.scriptText = ev.script;
      attrs.scriptSha256 = createHash('sha256').update(ev.script).digest('hex');
    }
    if (ev.uid !== undefined) attrs.uid = ev.uid;
    if (ev.gid !== undefined) attrs.gid = ev.gid;
    if (ev.user !== undefined) attrs.userName = ev.user;
    if (ev.startTs !== undefined) attrs.startTs = ev.startTs;
    if (ev.endTs !== undefined) attrs.endTs = ev.endTs;
    if (ev.exitCode !== undefined) attrs.exitCode = ev.exitCode;
    if (ev.signal !== undefined) attrs.signal = ev.signal;
    if (ev.state !== undefined) attrs.state = ev.state;
    const owner = {
      ...(ev.uid !== undefined ? { ownerUid: ev.uid } : {}), ...(ev.gid !== undefined ? { ownerGid: ev.gid } : {}),
    };
    this.node({ op: 'node', kind: 'job', key, ...(ev.startTs !== undefined ? { ts: ev.startTs } : {}), ...owner, attrs });
    if (ev.uid !== undefined) {
      const u = userKey(ev.uid);
      this.node({ op: 'node', kind: 'user', key: u, label: ev.user ?? String(ev.uid), attrs: { uid: ev.uid, ...(ev.user !== undefined ? { name: ev.user } : {}) } });
      this.edge('wasAssociatedWith', key, u, { ts: ev.startTs ?? ev.ts, role: 'owner' });
    }
  }

  private runEnd(ev: EventOf<'run.end'>): void {
    const state = ev.signal !== null ? 'killed' : ev.exitCode === 0 ? 'completed' : 'failed';
    this.jobPatch({ endTs: ev.ts, exitCode: ev.exitCode, signal: ev.signal, lostEvents: ev.lostEvents, complete: ev.complete, state });
  }

  // ── program runs ────────────────────────────────────────────────────
  private owner(): Pick<NodeMutation, 'ownerUid' | 'ownerGid'> {
    const { jobUid, jobGid } = this.st.src;
    return { ...(jobUid !== null ? { ownerUid: jobUid } : {}), ...(jobGid !== null ? { ownerGid: jobGid } : {}) };
  }

  private procJob(ps: ProcState): string {
    if (!ps.jobKey) ps.jobKey = this.currentJob();
    return ps.jobKey;
  }

  /** The node key of program run (proc, execSeq), created (and linked) on first use. */
  private run(proc: string, execSeq: number): string {
    const ps = this.st.proc(proc);
    const key = processKey(proc, execSeq);
    if (ps.execSeqs.includes(execSeq)) return key;
    ps.execSeqs = [...ps.execSeqs, execSeq].sort((a, b) => a - b);
    const job = this.procJob(ps);
    this.node({
      op: 'node', kind: 'process', key, job, label: ps.pid !== null ? `pid ${ps.pid}` : '', ...this.owner(),
      ...(execSeq === 0 && ps.startTs !== null ? { ts: ps.startTs } : {}),
      attrs: {
        proc, execSeq,
        ...(ps.host !== null ? { host: ps.host } : {}), ...(ps.pid !== null ? { pid: ps.pid } : {}),
        ...(ps.ppid !== null ? { ppid: ps.ppid } : {}), ...(ps.cwd !== null ? { cwd: ps.cwd } : {}),
        ...(execSeq === 0 && ps.startTs !== null ? { startTs: ps.startTs } : {}),
      },
    });
    if (execSeq >= 2) this.edge('wasInformedBy', key, this.run(proc, execSeq - 1), { role: 'exec' });
    if (execSeq === 1 && ps.execSeqs.includes(0)) this.edge('wasInformedBy', key, processKey(proc, 0), { role: 'exec' });
    if (execSeq === 0 && ps.execSeqs.includes(1)) this.edge('wasInformedBy', processKey(proc, 1), key, { role: 'exec' });
    if (execSeq <= 1) this.linkForkParent(ps, key);
    if (ps.root || !ps.started) this.edge('wasStartedBy', key, job, { role: ps.root ? 'root' : 'orphan' });
    return key;
  }

  private linkForkParent(ps: ProcState, runKey: string): void {
    if (ps.parent === null) return;
    const parentRun = this.run(ps.parent, ps.parentExecSeq ?? 0);
    this.edge('wasInformedBy', runKey, parentRun, { role: 'fork' });
  }

  private processStart(ev: EventOf<'process.start'>): void {
    const ps = this.st.proc(ev.proc);
    const first = !ps.started;
    ps.started = true;
    ps.parent = ev.parent;
    ps.parentExecSeq = ev.parentExecSeq;
    ps.root = ev.parent === null;
    ps.startTs = ev.ts;
    ps.host = ev.host;
    ps.pid = ev.pid;
    ps.ppid = ev.ppid;
    ps.cwd = ev.cwd;
    if (ev.job) ps.jobKey = this.namedJob(ev.job);
    this.procJob(ps);
    if (!first) return;
    // Runs seen before their process.start (out of order): link them now.
    for (const n of ps.execSeqs) {
      this.node({ op: 'node', kind: 'process', key: processKey(ev.proc, n), attrs: { proc: ev.proc, execSeq: n, host: ev.host, pid: ev.pid, ppid: ev.ppid } });
    }
    const firstRun = ps.execSeqs.find((n) => n <= 1);
    if (firstRun !== undefined) this.linkForkParent(ps, processKey(ev.proc, firstRun));
    if (ps.root) for (const n of ps.execSeqs) this.edge('wasStartedBy', processKey(ev.proc, n), this.procJob(ps), { role: 'root' });
  }

  private processExec(ev: EventOf<'process.exec'>): void {
    const ps = this.st.proc(ev.proc);
    const prev = ps.execSeqs.includes(ev.execSeq - 1) ? processKey(ev.proc, ev.execSeq - 1) : null;
    const key = this.run(ev.proc, ev.execSeq);
    if (prev) this.node({ op: 'node', kind: 'process', key: prev, attrs: { proc: ev.proc, execSeq: ev.execSeq - 1, endTs: ev.ts } });
    this.node({
      op: 'node', kind: 'process', key, label: basename(ev.exe), ts: ev.ts,
      attrs: {
        proc: ev.proc, execSeq: ev.execSeq, exe: ev.exe, argv: ev.argv, cwd: ev.cwd, env: ev.env, startTs: ev.ts,
        ...(ev.uid !== undefined ? { uid: ev.uid } : {}), ...(ev.gid !== undefined ? { gid: ev.gid } : {}),
        ...(ev.euid !== undefined ? { euid: ev.euid } : {}), ...(ev.egid !== undefined ? { egid: ev.egid } : {}),
        ...(ev.truncated !== undefined ? { truncated: ev.truncated } : {}),
      },
    });
    // The program itself is an input of the run.
    const exe = this.readVersion(this.st.head(pathKey(ev.exe), ev.exe), key, 'software', ev.ts);
    this.edge('used', key, exe, { role: 'exec', ts: ev.ts, job: this.procJob(ps) });
    // A run acting for another user (setuid, sudo) is associated with that user.
    const uid = ev.euid ?? ev.uid;
    if (uid !== undefined && uid !== this.st.src.jobUid) {
      const u = userKey(uid);
      this.node({ op: 'node', kind: 'user', key: u, label: String(uid), attrs: { uid } });
      this.edge('wasAssociatedWith', key, u, { role: 'euid', ts: ev.ts });
    }
  }

  private processExit(ev: EventOf<'process.exit'>): void {
    const ps = this.st.proc(ev.proc);
    const last = ps.execSeqs[ps.execSeqs.length - 1];
    if (last === undefined) return;
    this.node({ op: 'node', kind: 'process', key: processKey(ev.proc, last), attrs: { proc: ev.proc, execSeq: last, endTs: ev.ts, exitCode: ev.exitCode, signal: ev.signal } });
  }

  // ── file versions ───────────────────────────────────────────────────
  /** A new file version; `job` null for pre-existing (observed) versions, which belong to no job. */
  /**
   * A new file version. `job` null for a pre-existing (observed) version: it
   * belongs to no job and has no creation time (which job saw it first
   * depends on the arrival order of sources); its uses carry the times.
   */
  private fileNode(head: PathHead, version: number, attrs: Partial<FileAttrs>, job: string | null, ts: number): string {
    const key = fileKey(head.pathKey, version);
    const made = job ? { ...this.owner(), job, ts } : {};
    this.node({ op: 'node', kind: 'file', key, label: head.path, ...made, attrs: { pathKey: head.pathKey, path: head.path, version, ...attrs } });
    return key;
  }

  /** The version a read sees: the current one, or a pre-existing version first seen now. */
  private readVersion(head: PathHead, byRun: string | null, fileClass: FileClass, ts: number): string {
    const software = fileClass === 'software';
    if (head.exists && head.headKey) {
      if (byRun && byRun !== head.genKey) head.readByOther = true;
      if (software) this.node({ op: 'node', kind: 'file', key: head.headKey, attrs: { pathKey: head.pathKey, path: head.path, version: head.version, software: true, fileClass } });
      return head.headKey;
    }
    // Seen first by a read: it existed before; which job saw it first depends
    // on arrival order across sources, so it is recorded as no job's.
    void byRun;
    const version = head.version + 1;
    const key = this.fileNode(head, version, { fileClass, software, observed: true }, null, ts);
    Object.assign(head, { version, headKey: key, exists: true, genKey: null, readByOther: false });
    return key;
  }

  private writeVersion(
    head: PathHead, run: string,
    o: { truncate: boolean; create: boolean; append: boolean; fileClass: FileClass; bytes: number; ts: number; tsLast: number; role?: string },
  ): string {
    const job = this.procJob(this.st.proc(procOfRunKey(run)));
    const role = o.role ?? (o.truncate ? 'truncate' : o.append ? 'append' : 'write');
    if (head.exists && head.headKey && head.genKey && procOfRunKey(head.genKey) === procOfRunKey(run) && !head.readByOther) {
      // Another write (even truncating: ftruncate then write) by the process
      // that made the current version — the same run, or its next exec as in
      // `sort > b`, where the shell's child opens b and sort writes it —
      // which nobody else has read: the same version, generated by both.
      this.edge('wasGeneratedBy', head.headKey, run, { role, bytes: o.bytes, ts: o.ts, tsLast: o.tsLast, job });
      head.genKey = run;
      return head.headKey;
    }
    let prev = head.exists ? head.headKey : null;
    const inPlace = !o.truncate && (prev !== null || !o.create);
    if (inPlace && prev === null) prev = this.readVersion(head, run, o.fileClass, o.ts);
    const version = head.version + 1;
    const software = o.fileClass === 'software';
    const key = this.fileNode(head, version, { fileClass: o.fileClass, software, observed: false, existsNow: true }, job, o.ts);
    this.edge('wasGeneratedBy', key, run, { role, bytes: o.bytes, ts: o.ts, tsLast: o.tsLast, job });
    if (prev) {
      if (inPlace) this.edge('wasDerivedFrom', key, prev, { role: o.append ? 'append' : 'revision', ts: o.ts, job });
      else this.supersede(prev, head, run, 'overwrite', o.ts);
    }
    Object.assign(head, { version, headKey: key, exists: true, genKey: run, readByOther: false });
    return key;
  }

  private supersede(versionKey: string, head: PathHead, run: string, role: string, ts: number): void {
    this.edge('wasInvalidatedBy', versionKey, run, { role, ts, job: this.procJob(this.st.proc(procOfRunKey(run))) });
    this.node({ op: 'node', kind: 'file', key: versionKey, attrs: { pathKey: head.pathKey, path: head.path, version: versionOf(versionKey), existsNow: false } });
  }

  private fileAccess(ev: EventOf<'file.access'>): void {
    const run = this.run(ev.proc, ev.execSeq);
    const job = this.procJob(this.st.proc(ev.proc));
    if (ev.fileClass === 'pipe') {
      // A pipe is one entity for its whole life: writers generate it, readers use it.
      const head = this.st.head(pathKey(ev.path, procHostBoot(ev.proc)), ev.path);
      if (!head.headKey) Object.assign(head, { version: 1, headKey: fileKey(head.pathKey, 1), exists: true, readByOther: false });
      this.fileNode(head, 1, { fileClass: 'pipe' }, job, ev.ts);
      if (ev.read) this.edge('used', run, head.headKey!, { bytes: ev.bytesRead, ts: ev.ts, tsLast: ev.tsEnd, job });
      if (ev.write || ev.mmapWrite) this.edge('wasGeneratedBy', head.headKey!, run, { bytes: ev.bytesWritten, ts: ev.ts, tsLast: ev.tsEnd, job });
      return;
    }
    const head = this.st.head(pathKey(ev.path), ev.path);
    if (ev.read) {
      const v = this.readVersion(head, run, ev.fileClass, ev.ts);
      this.edge('used', run, v, { bytes: ev.bytesRead, ts: ev.ts, tsLast: ev.tsEnd, job });
      this.st.noteUsed(run, v);
    }
    if (ev.write || ev.mmapWrite || ev.truncate) {
      this.writeVersion(head, run, { truncate: ev.truncate, create: ev.create, append: ev.append, fileClass: ev.fileClass, bytes: ev.bytesWritten, ts: ev.ts, tsLast: ev.tsEnd });
    }
  }

  private fileTruncate(ev: EventOf<'file.truncate'>): void {
    const run = this.run(ev.proc, ev.execSeq);
    const head = this.st.head(pathKey(ev.path), ev.path);
    this.writeVersion(head, run, { truncate: ev.length === 0, create: false, append: false, fileClass: 'data', bytes: 0, ts: ev.ts, tsLast: ev.ts, role: 'truncate' });
  }

  /** A new version of `to` that carries `src` (rename, link). */
  private carry(run: string, src: string, srcHead: PathHead, to: PathHead, role: string, ts: number): void {
    const job = this.procJob(this.st.proc(procOfRunKey(run)));
    const over = to.exists ? to.headKey : null;
    const srcGen = srcHead.genKey;
    const version = to.version + 1;
    const key = this.fileNode(to, version, { fileClass: 'data', observed: false, existsNow: true }, job, ts);
    this.edge('wasDerivedFrom', key, src, { role, ts, job });
    this.edge('wasGeneratedBy', key, run, { role, ts, job });
    if (over && over !== src) {
      this.supersede(over, to, run, 'replaced', ts);
      // `sed -i f`, `sort f > tmp && mv tmp f`: whoever wrote the new content
      // read the old f, so the new f is a revision of the old one.
      if (srcGen && this.st.hasUsed(srcGen, over)) this.edge('wasDerivedFrom', key, over, { role: 'revision', ts, job });
    }
    Object.assign(to, { version, headKey: key, exists: true, genKey: srcGen ?? run, readByOther: false });
  }

  private fileRename(ev: EventOf<'file.rename'>): void {
    if (ev.from === ev.to) return;
    const run = this.run(ev.proc, ev.execSeq);
    const from = this.st.head(pathKey(ev.from), ev.from);
    const src = this.readVersion(from, run, 'data', ev.ts);
    const to = this.st.head(pathKey(ev.to), ev.to);
    this.carry(run, src, from, to, 'rename', ev.ts);
    this.supersede(src, from, run, 'rename', ev.ts);
    Object.assign(from, { exists: false, genKey: null });
  }

  private fileLink(ev: EventOf<'file.link'>): void {
    const run = this.run(ev.proc, ev.execSeq);
    const targetPath = ev.symbolic && !ev.target.startsWith('/') ? posix.join(posix.dirname(ev.path), ev.target) : ev.target;
    if (!targetPath) return;
    const target = this.st.head(pathKey(targetPath), targetPath);
    const src = this.readVersion(target, run, 'data', ev.ts);
    const link = this.st.head(pathKey(ev.path), ev.path);
    this.carry(run, src, target, link, ev.symbolic ? 'symlink' : 'link', ev.ts);
  }

  private fileUnlink(ev: EventOf<'file.unlink'>): void {
    if (ev.directory) return;
    const run = this.run(ev.proc, ev.execSeq);
    const head = this.st.head(pathKey(ev.path), ev.path);
    const cur = this.readVersion(head, run, 'data', ev.ts);
    this.supersede(cur, head, run, 'unlink', ev.ts);
    Object.assign(head, { exists: false, genKey: null });
  }

  private fileFacts(ev: EventOf<'file.facts'>): void {
    const head = this.st.head(pathKey(ev.path), ev.path);
    if (!ev.exists) {
      if (head.exists && head.headKey) {
        this.node({ op: 'node', kind: 'file', key: head.headKey, attrs: { pathKey: head.pathKey, path: head.path, version: head.version, existsNow: false } });
      }
      Object.assign(head, { exists: false });
      return;
    }
    const cur = this.readVersion(head, null, 'data', ev.ts);
    this.node({
      op: 'node', kind: 'file', key: cur,
      attrs: {
        pathKey: head.pathKey, path: head.path, version: head.version, existsNow: true,
        ...(ev.dev !== undefined ? { dev: ev.dev } : {}), ...(ev.ino !== undefined ? { ino: ev.ino } : {}),
        ...(ev.size !== undefined ? { size: ev.size } : {}), ...(ev.mtime !== undefined ? { mtime: ev.mtime } : {}),
        ...(ev.sha256 !== undefined ? { sha256: ev.sha256 } : {}), ...(ev.hashSkipped !== undefined ? { hashSkipped: ev.hashSkipped } : {}),
      },
    });
  }

  // ── output ──────────────────────────────────────────────────────────
  private node(m: NodeMutation): void {
    this.out.push(m);
  }

  private edge(kind: EdgeKind, from: string, to: string, a: Omit<EdgeMutation, 'op' | 'kind' | 'from' | 'to'> = {}): void {
    const m: EdgeMutation = { op: 'edge', kind, from, to };
    for (const [k, v] of Object.entries(a)) if (v !== undefined) (m as unknown as Record<string, unknown>)[k] = v;
    this.out.push(m);
  }
}

/** `p:<proc>#<n>` → `<proc>`. */
export function procOfRunKey(runKey: string): string {
  return runKey.slice(2, runKey.lastIndexOf('#'));
}

function versionOf(fileKeyText: string): number {
  return Number(fileKeyText.slice(fileKeyText.lastIndexOf('#') + 1));
}

/** What a chunk of events needs from the state: path keys (with paths) and processes. */
export function stateKeysOf(events: readonly TraceEvent[]): { paths: Map<string, string>; procs: Set<string> } {
  const paths = new Map<string, string>();
  const procs = new Set<string>();
  const addPath = (p: string, ns?: string) => paths.set(pathKey(p, ns), p);
  for (const ev of events) {
    if ('proc' in ev) procs.add(ev.proc);
    switch (ev.type) {
      case 'process.start': if (ev.parent) procs.add(ev.parent); break;
      case 'process.exec': addPath(ev.exe); break;
      case 'file.access': addPath(ev.path, ev.fileClass === 'pipe' ? procHostBoot(ev.proc) : undefined); break;
      case 'file.rename': addPath(ev.from); addPath(ev.to); break;
      case 'file.link':
        addPath(ev.path);
        addPath(ev.symbolic && !ev.target.startsWith('/') ? posix.join(posix.dirname(ev.path), ev.target) : ev.target);
        break;
      case 'file.unlink': case 'file.truncate': case 'file.facts': addPath(ev.path); break;
      default: break;
    }
  }
  return { paths, procs };
}
