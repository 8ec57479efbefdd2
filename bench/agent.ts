// Agent benchmark: what `kiseki agent` (the node daemon, eBPF) costs a
// compute node, idle and busy. Prints CPU as % of one core and resident
// memory (node process and loader) per phase; never fails on the figures.
//
//   npx tsx bench/agent.ts [--idle-s 30] [--busy-s 30] [--jobs 2] [--workdir DIR] [--keep]
//
// The agent runs from dist/ (`npm run bench:agent` builds it first) as root,
// shipping to a stand-in ingest endpoint in this process that counts and
// drops the batches, so the figures are the agent's alone. Phases:
//
//   idle     no job runs: the agent waits (and sees the node's own execs)
//   compute  --jobs job processes (SLURM_JOB_ID set) that mostly compute and
//            now and then read an input and write a result: a busy HPC node
//   storm    --jobs job loops of `tar czf` + `tar xzf` of a 2000-file tree:
//            a file-metadata storm, the worst case per second
//
// CPU is utime+stime of the agent's node process and its loader from
// /proc/PID/stat over the phase (the BPF programs' own cost is paid in the
// traced processes and does not show here); memory is VmRSS sampled every
// 100 ms and VmHWM (since the agent started) at the end of each phase.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, release } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { generateTree } from './workloads/generate.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const TICK_MS = 10; // USER_HZ = 100 on Linux

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : def;
}
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write('usage: tsx bench/agent.ts [--idle-s 30] [--busy-s 30] [--jobs 2] [--workdir DIR] [--keep]\n');
  process.exit(0);
}
const IDLE_S = Number(arg('idle-s', '30'));
const BUSY_S = Number(arg('busy-s', '30'));
const JOBS = Number(arg('jobs', '2'));
const WORK = resolve(arg('workdir', '/tmp/kiseki-bench-agent'));
const KEEP = process.argv.includes('--keep');

// ---------------------------------------------------------------- /proc

function ticks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}

function statusKb(pid: number, field: string): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function childOf(parent: number, comm: string): number | null {
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const c = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent && c === comm) return Number(e);
    } catch { /* gone */ }
  }
  return null;
}

// ---------------------------------------------------------------- ingest stand-in

let received = 0;
let batches = 0;
const server = createServer((req, res) => {
  const parts: Buffer[] = [];
  req.on('data', (c: Buffer) => parts.push(c));
  req.on('end', () => {
    let body = Buffer.concat(parts);
    if ((req.headers['content-encoding'] ?? '').includes('gzip')) body = gunzipSync(body);
    const events = (JSON.parse(body.toString('utf8')) as { events: unknown[] }).events.length;
    received += events;
    batches += 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'stored', events }));
  });
});

// ---------------------------------------------------------------- phases

interface Phase {
  name: string;
  seconds: number;
  nodeCpu: number;
  loaderCpu: number;
  events: number;
  nodeRssMaxKb: number;
  loaderRssMaxKb: number;
  nodeHwmKb: number;
  loaderHwmKb: number;
  load: number;
}

async function measure(name: string, seconds: number, agent: number, loader: number, during?: () => { stop(): Promise<void> }): Promise<Phase> {
  const e0 = received;
  const n0 = ticks(agent);
  const l0 = ticks(loader);
  const t0 = Date.now();
  let nodeRssMaxKb = 0;
  let loaderRssMaxKb = 0;
  const sample = setInterval(() => {
    nodeRssMaxKb = Math.max(nodeRssMaxKb, statusKb(agent, 'VmRSS'));
    loaderRssMaxKb = Math.max(loaderRssMaxKb, statusKb(loader, 'VmRSS'));
  }, 100);
  const load = during?.();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  await load?.stop();
  // What the phase traced is shipped within --batch-ms; count it with the phase.
  await new Promise((r) => setTimeout(r, 1500));
  clearInterval(sample);
  const wall = (Date.now() - t0) / 1000;
  return {
    name, seconds: wall,
    nodeCpu: ((ticks(agent) - n0) * TICK_MS) / 10 / wall,
    loaderCpu: ((ticks(loader) - l0) * TICK_MS) / 10 / wall,
    events: received - e0,
    nodeRssMaxKb, loaderRssMaxKb,
    nodeHwmKb: statusKb(agent, 'VmHWM'),
    loaderHwmKb: statusKb(loader, 'VmHWM'),
    load: loadavg()[0]!,
  };
}

/** `jobs` shell loops, each a process of its own Slurm job, until stopped. */
function jobLoops(script: (i: number) => string, cwd: string): () => { stop(): Promise<void> } {
  return () => {
    const children: ChildProcess[] = [];
    for (let i = 0; i < JOBS; i++) {
      children.push(spawn('/bin/sh', ['-c', `while :; do ${script(i)}; done`], {
        cwd, detached: true, stdio: 'ignore',
        env: { PATH: '/usr/bin:/bin', HOME: cwd, SLURM_JOB_ID: String(700000 + i) },
      }));
    }
    return {
      async stop() {
        for (const c of children) {
          try { process.kill(-c.pid!, 'SIGKILL'); } catch { /* gone */ }
        }
        await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? once(c, 'exit') : null)));
      },
    };
  };
}

// A job step that computes for ~1 s (a python loop), reads its input and
// writes a result, as a simulation or a training step does.
const COMPUTE = (i: number) =>
  `python3 -c "import hashlib,sys; d=open('input.bin','rb').read(); s=0\nfor k in range(1500000): s+=k*k\nopen('out-${i}.txt','w').write(hashlib.sha256(d).hexdigest()+str(s))"`;
const STORM = (i: number) => `tar czf t${i}.tgz tree && mkdir -p x${i} && tar xzf t${i}.tgz -C x${i} && rm -rf x${i}`;

function row(p: Phase): string {
  const mib = (kb: number) => (kb / 1024).toFixed(1);
  const cpuMs = (p.nodeCpu + p.loaderCpu) * 10 * p.seconds;
  const perK = p.events > 0 ? ((cpuMs / p.events) * 1000).toFixed(0) : '–';
  return `| ${p.name} | ${p.nodeCpu.toFixed(2)} % | ${p.loaderCpu.toFixed(2)} % | ${(p.nodeCpu + p.loaderCpu).toFixed(2)} % | ${Math.round(p.events / p.seconds).toLocaleString('en-US')} | ${perK} | `
    + `${mib(p.nodeRssMaxKb)} + ${mib(p.loaderRssMaxKb)} | ${mib(p.nodeHwmKb)} + ${mib(p.loaderHwmKb)} = ${mib(p.nodeHwmKb + p.loaderHwmKb)} | ${p.load.toFixed(1)} |`;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) {
    process.stderr.write('bench/agent.ts: needs root (the agent loads BPF programs); nothing measured\n');
    return;
  }
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  const jobDir = join(WORK, 'job');
  generateTree(join(jobDir, 'tree'), 20, 100);
  writeFileSync(join(jobDir, 'input.bin'), Buffer.alloc(4 << 20, 7));
  writeFileSync(join(WORK, 'token'), 'bench-token\n');

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const agent = spawn(process.execPath, [CLI, 'agent', 'run', '--server', url, '--token-file', join(WORK, 'token'),
    '--spool', join(WORK, 'spool'), '--run-dir', join(WORK, 'run'), '--id', 'agent:bench'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  agent.stderr!.on('data', (c: Buffer) => { log += c.toString(); });
  const deadline = Date.now() + 60_000;
  while (!/tracing the jobs of/.test(log)) {
    if (agent.exitCode !== null || Date.now() > deadline) throw new Error(`the agent did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const loader = childOf(agent.pid!, 'kiseki-ebpf');
  if (loader === null) throw new Error('no kiseki-ebpf under the agent');
  await new Promise((r) => setTimeout(r, 3000)); // start-up done

  const phases: Phase[] = [];
  try {
    phases.push(await measure('idle', IDLE_S, agent.pid!, loader));
    process.stderr.write(`${row(phases.at(-1)!)}\n`);
    phases.push(await measure(`compute (${JOBS} jobs)`, BUSY_S, agent.pid!, loader, jobLoops(COMPUTE, jobDir)));
    process.stderr.write(`${row(phases.at(-1)!)}\n`);
    phases.push(await measure(`storm (${JOBS} jobs of tar)`, BUSY_S, agent.pid!, loader, jobLoops(STORM, jobDir)));
    process.stderr.write(`${row(phases.at(-1)!)}\n`);
  } finally {
    agent.kill('SIGTERM');
    await once(agent, 'exit');
    server.close();
    if (!KEEP) rmSync(WORK, { recursive: true, force: true });
  }

  const lost = /(\d+) events? lost/.exec(log)?.[1];
  const out = [
    `### Agent (kiseki agent, eBPF)`,
    '',
    `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Linux ${release()}, Node ${process.version}; \`npx tsx bench/agent.ts --idle-s ${IDLE_S} --busy-s ${BUSY_S} --jobs ${JOBS}\`. `
      + 'CPU: % of one core over the phase (utime+stime from /proc), node process and loader. Memory: VmRSS max over the phase (node + loader) and VmHWM since the agent started, MiB. '
      + `"compute": ${JOBS} Slurm-job loops of a ~1 s Python computation that reads a 4 MiB input and writes a result; "storm": ${JOBS} job loops of \`tar czf\` + \`tar xzf\` of 2000 small files.`,
    '',
    '| phase | node CPU | loader CPU | agent CPU | events/s shipped | CPU ms per 1000 events | RSS max MiB | peak (HWM) MiB | load avg |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...phases.map(row),
    '',
    `Batches received: ${batches}; events: ${received.toLocaleString('en-US')}${lost ? `; the agent reported ${lost} events lost` : ''}.`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

await main();
