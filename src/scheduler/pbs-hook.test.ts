// The PBS hook that `kiseki pbs install` writes, run by python3 against a
// stand-in for PBS's `pbs` module (event(), job attributes, accept()): no
// PBS server or pbs_mom can run here, so this checks what the hook does with
// the hook API as PBS documents it, not PBS itself. Then `kiseki pbs hook`
// (runPbsHook) turns what the hook sent into the agent's inbox record.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeTraceEvent } from '../core/trace-event.js';
import { runPbsHook } from '../cli/commands/pbs.js';
import { pbsHookScript, pbsQmgrLines } from './pbs-hook.js';

const hasPython = spawnSync('python3', ['--version']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'kiseki-pbshook-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A stand-in for PBS's hook module: the event and job come from STUB_EVENT (JSON).
const STUB = `import json, os
EXECJOB_BEGIN = 'execjob_begin'
EXECJOB_END = 'execjob_end'
LOG_WARNING = 'warning'
pbs_conf = {'PBS_HOME': os.environ['STUB_PBS_HOME']}
_spec = json.loads(os.environ['STUB_EVENT'])
def _note(line):
    with open(os.environ['STUB_OUT'], 'a') as f:
        f.write(line + '\\n')
class _Vars(dict):
    pass
class _Job(object):
    def __init__(self, attrs):
        for k, v in attrs.items():
            if k == 'id' and _spec.get('broken'):
                continue
            setattr(self, k, _Vars(v) if k == 'Variable_List' else v)
    def __getattr__(self, name):
        if name == 'id' and _spec.get('broken'):
            raise RuntimeError('the job has no id today')
        return None
class _Event(object):
    def __init__(self):
        self.type = _spec['type']
        self.job = _Job(_spec['job'])
    def accept(self):
        _note('accepted')
        raise SystemExit(0)
    def reject(self, msg=''):
        _note('rejected ' + msg)
        raise SystemExit(1)
_event = _Event()
def event():
    return _event
def logmsg(level, msg):
    _note('log %s %s' % (level, msg))
`;

const JOB = {
  id: '4711.pbs01', Job_Name: 'relax', Job_Owner: 'alice@login1', euser: 'root', job_state: 'R', queue: 'workq', Account_Name: 'proj7',
  exec_host: 'n01/0*4+n02/0*4', ctime: 1795612790, qtime: 1795612800, stime: 1795612805,
  Variable_List: { PBS_O_WORKDIR: '/home/alice/run', MSG: 'a,b' },
};

function kisekiStub(mode: 'record' | 'fail' | 'hang'): string {
  const f = join(dir, `kiseki-${mode}.sh`);
  const body = {
    record: `cat > '${join(dir, 'stdin.json')}'; echo "$*" > '${join(dir, 'args')}'; env > '${join(dir, 'env')}'`,
    fail: 'echo "kiseki: broken" >&2; exit 1',
    hang: `trap '' TERM; echo $$ > '${join(dir, 'hang.pid')}'; sleep 30`,
  }[mode];
  writeFileSync(f, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return f;
}

function runHook(mode: 'record' | 'fail' | 'hang', event: Record<string, unknown>, timeout = 5) {
  const hook = join(dir, 'kiseki_hook.py');
  writeFileSync(hook, pbsHookScript({ kiseki: [kisekiStub(mode)], env: { KISEKI_SPOOL: join(dir, 'spool'), KISEKI_OPT_IN: '' }, timeout, log: join(dir, 'hooks.log') }));
  writeFileSync(join(dir, 'pbs.py'), STUB);
  const out = join(dir, 'out');
  rmSync(out, { force: true });
  const t0 = Date.now();
  const r = spawnSync('python3', [hook], {
    encoding: 'utf8', timeout: 20_000,
    env: { PATH: process.env.PATH, PYTHONPATH: dir, STUB_EVENT: JSON.stringify(event), STUB_OUT: out, STUB_PBS_HOME: join(dir, 'pbs_home') },
  });
  return { status: r.status, stderr: r.stderr, ms: Date.now() - t0, notes: existsSync(out) ? readFileSync(out, 'utf8') : '' };
}

describe('PBS hook registration', () => {
  it('qmgr: execjob_begin and execjob_end, fail_action none, an alarm past the timeout', () => {
    const lines = pbsQmgrLines('/etc/kiseki/pbs/kiseki_hook.py', 10);
    expect(lines).toContain(`qmgr -c "set hook kiseki event = 'execjob_begin,execjob_end'"`);
    expect(lines).toContain('qmgr -c "set hook kiseki fail_action = none"');
    expect(lines).toContain('qmgr -c "set hook kiseki alarm = 20"');
    expect(lines.at(-1)).toBe('qmgr -c "import hook kiseki application/x-python default /etc/kiseki/pbs/kiseki_hook.py"');
  });
});

describe.skipIf(!hasPython)('PBS hook (python3, a stand-in pbs module; no PBS server here)', () => {
  it('passes the job attributes to kiseki pbs hook begin, and accepts the event', () => {
    const r = runHook('record', { type: 'execjob_begin', job: JOB });
    expect(r.status, r.stderr).toBe(0);
    expect(r.notes).toBe('accepted\n');
    expect(readFileSync(join(dir, 'args'), 'utf8').trim()).toBe('pbs hook begin');
    const env = readFileSync(join(dir, 'env'), 'utf8');
    expect(env).toMatch(/^PBS_JOBID=4711\.pbs01$/m);
    expect(env).toMatch(/^KISEKI_HOOK=1$/m);
    expect(env).toMatch(/^KISEKI_HOOK_TIMEOUT=5$/m);
    const sent = JSON.parse(readFileSync(join(dir, 'stdin.json'), 'utf8')) as Record<string, string>;
    expect(sent).toMatchObject({
      'Job Id': '4711.pbs01', Job_Name: 'relax', queue: 'workq', exec_host: 'n01/0*4+n02/0*4', qtime: '1795612800',
      Variable_List: 'PBS_O_WORKDIR=/home/alice/run,MSG=a\\,b', euser: 'root', uid: '0', gid: '0',
      script_file: join(dir, 'pbs_home', 'mom_priv', 'jobs', '4711.pbs01.SC'),
    });

    // what kiseki pbs hook makes of it: the marker and the job.info in the agent's inbox
    mkdirSync(join(dir, 'spool', 'inbox'), { recursive: true });
    mkdirSync(join(dir, 'pbs_home', 'mom_priv', 'jobs'), { recursive: true });
    writeFileSync(sent.script_file!, '#!/bin/sh\n#PBS -q workq\n./relax.x\n');
    const runDir = join(dir, 'run');
    const hookEnv = { PBS_JOBID: '4711.pbs01', KISEKI_SPOOL: join(dir, 'spool'), KISEKI_RUN_DIR: runDir, KISEKI_OPT_IN: 'partition=workq' };
    const file = runPbsHook('begin', hookEnv, JSON.stringify(sent), 5)!;
    const info = decodeTraceEvent(readFileSync(file, 'utf8'));
    expect(info).toMatchObject({
      type: 'job.info', job: { scheduler: 'pbs', id: '4711.pbs01' }, name: 'relax', user: 'root', uid: 0, gid: 0, account: 'proj7',
      partition: 'workq', nodes: ['n01', 'n02'], submitDir: '/home/alice/run', submitTs: 1795612800_000000, startTs: 1795612805_000000,
      state: 'RUNNING', script: '#!/bin/sh\n#PBS -q workq\n./relax.x\n',
    });
    expect(readdirSync(join(runDir, 'jobs'))).toEqual(['pbs-4711.pbs01']);
    const end = decodeTraceEvent(readFileSync(runPbsHook('end', hookEnv, JSON.stringify({ ...sent, Exit_status: '271' }), 9)!, 'utf8'));
    expect(end).toMatchObject({ exitCode: null, signal: 15, state: 'CANCELLED', endTs: 9 });
    expect(readdirSync(join(runDir, 'jobs'))).toEqual(['pbs-4711.pbs01.ended']); // retired: the agent may still be reading the job
    // a job of another queue does not opt in: no marker, no record
    expect(runPbsHook('begin', hookEnv, JSON.stringify({ ...sent, queue: 'other' }), 5)).toBeUndefined();
  });

  it('kiseki fails: the event is still accepted, the failure is in hooks.log', () => {
    const r = runHook('fail', { type: 'execjob_end', job: { ...JOB, Exit_status: 0 } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.notes).toBe('accepted\n');
    expect(readFileSync(join(dir, 'hooks.log'), 'utf8')).toContain('kiseki: broken');
  });

  it('kiseki hangs (ignoring SIGTERM): killed after the timeout, the event accepted', () => {
    const r = runHook('hang', { type: 'execjob_begin', job: JOB }, 1);
    expect(r.status, r.stderr).toBe(0);
    expect(r.notes).toBe('accepted\n');
    expect(r.ms).toBeLessThan(10_000);
    expect(readFileSync(join(dir, 'hooks.log'), 'utf8')).toContain('kiseki pbs hook begin: job 4711.pbs01: killed after 1 s');
    expect(existsSync(`/proc/${readFileSync(join(dir, 'hang.pid'), 'utf8').trim()}`)).toBe(false);
  });

  it('an error inside the hook itself: logged to PBS, the event still accepted', () => {
    const r = runHook('record', { type: 'execjob_begin', job: JOB, broken: true });
    expect(r.status, r.stderr).toBe(0);
    expect(r.notes).toMatch(/^log warning kiseki hook: the job has no id today\naccepted\n$/);
  });
});
