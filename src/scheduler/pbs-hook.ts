// The PBS Pro / OpenPBS hook (Python, run by pbs_mom for execjob_begin and
// execjob_end) that `kiseki pbs install` writes: it passes the job's
// attributes to `kiseki pbs hook begin|end` on stdin. Like the Slurm hooks
// it never fails a job nor takes a node offline: every error is caught, the
// event is always accepted, kiseki is killed after the timeout, and the hook
// is registered with fail_action = none and an alarm past that timeout.

export interface PbsHookOptions {
  /** kiseki's command line, as argv (no shell: PBS runs the hook in pbs_mom). */
  kiseki: string[];
  /** Environment for kiseki (KISEKI_SPOOL, KISEKI_RUN_DIR, KISEKI_OPT_IN, ...). */
  env: Record<string, string>;
  timeout: number;
  log: string;
}

/** The job attributes passed on (qstat -f names: src/scheduler/pbs.ts reads them). */
export const PBS_HOOK_ATTRS = [
  'Job_Name', 'Job_Owner', 'job_state', 'queue', 'Account_Name', 'exec_host', 'Exit_status',
  'ctime', 'qtime', 'stime', 'obittime', 'Variable_List',
] as const;

// JSON is valid Python for strings, numbers, lists and dicts of them.
const py = (v: unknown) => JSON.stringify(v);

export function pbsHookScript(o: PbsHookOptions): string {
  return `# Kiseki PBS hook (execjob_begin, execjob_end), written by \`kiseki pbs install\`.
# It never rejects a job nor takes a node offline: every error is caught and
# logged, the event is always accepted, kiseki is killed after ${o.timeout} s.
# Register it with the qmgr lines \`kiseki pbs install\` prints
# (fail_action = none; alarm longer than ${o.timeout} s).
import json
import os
import signal
import subprocess

import pbs

KISEKI = ${py(o.kiseki)}
ENV = ${py(o.env)}
TIMEOUT = ${Number(o.timeout)}
LOG = ${py(o.log)}
ATTRS = ${py(PBS_HOOK_ATTRS)}


def attributes(job):
    out = {}
    for name in ATTRS:
        try:
            v = getattr(job, name)
        except Exception:
            continue
        if v is None:
            continue
        if name == 'Variable_List':
            # a dict-like in hooks; qstat's text (commas escaped) for kiseki
            try:
                v = ','.join('%s=%s' % (k, str(v[k]).replace(',', '\\\\,')) for k in v.keys())
            except Exception:
                v = str(v)
        out[name] = str(v)
    out['Job Id'] = str(job.id)
    # the job's owner as numbers (the job node's owner; PBS attributes give names)
    try:
        import pwd
        pw = pwd.getpwnam(str(job.euser))
        out['euser'] = str(job.euser)
        out['uid'] = str(pw.pw_uid)
        out['gid'] = str(pw.pw_gid)
    except Exception:
        pass
    try:
        home = pbs.pbs_conf['PBS_HOME']
        out['script_file'] = os.path.join(home, 'mom_priv', 'jobs', str(job.id) + '.SC')
    except Exception:
        pass
    return out


def run(kind, job):
    env = dict(ENV)
    env['KISEKI_HOOK'] = '1'
    env['KISEKI_HOOK_TIMEOUT'] = str(TIMEOUT)
    env['PBS_JOBID'] = str(job.id)
    env['PATH'] = '/usr/sbin:/usr/bin:/sbin:/bin'
    with open(LOG, 'ab') as log:
        p = subprocess.Popen(KISEKI + ['pbs', 'hook', kind], stdin=subprocess.PIPE, stdout=log, stderr=log,
                             env=env, close_fds=True, start_new_session=True)
        try:
            p.communicate(json.dumps(attributes(job)).encode('utf-8'), timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            log.write(('kiseki pbs hook %s: job %s: killed after %d s\\n' % (kind, job.id, TIMEOUT)).encode('utf-8'))


def main():
    e = pbs.event()
    try:
        kind = 'begin' if e.type == pbs.EXECJOB_BEGIN else 'end' if e.type == pbs.EXECJOB_END else None
        if kind is not None:
            run(kind, e.job)
    except Exception as err:
        try:
            pbs.logmsg(pbs.LOG_WARNING, 'kiseki hook: %s' % err)
        except Exception:
            pass
    e.accept()


main()
`;
}

/** The qmgr commands that register the hook (an admin runs them on the server host). */
export function pbsQmgrLines(file: string, timeout: number, name = 'kiseki'): string[] {
  return [
    `qmgr -c "create hook ${name}"`,
    `qmgr -c "set hook ${name} event = 'execjob_begin,execjob_end'"`,
    // none: an error in the hook must not offline the node nor requeue the job
    `qmgr -c "set hook ${name} fail_action = none"`,
    `qmgr -c "set hook ${name} alarm = ${Math.ceil(timeout) + 10}"`,
    `qmgr -c "import hook ${name} application/x-python default ${file}"`,
  ];
}
