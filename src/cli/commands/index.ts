import type { Command } from 'commander';
import { registerRun } from './run.js';

/** Each command module registers itself on the program. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [registerRun];
