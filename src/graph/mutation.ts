// GraphMutation: what one TraceEvent does to the graph (nodes and edges to
// upsert). Attributes are partial: later non-null values win, absent keep.
import type { EdgeKind } from './edge-kinds.js';

export interface JobAttrs {
  scheduler: string;
  jobRef: string;
  name: string | null;
  script: string | null;
  argv: string[];
  cwd: string;
  host: string;
  uid: number;
  gid: number;
  userName: string;
  backend: string;
  startTs: number;
  endTs: number;
  exitCode: number | null;
  signal: number | null;
  state: string;
  complete: boolean;
  lostEvents: number;
  // the scheduler's record (cluster mode: job.info)
  cluster: string;
  account: string;
  partition: string;
  qos: string;
  comment: string;
  nodeList: string[];
  submitTs: number;
  /** sha256 of scriptText, computed by the builder. */
  scriptSha256: string;
  /** The job script's text: stored once per sha256 (job_script), not in the job row. */
  scriptText: string;
}

export interface ProcessAttrs {
  proc: string;
  execSeq: number;
  host: string;
  pid: number;
  ppid: number;
  exe: string;
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  uid: number;
  gid: number;
  euid: number;
  egid: number;
  startTs: number;
  endTs: number;
  exitCode: number | null;
  signal: number | null;
  truncated: boolean;
}

export interface FileAttrs {
  pathKey: string;
  path: string;
  version: number;
  fileClass: 'data' | 'software' | 'pipe';
  software: boolean;
  observed: boolean;
  existsNow: boolean;
  ts: number;
  dev: number;
  ino: number;
  size: number;
  mtime: number;
  sha256: string;
  hashSkipped: string;
}

export interface UserAttrs {
  uid: number;
  name: string;
}

/** Common node attributes; `job` is the key of the job the node belongs to. */
interface NodeCommon {
  op: 'node';
  key: string;
  label?: string;
  job?: string;
  ts?: number;
  ownerUid?: number;
  ownerGid?: number;
}

export type NodeMutation =
  | (NodeCommon & { kind: 'job'; attrs: Partial<JobAttrs> })
  | (NodeCommon & { kind: 'process'; attrs: Partial<ProcessAttrs> })
  | (NodeCommon & { kind: 'file'; attrs: Partial<FileAttrs> & { pathKey: string; path: string; version: number } })
  | (NodeCommon & { kind: 'user'; attrs: Partial<UserAttrs> & { uid: number } });

export interface EdgeMutation {
  op: 'edge';
  kind: EdgeKind;
  from: string;
  to: string;
  role?: string;
  bytes?: number;
  ts?: number;
  tsLast?: number;
  job?: string;
}

export type GraphMutation = NodeMutation | EdgeMutation;
