// `kiseki serve`: the HTTP server around the app, and <dataDir>/server.json,
// which tells `kiseki run` on the same embedded database (PGlite allows one
// process) to hand its events to this server instead of opening the folder.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import type { Store } from '../store/index.js';
import { isPostgresUrl } from '../store/index.js';
import { AggregationRunner } from './aggregation.js';
import { AuthRuntime } from './auth/auth-runtime.js';
import { API_VERSION, createApp, type AppOptions } from './app.js';
import { isLoopbackHostname } from './security.js';
import { readServerInfo, SERVER_FILE, type ServerInfo } from './server-file.js';

export { processAlive, readServerInfo, runningServer, SERVER_FILE, type ServerInfo } from './server-file.js';

export interface StartServerOptions extends Omit<AppOptions, 'store' | 'aggregation'> {
  store: Store;
  host?: string;
  /** 0 = any free port. */
  port?: number;
  /** Write <dataDir>/server.json while running. */
  dataDir?: string;
}

export interface RunningServer {
  url: string;
  info: ServerInfo;
  server: ServerType;
  aggregation: AggregationRunner;
  /** Stops taking requests, waits for aggregation, removes server.json (the store stays open: the caller closes it). */
  close(): Promise<void>;
}

export function formatHostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** '127.0.0.1:8080', '[::1]:8080', 'localhost:8080', ':8080', '8080' → host and port. */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:(\[[^\]]+\]|[^:[\]]*):)?(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new Error(`--listen takes HOST:PORT (e.g. 127.0.0.1:8080), got ${JSON.stringify(text)}`);
  const host = (m[1] ?? '').replace(/^\[|\]$/g, '') || '127.0.0.1';
  return { host, port };
}

export async function startServer(opts: StartServerOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const log = opts.log ?? (() => {});
  const aggregation = new AggregationRunner(opts.store, log);
  const loopback = isLoopbackHostname(host);
  const auth = opts.auth ?? new AuthRuntime();
  const kapp = createApp({
    ...opts,
    auth,
    aggregation,
    // A server on loopback answers only to loopback names (DNS rebinding); one on a network address to any name.
    allowedHosts: opts.allowedHosts ?? (loopback ? isLoopbackHostname : undefined),
  });
  const server = await new Promise<ServerType>((resolveServer, reject) => {
    const s = serve({ fetch: kapp.fetch, hostname: host, port: opts.port ?? 8080 }, () => resolveServer(s));
    s.once('error', reject);
  });
  server.on('error', (err) => log(`server error: ${err.message}`));
  const addr = server.address() as AddressInfo;
  const url = `http://${formatHostPort(host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host, addr.port)}`;
  const embedded = !isPostgresUrl(opts.store.location);
  const info: ServerInfo = {
    url, pid: process.pid, startedAt: new Date().toISOString(),
    db: embedded ? resolve(opts.store.location) : opts.store.location, embedded, version: API_VERSION,
  };
  let serverFile: string | undefined;
  if (opts.dataDir) {
    mkdirSync(opts.dataDir, { recursive: true });
    serverFile = join(opts.dataDir, SERVER_FILE);
    const tmp = `${serverFile}.${process.pid}.tmp`;
    // Only this user may read the local secret in it.
    writeFileSync(tmp, `${JSON.stringify({ ...info, token: auth.localToken }, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, serverFile);
  }
  let closing: Promise<void> | undefined;
  return {
    url, info, server, aggregation,
    close() {
      closing ??= (async () => {
        if (serverFile && readServerInfo(opts.dataDir!)?.pid === process.pid) rmSync(serverFile, { force: true });
        await new Promise<void>((res) => {
          server.close(() => res());
          // Idle keep-alive connections would hold close() open.
          (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
        });
        await aggregation.close();
      })();
      return closing;
    },
  };
}
