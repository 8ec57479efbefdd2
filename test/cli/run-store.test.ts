// kiseki run when the store cannot take the events: the command runs as
// usual with its own exit status, the trace file is kept, and
// `kiseki ingest FILE` stores it later.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCliEnv, workdir, type CliEnv } from './cli.js';

interface Page<T> { total: number; items: T[] }
interface Job { jobId: string; exitCode: number | null; state: string }

const KEPT = /^kiseki: the (\d+) events are kept in (\S+); store them later with: kiseki ingest (\S+)$/m;

describe('kiseki run and a store it cannot use', () => {
  let cli: CliEnv;
  let holder: ChildProcess | undefined;
  beforeAll(async () => {
    cli = await makeCliEnv('pglite', 'runstore');
  });
  afterAll(() => {
    holder?.kill('SIGKILL');
    rmSync(cli.dataDir, { recursive: true, force: true });
  });

  it('a database that cannot be opened: the command runs, keeps its exit status, the trace is kept and ingested later', () => {
    const dir = workdir();
    const r = cli.kiseki(['run', '--backend', 'ptrace', '--db', 'postgres://127.0.0.1:1/nowhere', '--', 'sh', '-c', 'echo hi > x; exit 3'], { cwd: dir });
    expect(r.status).toBe(3);
    expect(readFileSync(join(dir, 'x'), 'utf8')).toBe('hi\n');
    expect(r.stderr).toMatch(/^kiseki: run [0-9a-f-]{36}: not stored: .*\[E_STORE_OPEN\]$/m);
    const m = KEPT.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    const file = m![2]!;
    expect(file.startsWith(join(cli.dataDir, 'runs'))).toBe(true);
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; exitCode?: number });
    expect(lines[0]!.type).toBe('run.start');
    expect(lines.at(-1)).toMatchObject({ type: 'run.end', exitCode: 3 });
    expect(Number(m![1])).toBe(lines.length);
    // later, into the (working) store
    const ing = cli.kiseki(['ingest', file]);
    expect(ing.status, ing.stderr).toBe(0);
    expect(ing.stdout).toMatch(new RegExp(`${lines.length} events stored`));
    const jobs = cli.json<Page<Job>>(['jobs']);
    expect(jobs.items.map((j) => [j.exitCode, j.state])).toEqual([[3, 'failed']]);
    expect(cli.kiseki(['lineage', 'x', '--json'], { cwd: dir }).status).toBe(0);
    // again: nothing is stored twice
    const again = cli.kiseki(['ingest', file]);
    expect(again.stdout).toMatch(/already stored/);
    expect(cli.json<Page<Job>>(['jobs']).total).toBe(1);
  });

  it('an embedded database held by another process: E_STORE_LOCKED, who holds it, the trace kept', async () => {
    holder = spawn('sleep', ['120'], { stdio: 'ignore' });
    const lock = join(cli.dataDir, 'db', 'kiseki.lock');
    writeFileSync(lock, `${holder.pid}\n`);
    const dir = workdir();
    const r = cli.kiseki(['run', '--backend', 'ptrace', '--', 'sh', '-c', 'echo a > y'], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`not stored: the embedded database at .* is in use by process ${holder.pid}.*\\[E_STORE_LOCKED\\]$`, 'm'));
    const file = KEPT.exec(r.stderr)![2]!;
    expect(existsSync(file)).toBe(true);
    // the other commands say the same, and exit 1
    const jobs = cli.kiseki(['jobs']);
    expect(jobs.status).toBe(1);
    expect(jobs.stderr).toMatch(/\[E_STORE_LOCKED\]$/m);
    holder.kill('SIGKILL');
    await new Promise((res) => holder!.once('exit', res));
    // a stale lock (its process is gone) is taken over
    expect(cli.kiseki(['ingest', file]).status).toBe(0);
    expect(cli.json<Page<Job>>(['jobs']).total).toBe(2);
    expect(existsSync(lock)).toBe(false);
  });

  it('-q says nothing when all went well; --out writes the trace there and still stores it', () => {
    const dir = workdir();
    const out = join(dir, 'trace.ndjson');
    const r = cli.kiseki(['run', '-q', '--backend', 'ptrace', '--out', out, '--', 'sh', '-c', 'echo b > z'], { cwd: dir });
    expect([r.status, r.stderr]).toEqual([0, '']);
    const start = JSON.parse(readFileSync(out, 'utf8').split('\n')[0]!) as { runId: string };
    expect(cli.json<Page<Job>>(['search', '--job', start.runId]).total).toBe(1);
  });

  it('--no-store only writes the trace file', () => {
    const dir = workdir();
    const r = cli.kiseki(['run', '--no-store', '--backend', 'ptrace', '--', 'true'], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/events in .*\.ndjson \(not stored: --no-store\)$/m);
    expect(cli.json<Page<Job>>(['jobs']).total).toBe(3);
  });

  it('file names with newlines, escape sequences and bytes that are not UTF-8 are shown escaped, and kept exact in JSON', () => {
    const dir = workdir();
    const r = cli.kiseki(['run', '--backend', 'ptrace', '--', 'sh', '-c', `printf x > "$(printf 'we\\nird\\033[31m')"; printf y > "$(printf 'raw\\377')"`], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('\u001b');
    const text = cli.kiseki(['search', '--files', '--file', dir]);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain(`${dir}/we\\nird\\x1b[31m`);
    expect(text.stdout).toContain(`${dir}/raw\\xff`);
    expect(text.stdout).not.toContain('\u001b');
    const json = cli.json<Page<{ path: string }>>(['search', '--files', '--file', dir]);
    expect(json.items.map((f) => f.path).sort()).toEqual([`${dir}/raw\udcff`, `${dir}/we\nird\u001b[31m`]);
  });

  it('kiseki ingest after a run stored only part of its events sends only the rest', () => {
    const dir = workdir();
    const r = cli.kiseki(['run', '--no-store', '--backend', 'ptrace', '--', 'sh', '-c', 'cat /etc/hostname > h'], { cwd: dir });
    expect(r.status).toBe(0);
    const full = /events in (\S+\.ndjson)/.exec(r.stderr)![1]!;
    const lines = readFileSync(full, 'utf8').trim().split('\n');
    const part = join(dir, 'part.ndjson');
    writeFileSync(part, `${lines.slice(0, 5).join('\n')}\n`); // what a store that failed mid-run holds
    expect(cli.kiseki(['ingest', part]).status).toBe(0);
    const rest = cli.json<{ alreadyStored: number; stored: number }>(['ingest', full]);
    expect(rest).toMatchObject({ alreadyStored: 5, stored: lines.length - 5 });
    const l = cli.json<{ nodes: { path?: string }[] }>(['lineage', 'h'], { cwd: dir });
    expect(l.nodes.map((n) => n.path)).toContain(join(dir, 'h'));
  });

  it('a database server that never answers: given up a while after the command ends, the trace kept', async () => {
    const silent = createServer(() => { /* accept, never answer */ });
    await new Promise<void>((res) => silent.listen(0, '127.0.0.1', res));
    const port = (silent.address() as { port: number }).port;
    try {
      const dir = workdir();
      const r = cli.kiseki(['run', '--backend', 'ptrace', '--db', `postgres://kiseki:secret@127.0.0.1:${port}/x`, '--', 'sh', '-c', 'exit 5'],
        { cwd: dir, env: { KISEKI_STORE_OPEN_TIMEOUT_MS: '2000' } });
      expect(r.status).toBe(5);
      expect(r.stderr).toMatch(/not stored: the store at postgres:\/\/kiseki:\*\*\*@127\.0\.0\.1:\d+\/x did not open within 2 s of the command's end \[E_STORE_OPEN\]/);
      expect(r.stderr).not.toContain('secret');
      expect(KEPT.test(r.stderr)).toBe(true);
    } finally {
      silent.close();
    }
  });
});
