// `kiseki pbs install [--print]`: the PBS Pro / OpenPBS hook (Python,
// execjob_begin + execjob_end) and the qmgr lines that register it.
// `kiseki pbs hook begin|end`: what that hook runs, with the job's
// attributes on stdin (docs/cluster.md, "PBS"). Like the Slurm hooks it never
// fails: errors go to the hook's log and the exit status is 0.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { optInMarker, retireOptInMarker } from '../../agent/daemon/job-env.js';
import { packageRoot } from '../../core/package-root.js';
import { writeInbox } from '../../scheduler/hook-inbox.js';
import { pbsHookScript, pbsQmgrLines } from '../../scheduler/pbs-hook.js';
import { jobInfoFromPbsHook, pbsOptsIn, type PbsHookKind } from '../../scheduler/pbs.js';
import { PBS } from '../../scheduler/scheduler.js';
import { parseOptIn } from '../../scheduler/slurm.js';
import { usageError } from '../errors.js';

/** Job scripts larger than this are not kept (the path still is). */
const SCRIPT_MAX_BYTES = 1 << 20;

interface InstallOpts {
  print?: boolean;
  dir: string;
  spool: string;
  runDir: string;
  optIn: string[];
  kiseki?: string;
  timeout: number;
}

export function registerPbs(program: Command): void {
  const pbs = program.command('pbs').description('PBS Pro / OpenPBS integration: job records from an execjob_begin/execjob_end hook');
  pbs
    .command('install')
    .description('write the hook (kiseki_hook.py) and print the qmgr lines that register it (--print: print both, write nothing)')
    .option('--print', 'print the hook and the qmgr lines for an admin to review')
    .option('--dir <dir>', 'where the hook file goes (qmgr imports it from there)', '/etc/kiseki/pbs')
    .option('--spool <dir>', "the node agent's spool (the hook leaves job records in its inbox)", '/var/spool/kiseki')
    .option('--run-dir <dir>', 'where opt-in markers go (the agent reads them)', '/run/kiseki')
    .option('--opt-in <rule>', 'trace only jobs of queue NAME: partition=NAME (repeatable; any match)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--kiseki <path>', 'the kiseki executable the hook runs (default: this node and this package)')
    .option('--timeout <s>', 'longest the hook lets kiseki take', (v) => Number(v), 10)
    .action((o: InstallOpts) => {
      const rule = parseOptIn(o.optIn); // refuse a bad rule now, not in a hook
      const unsupported = Object.keys(rule).filter((k) => !PBS.optInKeys.includes(k as keyof typeof rule));
      if (unsupported.length) throw usageError(`PBS jobs opt in by queue only (--opt-in partition=QUEUE); not ${unsupported.join(', ')}`);
      if (!Number.isFinite(o.timeout) || o.timeout <= 0) throw usageError('--timeout takes a number of seconds > 0');
      const file = join(o.dir, 'kiseki_hook.py');
      const script = pbsHookScript({
        kiseki: o.kiseki ? [o.kiseki] : [process.execPath, join(packageRoot(), 'dist', 'cli', 'main.js')],
        env: { KISEKI_SPOOL: o.spool, KISEKI_RUN_DIR: o.runDir, KISEKI_OPT_IN: o.optIn.join(' ') },
        timeout: o.timeout,
        log: join(o.dir, 'hooks.log'),
      });
      const qmgr = [
        '# on the PBS server host, as root:',
        ...pbsQmgrLines(file, o.timeout),
        ...(o.optIn.length ? [`# only jobs of ${o.optIn.join(' or ')} are traced: run the agents with --opt-in`] : []),
      ].join('\n');
      if (o.print) {
        process.stdout.write(`# ---- ${file}\n${script}\n${qmgr}\n`);
        return;
      }
      mkdirSync(o.dir, { recursive: true, mode: 0o755 });
      writeFileSync(`${file}.tmp`, script, { mode: 0o644 });
      renameSync(`${file}.tmp`, file);
      process.stdout.write(`wrote ${file}\n${qmgr}\n`);
    });

  pbs
    .command('hook <kind>')
    .description('run by the PBS hook (begin or end): send the job record (never fails)')
    .action((kind: string) => {
      try {
        runPbsHook(kind, process.env, readFileSync(0, 'utf8'));
      } catch (err) {
        process.stderr.write(`kiseki pbs hook ${kind}: ${(err as Error).message}\n`);
      }
      process.exitCode = 0;
    });
}

const HookInput = z.record(z.string(), z.string());

function readScript(file: string | undefined): string | undefined {
  if (!file || !existsSync(file)) return undefined;
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(SCRIPT_MAX_BYTES + 1);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return n > SCRIPT_MAX_BYTES ? undefined : buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** The hook's work: opt-in marker and job record into the agent's inbox. Returns the inbox file, if any. */
export function runPbsHook(kind: string, env: NodeJS.ProcessEnv, stdin: string, now = Date.now() * 1000): string | undefined {
  if (kind !== 'begin' && kind !== 'end') throw new Error(`unknown hook ${kind} (begin or end)`);
  const q = HookInput.parse(JSON.parse(stdin));
  const id = PBS.parseJobId(env.PBS_JOBID ?? q['Job Id']);
  if (!id) throw new Error(`no PBS job id (PBS_JOBID=${JSON.stringify(env.PBS_JOBID ?? '')})`);
  q['Job Id'] = id;
  const rule = parseOptIn((env.KISEKI_OPT_IN ?? '').split(/\s+/).filter((s) => s !== ''));
  const runDir = env.KISEKI_RUN_DIR ?? '/run/kiseki';
  const spool = env.KISEKI_SPOOL ?? '/var/spool/kiseki';
  const marker = optInMarker(runDir, { scheduler: 'pbs', id });
  const optIn = pbsOptsIn(rule, q);
  if (kind === 'begin') {
    if (!optIn) return undefined;
    mkdirSync(join(runDir, 'jobs'), { recursive: true });
    writeFileSync(marker, `${now}\n`); // the agent traces this job's processes
    return writeInbox(spool, jobInfoFromPbsHook(kind as PbsHookKind, q, now, readScript(q.script_file)), kind);
  }
  if (!optIn && !existsSync(marker)) return undefined;
  retireOptInMarker(runDir, { scheduler: 'pbs', id });
  return writeInbox(spool, jobInfoFromPbsHook('end', q, now), kind);
}
