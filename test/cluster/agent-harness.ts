// Test helpers for cluster mode: a minimal ingest server on the real store
// (src/ingest/ingest-http.ts) and `kiseki agent` processes started from the
// sources (tsx), killed and restarted like the real daemon.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { createIngestServer } from '../../src/ingest/ingest-http.js';
import type { Store } from '../../src/store/index.js';

const ROOT = join(import.meta.dirname, '..', '..');
export const KISEKI = ['--import', join(ROOT, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs'), join(ROOT, 'src', 'cli', 'main.ts')];

export function canTraceNode(): boolean {
  return process.getuid?.() === 0 && process.platform === 'linux';
}

export interface IngestServer {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Listen again on the same port (after stop). */
  restart(): Promise<void>;
}

export async function startIngestServer(store: Store, port = 0): Promise<IngestServer> {
  let server: Server = createIngestServer(store);
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const actual = (server.address() as AddressInfo).port;
  let up = true;
  const api: IngestServer = {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    async stop() {
      if (!up) return;
      up = false;
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
    async restart() {
      if (up) return;
      up = true;
      server = createIngestServer(store);
      server.listen(actual, '127.0.0.1');
      await once(server, 'listening');
    },
  };
  return api;
}

export interface AgentProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves when a line of output matches. */
  waitFor(re: RegExp, ms?: number): Promise<void>;
  stop(): Promise<void>;
  kill9(): Promise<void>;
}

export async function startAgent(args: string[], env: NodeJS.ProcessEnv = {}): Promise<AgentProcess> {
  const child = spawn(process.execPath, [...KISEKI, 'agent', 'run', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env },
  });
  let out = '';
  const waiters: Array<{ re: RegExp; done: () => void }> = [];
  const onData = (c: Buffer) => {
    out += c.toString();
    for (const w of [...waiters]) if (w.re.test(out)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.done();
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = once(child, 'exit');
  const a: AgentProcess = {
    child,
    output: () => out,
    waitFor(re, ms = 30_000) {
      if (re.test(out)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`agent output never matched ${re}:\n${out}`)), ms);
        waiters.push({ re, done: () => { clearTimeout(t); resolve(); } });
        void exited.then(() => setTimeout(() => reject(new Error(`agent exited before ${re}:\n${out}`)), 100));
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
  };
  await a.waitFor(/tracing the jobs of/);
  return a;
}

export async function waitUntil<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> {
  const until = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
