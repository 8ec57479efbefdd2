// PBS Pro / OpenPBS: job ids (PBS_JOBID, `123.server`), `qstat -f` records
// and the job attributes the execjob_begin / execjob_end hook passes to
// `kiseki pbs hook` (same names as qstat -f; times as epoch seconds) → the
// same `job.info` as Slurm's. The agent attributes processes by PBS_JOBID
// (kernel attach). Parsing only: no PBS server runs in the tests.
import { createHash } from 'node:crypto';
import type { EventOf } from '../core/trace-event.js';
import type { OptInRule } from './slurm.js';

export type JobInfo = EventOf<'job.info'>;

/** `123.server` or `123[4].server` (array subjob); the id kept whole, as PBS_JOBID has it. */
export function parsePbsJobId(v: string | undefined): { id: string; number: string; server?: string } | undefined {
  const m = /^(\d+(?:\[\d*\])?)(?:\.([\w.-]+))?$/.exec(v ?? '');
  if (!m) return undefined;
  return { id: v!, number: m[1]!, ...(m[2] ? { server: m[2] } : {}) };
}

/** `qstat -f ID` → attributes (wrapped continuation lines joined). */
export function parseQstatF(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let key: string | undefined;
  for (const raw of text.split('\n')) {
    const jid = /^Job Id:\s*(\S+)/.exec(raw);
    if (jid) {
      out['Job Id'] = jid[1]!;
      key = undefined;
      continue;
    }
    const kv = /^\s{4}([\w.]+) = (.*)$/.exec(raw);
    if (kv) {
      key = kv[1]!;
      out[key] = kv[2]!;
    } else if (key && /^\t/.test(raw)) {
      out[key] += raw.replace(/^\t/, '');
    }
  }
  return out;
}

/** `n1/0*2+n2/1` → ['n1', 'n2']. */
export function execHosts(v: string | undefined): string[] {
  if (!v) return [];
  return [...new Set(v.split('+').map((h) => h.split('/')[0]!).filter((h) => h !== ''))];
}

/** `Wed Nov 25 15:00:00 2026` (qstat -f, local time) or `1795612800` (a hook's attribute, epoch seconds) → µs. */
export function pbsTimeUs(v: string | undefined): number | undefined {
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1_000_000;
  const ms = Date.parse(v.replace(/^\w{3} /, ''));
  return Number.isFinite(ms) ? ms * 1000 : undefined;
}

/** Variable_List `A=1,B=x\,y` → map (PBS escapes commas with a backslash). */
export function variableList(v: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!v) return out;
  for (const part of v.split(/(?<!\\),/)) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq)] = part.slice(eq + 1).replace(/\\,/g, ',');
  }
  return out;
}

const STATE: Record<string, string> = { Q: 'PENDING', R: 'RUNNING', E: 'COMPLETING', F: 'COMPLETED', H: 'HELD', X: 'COMPLETED' };

export function jobInfoFromQstat(q: Record<string, string>, now: number, script?: string): JobInfo {
  const id = q['Job Id'] ?? '';
  const vars = variableList(q.Variable_List);
  const info: JobInfo = { type: 'job.info', ts: now, job: { scheduler: 'pbs', id } };
  const owner = q.Job_Owner?.split('@')[0];
  if (q.Job_Name) info.name = q.Job_Name;
  if (q.euser || owner) info.user = q.euser || owner;
  // uid/gid: the hook looks the execution user up on the node (qstat has names only)
  if (/^\d+$/.test(q.uid ?? '')) info.uid = Number(q.uid);
  if (/^\d+$/.test(q.gid ?? '')) info.gid = Number(q.gid);
  if (q.Account_Name) info.account = q.Account_Name;
  if (q.queue) info.partition = q.queue;
  const nodes = execHosts(q.exec_host);
  if (nodes.length) info.nodes = nodes;
  if (vars.PBS_O_WORKDIR) info.submitDir = vars.PBS_O_WORKDIR;
  const submit = pbsTimeUs(q.qtime ?? q.ctime);
  if (submit !== undefined) info.submitTs = submit;
  const start = pbsTimeUs(q.stime);
  if (start !== undefined) info.startTs = start;
  const end = pbsTimeUs(q.obittime ?? q.mtime);
  if (end !== undefined && (q.job_state === 'F' || q.job_state === 'X')) info.endTs = end;
  if (q.Exit_status !== undefined && /^-?\d+$/.test(q.Exit_status)) {
    const n = Number(q.Exit_status);
    // PBS: 256+N means killed by signal N
    info.exitCode = n >= 256 ? null : n;
    info.signal = n >= 256 ? n - 256 : null;
  }
  if (q.job_state) info.state = STATE[q.job_state] ?? q.job_state;
  if (script) {
    info.script = script;
    info.scriptSha256 = createHash('sha256').update(script).digest('hex');
  }
  return info;
}

export type PbsHookKind = 'begin' | 'end';

/**
 * The record an execjob_begin / execjob_end hook sends: at begin the job is
 * running; at end the job is not yet F in PBS (it is E, exiting), so the end
 * time is now and the state comes from Exit_status.
 */
export function jobInfoFromPbsHook(kind: PbsHookKind, q: Record<string, string>, now: number, script?: string): JobInfo {
  const info = jobInfoFromQstat(q, now, script);
  if (kind === 'begin') {
    delete info.endTs;
    delete info.exitCode;
    delete info.signal;
    info.state = 'RUNNING';
    return info;
  }
  info.endTs ??= now;
  // PBS says F (finished) whatever the exit: Slurm's words, as the job list shows them
  info.state = info.signal ? 'CANCELLED' : info.exitCode === undefined || info.exitCode === 0 ? 'COMPLETED' : 'FAILED';
  return info;
}

/** Does a PBS job opt in? The queue is the partition; no rule: every job. */
export function pbsOptsIn(rule: OptInRule, q: Record<string, string>): boolean {
  if (!rule.comment && !rule.partition && !rule.qos) return true;
  return rule.partition !== undefined && q.queue === rule.partition;
}
