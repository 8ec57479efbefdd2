// The scheduler interface: what Kiseki needs from a batch system to put a
// node's processes under their job (the job id its processes carry in their
// environment) and to decide opt-in. Each scheduler's hooks (Slurm's
// Prolog/Epilog, PBS's execjob_begin/execjob_end) turn its job record into
// the same `job.info` event; docs/cluster.md.
import type { JobRef } from '../core/trace-event.js';
import type { OptInRule } from './slurm.js';

export interface Scheduler {
  /** The scheduler part of job keys (`j:<name>:<id>`). */
  readonly name: 'slurm' | 'pbs';
  /** The environment variable that names the job in every process of it. */
  readonly jobIdVar: string;
  /** The job id as that variable holds it, checked; undefined when it is not one. */
  parseJobId(v: string | undefined): string | undefined;
  /** The opt-in criteria its hooks can decide (`--opt-in KEY=VALUE`). */
  readonly optInKeys: readonly (keyof OptInRule)[];
}

export const SLURM: Scheduler = {
  name: 'slurm',
  jobIdVar: 'SLURM_JOB_ID',
  parseJobId: (v) => (v !== undefined && /^\d+$/.test(v) ? v : undefined),
  optInKeys: ['comment', 'partition', 'qos'],
};

/** PBS Pro / OpenPBS: `123.server`, array subjobs `123[4].server`; the queue is the partition. */
export const PBS: Scheduler = {
  name: 'pbs',
  jobIdVar: 'PBS_JOBID',
  parseJobId: (v) => (v !== undefined && /^\d+(?:\[\d*\])?(?:\.[\w.-]+)?$/.test(v) ? v : undefined),
  optInKeys: ['partition'],
};

/** In the order a process's environment is asked (a Slurm job inside a PBS one is not a thing, but Slurm wins). */
export const SCHEDULERS: readonly Scheduler[] = [SLURM, PBS];

/** The job an environment names (`NAME=value` strings), by the first scheduler whose variable is there and valid. */
export function jobFromEnvironment(get: (name: string) => string | undefined): JobRef | undefined {
  for (const s of SCHEDULERS) {
    const id = s.parseJobId(get(s.jobIdVar));
    if (id !== undefined) return { scheduler: s.name, id };
  }
  return undefined;
}
