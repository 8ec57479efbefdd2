// Cluster mode with a real single-node Slurm (slurmctld, slurmd, munge from
// Debian, started and stopped here), `kiseki agent` on the node (eBPF agent
// mode), the hooks `kiseki slurm install` writes, and the real store behind a
// minimal ingest endpoint. Jobs are submitted with sbatch by a non-root user.
// The agent and the hooks run opted-in mode: only --comment=kiseki jobs.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { canTraceNode, KISEKI, startAgent, waitUntil, type AgentProcess, type IngestServer } from './agent-harness.js';
import { startKisekiOnSlurm, type KisekiOnSlurm } from './kiseki-on-slurm.js';
import { slurmAvailable, type SlurmCluster } from './slurm-harness.js';

const USER = 'kisekiu1';

describe.skipIf(!slurmAvailable() || !canTraceNode())('Slurm cluster: agent + hooks + store', () => {
  let store: Store;
  let server: IngestServer;
  let slurm: SlurmCluster;
  let agent: AgentProcess;
  let dir: string;
  let work: string;
  let agentArgs: string[];

  let world: KisekiOnSlurm | undefined;

  beforeAll(async () => {
    world = await startKisekiOnSlurm({
      name: 'slurm', user: USER, optIn: 'comment=kiseki', timeoutS: 30,
      kiseki: () => `'${process.execPath}' ${KISEKI.map((a) => `'${a}'`).join(' ')}`,
    });
    ({ store, server, slurm, dir, work, agentArgs } = world);
    agent = world.agent!;
  }, 180_000);

  afterAll(async () => {
    if (world) world.agent = agent; // a test may have restarted it
    await world?.stop();
  });

  function submit(name: string, script: string, args: string[] = ['--comment=kiseki']): string {
    const f = join(work, name);
    writeFileSync(f, script, { mode: 0o755 });
    return slurm.sbatch(USER, [...args, name], work);
  }

  async function jobNodes(id: string): Promise<{ processes: Array<{ exe: string | null; argv: string | null; host: string | null }>; files: string[] }> {
    const p = await store.db.query<{ exe: string | null; argv: string | null; host: string | null }>(
      `select pr.exe, pr.argv, pr.host from node n join process pr on pr.node_id = n.id join node jn on jn.id = n.job_id
       join job j on j.node_id = jn.id where j.scheduler = 'slurm' and j.job_ref = $1`, [id]);
    const f = await store.db.query<{ path: string }>(
      `select pa.path from node n join file_version f on f.node_id = n.id join path pa on pa.id = f.path_id join node jn on jn.id = n.job_id
       join job j on j.node_id = jn.id where j.scheduler = 'slurm' and j.job_ref = $1 and f.file_class = 'data'`, [id]);
    return { processes: p.rows, files: f.rows.map((r) => r.path) };
  }

  async function jobRow(id: string) {
    const { rows } = await store.db.query<Record<string, unknown>>(`select * from job where scheduler = 'slurm' and job_ref = $1`, [id]);
    return rows[0];
  }

  it('a job with two srun steps: processes, files, script and metadata under its job id', async () => {
    const id = submit('steps.sh', '#!/bin/sh\necho input > in.txt\nsrun sort in.txt -o sorted.txt\nsrun sh -c "wc -l sorted.txt > count.txt"\n');
    const final = await slurm.waitJob(id);
    expect(final.JobState).toBe('COMPLETED');
    const ended = Date.now();
    const got = await waitUntil('the job in the store', async () => {
      const n = await jobNodes(id);
      const row = await jobRow(id);
      return n.files.some((f) => f.endsWith('count.txt')) && row?.state === 'COMPLETED' && { n, row };
    }, 60_000);
    console.log(`job ${id}: provenance queryable ${Date.now() - ended} ms after scontrol saw it end`);
    const exes = got.n.processes.map((p) => p.exe ?? '');
    expect(exes.some((e) => e.endsWith('/slurm_script'))).toBe(true); // the batch script, as slurmstepd runs it
    expect(exes).toEqual(expect.arrayContaining(['/usr/bin/sort', '/usr/bin/wc'])); // both steps
    expect(got.n.files).toEqual(expect.arrayContaining([join(work, 'in.txt'), join(work, 'sorted.txt'), join(work, 'count.txt')]));
    expect(got.row).toMatchObject({ name: 'steps.sh', user_name: USER, script: join(work, 'steps.sh'), cwd: work, host: slurm.host, exit_code: 0 });
    const info = await store.db.query<{ body: string }>(`select body from raw_event where type = 'job.info'`);
    const records = info.rows.map((r) => JSON.parse(r.body) as { job: { id: string }; script?: string; partition?: string; comment?: string; account?: string });
    const mine = records.filter((r) => r.job.id === id);
    expect(mine.some((r) => r.script?.includes('srun sort in.txt'))).toBe(true);
    expect(mine.some((r) => r.partition === 'debug' && r.comment === 'kiseki')).toBe(true);
    // the record in the job row, the script once by its hash
    expect(got.row).toMatchObject({ partition: 'debug', comment: 'kiseki', node_list: JSON.stringify([slurm.host]) });
    const script = await store.db.query<{ text: string }>('select text from job_script where sha256 = $1', [got.row.script_sha256]);
    expect(script.rows[0]?.text).toContain('srun sort in.txt');
    // the controller's hooks sent their records too (straight to the server)
    const ctld = await waitUntil('the controller hooks\' records', async () => {
      const { rows } = await store.db.query<{ source: string }>(`select distinct source from raw_event where type = 'job.info' and source like 'slurmctld:%'`);
      const kinds = rows.map((r) => r.source).filter((src) => src.split(':')[2] === id).map((src) => src.split(':')[3]).sort();
      return kinds.length === 2 && kinds;
    }, 30_000);
    expect(ctld).toEqual(['epilog-slurmctld', 'prolog-slurmctld']);
    // the Prolog/Epilog hooks themselves are not the job's work
    expect(got.n.processes.some((p) => /slurm hook|prolog\.sh|epilog\.sh/.test(p.argv ?? ''))).toBe(false);
    const hooks = await store.db.query(`select 1 from process where argv like '%prolog.sh%' or argv like '%epilog.sh%' or argv like '%slurm hook%'`);
    expect(hooks.rows).toEqual([]);
  }, 120_000);

  it('two jobs at once on the node are kept apart', async () => {
    const a = submit('a.sh', '#!/bin/sh\nsleep 2\necho a > from-a.txt\n');
    const b = submit('b.sh', '#!/bin/sh\nsleep 2\necho b > from-b.txt\n');
    await slurm.waitJob(a);
    await slurm.waitJob(b);
    const ja = await waitUntil('job a', async () => { const n = await jobNodes(a); return n.files.length > 0 && n; }, 60_000);
    const jb = await waitUntil('job b', async () => { const n = await jobNodes(b); return n.files.length > 0 && n; }, 60_000);
    expect(ja.files).toContain(join(work, 'from-a.txt'));
    expect(ja.files).not.toContain(join(work, 'from-b.txt'));
    expect(jb.files).toContain(join(work, 'from-b.txt'));
    expect(jb.files).not.toContain(join(work, 'from-a.txt'));
  }, 120_000);

  it('a job that does not opt in is not traced', async () => {
    const id = submit('quiet.sh', '#!/bin/sh\necho secret > not-traced.txt\n', []);
    await slurm.waitJob(id);
    const marker = submit('marker.sh', '#!/bin/sh\necho m > marker.txt\n'); // a traced job after it, as a clock
    await slurm.waitJob(marker);
    await waitUntil('the later job', async () => (await jobNodes(marker)).files.length > 0, 60_000);
    expect(await jobRow(id)).toBeUndefined();
    const { rows } = await store.db.query(`select 1 from path where path like '%not-traced.txt'`);
    expect(rows).toEqual([]);
  }, 120_000);

  it('server down for 30 s during a job: nothing lost once it is back', async () => {
    await server.stop();
    try {
      const id = submit('down.sh', '#!/bin/sh\nfor i in 1 2 3 4 5 6; do echo $i > d$i.txt; sleep 0.5; done\nsrun cat d1.txt d6.txt > d-all.txt\n');
      await slurm.waitJob(id);
      await new Promise((r) => setTimeout(r, 30_000));
      await server.restart();
      const n = await waitUntil('the job after the outage', async () => {
        const j = await jobNodes(id);
        return j.files.some((f) => f.endsWith('d-all.txt')) && j;
      }, 90_000);
      for (const i of [1, 2, 3, 4, 5, 6]) expect(n.files).toContain(join(work, `d${i}.txt`));
      const row = await waitUntil('the job record', async () => { const r = await jobRow(id); return r?.state === 'COMPLETED' && r; }, 60_000);
      expect(row.complete).toBeNull();
    } finally {
      await server.restart();
    }
  }, 180_000);

  it('agent killed with -9 mid-job and restarted: nothing lost beyond what it reports', async () => {
    const id = submit('kill.sh', '#!/bin/sh\nfor i in 1 2 3 4 5 6 7 8 9 10; do echo $i > k$i.txt; sleep 0.5; done\n');
    await waitUntil('the first files', async () => (await jobNodes(id)).files.some((f) => f.endsWith('k2.txt')), 60_000);
    await agent.kill9();
    await new Promise((r) => setTimeout(r, 1000));
    agent = await startAgent(agentArgs);
    await agent.waitFor(/adopted 1 running job\(s\): slurm:/);
    await slurm.waitJob(id);
    await waitUntil('the last file', async () => (await jobNodes(id)).files.some((f) => f.endsWith('k10.txt')), 60_000);
    const row = await waitUntil('the job marked incomplete', async () => { const r = await jobRow(id); return r?.complete === false && r; }, 60_000);
    expect(row.complete).toBe(false);
    const { rows } = await store.db.query<{ body: string }>(`select body from raw_event where type = 'trace.lost'`);
    const lost = rows.map((r) => JSON.parse(r.body) as { job?: { id: string }; reason: string });
    expect(lost.filter((l) => l.job?.id === id).map((l) => l.reason)).toEqual([expect.stringMatching(/agent started while the job was running/)]);
  }, 180_000);
});
