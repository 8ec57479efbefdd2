// `kiseki slurm install [--print]`: the Prolog/Epilog/PrologSlurmctld/
// EpilogSlurmctld hook scripts and the slurm.conf lines.
// `kiseki slurm hook KIND`: what those scripts run (docs/cluster.md). A hook
// never fails a job nor drains a node: the scripts always exit 0, bounded in time.
import { chmodSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { packageRoot } from '../../core/package-root.js';
import { optInMarker, retireOptInMarker } from '../../agent/daemon/job-env.js';
import { writeInbox } from '../../scheduler/hook-inbox.js';
import { jobInfoFrom, optsIn, parseOptIn, scontrol, type HookKind, type JobInfo } from '../../scheduler/slurm.js';

const KINDS: HookKind[] = ['prolog', 'epilog', 'prolog-slurmctld', 'epilog-slurmctld'];
const CONF_KEY: Record<HookKind, string> = {
  prolog: 'Prolog', epilog: 'Epilog', 'prolog-slurmctld': 'PrologSlurmctld', 'epilog-slurmctld': 'EpilogSlurmctld',
};

function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

interface InstallOpts {
  print?: boolean;
  dir: string;
  server?: string;
  tokenFile?: string;
  spool: string;
  runDir: string;
  optIn: string[];
  kiseki?: string;
  timeout: number;
  slurmConf?: string;
}

export function hookScript(kind: HookKind, o: InstallOpts, kiseki: string): string {
  const env = [
    'KISEKI_HOOK=1',
    `KISEKI_HOOK_TIMEOUT=${o.timeout}`,
    ...(o.server ? [`KISEKI_SERVER=${shq(o.server)}`] : []),
    ...(o.tokenFile ? [`KISEKI_TOKEN_FILE=${shq(o.tokenFile)}`] : []),
    `KISEKI_SPOOL=${shq(o.spool)}`,
    `KISEKI_RUN_DIR=${shq(o.runDir)}`,
    `KISEKI_OPT_IN=${shq(o.optIn.join(' '))}`,
    // slurmctld runs PrologSlurmctld/EpilogSlurmctld without SLURM_CONF: a
    // slurm.conf away from the default path would leave scontrol blind
    ...(o.slurmConf ? [`SLURM_CONF=${shq(o.slurmConf)}`] : []),
  ];
  return [
    '#!/bin/sh',
    `# Kiseki Slurm ${CONF_KEY[kind]} hook, written by \`kiseki slurm install\`.`,
    '# It never fails the job nor drains the node: whatever happens, it exits 0,',
    `# within ${o.timeout} s (then it is killed). Output goes to ${join(o.dir, 'hooks.log')}.`,
    `${env.join(' ')} \\`,
    `  /usr/bin/timeout -k 2 ${o.timeout} ${kiseki} slurm hook ${kind} </dev/null >>${shq(join(o.dir, 'hooks.log'))} 2>&1`,
    'exit 0',
    '',
  ].join('\n');
}

export function registerSlurm(program: Command): void {
  const slurm = program.command('slurm').description('Slurm integration: job records from Prolog/Epilog hooks');
  slurm
    .command('install')
    .description('write the hook scripts and print the slurm.conf lines (--print: print everything, write nothing)')
    .option('--print', 'print the scripts and the slurm.conf lines for an admin to review')
    .option('--dir <dir>', 'where the hook scripts go', '/etc/kiseki/slurm')
    .option('--server <url>', 'server base URL (controller hooks send there)', process.env.KISEKI_SERVER)
    .option('--token-file <file>', 'token file for the controller hooks', process.env.KISEKI_TOKEN_FILE)
    .option('--spool <dir>', "the node agent's spool (node hooks leave job records in its inbox)", '/var/spool/kiseki')
    .option('--run-dir <dir>', 'where opt-in markers go (the agent reads them)', '/run/kiseki')
    .option('--opt-in <rule>', 'trace only jobs matching comment=WORD, partition=NAME or qos=NAME (repeatable; any match)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--kiseki <command>', 'how the hooks run kiseki (default: this node and this package)')
    .option('--timeout <s>', 'longest a hook may take', (v) => Number(v), 10)
    .option('--slurm-conf <file>', "slurm.conf for the hooks' scontrol (default: $SLURM_CONF, else scontrol's own default)", process.env.SLURM_CONF)
    .action((o: InstallOpts) => {
      parseOptIn(o.optIn); // refuse a bad rule now, not in a hook
      const kiseki = o.kiseki ?? `${shq(process.execPath)} ${shq(join(packageRoot(), 'dist', 'cli', 'main.js'))}`;
      const conf = KINDS.map((k) => `${CONF_KEY[k]}=${join(o.dir, `${k}.sh`)}`);
      const confText = [
        '# slurm.conf lines for Kiseki (then: scontrol reconfigure)',
        ...conf,
        ...(o.optIn.length ? [`# only jobs with ${o.optIn.join(' or ')} are traced: run the agents with --opt-in`] : []),
      ].join('\n');
      if (o.print) {
        for (const k of KINDS) process.stdout.write(`# ---- ${join(o.dir, `${k}.sh`)}\n${hookScript(k, o, kiseki)}\n`);
        process.stdout.write(`${confText}\n`);
        return;
      }
      mkdirSync(o.dir, { recursive: true, mode: 0o755 });
      for (const k of KINDS) {
        const f = join(o.dir, `${k}.sh`);
        writeFileSync(`${f}.tmp`, hookScript(k, o, kiseki), { mode: 0o755 });
        chmodSync(`${f}.tmp`, 0o755);
        renameSync(`${f}.tmp`, f);
      }
      process.stdout.write(`wrote ${KINDS.length} hooks to ${o.dir}\n${confText}\n`);
    });

  slurm
    .command('hook <kind>')
    .description('run by the hook scripts: send the job record (never fails)')
    .action(async (kind: string) => {
      try {
        await runHook(kind as HookKind, process.env);
      } catch (err) {
        process.stderr.write(`kiseki slurm hook ${kind}: ${(err as Error).message}\n`);
      }
      process.exitCode = 0;
    });
}

/**
 * When the hook must be done: `timeout` kills it at KISEKI_HOOK_TIMEOUT
 * seconds from its start (before node loaded), so stop retrying 0.5 s
 * earlier and say why in hooks.log instead of dying silently.
 */
export function hookDeadline(env: NodeJS.ProcessEnv, now = Date.now(), uptimeS = process.uptime()): number {
  const s = Number(env.KISEKI_HOOK_TIMEOUT);
  if (!Number.isFinite(s) || s <= 0) return Infinity;
  return now - uptimeS * 1000 + s * 1000 - 500;
}

async function post(env: NodeJS.ProcessEnv, info: JobInfo, kind: HookKind): Promise<void> {
  const server = env.KISEKI_SERVER;
  if (!server) throw new Error('KISEKI_SERVER is not set: the controller hook cannot send the job record');
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (env.KISEKI_TOKEN_FILE) headers.authorization = `Bearer ${readFileSync(env.KISEKI_TOKEN_FILE, 'utf8').trim()}`;
  const source = `slurmctld:${info.cluster ?? 'cluster'}:${info.job.id}:${kind}`;
  const body = JSON.stringify({ source, seq: 0, events: [info] });
  const deadline = hookDeadline(env);
  let last = '';
  let tries = 0;
  for (let attempt = 0; attempt < 3; attempt++) {
    const left = deadline - Date.now();
    if (attempt > 0 && left < 200) break;
    tries++;
    try {
      const res = await fetch(`${server.replace(/\/+$/, '')}/api/v1/ingest`, { method: 'POST', headers, body, signal: AbortSignal.timeout(Math.max(200, Math.min(3000, left))) });
      if (res.ok) return;
      last = `HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`;
      if (res.status < 500) break;
    } catch (err) {
      last = (err as Error).message;
    }
    const pause = 500 * (attempt + 1);
    if (Date.now() + pause + 200 > deadline) break;
    await new Promise((r) => setTimeout(r, pause));
  }
  throw new Error(`job ${info.job.id}: the server did not take the record (${tries} ${tries === 1 ? 'try' : 'tries'}): ${last}`);
}

export async function runHook(kind: HookKind, env: NodeJS.ProcessEnv): Promise<void> {
  if (!KINDS.includes(kind)) throw new Error(`unknown hook ${kind}`);
  const id = env.SLURM_JOB_ID;
  if (!id || !/^\d+$/.test(id)) throw new Error('no SLURM_JOB_ID in the environment');
  const sc = scontrol();
  const job = sc.showJob(id);
  const rule = parseOptIn((env.KISEKI_OPT_IN ?? '').split(/\s+/).filter((s) => s !== ''));
  const runDir = env.KISEKI_RUN_DIR ?? '/run/kiseki';
  const spool = env.KISEKI_SPOOL ?? '/var/spool/kiseki';
  const marker = optInMarker(runDir, { scheduler: 'slurm', id });
  if (!job) process.stderr.write(`kiseki slurm hook ${kind}: job ${id}: scontrol show job said nothing (SLURM_CONF=${env.SLURM_CONF ?? 'unset'})\n`);
  // without scontrol's record only "every job" can be decided
  const optIn = job ? optsIn(rule, job) : optsIn(rule, {}) && !rule.comment && !rule.partition && !rule.qos;
  const now = Date.now() * 1000;
  switch (kind) {
    case 'prolog': {
      if (!optIn) return;
      mkdirSync(join(runDir, 'jobs'), { recursive: true });
      writeFileSync(marker, `${now}\n`); // the agent traces this job's processes
      writeInbox(spool, jobInfoFrom(kind, env, job, sc.batchScript(id), now), kind);
      return;
    }
    case 'epilog': {
      if (!optIn && !existsSync(marker)) return;
      retireOptInMarker(runDir, { scheduler: 'slurm', id });
      writeInbox(spool, jobInfoFrom(kind, env, job, undefined, now), kind);
      return;
    }
    case 'prolog-slurmctld':
    case 'epilog-slurmctld':
      if (!optIn) return;
      await post(env, jobInfoFrom(kind, env, job, kind === 'prolog-slurmctld' ? sc.batchScript(id) : undefined, now), kind);
      return;
  }
}
