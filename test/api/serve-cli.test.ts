// `kiseki serve` as users start it (the built CLI), on the embedded database
// and on PostgreSQL; then `kiseki run` on the same data dir: with PGlite the
// server holds the folder, so the run hands its events to the server
// (server.json); with PostgreSQL it writes directly. Either way the run
// appears through the API.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLI, describeCli, runCli, workdir } from '../cli/cli.js';
import { call } from './harness.js';

interface Serve {
  proc: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function startServe(env: NodeJS.ProcessEnv, args: string[] = []): Promise<Serve> {
  const proc = spawn(process.execPath, [CLI, 'serve', '--listen', '127.0.0.1:0', ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr!.setEncoding('utf8');
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`kiseki serve did not start: ${err}`)), 60_000);
    proc.stderr!.on('data', (c: string) => {
      err += c;
      const m = /kiseki serve: (http:\/\/127\.0\.0\.1:\d+) /.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, url: m[1]!, stderr: () => err, exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`kiseki serve exited ${code}: ${err}`));
    });
  });
}

describeCli('kiseki serve, then kiseki run on the same data dir', 'serve', (get) => {
  let serve: Serve | undefined;
  beforeAll(async () => {
    serve = await startServe(get().env);
  });
  afterAll(async () => {
    if (serve && serve.proc.exitCode === null) {
      serve.proc.kill('SIGTERM');
      await serve.exited;
    }
  });

  it('serves the API on the store', async () => {
    const h = await call<{ status: string; db: string }>(serve!.url, 'GET', '/api/v1/health');
    expect(h.body).toMatchObject({ status: 'ok', db: get().kind });
    const info = join(get().dataDir, 'server.json');
    if (get().kind === 'pglite') {
      expect(existsSync(info)).toBe(true);
      expect(JSON.parse(readFileSync(info, 'utf8'))).toMatchObject({ url: serve!.url, pid: serve!.proc.pid, embedded: true });
    }
  });

  it('a traced run appears through the API while the server runs', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'in.txt'), 'b\na\n');
    // sort opens out.txt itself (with 'sort > out.txt' the shell's open is reported after sort's write: a tracer ordering issue)
    const r = runCli(['run', '--backend', 'ptrace', '--', 'sort', '-o', 'out.txt', 'in.txt'], { cwd: dir, env: get().env });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/events stored/);
    const s = await call<any>(serve!.url, 'GET', '/api/v1/search?filename=out.txt');
    expect(s.body.total).toBe(1);
    expect(s.body.items[0]).toMatchObject({ state: 'completed', exitCode: 0, matchedFiles: 1 });
    const l = await call<any>(serve!.url, 'GET', `/api/v1/lineage?path=${encodeURIComponent(join(dir, 'out.txt'))}`);
    expect(l.body.nodes.map((n: any) => n.path).filter(Boolean)).toContain(join(dir, 'in.txt'));
  });

  it('a second server on the same embedded database is refused', async () => {
    if (get().kind !== 'pglite') return;
    const r = runCli(['serve', '--listen', '127.0.0.1:0'], { env: get().env });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/E_SERVER_RUNNING|E_STORE_LOCKED/);
  });

  it('refuses a bad --listen as a usage error', () => {
    const r = runCli(['serve', '--listen', 'nowhere'], { env: get().env });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--listen/);
  });

  it('stops on SIGTERM and removes server.json', async () => {
    serve!.proc.kill('SIGTERM');
    expect(await serve!.exited).toBe(0);
    expect(existsSync(join(get().dataDir, 'server.json'))).toBe(false);
    // and kiseki run stores directly again
    const dir = workdir();
    const r = runCli(['run', '--backend', 'ptrace', '--', 'true'], { cwd: dir, env: get().env });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/events stored/);
  });
});

// With sign-in on (here: loopback not trusted), a browser on this machine
// must sign in, but the user's own `kiseki run` still stores through the
// server: it proves itself with the secret in server.json (mode 0600).
describeCli('kiseki serve with loopback not trusted, then kiseki run', 'serve-auth', (get) => {
  let serve: Serve | undefined;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    const conf = join(workdir(), 'config.toml');
    writeFileSync(conf, '[auth]\ntrustLoopback = false\n');
    env = { ...get().env, KISEKI_CONFIG: conf };
    serve = await startServe(env);
  });
  afterAll(async () => {
    if (serve && serve.proc.exitCode === null) {
      serve.proc.kill('SIGTERM');
      await serve.exited;
    }
  });

  it("the run is stored with server.json's secret; anonymous clients do not see it", async () => {
    if (get().kind !== 'pglite') return; // PostgreSQL: kiseki run writes to the database itself
    const info = join(get().dataDir, 'server.json');
    expect(statSync(info).mode & 0o777).toBe(0o600);
    const token = JSON.parse(readFileSync(info, 'utf8')).token as string;
    expect(token).toMatch(/^ksl_/);
    const dir = workdir();
    writeFileSync(join(dir, 'in.txt'), 'b\na\n');
    const r = runCli(['run', '--backend', 'ptrace', '--', 'sort', '-o', 'out.txt', 'in.txt'], { cwd: dir, env });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/events stored/);
    expect((await call<any>(serve!.url, 'GET', '/api/v1/search?filename=out.txt')).body.total).toBe(0);
    const mine = await call<any>(serve!.url, 'GET', '/api/v1/search?filename=out.txt', { headers: { authorization: `Bearer ${token}` } });
    expect(mine.body.total).toBe(1);
    const wrong = await call<any>(serve!.url, 'GET', '/api/v1/search', { headers: { authorization: `Bearer ksl_${'x'.repeat(43)}` } });
    expect([wrong.status, wrong.body.error.code]).toEqual([401, 'E_AUTH_TOKEN']);
  });
});
