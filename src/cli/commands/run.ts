import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { constants } from 'node:os';
import { Option, type Command } from 'commander';
import { runTraced } from '../../agent/local-run.js';
import { CommandError, resolveCommand } from '../../agent/resolve-command.js';
import { loadConfig } from '../../core/config.js';
import { encodeTraceEvent } from '../../core/trace-event.js';
import { selectBackend } from '../../tracer/select-backend.js';

interface RunOptions {
  backend?: 'auto' | 'ebpf' | 'ptrace';
  out?: string;
  linger?: number;
  config?: string;
  quiet?: boolean;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a command as usual and record what it and its descendants read and write')
    .addOption(new Option('--backend <name>', 'tracer backend').choices(['auto', 'ebpf', 'ptrace']))
    .option('--out <file>', 'write the events as NDJSON to this file')
    .option('--linger <ms>', 'keep tracing descendants this long after the command exits', (v) => {
      if (!/^\d+$/.test(v)) throw new Error(`--linger takes milliseconds, got ${JSON.stringify(v)}`);
      return Number(v);
    })
    .option('--config <file>', 'config file (TOML)')
    .option('-q, --quiet', 'say nothing on stderr unless something is wrong')
    .argument('<command...>', 'the command and its arguments (put them after --)')
    .passThroughOptions()
    .action(async (command: string[], opts: RunOptions) => {
      process.exitCode = await run(command, opts);
      if (process.exitCode >= 128 + 1 && lastSignal) {
        process.kill(process.pid, lastSignal);
      }
    });
}

let lastSignal: NodeJS.Signals | undefined;

async function run(command: string[], opts: RunOptions): Promise<number> {
  const config = loadConfig({
    ...(opts.config ? { configFile: opts.config } : {}),
    ...(opts.backend ? { backend: opts.backend } : {}),
    ...(opts.linger !== undefined ? { lingerMs: opts.linger } : {}),
  });
  const say = (line: string) => { if (!opts.quiet) process.stderr.write(`kiseki: ${line}\n`); };
  const cwd = process.cwd();
  let file: string;
  try {
    file = resolveCommand(command[0]!, cwd, process.env);
  } catch (err) {
    if (err instanceof CommandError) {
      process.stderr.write(`kiseki: ${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
  const { backend, reason } = await selectBackend(config.capture.backend);
  say(`tracing with ${reason}`);

  const out = opts.out ?? join(config.dataDir, 'runs', `${new Date().toISOString().replace(/[:.]/g, '-')}.ndjson`);
  mkdirSync(dirname(out), { recursive: true });
  const stream = createWriteStream(out);
  const result = await runTraced({
    file, argv: command, cwd, env: process.env, backend, config,
    sink: (event) => { stream.write(`${encodeTraceEvent(event)}\n`); },
  });
  await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));

  const notes: string[] = [`${result.events} events in ${out}`, `run ${result.runId}`];
  if (result.lostEvents) notes.push(`${result.lostEvents} events LOST: this run's provenance is incomplete`);
  if (result.stillRunning.length) notes.push(`${result.stillRunning.length} processes still running when tracing stopped`);
  say(notes.join('; '));

  if (result.signal !== null) {
    lastSignal = signalName(result.signal);
    return 128 + result.signal;
  }
  return result.exitCode ?? 1;
}

function signalName(num: number): NodeJS.Signals | undefined {
  return (Object.entries(constants.signals) as Array<[NodeJS.Signals, number]>).find(([, n]) => n === num)?.[0];
}
