// What a user names on the command line, found through the API: the same
// order as the direct mode (resolve-arg.ts) — a file path the server knows,
// then a job id (or a unique prefix of one), then a node id — but only
// among what this viewer may see: something hidden is "not found", as if
// it did not exist, so the answer confirms nothing.
import { resolve } from 'node:path';
import { notFound, usageError } from '../errors.js';
import { RemoteError, type ApiClient } from './api-client.js';
import type { ApiJobHit, ApiLineage, ApiNodeResult, ApiPage } from './api-shapes.js';

export interface RemoteResolved {
  kind: 'file' | 'job' | 'node';
  /** The node id (a file's newest version unless a version was asked). */
  id: number;
  /** The node's kind. */
  nodeKind: string;
  /** Absolute path, for files. */
  path?: string;
  what: string;
}

const is404 = (err: unknown) => err instanceof RemoteError && err.status === 404;

/** The node id of `path`'s newest (or given) version, or undefined when the server knows none the viewer may see. */
async function fileNode(api: ApiClient, path: string, version?: number): Promise<number | undefined> {
  if (version === undefined) {
    try {
      const l = await api.get<ApiLineage>('/api/v1/lineage', { path, depth: 1, maxNodes: 1 });
      return l.start[0];
    } catch (err) {
      if (is404(err)) return undefined;
      throw err;
    }
  }
  // A given version: the file list, filtered to the exact path (the criterion is a substring).
  const r = await api.get<ApiPage<{ id: number; path: string; version: number }>>('/api/v1/entities', {
    type: 'file', filename: path, sort: 'version', order: 'desc', pageSize: 200, includeSoftware: true,
  });
  return r.items.find((f) => f.path === path && f.version === version)?.id;
}

export async function resolveRemote(api: ApiClient, arg: string, opts: { cwd?: string; version?: number } = {}): Promise<RemoteResolved> {
  if (arg === '') throw usageError('an empty name names nothing');
  if (/^[jpfu]:/.test(arg)) throw usageError(`node keys (${arg}) are not looked up through the server; give the node id, a job id or a path`);
  const path = resolve(opts.cwd ?? process.cwd(), arg);
  const id = await fileNode(api, path, opts.version);
  if (id !== undefined) return { kind: 'file', id, nodeKind: 'file', path, what: `file ${path}` };
  if (opts.version !== undefined) throw notFound(`no version ${opts.version} of ${path} on the server (or not one you may see)`);
  if (!arg.includes('/')) {
    const r = await api.get<ApiPage<ApiJobHit>>('/api/v1/search', { jobId: arg, pageSize: 50, sort: 'jobId' });
    const exact = r.items.filter((j) => j.jobId === arg);
    const jobs = exact.length > 0 ? exact : r.items.filter((j) => j.jobId.startsWith(arg));
    if (jobs.length === 1 || exact.length === 1) {
      const j = jobs[0]!;
      return { kind: 'job', id: j.id, nodeKind: 'job', what: `job ${j.jobId}` };
    }
    if (jobs.length > 1) {
      throw usageError(`${arg} is ambiguous: it starts ${jobs.length >= 5 ? 'five or more' : jobs.length} job ids (${jobs.slice(0, 5).map((j) => j.jobId).join(', ')}); give more of it`);
    }
    if (/^\d{1,15}$/.test(arg)) {
      try {
        const n = await api.get<ApiNodeResult>(`/api/v1/nodes/${arg}`);
        return { kind: 'node', id: n.node.id, nodeKind: n.node.kind, what: `node ${arg}` };
      } catch (err) {
        if (!is404(err)) throw err;
      }
    }
  }
  throw notFound(arg.includes('/') || arg.startsWith('.')
    ? `no file ${path} on the server (or not one you may see)`
    : `no job or file named ${arg} on the server (or not one you may see; looked for job id ${arg} and file ${path})`);
}
