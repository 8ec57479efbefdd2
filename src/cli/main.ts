#!/usr/bin/env node
import { Command } from 'commander';
import { commands } from './commands/index.js';

const program = new Command('kiseki')
  .description('Automatic provenance of research data')
  .version('0.1.0')
  .enablePositionalOptions()
  .showHelpAfterError();

for (const register of commands) register(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  const e = err as { code?: string; message?: string };
  process.stderr.write(`kiseki: ${e.message ?? String(err)}${e.code ? ` [${e.code}]` : ''}\n`);
  process.exit(2);
});
