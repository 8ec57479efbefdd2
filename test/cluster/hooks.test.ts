// The Slurm hooks with a real single-node Slurm (slurmctld, slurmd, munge,
// started and stopped here): opt-in by partition, and "a hook never fails a
// job nor drains a node, whatever happens to Kiseki". The hook scripts are
// the ones `kiseki slurm install` writes (--timeout 3), pointed at a wrapper
// that behaves as the test says: the real kiseki, a kiseki that fails, one
// killed by a signal, one that hangs and ignores SIGTERM, and the real
// kiseki with the server and the agent down. Each job must run and complete,
// and the node must stay up (not drained), as slurmctld reports it.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { canTraceNode, KISEKI, startAgent, waitUntil, type AgentProcess, type IngestServer } from './agent-harness.js';
import { startKisekiOnSlurm, type KisekiOnSlurm } from './kiseki-on-slurm.js';
import { slurmAvailable, type SlurmCluster } from './slurm-harness.js';

const USER = 'kisekiu1';
const HOOK_TIMEOUT_S = 3;
type Mode = 'real' | 'fail' | 'signal' | 'hang';

describe.skipIf(!slurmAvailable() || !canTraceNode())('Slurm hooks: opt-in by partition; a hook never fails a job nor drains a node', () => {
  let store: Store;
  let server: IngestServer;
  let slurm: SlurmCluster;
  let agent: AgentProcess | undefined;
  let dir: string;
  let work: string;
  let spool: string;
  let hooks: string;
  let agentArgs: string[];

  let world: KisekiOnSlurm | undefined;

  beforeAll(async () => {
    world = await startKisekiOnSlurm({
      name: 'hooks', user: USER, optIn: 'partition=other', timeoutS: HOOK_TIMEOUT_S,
      // The wrapper the hooks run as "kiseki": its behaviour comes from <dir>/mode.
      kiseki: (d) => {
        dir = d;
        const real = [process.execPath, ...KISEKI].map((a) => `'${a}'`).join(' ');
        const wrapper = join(d, 'kiseki-wrapper.sh');
        writeFileSync(wrapper, [
          '#!/bin/sh',
          `echo "$$ $*" >> '${join(d, 'calls.log')}'`,
          `case "$(cat '${join(d, 'mode')}')" in`,
          '  fail) echo "kiseki: simulated failure" >&2; exit 1 ;;',
          '  signal) ulimit -c 0; kill -SEGV $$ ;;', // no core file left in slurmd's folder
          "  hang) trap '' TERM; while :; do sleep 1; done ;;",
          `  *) exec ${real} "$@" ;;`,
          'esac',
          '',
        ].join('\n'), { mode: 0o755 });
        setMode('real');
        return wrapper;
      },
    });
    ({ store, server, slurm, agent, dir, work, spool, hooks, agentArgs } = world);
  }, 180_000);

  afterAll(async () => {
    if (world) world.agent = agent; // a test may have restarted it
    await world?.stop();
  });

  function setMode(m: Mode): void {
    writeFileSync(join(dir, 'mode'), `${m}\n`);
  }

  function submit(name: string, script: string, args: string[]): string {
    writeFileSync(join(work, name), script, { mode: 0o755 });
    return slurm.sbatch(USER, [...args, name], work);
  }

  /** The node as slurmctld sees it: State and Reason (a drained node says DRAIN and why). */
  function nodeState(): { state: string; reason: string; raw: string } {
    const r = spawnSync('/usr/bin/scontrol', ['show', 'node', '-o', slurm.host], { encoding: 'utf8', env: slurm.env });
    return { state: /\bState=(\S+)/.exec(r.stdout)?.[1] ?? r.stdout, reason: /\bReason=(.*?)(?: \w+=|$)/.exec(r.stdout.trim())?.[1] ?? '', raw: r.stdout };
  }

  async function expectNodeUp(): Promise<void> {
    // Epilog(s) may still be running just after the job ends: wait for the node to settle.
    const s = await waitUntil('the node to be idle', async () => { const n = nodeState(); return /^IDLE$/.test(n.state) && n; }, 60_000)
      .catch(() => nodeState());
    expect(s.state, `node ${slurm.host}: ${s.state} ${s.reason}\n${slurm.log()}`).toBe('IDLE');
    expect(s.reason).toBe('');
    const sinfo = spawnSync('/usr/bin/sinfo', ['-h', '-N', '-o', '%t', '-n', slurm.host], { encoding: 'utf8', env: slurm.env });
    expect(sinfo.stdout.trim().split('\n')).not.toContainEqual(expect.stringMatching(/drain|drng|down|fail/));
  }

  async function jobRow(id: string) {
    const { rows } = await store.db.query<Record<string, unknown>>(`select * from job where scheduler = 'slurm' and job_ref = $1`, [id]);
    return rows[0];
  }

  /** Runs one job (partition `other`, so it opts in) under a wrapper mode; returns scontrol's record and the wall time. */
  async function jobUnder(mode: Mode, name: string): Promise<{ id: string; final: Record<string, string>; ms: number; calls: string[] }> {
    setMode(mode);
    const before = existsSync(join(dir, 'calls.log')) ? readFileSync(join(dir, 'calls.log'), 'utf8').split('\n').length - 1 : 0;
    const t0 = Date.now();
    const id = submit(name, `#!/bin/sh\necho ${mode} > ${name}.out\n`, ['-p', 'other']);
    const final = await slurm.waitJob(id, 120_000);
    const ms = Date.now() - t0;
    await expectNodeUp();
    const calls = readFileSync(join(dir, 'calls.log'), 'utf8').split('\n').slice(before).filter((l) => l !== '');
    console.log(`kiseki ${mode}: job ${id} ${final.JobState} in ${ms} ms; hook calls: ${calls.map((c) => c.split(' ').slice(-1)[0]).join(', ')}`);
    return { id, final, ms, calls };
  }

  it('opt-in by partition: a job in partition `other` is traced with its record; one in `debug` is not', async () => {
    const quiet = submit('in-debug.sh', '#!/bin/sh\necho hidden > in-debug.txt\n', ['-p', 'debug']);
    await slurm.waitJob(quiet);
    const id = submit('in-other.sh', '#!/bin/sh\necho seen > in-other.txt\n', ['-p', 'other', '--comment=not-the-word']);
    const final = await slurm.waitJob(id);
    expect(final.JobState).toBe('COMPLETED');
    const row = await waitUntil('the traced job', async () => {
      const r = await jobRow(id);
      const f = await store.db.query(`select 1 from path where path = $1`, [join(work, 'in-other.txt')]);
      return r?.state === 'COMPLETED' && f.rows.length > 0 && r;
    }, 60_000).catch(async (e: Error) => {
      // say what the store has instead
      const p = await store.db.query<{ path: string }>(`select path from path where path like '%in-other%' or path like '%in-debug%'`);
      const procs = await store.db.query<{ exe: string; cwd: string; argv: string }>(
        `select pr.exe, pr.cwd, pr.argv from process pr join node n on n.id = pr.node_id join job j on j.node_id = n.job_id where j.job_ref = $1`, [id]);
      throw new Error(`${e.message}\njob row: ${JSON.stringify(await jobRow(id))}\npaths: ${JSON.stringify(p.rows)}\nprocesses: ${JSON.stringify(procs.rows)}\nagent: ${agent?.output().slice(-2000)}`);
    });
    expect(row).toMatchObject({ partition: 'other', comment: 'not-the-word', name: 'in-other.sh', user_name: USER, cwd: work, node_list: JSON.stringify([slurm.host]) });
    expect(row.submit_ts).not.toBeNull();
    const script = await store.db.query<{ text: string }>('select text from job_script where sha256 = $1', [row.script_sha256]);
    expect(script.rows[0]?.text).toContain('echo seen > in-other.txt');
    expect(await jobRow(quiet)).toBeUndefined();
    expect((await store.db.query(`select 1 from path where path like '%in-debug.txt'`)).rows).toEqual([]);
  }, 120_000);

  it('kiseki fails (exit 1): the job completes, the node stays up', async () => {
    const r = await jobUnder('fail', 'fail');
    expect(r.final.JobState).toBe('COMPLETED');
    expect(r.calls.map((c) => c.split(' ').slice(-1)[0])).toEqual(expect.arrayContaining(['prolog', 'epilog']));
    expect(readFileSync(join(hooks, 'hooks.log'), 'utf8')).toContain('kiseki: simulated failure');
  }, 180_000);

  it('kiseki is killed by a signal (SIGSEGV): the job completes, the node stays up', async () => {
    const r = await jobUnder('signal', 'signal');
    expect(r.final.JobState).toBe('COMPLETED');
    expect(r.calls.length).toBeGreaterThanOrEqual(2);
  }, 180_000);

  it('kiseki hangs and ignores SIGTERM: each hook is killed after its timeout, the job completes, the node stays up', async () => {
    const r = await jobUnder('hang', 'hang');
    expect(r.final.JobState).toBe('COMPLETED');
    const kinds = r.calls.map((c) => c.split(' ').slice(-1)[0]);
    expect(kinds).toEqual(expect.arrayContaining(['prolog', 'epilog', 'prolog-slurmctld']));
    // every hung kiseki goes within timeout + 2 s: `timeout -k 2` kills it (and its sleep)
    await waitUntil('the hung hooks to be killed', async () => r.calls.every((c) => !existsSync(`/proc/${c.split(' ')[0]}`)), (HOOK_TIMEOUT_S + 2) * 1000 + 5_000);
    // four hooks, each at most timeout + 2 s grace; Prolog and PrologSlurmctld delay the start, Epilogs the end
    expect(r.ms).toBeLessThan(4 * (HOOK_TIMEOUT_S + 2) * 1000 + 20_000);
  }, 180_000);

  it('the server and the agent are down (real kiseki, no inbox, nothing listening): the job completes, the node stays up', async () => {
    await server.stop();
    await agent!.stop();
    agent = undefined;
    rmSync(join(spool, 'inbox'), { recursive: true, force: true });
    try {
      const r = await jobUnder('real', 'down');
      expect(r.final.JobState).toBe('COMPLETED');
      const log = readFileSync(join(hooks, 'hooks.log'), 'utf8');
      expect(log).toMatch(/no agent inbox at .*is kiseki agent running/);
      expect(log).toMatch(/the server did not take the record/);
    } finally {
      await server.restart();
      agent = await startAgent(agentArgs);
    }
    // Kiseki back: the next job is traced again
    setMode('real');
    const id = submit('after.sh', '#!/bin/sh\necho back > after.txt\n', ['-p', 'other']);
    await slurm.waitJob(id);
    await waitUntil('the job after the outage', async () => (await jobRow(id))?.state === 'COMPLETED', 60_000);
    await expectNodeUp();
  }, 240_000);

  it('control: a Prolog that fails without that guard drains the node (so the checks above would see a drain)', async () => {
    const prolog = join(hooks, 'prolog.sh');
    const guarded = readFileSync(prolog, 'utf8');
    writeFileSync(prolog, '#!/bin/sh\nexit 1\n');
    let id: string | undefined;
    try {
      id = submit('drained.sh', '#!/bin/sh\ntrue\n', ['-p', 'other']);
      const s = await waitUntil('the node to be drained', async () => { const n = nodeState(); return /DRAIN/.test(n.state) && n; }, 60_000);
      expect(s.reason, s.raw).toMatch(/[Pp]rolog/);
    } finally {
      writeFileSync(prolog, guarded);
      if (id) spawnSync('/usr/bin/scancel', [id], { env: slurm.env });
      spawnSync('/usr/bin/scontrol', ['update', `nodename=${slurm.host}`, 'state=resume'], { env: slurm.env });
    }
    await expectNodeUp();
  }, 120_000);
});
