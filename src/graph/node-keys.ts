// Deterministic node keys: the same events always give the same keys, so
// re-aggregation upserts instead of duplicating.
import { pathKey } from '../store/path-text.js';
import { GraphError, type NodeKind } from './edge-kinds.js';

export const jobKey = (scheduler: string, id: string): string => `j:${scheduler}:${id}`;
export const processKey = (proc: string, execSeq: number): string => `p:${proc}#${execSeq}`;
export const fileKey = (pKey: string, version: number): string => `f:${pKey}#${version}`;
export const userKey = (uid: number): string => `u:${uid}`;
export { pathKey };

const PREFIX: Record<string, NodeKind> = { j: 'job', p: 'process', f: 'file', u: 'user' };

export function kindOfKey(key: string): NodeKind {
  const kind = PREFIX[key.slice(0, key.indexOf(':'))];
  if (!kind) throw new GraphError('E_GRAPH_NODE_KEY', `not a node key: ${JSON.stringify(key)}`);
  return kind;
}

/** host:bootId of a process reference host:bootId:pid:startNs (pipes live there). */
export function procHostBoot(proc: string): string {
  const parts = proc.split(':');
  return parts.length >= 4 ? parts.slice(0, parts.length - 2).join(':') : proc;
}

export function basename(p: string): string {
  const s = p.replace(/\/+$/, '');
  const i = s.lastIndexOf('/');
  return i < 0 ? s : s.slice(i + 1);
}

const INTERPRETERS = /^(ba|da|z|k|c|tc|fi)?sh$|^python[0-9.]*$|^perl[0-9.]*$|^ruby[0-9.]*$|^R(script)?$|^julia$|^node$|^env$|^srun$|^mpirun$|^mpiexec$|^time$|^nohup$/;

/**
 * The job script of a command line: the first argument that is not an
 * interpreter or an option (`bash job.sh` → job.sh, `./run.sh` → ./run.sh).
 */
export function scriptOf(argv: readonly string[]): string | null {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (i > 0 && a.startsWith('-')) continue;
    if (INTERPRETERS.test(basename(a)) && i < argv.length - 1) continue;
    return a;
  }
  return argv[0] ?? null;
}
