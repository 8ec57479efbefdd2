// The state the graph builder needs between events: the current version of
// each path and what is known of each process. The aggregator loads the
// entries a chunk of events touches from the database, lets the builder
// change them in memory, and writes the changed ones back in the same
// transaction as the graph rows, so a crash loses or repeats nothing.

export interface PathHead {
  pathKey: string;
  path: string;
  /** Number of the newest version (0: never seen). */
  version: number;
  /** Node key of the newest version, null when none. */
  headKey: string | null;
  /** The newest version is the file now (not unlinked or renamed away). */
  exists: boolean;
  /** The program run that wrote the newest version's content, if known. */
  genKey: string | null;
  /** A run other than genKey read the newest version. */
  readByOther: boolean;
}

export interface ProcState {
  proc: string;
  jobKey: string | null;
  parent: string | null;
  parentExecSeq: number | null;
  /** A process.start was seen. */
  started: boolean;
  /** Started with no traced parent: the job started it. */
  root: boolean;
  /** Exec sequence numbers that have a program-run node. */
  execSeqs: number[];
  startTs: number | null;
  host: string | null;
  pid: number | null;
  ppid: number | null;
  cwd: string | null;
}

export interface SourceState {
  source: string;
  jobKey: string | null;
  jobUid: number | null;
  jobGid: number | null;
}

export interface BuilderState {
  readonly src: SourceState;
  head(pathKey: string, path: string): PathHead;
  proc(proc: string): ProcState;
  /** Did program run `procKey` read file version `fileKey`? */
  hasUsed(procKey: string, fileKey: string): boolean;
  noteUsed(procKey: string, fileKey: string): void;
}

export function newHead(pathKey: string, path: string): PathHead {
  return { pathKey, path, version: 0, headKey: null, exists: false, genKey: null, readByOther: false };
}

export function newProc(proc: string): ProcState {
  return { proc, jobKey: null, parent: null, parentExecSeq: null, started: false, root: false, execSeqs: [], startTs: null, host: null, pid: null, ppid: null, cwd: null };
}

/** In-memory state: the whole state in unit tests, one chunk's view in the aggregator. */
export class MemoryState implements BuilderState {
  readonly heads = new Map<string, PathHead>();
  readonly procs = new Map<string, ProcState>();
  readonly used = new Set<string>();
  readonly dirtyHeads = new Set<string>();
  readonly dirtyProcs = new Set<string>();

  constructor(readonly src: SourceState) {}

  head(pathKey: string, path: string): PathHead {
    let h = this.heads.get(pathKey);
    if (!h) this.heads.set(pathKey, (h = newHead(pathKey, path)));
    this.dirtyHeads.add(pathKey);
    return h;
  }

  proc(proc: string): ProcState {
    let p = this.procs.get(proc);
    if (!p) this.procs.set(proc, (p = newProc(proc)));
    this.dirtyProcs.add(proc);
    return p;
  }

  hasUsed(procKey: string, fileKey: string): boolean {
    return this.used.has(`${procKey}\n${fileKey}`);
  }

  noteUsed(procKey: string, fileKey: string): void {
    this.used.add(`${procKey}\n${fileKey}`);
  }
}
