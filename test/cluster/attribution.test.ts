// Cluster mode in the store: processes carry their job (process.start.job),
// one agent source mixes several jobs, two agents (hosts) feed one job,
// job.info records fill the job's facts and trace.lost marks one job incomplete.
import { expect, it } from 'vitest';
import type { TraceEvent } from '../../src/core/trace-event.js';
import { ingest } from '../../src/ingest/index.js';
import { describeStores } from '../store/stores.js';

const T = 1_764_080_000_000_000;

function proc(host: string, pid: number): string {
  return `${host}:boot-${host}:${pid}:${pid}000`;
}

/** A job's root process on `host`: start (with job), exec, writes `out`, exits. */
function rootRun(host: string, pid: number, job: string, out: string, ts: number): TraceEvent[] {
  const p = proc(host, pid);
  const j = { scheduler: 'slurm', id: job };
  return [
    { type: 'process.start', ts, proc: p, parent: null, parentExecSeq: null, host, bootId: `boot-${host}`, pid, ppid: 1, startNs: `${pid}000`, cwd: '/home/alice', job: j },
    { type: 'process.exec', ts: ts + 1, proc: p, execSeq: 1, exe: '/bin/sh', argv: ['sh', 'job.sh'], cwd: '/home/alice', env: { SLURM_JOB_ID: job } },
    { type: 'process.start', ts: ts + 2, proc: proc(host, pid + 1), parent: p, parentExecSeq: 1, host, bootId: `boot-${host}`, pid: pid + 1, ppid: pid, startNs: `${pid + 1}000`, cwd: '/home/alice', job: j },
    { type: 'process.exec', ts: ts + 3, proc: proc(host, pid + 1), execSeq: 1, exe: '/usr/bin/tee', argv: ['tee', out], cwd: '/home/alice', env: {} },
    {
      type: 'file.access', ts: ts + 4, tsEnd: ts + 5, proc: proc(host, pid + 1), execSeq: 1, path: out, fileClass: 'data',
      read: false, write: true, create: true, truncate: true, append: false, bytesRead: 0, bytesWritten: 3, mmapWrite: false,
    },
    { type: 'process.exit', ts: ts + 6, proc: proc(host, pid + 1), exitCode: 0, signal: null },
    { type: 'process.exit', ts: ts + 7, proc: p, exitCode: 0, signal: null },
  ];
}

describeStores('cluster attribution', (ctx) => {
  async function jobsOf(): Promise<Record<string, string[]>> {
    const { rows } = await ctx.store.db.query<{ job_ref: string; key: string }>(
      `select j.job_ref, n.key from node n join node jn on jn.id = n.job_id join job j on j.node_id = jn.id
       where n.kind in ('process', 'file') order by n.key`,
    );
    const out: Record<string, string[]> = {};
    for (const r of rows) (out[r.job_ref] ??= []).push(r.key);
    return out;
  }

  it('one agent source: two jobs at once stay apart', async () => {
    const a = rootRun('n1', 100, '11', '/home/alice/a.txt', T);
    const b = rootRun('n1', 200, '12', '/home/alice/b.txt', T + 1);
    // interleaved, as one agent sends them
    const mixed = a.flatMap((e, i) => [e, b[i]!]);
    await ingest(ctx.store, { source: 'agent:n1', seq: 0, events: mixed.slice(0, 5) });
    await ingest(ctx.store, { source: 'agent:n1', seq: 1, events: mixed.slice(5) });
    const jobs = await jobsOf();
    expect(Object.keys(jobs).sort()).toEqual(['11', '12']);
    expect(jobs['11']!.some((k) => k.includes('a.txt'))).toBe(true);
    expect(jobs['11']!.some((k) => k.includes('b.txt') || k.includes(':200:'))).toBe(false);
    expect(jobs['12']!.some((k) => k.includes('b.txt'))).toBe(true);
    const roots = await ctx.store.db.query<{ n: string }>(`select count(*)::text as n from edge where kind = 'wasStartedBy'`);
    expect(Number(roots.rows[0]!.n)).toBe(2);
  });

  it('two agents (hosts) feeding one server merge into one job; job.info fills it', async () => {
    await ingest(ctx.store, { source: 'agent:n1', seq: 0, events: rootRun('n1', 100, '77', '/shared/part1', T) });
    await ingest(ctx.store, { source: 'agent:n2', seq: 0, events: rootRun('n2', 100, '77', '/shared/part2', T) });
    await ingest(ctx.store, {
      source: 'slurmctld:c1', seq: 0, events: [{
        type: 'job.info', ts: T + 10, job: { scheduler: 'slurm', id: '77' }, name: 'mpi-run', user: 'alice', uid: 1001, gid: 1001,
        account: 'proj', partition: 'debug', nodes: ['n1', 'n2'], scriptPath: '/home/alice/job.sh', script: '#!/bin/sh\nsrun hostname\n',
        submitDir: '/home/alice', startTs: T, endTs: T + 20, exitCode: 0, state: 'COMPLETED',
      }],
    });
    const jobs = await jobsOf();
    expect(Object.keys(jobs)).toEqual(['77']);
    expect(jobs['77']!.filter((k) => k.startsWith('p:n1:')).length).toBeGreaterThan(0);
    expect(jobs['77']!.filter((k) => k.startsWith('p:n2:')).length).toBeGreaterThan(0);
    expect(jobs['77']!.some((k) => k.includes('/shared/part1')) && jobs['77']!.some((k) => k.includes('/shared/part2'))).toBe(true);
    const { rows } = await ctx.store.db.query<Record<string, unknown>>(`select name, script, user_name, uid, host, state, cwd from job where job_ref = '77'`);
    expect(rows[0]).toMatchObject({ name: 'mpi-run', script: '/home/alice/job.sh', user_name: 'alice', uid: 1001, host: 'n1,n2', state: 'COMPLETED', cwd: '/home/alice' });
  });

  it('trace.lost naming a job marks that job incomplete, not the others', async () => {
    const ev: TraceEvent[] = [
      ...rootRun('n1', 100, '21', '/tmp/x', T),
      ...rootRun('n1', 300, '22', '/tmp/y', T),
      { type: 'trace.lost', ts: T + 50, count: 3, reason: 'spool full', job: { scheduler: 'slurm', id: '22' } },
    ];
    await ingest(ctx.store, { source: 'agent:n1', seq: 0, events: ev });
    const { rows } = await ctx.store.db.query<{ job_ref: string; complete: boolean | null }>(`select job_ref, complete from job order by job_ref`);
    expect(rows).toEqual([{ job_ref: '21', complete: null }, { job_ref: '22', complete: false }]);
  });
});
