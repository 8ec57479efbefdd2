// Slurm: the job record a hook sends (scontrol show job -o, the batch script
// Slurm keeps, the hook's environment) as a `job.info` TraceEvent, and the
// opt-in rule (comment / partition / QOS). See docs/cluster.md.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { EventOf } from '../core/trace-event.js';

export type JobInfo = EventOf<'job.info'>;

/** `scontrol show job -o` output → fields (values may hold spaces: split before each `Key=`). */
export function parseScontrolJob(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /(?:^|\s)([A-Za-z][A-Za-z0-9_:/]*)=/g;
  const marks: Array<{ key: string; start: number; end: number }> = [];
  let m: RegExpExecArray | null;
  while ((m = re.exec(line.trim()))) marks.push({ key: m[1]!, start: m.index, end: m.index + m[0].length });
  const text = line.trim();
  marks.forEach((k, i) => {
    const next = marks[i + 1];
    out[k.key] = text.slice(k.end, next ? next.start : text.length).trim();
  });
  return out;
}

function known(v: string | undefined): string | undefined {
  return v === undefined || v === '' || v === '(null)' || v === 'None' || v === 'Unknown' || v === 'N/A' ? undefined : v;
}

/** Slurm times are local wall-clock `YYYY-MM-DDTHH:MM:SS` → µs since the epoch. */
export function slurmTimeUs(v: string | undefined): number | undefined {
  const t = known(v);
  if (!t || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(t)) return undefined;
  const ms = new Date(t).getTime(); // no offset: local time, as Slurm prints it
  return Number.isFinite(ms) ? ms * 1000 : undefined;
}

/** `alice(1001)` → { name, id }. */
function nameId(v: string | undefined): { name?: string; id?: number } {
  const m = /^(.*?)\((\d+)\)$/.exec(v ?? '');
  if (!m) return known(v) ? { name: v! } : {};
  return { ...(m[1] ? { name: m[1] } : {}), id: Number(m[2]) };
}

/** `n[1-3],gpu7` → ['n1','n2','n3','gpu7'] (one level of brackets, as Slurm prints). */
export function expandHostlist(list: string | undefined): string[] {
  const v = known(list);
  if (!v) return [];
  const out: string[] = [];
  for (const part of v.match(/[^,[]+(?:\[[^\]]*\])?[^,]*/g) ?? []) {
    const m = /^(.*)\[([^\]]*)\](.*)$/.exec(part);
    if (!m) {
      out.push(part);
      continue;
    }
    for (const r of m[2]!.split(',')) {
      const [a, b] = r.split('-');
      if (b === undefined) out.push(`${m[1]}${a}${m[3]}`);
      else for (let i = Number(a); i <= Number(b); i++) out.push(`${m[1]}${String(i).padStart(a!.length, '0')}${m[3]}`);
    }
  }
  return out;
}

export interface OptInRule {
  comment?: string;
  partition?: string;
  qos?: string;
}

/** Does a job opt in? No rule: every job does. Any matching criterion is enough. */
export function optsIn(rule: OptInRule, job: Record<string, string>): boolean {
  if (!rule.comment && !rule.partition && !rule.qos) return true;
  const words = (known(job.Comment) ?? '').split(/[\s,]+/);
  if (rule.comment && words.includes(rule.comment)) return true;
  if (rule.partition && (job.Partition ?? '').split(',').includes(rule.partition)) return true;
  if (rule.qos && job.QOS === rule.qos) return true;
  return false;
}

export function parseOptIn(specs: readonly string[]): OptInRule {
  const rule: OptInRule = {};
  for (const s of specs) {
    const m = /^(comment|partition|qos)=(.+)$/.exec(s);
    if (!m) throw new Error(`--opt-in takes comment=WORD, partition=NAME or qos=NAME, got ${JSON.stringify(s)}`);
    rule[m[1] as keyof OptInRule] = m[2]!;
  }
  return rule;
}

export interface Scontrol {
  showJob(id: string): Record<string, string> | undefined;
  batchScript(id: string): string | undefined;
}

/** The real scontrol (absolute path: hooks run without PATH), time-bounded. */
export function scontrol(bin = process.env.KISEKI_SCONTROL ?? '/usr/bin/scontrol'): Scontrol {
  const run = (args: string[]) => {
    const r = spawnSync(bin, args, { encoding: 'utf8', timeout: 5000, maxBuffer: 64 * 1024 * 1024 });
    return r.status === 0 ? r.stdout : undefined;
  };
  return {
    showJob: (id) => {
      const out = run(['show', 'job', '-o', id]);
      const line = out?.split('\n').find((l) => l.startsWith('JobId='));
      return line ? parseScontrolJob(line) : undefined;
    },
    batchScript: (id) => run(['write', 'batch_script', id, '-']),
  };
}

export type HookKind = 'prolog' | 'epilog' | 'prolog-slurmctld' | 'epilog-slurmctld';

/** Builds the job.info a hook sends, from scontrol and the hook's environment. */
export function jobInfoFrom(kind: HookKind, env: NodeJS.ProcessEnv, job: Record<string, string> | undefined, script: string | undefined, now: number): JobInfo {
  const id = env.SLURM_JOB_ID ?? job?.JobId ?? '';
  const j = job ?? {};
  const user = nameId(j.UserId);
  const group = nameId(j.GroupId);
  const info: JobInfo = { type: 'job.info', ts: now, job: { scheduler: 'slurm', id } };
  const set = <K extends keyof JobInfo>(k: K, v: JobInfo[K] | undefined) => {
    if (v !== undefined) info[k] = v;
  };
  set('cluster', known(env.SLURM_CLUSTER_NAME));
  set('name', known(j.JobName) ?? known(env.SLURM_JOB_NAME));
  set('user', user.name ?? known(env.SLURM_JOB_USER));
  set('uid', user.id ?? (env.SLURM_JOB_UID ? Number(env.SLURM_JOB_UID) : undefined));
  set('gid', group.id ?? (env.SLURM_JOB_GID ? Number(env.SLURM_JOB_GID) : undefined));
  set('account', known(j.Account) ?? known(env.SLURM_JOB_ACCOUNT));
  set('partition', known(j.Partition) ?? known(env.SLURM_JOB_PARTITION));
  set('qos', known(j.QOS));
  const nodes = expandHostlist(j.NodeList ?? env.SLURM_JOB_NODELIST ?? env.SLURM_NODELIST);
  if (nodes.length) info.nodes = nodes;
  set('scriptPath', known(j.Command));
  if (script !== undefined && script !== '') {
    info.script = script;
    info.scriptSha256 = createHash('sha256').update(script).digest('hex');
  }
  const submitLine = known(j.SubmitLine);
  if (submitLine) info.submitArgs = submitLine.split(/\s+/);
  set('submitDir', known(j.WorkDir) ?? known(env.SLURM_JOB_WORK_DIR));
  set('submitTs', slurmTimeUs(j.SubmitTime));
  set('startTs', slurmTimeUs(j.StartTime));
  set('comment', known(j.Comment));
  if (kind === 'epilog' || kind === 'epilog-slurmctld') {
    set('endTs', slurmTimeUs(j.EndTime) ?? now);
    const ec = env.SLURM_JOB_EXIT_CODE2 ?? env.SLURM_JOB_EXIT_CODE ?? j.ExitCode;
    const m = /^(\d+)(?::(\d+))?$/.exec(ec ?? '');
    if (m) {
      // SLURM_JOB_EXIT_CODE is a wait(2) status; ExitCode / _CODE2 are "code:signal"
      const code = m[2] !== undefined ? Number(m[1]) : (Number(m[1]) >> 8) & 0xff;
      const sig = m[2] !== undefined ? Number(m[2]) : Number(m[1]) & 0x7f;
      info.exitCode = sig ? null : code;
      info.signal = sig || null;
    }
    const state = known(j.JobState);
    info.state = state && state !== 'COMPLETING' && state !== 'RUNNING' ? state : info.signal ? 'CANCELLED' : info.exitCode === 0 ? 'COMPLETED' : 'FAILED';
  } else {
    info.state = 'RUNNING';
  }
  return info;
}
