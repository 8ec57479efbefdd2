// What the agent reads about job processes: the job id in an environment
// (SLURM_JOB_ID, PBS_JOBID), whether a process is a scheduler hook rather
// than a job's own work, whether a job opted in, and /proc facts for
// processes that are already running when the agent starts.
import { existsSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import type { JobRef } from '../../core/trace-event.js';
import { jobFromEnvironment } from '../../scheduler/scheduler.js';
import type { InheritedFd } from '../normalizer.js';

export function envValue(env: readonly string[] | undefined, name: string): string | undefined {
  if (!env) return undefined;
  const prefix = `${name}=`;
  for (const e of env) if (e.startsWith(prefix)) return e.slice(prefix.length);
  return undefined;
}

/** The job named by an environment: Slurm first, then PBS (src/scheduler/scheduler.ts). */
export function jobFromEnv(env: readonly string[] | undefined): JobRef | undefined {
  return jobFromEnvironment((name) => envValue(env, name));
}

/**
 * Processes that carry a job id but are not the job's work: Slurm's
 * Prolog/Epilog scripts (SLURM_SCRIPT_CONTEXT), Kiseki's own hooks.
 */
export function isSchedulerHook(env: readonly string[] | undefined): boolean {
  return envValue(env, 'SLURM_SCRIPT_CONTEXT') !== undefined || envValue(env, 'KISEKI_HOOK') !== undefined;
}

/** Opt-in marker written by the Prolog hook: <runDir>/jobs/<scheduler>-<id>. */
export function optInMarker(runDir: string, job: JobRef): string {
  return join(runDir, 'jobs', `${job.scheduler}-${job.id.replace(/[^\w.-]/g, '_')}`);
}

/**
 * A job opted in: its marker is there, or the Epilog has retired it (the
 * agent may still be reading the job's last records when the Epilog runs:
 * a short job can be over before the agent sees its first exec).
 */
export function hasOptedIn(runDir: string, job: JobRef): boolean {
  const m = optInMarker(runDir, job);
  return existsSync(m) || existsSync(`${m}.ended`);
}

/** Retired markers are kept this long, then the next hook on the node removes them. */
export const ENDED_MARKER_KEEP_MS = 10 * 60_000;

/** The Epilog's part: the marker becomes `<marker>.ended` (stamped now); older retired markers go. */
export function retireOptInMarker(runDir: string, job: JobRef, now = Date.now()): void {
  const m = optInMarker(runDir, job);
  if (existsSync(m)) {
    renameSync(m, `${m}.ended`);
    utimesSync(`${m}.ended`, now / 1000, now / 1000);
  }
  const dir = join(runDir, 'jobs');
  for (const f of existsSync(dir) ? readdirSync(dir) : []) {
    if (!f.endsWith('.ended')) continue;
    try {
      if (now - statSync(join(dir, f)).mtimeMs > ENDED_MARKER_KEEP_MS) rmSync(join(dir, f), { force: true });
    } catch {
      // removed meanwhile by another hook
    }
  }
}

export function readEnviron(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').filter((s) => s !== '');
  } catch {
    return undefined;
  }
}

export function procCwd(pid: number, env?: readonly string[]): string {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    const pwd = envValue(env, 'PWD') ?? envValue(env, 'SLURM_SUBMIT_DIR');
    return pwd && pwd.startsWith('/') ? pwd : '/';
  }
}

/** fds 0-2 of a process (the job's output files). */
export function procStdio(pid: number): InheritedFd[] {
  const out: InheritedFd[] = [];
  for (const fd of [0, 1, 2]) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      const info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
      const flags = parseInt(/^flags:\s*([0-7]+)/m.exec(info)?.[1] ?? '0', 8);
      out.push({ fd, target, flags });
    } catch {
      // closed, or the process is gone
    }
  }
  return out;
}

export interface ProcStat {
  pid: number;
  ppid: number;
  startNs: string;
}

export function procStat(pid: number): ProcStat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // after comm: state(0) ppid(1) ... starttime(19), in clock ticks (100/s)
    return { pid, ppid: Number(f[1]), startNs: String(BigInt(f[19]!) * 10_000_000n) };
  } catch {
    return undefined;
  }
}

/** Running processes whose environment names a job (for an agent that starts mid-job). */
export function runningJobProcesses(): Array<ProcStat & { job: JobRef; env: string[] }> {
  const out: Array<ProcStat & { job: JobRef; env: string[] }> = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    const env = readEnviron(pid);
    const job = jobFromEnv(env);
    if (!job || isSchedulerHook(env)) continue;
    const st = procStat(pid);
    if (st) out.push({ ...st, job, env: env! });
  }
  return out.sort((a, b) => (BigInt(a.startNs) < BigInt(b.startNs) ? -1 : 1));
}
