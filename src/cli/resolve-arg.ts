// What a user names on the command line (`kiseki show X`): a file path
// (relative to the current folder), a job id (or a unique prefix of one), a
// node key (`f:/data/x#2`), or a node id. A path the store knows wins over a
// job id, which wins over a node id.
import { resolve } from 'node:path';
import { resolveNode, type NodeRef } from '../graph/index.js';
import { pathKey } from '../graph/node-keys.js';
import type { Store } from '../store/index.js';
import { notFound, usageError } from './errors.js';

export interface Resolved {
  kind: 'file' | 'job' | 'node';
  ref: NodeRef;
  /** The node the ref stands for (a file's newest version unless a version was asked). */
  id: number;
  /** What was looked up, for messages. */
  what: string;
}

export async function resolveArg(store: Store, arg: string, opts: { cwd?: string; version?: number } = {}): Promise<Resolved> {
  if (arg === '') throw usageError('an empty name names nothing');
  const db = store.db;
  if (/^[jpfu]:/.test(arg)) {
    return { kind: 'node', ref: arg, id: await resolveNode(db, arg), what: `node ${arg}` };
  }
  const path = resolve(opts.cwd ?? process.cwd(), arg);
  const { rows: paths } = await db.query<{ n: number }>('select count(*)::int as n from path where key = $1', [pathKey(path)]);
  if (Number(paths[0]!.n) > 0) {
    const ref = opts.version !== undefined ? { path, version: opts.version } : { path };
    return { kind: 'file', ref, id: await resolveNode(db, ref), what: `file ${path}` };
  }
  if (opts.version !== undefined) throw notFound(`no file ${path} in the store`);
  if (!arg.includes('/')) {
    const { rows: exact } = await db.query<{ node_id: number; job_ref: string; scheduler: string }>(
      'select node_id, job_ref, scheduler from job where job_ref = $1 order by scheduler limit 2', [arg]);
    const { rows: jobs } = exact.length > 0 ? { rows: exact } : await db.query<{ node_id: number; job_ref: string; scheduler: string }>(
      `select node_id, job_ref, scheduler from job where job_ref like $1 order by job_ref limit 5`, [`${arg.replace(/[\\%_]/g, (c) => `\\${c}`)}%`]);
    if (jobs.length === 1 || (exact.length === 1)) {
      const j = jobs[0]!;
      return { kind: 'job', ref: { jobId: j.job_ref, scheduler: j.scheduler }, id: Number(j.node_id), what: `job ${j.job_ref}` };
    }
    if (jobs.length > 1) {
      throw usageError(`${arg} is ambiguous: it starts ${jobs.length >= 5 ? 'five or more' : jobs.length} job ids (${jobs.map((j) => j.job_ref).join(', ')}); give more of it`);
    }
    if (/^\d+$/.test(arg)) {
      const { rows } = await db.query<{ id: number }>('select id from node where id = $1', [Number(arg)]);
      if (rows.length > 0) return { kind: 'node', ref: Number(arg), id: Number(arg), what: `node ${arg}` };
    }
  }
  throw notFound(arg.includes('/') || arg.startsWith('.') ? `no file ${path} in the store` : `no job or file named ${arg} in the store (looked for job id ${arg} and file ${path})`);
}
