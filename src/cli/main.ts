#!/usr/bin/env node
import { Command } from 'commander';
import { loadCommands } from './commands/index.js';
import { errorLine, exitCodeFor } from './errors.js';
import { leanHeapFor } from './lean-heap.js';

const program = new Command('kiseki')
  .description('Automatic provenance of research data')
  .version('0.1.0')
  .enablePositionalOptions()
  .showHelpAfterError()
  // Usage errors exit 2 (commander's default is 1); subcommands inherit this.
  .exitOverride();

// argv[2] is the command's name when the user gave one (options come after).
leanHeapFor(process.argv[2]);
for (const register of await loadCommands(process.argv[2])) register(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  const line = errorLine(err);
  if (line) process.stderr.write(`${line}\n`);
  process.exit(exitCodeFor(err));
});
