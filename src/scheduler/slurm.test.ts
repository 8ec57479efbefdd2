import { describe, expect, it } from 'vitest';
import { expandHostlist, jobInfoFrom, optsIn, parseOptIn, parseScontrolJob, slurmTimeUs } from './slurm.js';

const LINE = 'JobId=42 JobName=my job.sh UserId=alice(1001) GroupId=alice(1001) MCS_label=N/A Priority=1 Account=proj QOS=normal '
  + 'JobState=COMPLETED Reason=None ExitCode=0:0 SubmitTime=2026-11-25T15:00:00 StartTime=2026-11-25T15:00:01 EndTime=2026-11-25T15:00:09 '
  + 'Partition=debug NodeList=n[01-03],gpu7 Command=/home/alice/my job.sh WorkDir=/home/alice Comment=kiseki urgent '
  + 'SubmitLine=sbatch --comment=kiseki my job.sh StdOut=/home/alice/slurm-42.out';

describe('Slurm job records', () => {
  it('parses scontrol show job -o, keeping values with spaces', () => {
    const j = parseScontrolJob(LINE);
    expect(j).toMatchObject({ JobId: '42', JobName: 'my job.sh', Command: '/home/alice/my job.sh', Comment: 'kiseki urgent', NodeList: 'n[01-03],gpu7', SubmitLine: 'sbatch --comment=kiseki my job.sh' });
  });
  it('expands host lists', () => {
    expect(expandHostlist('n[01-03],gpu7')).toEqual(['n01', 'n02', 'n03', 'gpu7']);
    expect(expandHostlist('a[1,3-4]')).toEqual(['a1', 'a3', 'a4']);
    expect(expandHostlist('(null)')).toEqual([]);
  });
  it('reads local times', () => {
    expect(slurmTimeUs('2026-11-25T15:00:00')).toBe(new Date(2026, 10, 25, 15, 0, 0).getTime() * 1000);
    expect(slurmTimeUs('Unknown')).toBeUndefined();
  });
  it('builds job.info for the Prolog and the Epilog', () => {
    const j = parseScontrolJob(LINE);
    const start = jobInfoFrom('prolog', { SLURM_JOB_ID: '42', SLURM_CLUSTER_NAME: 'c1' }, j, '#!/bin/sh\necho\n', 5);
    expect(start).toMatchObject({
      type: 'job.info', job: { scheduler: 'slurm', id: '42' }, cluster: 'c1', name: 'my job.sh', user: 'alice', uid: 1001, gid: 1001,
      account: 'proj', partition: 'debug', qos: 'normal', nodes: ['n01', 'n02', 'n03', 'gpu7'], scriptPath: '/home/alice/my job.sh',
      submitDir: '/home/alice', state: 'RUNNING', script: '#!/bin/sh\necho\n',
    });
    expect(start.scriptSha256).toMatch(/^[0-9a-f]{64}$/);
    const end = jobInfoFrom('epilog', { SLURM_JOB_ID: '42', SLURM_JOB_EXIT_CODE: String(3 << 8) }, { ...j, JobState: 'COMPLETING' }, undefined, 9);
    expect(end).toMatchObject({ exitCode: 3, signal: null, state: 'FAILED' });
    const killed = jobInfoFrom('epilog-slurmctld', { SLURM_JOB_ID: '42' }, { ...j, ExitCode: '0:9', JobState: 'CANCELLED' }, undefined, 9);
    expect(killed).toMatchObject({ exitCode: null, signal: 9, state: 'CANCELLED' });
  });
  it('opt-in: any rule matching is enough; no rule means every job', () => {
    const j = parseScontrolJob(LINE);
    expect(optsIn({}, j)).toBe(true);
    expect(optsIn(parseOptIn(['comment=kiseki']), j)).toBe(true);
    expect(optsIn(parseOptIn(['comment=kis']), j)).toBe(false);
    expect(optsIn(parseOptIn(['partition=gpu', 'qos=normal']), j)).toBe(true);
    // QOS alone (the test Slurm runs without slurmdbd, so QOS is tested here only)
    expect(optsIn(parseOptIn(['qos=normal']), j)).toBe(true);
    expect(optsIn(parseOptIn(['qos=high']), j)).toBe(false);
    expect(optsIn(parseOptIn(['partition=debug']), j)).toBe(true);
    expect(optsIn(parseOptIn(['partition=gpu']), j)).toBe(false);
    expect(() => parseOptIn(['user=alice'])).toThrow(/comment=WORD/);
  });
});
