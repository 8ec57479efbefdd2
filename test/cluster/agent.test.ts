// `kiseki agent` end to end on this machine (root, eBPF), without a
// scheduler: processes that carry SLURM_JOB_ID in their environment, as
// slurmstepd's tasks do. Delivery through a real ingest endpoint on the real
// store: server down for 30 s, agent killed -9 and restarted, spool full,
// wrong token. (test/cluster/slurm.test.ts does the same with a real Slurm.)
import { spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { aggregationStatus } from '../../src/graph/index.js';
import { createNodeToken, revokeNodeToken } from '../../src/ingest/node-tokens.js';
import { resetStore, type Store } from '../../src/store/index.js';
import { makeTarget, openTarget, POSTGRES_URL } from '../store/stores.js';
import { canTraceNode, KISEKI, startAgent, startIngestServer, waitUntil, type IngestServer } from './agent-harness.js';

const ok = canTraceNode();

/** Runs `script` in sh as a process of job `job` (not waiting unless asked). */
function jobRun(job: string, script: string, cwd: string): void {
  const r = spawnSync('/bin/sh', ['-c', script], { cwd, env: { PATH: '/usr/bin:/bin', SLURM_JOB_ID: job, HOME: cwd }, stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`job script failed: ${r.status}`);
}

describe.skipIf(!ok)('kiseki agent (eBPF agent mode, spool, shipping)', () => {
  let store: Store;
  let server: IngestServer;
  let dir: string;
  let tokenFile: string;
  let n = 0;

  beforeAll(async () => {
    const target = await makeTarget(POSTGRES_URL ? 'postgres' : 'pglite', 'cluster-agent');
    store = await openTarget(target);
    server = await startIngestServer(store);
  });
  afterAll(async () => {
    await server?.stop();
    await store?.close();
  });
  beforeEach(async () => {
    await resetStore(store.db);
    await store.db.exec('delete from node_token');
    dir = mkdtempSync(join(tmpdir(), 'kiseki-agent-'));
    tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, await createNodeToken(store.db, 'node-a'));
    return () => rmSync(dir, { recursive: true, force: true });
  });

  const jobId = () => String(900000 + process.pid * 10 + n++);
  const agentArgs = (extra: string[] = []) => ['--server', server.url, '--token-file', tokenFile, '--spool', join(dir, 'spool'), '--id', 'agent:test-a', '--batch-ms', '100', ...extra];

  async function filesOfJob(job: string): Promise<string[]> {
    const { rows } = await store.db.query<{ path: string }>(
      `select p.path from node n join file_version f on f.node_id = n.id join path p on p.id = f.path_id
       join node jn on jn.id = n.job_id join job j on j.node_id = jn.id where j.job_ref = $1 order by p.path`, [job]);
    return rows.map((r) => r.path);
  }
  async function jobRow(job: string) {
    const { rows } = await store.db.query<{ complete: boolean | null; processes: number }>(
      `select j.complete, (select count(*) from node p where p.job_id = jn.id and p.kind = 'process')::int as processes
       from job j join node jn on jn.id = j.node_id where j.job_ref = $1`, [job]);
    return rows[0];
  }
  async function settled(): Promise<boolean> {
    const st = await aggregationStatus(store.db);
    return st.every((s) => s.pendingEvents === 0);
  }

  it('traces a job process tree, ships it, and the store has it under the job id; other processes are left alone', async () => {
    const agent = await startAgent(agentArgs());
    try {
      const job = jobId();
      jobRun(job, 'echo a > in.txt; sort in.txt > out.txt; cat out.txt | wc -l > count.txt', dir);
      spawnSync('/bin/sh', ['-c', `echo untraced > ${join(dir, 'not-a-job.txt')}`]);
      const files = await waitUntil('the job files', async () => {
        const f = await filesOfJob(job);
        return f.some((p) => p.endsWith('count.txt')) && f;
      });
      expect(files).toEqual(expect.arrayContaining([join(dir, 'in.txt'), join(dir, 'out.txt'), join(dir, 'count.txt')]));
      const { rows } = await store.db.query(`select 1 from path where path like '%not-a-job.txt'`);
      expect(rows).toEqual([]);
      const row = await jobRow(job);
      expect(row!.processes).toBeGreaterThanOrEqual(4); // sh, sort, cat, wc
      expect(row!.complete).toBeNull();
    } finally {
      await agent.stop();
    }
  });

  it('two agents with different host identities feeding one server merge into one job', async () => {
    const job = jobId();
    const a = await startAgent(agentArgs().map((v) => (v === 'agent:test-a' ? 'agent:host-a' : v)).concat(['--host', 'host-a']));
    try {
      jobRun(job, 'echo 1 > rank0.txt', dir);
      await waitUntil('host-a part', async () => (await filesOfJob(job)).some((p) => p.endsWith('rank0.txt')));
    } finally {
      await a.stop();
    }
    const spoolB = join(dir, 'spool-b');
    const b = await startAgent(['--server', server.url, '--token-file', tokenFile, '--spool', spoolB, '--id', 'agent:host-b', '--host', 'host-b', '--batch-ms', '100']);
    try {
      jobRun(job, 'echo 2 > rank1.txt', dir);
      await waitUntil('host-b part', async () => (await filesOfJob(job)).some((p) => p.endsWith('rank1.txt')));
    } finally {
      await b.stop();
    }
    const { rows } = await store.db.query<{ host: string; n: number }>(
      `select pr.host, count(*)::int as n from node n join process pr on pr.node_id = n.id join node jn on jn.id = n.job_id
       join job j on j.node_id = jn.id where j.job_ref = $1 group by pr.host order by pr.host`, [job]);
    expect(rows.map((r) => r.host)).toEqual(['host-a', 'host-b']);
    const jobs = await store.db.query(`select 1 from job where job_ref = $1`, [job]);
    expect(jobs.rows).toHaveLength(1);
  });

  it('a pid registered by a hook (<run-dir>/register/<pid>) joins the job with its later children', async () => {
    const runDir = join(dir, 'run');
    const agent = await startAgent(agentArgs(['--run-dir', runDir]));
    const { spawn } = await import('node:child_process');
    // no job variable in its environment: only the registration attributes it
    const p = spawn('/bin/sh', ['-c', 'sleep 1; echo r > registered.txt'], { cwd: dir, env: { PATH: '/usr/bin:/bin' }, stdio: 'ignore' });
    const job = jobId();
    try {
      mkdirSync(join(runDir, 'register'), { recursive: true });
      writeFileSync(join(runDir, 'register', String(p.pid)), `slurm ${job}\n`);
      await new Promise((r) => p.on('exit', r));
      await waitUntil('the registered process', async () => (await filesOfJob(job)).some((f) => f.endsWith('registered.txt')));
    } finally {
      await agent.stop();
    }
  });

  it("takes job records only from root: a record another user left in the inbox is ignored, and the inbox is root's alone", async () => {
    const agent = await startAgent(agentArgs());
    const inbox = join(dir, 'spool', 'inbox');
    const mine = jobId();
    const forged = jobId();
    try {
      expect(statSync(inbox).mode & 0o777).toBe(0o700);
      const record = (job: string, name: string) => JSON.stringify({ type: 'job.info', ts: Date.now() * 1000, job: { scheduler: 'slurm', id: job }, name, user: 'alice', uid: 2001, gid: 3001 });
      // A user's file (as if the inbox were open to them): owned by nobody.
      writeFileSync(join(inbox, `1-slurm-${forged}-prolog.json`), record(forged, 'forged'));
      chownSync(join(inbox, `1-slurm-${forged}-prolog.json`), 65534, 65534);
      writeFileSync(join(inbox, `2-slurm-${mine}-prolog.json`), record(mine, 'from-root'));
      await waitUntil('the root record', async () => {
        const { rows } = await store.db.query<{ name: string }>('select name from job where job_ref = $1', [mine]);
        return rows[0]?.name === 'from-root';
      });
      await agent.waitFor(/ignoring .*written by uid 65534, not by root/);
      await waitUntil('aggregation', settled);
      expect((await store.db.query('select 1 from job where job_ref = $1', [forged])).rows).toEqual([]);
    } finally {
      await agent.stop();
    }
  });

  it('server down for 30 s during a job: nothing lost once it is back', async () => {
    const agent = await startAgent(agentArgs());
    try {
      await server.stop();
      const job = jobId();
      jobRun(job, 'for i in 1 2 3 4 5; do echo $i > part$i.txt; sleep 0.2; done; cat part*.txt > all.txt', dir);
      await agent.waitFor(/cannot reach the server/);
      await new Promise((r) => setTimeout(r, 30_000));
      const status = JSON.parse(readFileSync(join(dir, 'spool', 'status.json'), 'utf8')) as { backlogBatches: number };
      expect(status.backlogBatches).toBeGreaterThan(0);
      await server.restart();
      await waitUntil('the spooled batches', async () => (await filesOfJob(job)).some((p) => p.endsWith('all.txt')), 60_000);
      await waitUntil('an empty spool', async () => {
        const s = JSON.parse(readFileSync(join(dir, 'spool', 'status.json'), 'utf8')) as { backlogBatches: number };
        return s.backlogBatches === 0;
      });
      expect(await settled()).toBe(true);
      const files = await filesOfJob(job);
      for (const i of [1, 2, 3, 4, 5]) expect(files).toContain(join(dir, `part${i}.txt`));
      expect((await jobRow(job))!.complete).toBeNull(); // nothing reported lost
      expect(agent.output()).toMatch(/accepts batches again/);
    } finally {
      if (server) await server.restart().catch(() => {});
      await agent.stop();
    }
  }, 120_000);

  it('agent killed with -9 mid-job and restarted: the job is adopted, marked incomplete, and what was spooled arrives', async () => {
    let agent = await startAgent(agentArgs());
    const job = jobId();
    const { spawn } = await import('node:child_process');
    const run = spawn('/bin/sh', ['-c', 'for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo $i > k$i.txt; sleep 0.5; done'], {
      cwd: dir, env: { PATH: '/usr/bin:/bin', SLURM_JOB_ID: job }, stdio: 'ignore',
    });
    const done = new Promise((r) => run.on('exit', r));
    try {
      await waitUntil('the first files', async () => (await filesOfJob(job)).some((p) => p.endsWith('k2.txt')));
      await agent.kill9();
      await new Promise((r) => setTimeout(r, 1000));
      agent = await startAgent(agentArgs());
      await agent.waitFor(/adopted 1 running job/);
      await done;
      // Generous: on a loaded 2-core CI machine the restarted agent may take a while to catch up.
      await waitUntil('the last file', async () => (await filesOfJob(job)).some((p) => p.endsWith('k12.txt')), 90_000);
      await waitUntil('aggregation', settled);
      const row = await jobRow(job);
      expect(row!.complete).toBe(false); // the restart is reported
      const { rows } = await store.db.query<{ body: string }>(`select body from raw_event where type = 'trace.lost'`);
      expect(rows.map((r) => JSON.parse(r.body) as { reason: string; job?: { id: string } })).toEqual([
        expect.objectContaining({ job: { scheduler: 'slurm', id: job }, reason: expect.stringMatching(/agent started while the job was running/) }),
      ]);
      const st = await aggregationStatus(store.db);
      expect(st.find((s) => s.source === 'agent:test-a')!.pendingEvents).toBe(0); // gap-free sequence across the restart
    } finally {
      run.kill();
      await agent.stop();
    }
  }, 180_000);

  it('spool full: newest batches dropped, counted per job, and the job is marked incomplete', async () => {
    await server.stop();
    const agent = await startAgent(agentArgs(['--spool-max', '3k']));
    try {
      const job = jobId();
      jobRun(job, 'for i in $(seq 1 40); do echo $i > s$i.txt; cat s$i.txt > /dev/null; done', dir);
      await agent.waitFor(/spool full/);
      await server.restart();
      await waitUntil('the lost report', async () => (await jobRow(job))?.complete === false, 60_000);
      const { rows } = await store.db.query<{ body: string }>(`select body from raw_event where type = 'trace.lost'`);
      const lost = rows.map((r) => JSON.parse(r.body) as { count: number; reason: string; job?: { id: string } });
      expect(lost.some((l) => l.job?.id === job && l.reason.includes('spool full') && l.count > 0)).toBe(true);
      await waitUntil('status', async () => {
        const s = JSON.parse(readFileSync(join(dir, 'spool', 'status.json'), 'utf8')) as { droppedEvents: number };
        return s.droppedEvents > 0;
      });
    } finally {
      await server.restart().catch(() => {});
      await agent.stop();
    }
  }, 90_000);

  it('a wrong or revoked token is refused, and the agent says why', async () => {
    writeFileSync(tokenFile, 'kst_not-a-real-token');
    const agent = await startAgent(agentArgs());
    try {
      jobRun(jobId(), 'echo x > t.txt', dir);
      await agent.waitFor(/refused this node's token \(HTTP 401\): unknown node token/);
      await agent.stop();
      const good = await createNodeToken(store.db, 'node-b');
      await revokeNodeToken(store.db, { node: 'node-b' });
      writeFileSync(tokenFile, good);
      const again = await startAgent(agentArgs());
      await again.waitFor(/node token of node-b was revoked/);
      await again.stop();
    } finally {
      await agent.stop();
    }
  });

  it('says that ptrace cannot trace a node', () => {
    const r = spawnSync(process.execPath, [...KISEKI, 'agent', 'run', '--backend', 'ptrace', '--server', 'http://x'], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/ptrace \(strace\) can only follow the process tree it starts itself/);
  });
});

