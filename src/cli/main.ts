#!/usr/bin/env node
import { Command } from 'commander';
import { commands } from './commands/index.js';
import { errorLine, exitCodeFor } from './errors.js';

const program = new Command('kiseki')
  .description('Automatic provenance of research data')
  .version('0.1.0')
  .enablePositionalOptions()
  .showHelpAfterError()
  // Usage errors exit 2 (commander's default is 1); subcommands inherit this.
  .exitOverride();

for (const register of commands) register(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  const line = errorLine(err);
  if (line) process.stderr.write(`${line}\n`);
  process.exit(exitCodeFor(err));
});
