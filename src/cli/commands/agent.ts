// `kiseki agent`: the cluster node daemon (docs/cluster.md).
//   kiseki agent [run] --server URL --token-file FILE [--spool DIR] ...
//   kiseki agent status [--spool DIR] [--json]
//   kiseki agent token create NODE | revoke NODE   (on the server, --db)
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { Agent, readAgentStatus } from '../../agent/daemon/agent.js';
import { loadConfig } from '../../core/config.js';
import { createNodeToken, revokeNodeToken } from '../../ingest/node-tokens.js';
import { openStore } from '../../store/index.js';

const env = process.env;
const DEFAULT_SPOOL = '/var/spool/kiseki';
const DEFAULT_RUN = '/run/kiseki';

function int(v: string): number {
  if (!/^\d+$/.test(v)) throw new Error(`expected a non-negative integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

/** 500M, 2G, 100k, or bytes. */
export function parseSize(v: string): number {
  const m = /^(\d+)([kKmMgG]?)[bB]?$/.exec(v.trim());
  if (!m) throw new Error(`expected a size such as 512M or 2G, got ${JSON.stringify(v)}`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Number(m[1]) * mult;
}

interface RunOpts {
  server?: string;
  tokenFile?: string;
  spool: string;
  spoolMax: number;
  runDir: string;
  optIn?: boolean;
  id?: string;
  host?: string;
  batchEvents: number;
  batchMs: number;
  backend?: string;
  config?: string;
}

export function registerAgent(program: Command): void {
  const agent = program.command('agent').description('cluster node daemon: trace the jobs of this node and ship their events to the server');

  agent
    .command('run', { isDefault: true })
    .description('run the agent (root, eBPF) until SIGTERM')
    .option('--server <url>', 'server base URL (env KISEKI_SERVER)', env.KISEKI_SERVER)
    .option('--token-file <file>', "file holding this node's ingest token (env KISEKI_TOKEN_FILE)", env.KISEKI_TOKEN_FILE)
    .option('--spool <dir>', 'spool directory (env KISEKI_SPOOL)', env.KISEKI_SPOOL ?? DEFAULT_SPOOL)
    .option('--spool-max <size>', 'largest spool size, e.g. 2G (env KISEKI_SPOOL_MAX)', parseSize, parseSize(env.KISEKI_SPOOL_MAX ?? '2G'))
    .option('--run-dir <dir>', 'where hooks leave opt-in markers (env KISEKI_RUN_DIR)', env.KISEKI_RUN_DIR ?? DEFAULT_RUN)
    .option('--opt-in', 'trace only jobs the Prolog hook marked as opted in (env KISEKI_OPT_IN=1)', env.KISEKI_OPT_IN === '1')
    .option('--id <id>', 'source name of this agent, stable across restarts (default agent:<hostname>)', env.KISEKI_AGENT_ID)
    .option('--host <name>', 'host name in process keys (default the machine name)', env.KISEKI_HOST)
    .option('--batch-events <n>', 'events per batch', int, 5000)
    .option('--batch-ms <ms>', 'longest wait before a batch is cut', int, 500)
    .option('--backend <name>', 'tracer backend (only ebpf can trace a node)')
    .option('--config <file>', 'config file (TOML): capture rules')
    .action(async (o: RunOpts) => {
      const say = (line: string) => process.stderr.write(`kiseki agent: ${line}\n`);
      await Agent.check(o.backend);
      if (!o.server) throw new Error('--server (or KISEKI_SERVER) is required');
      let token: string | undefined;
      if (o.tokenFile) token = readFileSync(o.tokenFile, 'utf8').trim();
      else say('no --token-file: the server will refuse batches unless it runs without node tokens');
      const a = new Agent({
        ...(o.id ? { id: o.id } : {}), ...(o.host ? { host: o.host } : {}), server: o.server, ...(token ? { token } : {}),
        spoolDir: o.spool, spoolMaxBytes: o.spoolMax, runDir: o.runDir, optIn: !!o.optIn,
        batchEvents: o.batchEvents, batchMs: o.batchMs, config: loadConfig(o.config ? { configFile: o.config } : {}), log: say,
      });
      await a.start();
      say(`tracing the jobs of ${o.host ?? hostname()} as ${a.id}; spool ${o.spool} (max ${o.spoolMax} bytes); server ${o.server}${o.optIn ? '; opted-in jobs only' : ''}`);
      let stopping = false;
      const stop = (sig: string) => {
        if (stopping) return;
        stopping = true;
        say(`${sig}: stopping (what the server has not got stays in the spool)`);
        void a.stop({ drainMs: 2000 }).then(() => process.exit(0));
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
      await a.done;
      if (!stopping) process.exit(1);
      await new Promise(() => {}); // stop() exits
    });

  agent
    .command('status')
    .description("show the agent's backlog (batches not yet on the server), losses and traced jobs")
    .option('--spool <dir>', 'spool directory', env.KISEKI_SPOOL ?? DEFAULT_SPOOL)
    .option('--json', 'print the status as JSON')
    .action((o: { spool: string; json?: boolean }) => {
      const s = readAgentStatus(o.spool);
      if (!s) throw new Error(`no agent status in ${o.spool} (is the agent running with --spool ${o.spool}?)`);
      if (o.json) return void process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
      let alive = false;
      try {
        process.kill(s.pid, 0);
        alive = true;
      } catch {
        // gone
      }
      const age = Math.round((Date.now() - s.updatedTs) / 1000);
      const lines = [
        `agent ${s.id} (pid ${s.pid}, ${alive ? 'running' : 'NOT running'}), status ${age}s old`,
        `server ${s.server}: ${s.shipper.shippedBatches} batches shipped (${s.shipper.shippedEvents} events)` +
          (s.shipper.lastError ? `; last error: ${s.shipper.lastError}` : ''),
        `backlog: ${s.backlogBatches} batches, ${s.backlogBytes} bytes; next seq ${s.nextSeq}`,
        `lost: ${s.droppedEvents} events dropped (spool full), ${s.kernelLost} lost in the kernel`,
        `jobs traced now: ${s.jobs.length ? s.jobs.map((j) => `${j.job.scheduler}:${j.job.id} (${j.processes} processes)`).join(', ') : 'none'}`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  const token = agent.command('token').description('per-node ingest tokens (run on the server)');
  token
    .command('create <node>')
    .description('issue a token for a node; prints it once')
    .option('--db <url>', 'database (env KISEKI_DB)')
    .action(async (node: string, o: { db?: string }) => {
      const store = await openStore(o.db ? { db: o.db } : {});
      try {
        process.stdout.write(`${await createNodeToken(store.db, node)}\n`);
      } finally {
        await store.close();
      }
    });
  token
    .command('revoke <node>')
    .description("revoke every token of a node: its agent's batches are refused from now on")
    .option('--db <url>', 'database (env KISEKI_DB)')
    .action(async (node: string, o: { db?: string }) => {
      const store = await openStore(o.db ? { db: o.db } : {});
      try {
        process.stdout.write(`${await revokeNodeToken(store.db, { node })} token(s) revoked\n`);
      } finally {
        await store.close();
      }
    });
}
