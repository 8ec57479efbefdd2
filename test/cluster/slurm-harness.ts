// A real single-node Slurm (Debian's slurmctld, slurmd, munge) started and
// stopped by the tests, all as root from one temporary folder, on ports of
// its own (others may run a Slurm on this machine). Facts: shared notes
// "Single-node Slurm for tests".
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

export const SLURM_BINS = ['/usr/sbin/slurmctld', '/usr/sbin/slurmd', '/usr/sbin/munged', '/usr/sbin/mungekey', '/usr/bin/sbatch', '/usr/bin/scontrol'];

export function slurmAvailable(): boolean {
  return process.getuid?.() === 0 && SLURM_BINS.every((b) => existsSync(b));
}

export interface SlurmOptions {
  /** Extra slurm.conf lines (Prolog=..., ...). */
  confLines?: string[];
  /** The folder to run in (slurm.conf goes there), made beforehand so hooks can name it; default: a new temporary one. */
  dir?: string;
}

export interface SlurmCluster {
  dir: string;
  conf: string;
  host: string;
  env: NodeJS.ProcessEnv;
  /** sbatch as `user`; returns the job id. */
  sbatch(user: string, args: string[], cwd: string): string;
  /** scontrol show job -o fields. */
  job(id: string): Record<string, string>;
  waitJob(id: string, ms?: number): Promise<Record<string, string>>;
  stop(): Promise<void>;
  log(): string;
}

export function ensureUser(name: string): { uid: number; gid: number; home: string } {
  if (spawnSync('/usr/bin/id', ['-u', name]).status !== 0) execFileSync('/usr/sbin/useradd', ['-m', '-s', '/bin/sh', name]);
  const uid = Number(execFileSync('/usr/bin/id', ['-u', name], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('/usr/bin/id', ['-g', name], { encoding: 'utf8' }).trim());
  return { uid, gid, home: `/home/${name}` };
}

function freePortBase(): number {
  return 20000 + Math.floor(Math.random() * 20000);
}

async function waitFor(what: string, fn: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function alive(p: ChildProcess): boolean {
  if (p.exitCode !== null || p.signalCode !== null) return false;
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${p.pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

export async function startSlurm(opts: SlurmOptions = {}): Promise<SlurmCluster> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'kiseki-slurm-'));
  chmodSync(dir, 0o755);
  const host = hostname().split('.')[0]!;
  const key = join(dir, 'munge.key');
  const sock = join(dir, 'munge.socket');
  for (const d of ['state', 'spool', 'log']) mkdirSync(join(dir, d), { mode: 0o755 });
  execFileSync('/usr/sbin/mungekey', ['-c', '-k', key]);
  const procs: ChildProcess[] = [];
  const munged = spawn('/usr/sbin/munged', ['-F', '-f', `--socket=${sock}`, `--key-file=${key}`, `--pid-file=${join(dir, 'munged.pid')}`,
    `--log-file=${join(dir, 'log', 'munged.log')}`, `--seed-file=${join(dir, 'munge.seed')}`], { stdio: 'ignore' });
  procs.push(munged);
  await waitFor('munged', () => existsSync(sock), 10_000);
  const base = freePortBase();
  const memMiB = Math.floor(Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))![1]) / 1024 / 2);
  const cpus = Number(execFileSync('/usr/bin/nproc', { encoding: 'utf8' }).trim());
  const conf = join(dir, 'slurm.conf');
  writeFileSync(conf, [
    'ClusterName=kisekitest',
    `SlurmctldHost=${host}(127.0.0.1)`,
    `SlurmctldPort=${base}`,
    `SlurmdPort=${base + 1}`,
    'SlurmUser=root',
    'AuthType=auth/munge',
    `AuthInfo=socket=${sock}`,
    'CredType=cred/munge',
    'ProctrackType=proctrack/linuxproc',
    'TaskPlugin=task/none',
    'SelectType=select/cons_tres',
    'SelectTypeParameters=CR_Core',
    'JobAcctGatherType=jobacct_gather/none',
    'AccountingStorageType=accounting_storage/none',
    'JobCompType=jobcomp/none',
    'SchedulerParameters=batch_sched_delay=0',
    'MailProg=/bin/true',
    'MinJobAge=3600',
    'ReturnToService=2',
    `StateSaveLocation=${join(dir, 'state')}`,
    `SlurmdSpoolDir=${join(dir, 'spool')}`,
    `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`,
    `SlurmdPidFile=${join(dir, 'slurmd.pid')}`,
    `SlurmctldLogFile=${join(dir, 'log', 'slurmctld.log')}`,
    `SlurmdLogFile=${join(dir, 'log', 'slurmd.log')}`,
    'SlurmctldDebug=info',
    'SlurmdDebug=info',
    `NodeName=${host} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${memMiB} State=UNKNOWN`,
    `PartitionName=debug Nodes=${host} Default=YES State=UP OverSubscribe=YES`,
    `PartitionName=other Nodes=${host} State=UP OverSubscribe=YES`,
    ...(opts.confLines ?? []),
    '',
  ].join('\n'));
  const env = { ...process.env, SLURM_CONF: conf };
  const ctld = spawn('/usr/sbin/slurmctld', ['-D', '-i', '-f', conf], { stdio: 'ignore', env });
  procs.push(ctld);
  const d = spawn('/usr/sbin/slurmd', ['-D', '-f', conf, '-N', host], { stdio: 'ignore', env });
  procs.push(d);
  const cluster: SlurmCluster = {
    dir, conf, host, env,
    sbatch(user, args, cwd) {
      // PWD as the user's shell would have it (sbatch passes it on to the job)
      const r = spawnSync('/usr/sbin/runuser', ['-u', user, '--', '/usr/bin/env', `SLURM_CONF=${conf}`, 'PATH=/usr/bin:/bin', `PWD=${cwd}`, '/usr/bin/sbatch', '--parsable', '-D', cwd, ...args],
        { encoding: 'utf8', cwd });
      if (r.status !== 0) throw new Error(`sbatch failed (${r.status}): ${r.stderr}\n${cluster.log()}`);
      return r.stdout.trim().split(';')[0]!;
    },
    job(id) {
      const out = execFileSync('/usr/bin/scontrol', ['show', 'job', '-o', id], { encoding: 'utf8', env });
      const f: Record<string, string> = {};
      for (const m of out.trim().matchAll(/(\w+)=(\S*)/g)) f[m[1]!] = m[2]!;
      return f;
    },
    async waitJob(id, ms = 60_000) {
      let last: Record<string, string> = {};
      await waitFor(`job ${id} to end`, () => {
        last = cluster.job(id);
        return /^(COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY)/.test(last.JobState ?? '');
      }, ms);
      return last;
    },
    async stop() {
      for (const p of [...procs].reverse()) if (alive(p)) p.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 500));
      for (const p of procs) if (alive(p)) p.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
    log() {
      const read = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').slice(-30).join('\n') : '');
      return `--- slurmctld\n${read(join(dir, 'log', 'slurmctld.log'))}\n--- slurmd\n${read(join(dir, 'log', 'slurmd.log'))}`;
    },
  };
  try {
    await waitFor('the node to be idle', () => {
      const r = spawnSync('/usr/bin/sinfo', ['-h', '-o', '%t', '-p', 'debug'], { encoding: 'utf8', env });
      return r.status === 0 && /^(idle|mix|alloc)/m.test(r.stdout);
    }, 30_000);
  } catch (err) {
    const log = cluster.log();
    await cluster.stop();
    throw new Error(`${(err as Error).message}\n${log}`);
  }
  return cluster;
}
