// The scheduler's job record (job.info from Slurm/PBS hooks) in the job row:
// account, partition, QOS, comment, node list, submit time/args/dir, and the
// script stored once by content hash (schema 5). Both databases.
import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { apiNodeDetails } from '../../src/api/queries/graph.js';
import type { EventOf } from '../../src/core/trace-event.js';
import { getNode, LOCAL_ADMIN } from '../../src/graph/index.js';
import { ingest } from '../../src/ingest/index.js';
import { describeStores } from './stores.js';

const SCRIPT = '#!/bin/sh\n#SBATCH -p debug\nsrun hostname > out.txt\n';
const T0 = 1_790_000_000_000_000;

function info(id: string, extra: Partial<EventOf<'job.info'>> = {}): EventOf<'job.info'> {
  return {
    type: 'job.info', ts: T0 + 3_000_000, job: { scheduler: 'slurm', id }, cluster: 'c1', name: 'sweep.sh', user: 'alice', uid: 1001, gid: 1001,
    account: 'physics', partition: 'debug', qos: 'normal', nodes: ['n1', 'n2'], scriptPath: '/home/alice/sweep.sh', script: SCRIPT,
    // a wrong hash from a node: the server computes its own
    scriptSha256: '0'.repeat(64), submitArgs: ['sbatch', '--comment=kiseki', 'sweep.sh'], submitDir: '/home/alice',
    submitTs: T0, startTs: T0 + 2_000_000, comment: 'kiseki', state: 'RUNNING', ...extra,
  };
}

describeStores('job record (job.info)', (ctx) => {
  it('stores the scheduler fields in columns and the script once per content hash', async () => {
    await ingest(ctx.store, { source: 'agent:n1', seq: 0, events: [info('41'), info('42')] });
    await ingest(ctx.store, { source: 'agent:n1', seq: 1, events: [
      { type: 'job.info', ts: T0 + 9_000_000, job: { scheduler: 'slurm', id: '42' }, endTs: T0 + 9_000_000, exitCode: 0, signal: null, state: 'COMPLETED' },
    ] });
    const sha = createHash('sha256').update(SCRIPT).digest('hex');
    const { rows } = await ctx.store.db.query<Record<string, unknown>>(`select * from job where job_ref = '42'`);
    expect(rows[0]).toMatchObject({
      cluster: 'c1', name: 'sweep.sh', user_name: 'alice', account: 'physics', partition: 'debug', qos: 'normal', comment: 'kiseki',
      host: 'n1,n2', node_list: '["n1","n2"]', script: '/home/alice/sweep.sh', script_sha256: sha, cwd: '/home/alice',
      argv: '["sbatch","--comment=kiseki","sweep.sh"]', state: 'COMPLETED', exit_code: 0,
    });
    expect(Number(rows[0]!.submit_ts)).toBe(T0);
    expect(Number(rows[0]!.start_ts)).toBe(T0 + 2_000_000);
    expect(Number(rows[0]!.end_ts)).toBe(T0 + 9_000_000);
    const scripts = await ctx.store.db.query<{ sha256: string; text: string }>('select sha256, text from job_script');
    expect(scripts.rows).toEqual([{ sha256: sha, text: SCRIPT }]);

    const id = Number((await ctx.store.db.query<{ node_id: number }>(`select node_id from job where job_ref = '42'`)).rows[0]!.node_id);
    const node = await getNode(ctx.store, LOCAL_ADMIN, id);
    expect(node.facts).toMatchObject({ account: 'physics', nodeList: ['n1', 'n2'], scriptSha256: sha, scriptText: SCRIPT });
    const api = await apiNodeDetails(ctx.store, LOCAL_ADMIN, id);
    expect(api.node).toMatchObject({
      jobId: '42', account: 'physics', partition: 'debug', qos: 'normal', comment: 'kiseki', nodeList: ['n1', 'n2'],
      submit: '2026-09-21T14:13:20.000000Z', argv: ['sbatch', '--comment=kiseki', 'sweep.sh'], cwd: '/home/alice',
      scriptSha256: sha, scriptText: SCRIPT, state: 'COMPLETED', exitCode: 0,
    });
  });

  it("an ended job keeps its final state when a start record arrives after the end, in a later batch or in the same one", async () => {
    const end = (id: string): EventOf<'job.info'> => ({ type: 'job.info', ts: T0 + 9_000_000, job: { scheduler: 'slurm', id }, endTs: T0 + 9_000_000, exitCode: 1, signal: null, state: 'FAILED' });
    // Later batch: the controller's end record, then a node's start record.
    await ingest(ctx.store, { source: 'slurmctld:c1:51:epilog', seq: 0, events: [end('51')] });
    await ingest(ctx.store, { source: 'agent:n2', seq: 0, events: [info('51')] });
    // Same batch (one aggregation chunk): end first, start after.
    await ingest(ctx.store, { source: 'agent:n3', seq: 0, events: [end('52'), info('52')] });
    const { rows } = await ctx.store.db.query<{ job_ref: string; state: string; end_ts: number; start_ts: number; account: string }>(
      `select job_ref, state, end_ts, start_ts, account from job where job_ref in ('51', '52') order by job_ref`);
    expect(rows.map((r) => [r.job_ref, r.state, Number(r.end_ts), Number(r.start_ts), r.account])).toEqual([
      ['51', 'FAILED', T0 + 9_000_000, T0 + 2_000_000, 'physics'],
      ['52', 'FAILED', T0 + 9_000_000, T0 + 2_000_000, 'physics'],
    ]);
  });

  it('a record without script, account or nodes leaves them null', async () => {
    await ingest(ctx.store, { source: 'agent:n1', seq: 0, events: [info('7', { script: undefined, account: undefined, nodes: undefined })] });
    const { rows } = await ctx.store.db.query<Record<string, unknown>>(`select account, node_list, script_sha256 from job where job_ref = '7'`);
    expect(rows[0]).toEqual({ account: null, node_list: null, script_sha256: null });
    expect((await ctx.store.db.query('select 1 from job_script')).rows).toEqual([]);
  });
}, 'job-record');
