// The world the real-Slurm suites share: a store behind a minimal ingest
// endpoint with a node token, the hooks `kiseki slurm install` writes
// (pointed at the command the suite gives), `kiseki agent` on the node in
// opt-in mode, and a single-node Slurm running those hooks.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { createNodeToken } from '../../src/ingest/node-tokens.js';
import type { Store } from '../../src/store/index.js';
import { makeTarget, openTarget, POSTGRES_URL } from '../store/stores.js';
import { KISEKI, startAgent, startIngestServer, type AgentProcess, type IngestServer } from './agent-harness.js';
import { ensureUser, startSlurm, type SlurmCluster } from './slurm-harness.js';

export interface KisekiOnSlurm {
  store: Store;
  server: IngestServer;
  slurm: SlurmCluster;
  /** Replaced when a test restarts the agent. */
  agent: AgentProcess | undefined;
  agentArgs: string[];
  /** The suite's folder; `work` in it is where jobs are submitted from (mode 0777). */
  dir: string;
  work: string;
  spool: string;
  hooks: string;
  stop(): Promise<void>;
}

export interface KisekiOnSlurmOptions {
  /** Names the store's database/schema and the temp folder. */
  name: string;
  /** The non-root user jobs are submitted as. */
  user: string;
  /** `--opt-in` of `kiseki slurm install`, e.g. comment=kiseki. */
  optIn: string;
  timeoutS: number;
  /** The command the hooks run as kiseki, made once the suite's folder exists. */
  kiseki(dir: string): string;
}

export async function startKisekiOnSlurm(o: KisekiOnSlurmOptions): Promise<KisekiOnSlurm> {
  ensureUser(o.user);
  const dir = mkdtempSync(join(tmpdir(), `kiseki-${o.name}-`));
  chmodSync(dir, 0o755);
  const work = join(dir, 'work');
  spawnSync('/bin/mkdir', ['-m', '0777', work]);
  const store = await openTarget(await makeTarget(POSTGRES_URL ? 'postgres' : 'pglite', `cluster-${o.name}`));
  const server = await startIngestServer(store);
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, await createNodeToken(store.db, 'vm'), { mode: 0o600 });
  const spool = join(dir, 'spool');
  const runDir = join(dir, 'run');
  const hooks = join(dir, 'hooks');
  const kiseki = o.kiseki(dir);
  const slurmDir = mkdtempSync(join(tmpdir(), 'kiseki-slurm-'));
  const install = spawnSync(process.execPath, [...KISEKI, 'slurm', 'install', '--dir', hooks, '--slurm-conf', join(slurmDir, 'slurm.conf'), '--server', server.url, '--token-file', tokenFile,
    '--spool', spool, '--run-dir', runDir, '--opt-in', o.optIn, '--timeout', String(o.timeoutS), '--kiseki', kiseki], { encoding: 'utf8' });
  expect(install.status, install.stderr).toBe(0);
  const confLines = install.stdout.split('\n').filter((l) => /^(Prolog|Epilog|PrologSlurmctld|EpilogSlurmctld)=/.test(l));
  expect(confLines).toHaveLength(4);
  const agentArgs = ['--server', server.url, '--token-file', tokenFile, '--spool', spool, '--run-dir', runDir, '--opt-in', '--id', 'agent:vm', '--batch-ms', '200'];
  const world: KisekiOnSlurm = {
    store, server, slurm: undefined as unknown as SlurmCluster, agent: await startAgent(agentArgs), agentArgs, dir, work, spool, hooks,
    async stop() {
      await world.slurm?.stop();
      await world.agent?.stop();
      await server.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    world.slurm = await startSlurm({ confLines, dir: slurmDir });
  } catch (err) {
    await world.stop();
    throw err;
  }
  return world;
}
