import { describe, expect, it } from 'vitest';
import { jobFromEnv } from '../agent/daemon/job-env.js';
import { execHosts, jobInfoFromQstat, parsePbsJobId, parseQstatF, variableList } from './pbs.js';

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
});
