// The agent against `kiseki serve` (the production server): batches with a
// valid node token are stored (gzip bodies), a revoked token gets 401 and the
// agent logs the reason. PostgreSQL, since serve and the test share the store.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeToken, revokeNodeToken } from '../../src/ingest/node-tokens.js';
import type { Store } from '../../src/store/index.js';
import { freshPostgresSchema, openTarget, POSTGRES_URL } from '../store/stores.js';
import { canTraceNode, KISEKI, startAgent, waitUntil } from './agent-harness.js';

describe.skipIf(!POSTGRES_URL || !canTraceNode())('kiseki agent → kiseki serve', () => {
  let store: Store;
  let serve: ChildProcess;
  let url: string;
  let dir: string;

  beforeAll(async () => {
    const schema = await freshPostgresSchema('cluster-serve');
    store = await openTarget({ kind: 'postgres', db: POSTGRES_URL!, schema });
    const port = 30000 + Math.floor(Math.random() * 20000);
    url = `http://127.0.0.1:${port}`;
    const db = `${POSTGRES_URL}${POSTGRES_URL!.includes('?') ? '&' : '?'}schema=${schema}`;
    serve = spawn(process.execPath, [...KISEKI, 'serve', '--db', db, '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    serve.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    await waitUntil(`kiseki serve (${out})`, async () => (await fetch(`${url}/api/docs`).catch(() => undefined)) !== undefined, 60_000);
    dir = mkdtempSync(join(tmpdir(), 'kiseki-serve-agent-'));
  }, 90_000);
  afterAll(async () => {
    serve?.kill('SIGTERM');
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('stores a job the agent traced, and refuses a revoked token with its reason', async () => {
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, await createNodeToken(store.db, 'node-s'));
    const args = ['--server', url, '--token-file', tokenFile, '--spool', join(dir, 'spool'), '--id', 'agent:serve-test', '--batch-ms', '100'];
    let agent = await startAgent(args);
    const job = String(800000 + (process.pid % 10000));
    try {
      spawnSync('/bin/sh', ['-c', 'echo x > served.txt'], { cwd: dir, env: { PATH: '/usr/bin:/bin', SLURM_JOB_ID: job } });
      await waitUntil('the job in the store', async () => {
        const { rows } = await store.db.query(`select 1 from job where job_ref = $1`, [job]);
        return rows.length > 0;
      }, 60_000);
    } finally {
      await agent.stop();
    }
    await revokeNodeToken(store.db, { node: 'node-s' });
    agent = await startAgent(args);
    try {
      spawnSync('/bin/sh', ['-c', 'echo y > refused.txt'], { cwd: dir, env: { PATH: '/usr/bin:/bin', SLURM_JOB_ID: job } });
      await agent.waitFor(/refused this node's token \(HTTP 401\): node token of node-s was revoked/);
    } finally {
      await agent.stop();
    }
    expect(agent.output()).not.toMatch(/\[object Object\]/);
  }, 120_000);
});
