// One-line names of graph nodes for people: a file version as `path (v2)`,
// a program run as its program and arguments, a job as `job <id>`.
import { fromStoredPath } from '../store/path-text.js';
import type { Store } from '../store/index.js';

export interface NodeInfo {
  id: number;
  key: string;
  kind: 'job' | 'process' | 'file' | 'user';
  label: string;
  path?: string;
  version?: number;
  fileClass?: string | null;
  software?: boolean;
  argv?: string[];
  jobId?: string;
}

export async function describeNodes(store: Store, ids: number[]): Promise<Map<number, NodeInfo>> {
  const out = new Map<number, NodeInfo>();
  if (ids.length === 0) return out;
  const { rows } = await store.db.query<Record<string, unknown>>(
    `select n.id, n.key, n.kind, n.label, p.path, p.path_bytes, fv.version, fv.file_class, fv.software, pr.argv, j.job_ref
     from node n
     left join file_version fv on fv.node_id = n.id left join path p on p.id = fv.path_id
     left join process pr on pr.node_id = n.id left join job j on j.node_id = n.id
     where n.id = any($1::bigint[])`, [ids]);
  for (const r of rows) {
    const info: NodeInfo = { id: Number(r.id), key: r.key as string, kind: r.kind as NodeInfo['kind'], label: r.label as string };
    if (r.path !== null && r.path !== undefined) {
      info.path = fromStoredPath(r.path as string, (r.path_bytes as Uint8Array | null) ?? null);
      info.version = Number(r.version);
      info.fileClass = (r.file_class as string | null) ?? null;
      info.software = r.software === true;
    }
    if (typeof r.argv === 'string') {
      try {
        info.argv = JSON.parse(r.argv) as string[];
      } catch { /* not JSON: leave it out */ }
    }
    if (typeof r.job_ref === 'string') info.jobId = r.job_ref;
    out.set(info.id, info);
  }
  return out;
}

export function nodeName(n: NodeInfo | undefined, id?: number): string {
  if (!n) return `node ${id ?? '?'}`;
  switch (n.kind) {
    case 'file':
      if (n.fileClass === 'pipe') return 'pipe';
      return `${n.path ?? n.label} (v${n.version ?? '?'})`;
    case 'process': {
      const args = n.argv && n.argv.length > 0 ? n.argv.join(' ') : n.label;
      return args.length > 100 ? `${args.slice(0, 97)}...` : args;
    }
    case 'job':
      return n.jobId ?? n.label;
    case 'user':
      return n.label;
  }
}

export const KIND_WORD: Record<NodeInfo['kind'], string> = { job: 'job', process: 'run', file: 'file', user: 'user' };
