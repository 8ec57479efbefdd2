import type { Command } from 'commander';
import { registerAgent } from './agent.js';
import { registerExport } from './export.js';
import { registerIngest } from './ingest.js';
import { registerJobs } from './jobs.js';
import { registerDeletable, registerKeep } from './keep.js';
import { registerLineage } from './lineage.js';
import { registerRun } from './run.js';
import { registerSearch } from './search.js';
import { registerServe } from './serve.js';
import { registerShow } from './show.js';
import { registerSlurm } from './slurm.js';

/** Each command module registers itself on the program. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [
  registerRun, registerJobs, registerSearch, registerShow, registerLineage, registerKeep, registerDeletable, registerExport, registerIngest, registerServe,
  registerAgent, registerSlurm,
];
