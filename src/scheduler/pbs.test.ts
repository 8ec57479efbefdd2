import { describe, expect, it } from 'vitest';
import { jobFromEnv } from '../agent/daemon/job-env.js';
import { execHosts, jobInfoFromPbsHook, jobInfoFromQstat, parsePbsJobId, parseQstatF, pbsOptsIn, pbsTimeUs, variableList } from './pbs.js';
import { jobFromEnvironment, PBS, SLURM } from './scheduler.js';

const QSTAT = `Job Id: 4711.pbs01
    Job_Name = relax
    Job_Owner = alice@login1
    job_state = F
    queue = workq
    Account_Name = proj7
    exec_host = n01/0*4+n02/0*4
    Exit_status = 0
    qtime = Wed Nov 25 15:00:00 2026
    stime = Wed Nov 25 15:00:05 2026
    obittime = Wed Nov 25 15:10:00 2026
    Variable_List = PBS_O_HOME=/home/alice,PBS_O_WORKDIR=/home/alice/run,
\tMSG=a\\,b
`;

describe('PBS job records', () => {
  it('parses job ids, including array subjobs', () => {
    expect(parsePbsJobId('4711.pbs01')).toEqual({ id: '4711.pbs01', number: '4711', server: 'pbs01' });
    expect(parsePbsJobId('12[3].srv')).toMatchObject({ number: '12[3]' });
    expect(parsePbsJobId('x')).toBeUndefined();
    expect(jobFromEnv(['PBS_JOBID=4711.pbs01'])).toEqual({ scheduler: 'pbs', id: '4711.pbs01' });
  });
  it('parses qstat -f with wrapped lines into job.info', () => {
    const q = parseQstatF(QSTAT);
    expect(q['Job Id']).toBe('4711.pbs01');
    expect(variableList(q.Variable_List)).toEqual({ PBS_O_HOME: '/home/alice', PBS_O_WORKDIR: '/home/alice/run', MSG: 'a,b' });
    expect(execHosts(q.exec_host)).toEqual(['n01', 'n02']);
    const info = jobInfoFromQstat(q, 1);
    expect(info).toMatchObject({
      job: { scheduler: 'pbs', id: '4711.pbs01' }, name: 'relax', user: 'alice', account: 'proj7', partition: 'workq',
      nodes: ['n01', 'n02'], submitDir: '/home/alice/run', exitCode: 0, signal: null, state: 'COMPLETED',
    });
    expect(info.endTs! - info.startTs!).toBe((9 * 60 + 55) * 1e6);
    expect(jobInfoFromQstat({ ...q, Exit_status: '265' }, 1)).toMatchObject({ exitCode: null, signal: 9 });
  });
  it('reads the times a hook passes (epoch seconds) as well as qstat -f times', () => {
    expect(pbsTimeUs('1795612800')).toBe(1795612800_000000);
    expect(pbsTimeUs('Wed Nov 25 15:00:00 2026')).toBe(new Date(2026, 10, 25, 15, 0, 0).getTime() * 1000);
  });
  it('begin says running, end says how it ended', () => {
    const q = parseQstatF(QSTAT);
    expect(jobInfoFromPbsHook('begin', { ...q, job_state: 'R' }, 1)).toMatchObject({ state: 'RUNNING' });
    expect(jobInfoFromPbsHook('begin', q, 1).endTs).toBeUndefined();
    expect(jobInfoFromPbsHook('end', { ...q, job_state: 'E', Exit_status: '2', obittime: '' }, 7)).toMatchObject({ exitCode: 2, state: 'FAILED', endTs: 7 });
    expect(jobInfoFromPbsHook('end', { ...q, job_state: 'E', Exit_status: '0' }, 7)).toMatchObject({ exitCode: 0, state: 'COMPLETED' });
  });
  it('opt-in by queue (the partition); no rule: every job', () => {
    const q = parseQstatF(QSTAT);
    expect(pbsOptsIn({}, q)).toBe(true);
    expect(pbsOptsIn({ partition: 'workq' }, q)).toBe(true);
    expect(pbsOptsIn({ partition: 'gpu' }, q)).toBe(false);
  });
});

describe('the scheduler interface', () => {
  it('names the job of an environment: Slurm first, then PBS, ids checked', () => {
    const env = (vars: Record<string, string>) => (name: string) => vars[name];
    expect(jobFromEnvironment(env({ PBS_JOBID: '12[3].srv' }))).toEqual({ scheduler: 'pbs', id: '12[3].srv' });
    expect(jobFromEnvironment(env({ SLURM_JOB_ID: '42', PBS_JOBID: '7.s' }))).toEqual({ scheduler: 'slurm', id: '42' });
    expect(jobFromEnvironment(env({ SLURM_JOB_ID: '42; rm', PBS_JOBID: 'x y' }))).toBeUndefined();
    expect(SLURM.optInKeys).toEqual(['comment', 'partition', 'qos']);
    expect(PBS.optInKeys).toEqual(['partition']);
  });
});
