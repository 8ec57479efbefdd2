import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { constants } from 'node:os';
import { Option, type Command } from 'commander';
import { runTraced } from '../../agent/local-run.js';
import { CommandError, resolveCommand } from '../../agent/resolve-command.js';
import { NdjsonFileSink, openStoreSink, TeeSink, type RunSink, type SinkReport } from '../../agent/run-sink.js';
import { loadConfig } from '../../core/config.js';
import type { TraceEvent } from '../../core/trace-event.js';
import { selectBackend } from '../../tracer/select-backend.js';
import { safe } from '../output.js';
import { storeTarget } from '../store.js';

interface RunOptions {
  backend?: 'auto' | 'ebpf' | 'ptrace';
  out?: string;
  linger?: number;
  config?: string;
  db?: string;
  store?: boolean;
  quiet?: boolean;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a command as usual, record what it and its descendants read and write, and store it')
    .addOption(new Option('--backend <name>', 'tracer backend').choices(['auto', 'ebpf', 'ptrace']))
    .option('--out <file>', 'also write the events as NDJSON to this file (default: <dataDir>/runs/<run id>.ndjson)')
    .option('--linger <ms>', 'keep tracing descendants this long after the command exits', (v) => {
      if (!/^\d+$/.test(v)) throw new Error(`--linger takes milliseconds, got ${JSON.stringify(v)}`);
      return Number(v);
    })
    .option('--db <url>', 'store into this database: postgres://… or an embedded database folder (default: <dataDir>/db, or $KISEKI_DB)')
    .option('--no-store', 'only write the NDJSON file, do not store the events')
    .option('--config <file>', 'config file (TOML)')
    .option('-q, --quiet', 'say nothing on stderr unless something is wrong')
    .argument('<command...>', 'the command and its arguments (put them after --)')
    .passThroughOptions()
    .action(async (command: string[], opts: RunOptions) => {
      const { code, signal } = await run(command, opts);
      process.exitCode = code;
      // Die of the command's signal, as a shell's child would; 128+n stays
      // for signals Node will not die of (it ignores SIGPIPE).
      if (signal) process.kill(process.pid, signal);
    });
}

/** Remembers the last data file the run wrote, to suggest `kiseki lineage` on it. */
class OutputWatch implements RunSink {
  last: string | undefined;
  push(e: TraceEvent): void {
    if ((e.type === 'file.access' && e.write && e.fileClass === 'data')) this.last = e.path;
    else if (e.type === 'file.rename') this.last = e.to;
  }
  async close(): Promise<SinkReport[]> {
    return [];
  }
}

async function run(command: string[], opts: RunOptions): Promise<{ code: number; signal?: NodeJS.Signals }> {
  const config = loadConfig({
    ...(opts.config ? { configFile: opts.config } : {}),
    ...(opts.db ? { db: opts.db } : {}),
    ...(opts.backend ? { backend: opts.backend } : {}),
    ...(opts.linger !== undefined ? { lingerMs: opts.linger } : {}),
  });
  const say = (line: string) => { if (!opts.quiet) process.stderr.write(`kiseki: ${line}\n`); };
  const warn = (line: string) => process.stderr.write(`kiseki: ${line}\n`);
  const cwd = process.cwd();
  let file: string;
  try {
    file = resolveCommand(command[0]!, cwd, process.env);
  } catch (err) {
    if (err instanceof CommandError) {
      process.stderr.write(`kiseki: ${err.message}\n`);
      return { code: err.exitCode };
    }
    throw err;
  }
  const { backend, reason } = await selectBackend(config.capture.backend);
  say(`tracing with ${reason}`);

  const runId = randomUUID();
  // Without --out the trace file lives next to the store, so a failed store write loses nothing.
  const out = opts.out ?? join(config.dataDir, 'runs', `${runId}.ndjson`);
  mkdirSync(dirname(out), { recursive: true });
  const watch = new OutputWatch();
  const sinks: RunSink[] = [new NdjsonFileSink(out), watch];
  const target = storeTarget(config);
  // The store is opened in a worker while the command starts: the command never waits for it.
  if (opts.store !== false) sinks.push(openStoreSink({ db: target.db, ...(target.schema ? { schema: target.schema } : {}), source: `run:${runId}`, dataDir: config.dataDir }));
  const sink = new TeeSink(sinks);
  const result = await runTraced({
    file, argv: command, cwd, env: process.env, backend, config, runId,
    sink: (event) => sink.push(event),
  });
  const reports = await sink.close();

  const fileReport = reports.find((r) => r.sink === 'file');
  const storeReport = reports.find((r) => r.sink === 'store');
  const short = runId.slice(0, 8);
  if (fileReport && !fileReport.ok) warn(`${fileReport.error!.message} [${fileReport.error!.code}]`);
  if (storeReport?.ok) {
    const hints = [`kiseki show ${short}`];
    if (watch.last) {
      const rel = relative(cwd, watch.last);
      const p = rel && !rel.startsWith('..') ? rel : watch.last;
      hints.push(`kiseki lineage ${quoteArg(p)}`);
    }
    say(`run ${runId}: ${storeReport.events} events stored; see: ${hints.join('  |  ')}`);
  } else if (storeReport) {
    warn(`run ${runId}: not stored: ${storeReport.error!.message} [${storeReport.error!.code}]`);
    if (fileReport?.ok) warn(`the ${fileReport.events} events are kept in ${safe(out)}; store them later with: kiseki ingest ${quoteArg(out)}`);
  } else {
    say(`run ${runId}: ${result.events} events in ${safe(out)} (not stored: --no-store)`);
  }
  const notes: string[] = [];
  if (result.lostEvents) notes.push(`${result.lostEvents} events LOST: this run's provenance is incomplete`);
  if (result.stillRunning.length) notes.push(`${result.stillRunning.length} processes still running when tracing stopped`);
  if (notes.length) warn(notes.join('; '));

  if (result.signal !== null) return { code: 128 + result.signal, signal: signalName(result.signal) };
  return { code: result.exitCode ?? 1 };
}

/** A shell word for a suggested command line. */
function quoteArg(s: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(s) ? s : `'${safe(s).replace(/'/g, `'\\''`)}'`;
}

function signalName(num: number): NodeJS.Signals | undefined {
  return (Object.entries(constants.signals) as Array<[NodeJS.Signals, number]>).find(([, n]) => n === num)?.[0];
}
