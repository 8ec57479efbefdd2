// `kiseki serve [--db …] [--listen 127.0.0.1:8080]`: one process serving the
// REST API (retrieval and integration), the OpenAPI document and its page,
// and the built web UI. While it runs, <dataDir>/server.json tells
// `kiseki run` on the same embedded database to send its events here.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { createAuthRuntime } from '../../api/auth/auth-runtime.js';
import { runningServer, parseListen, startServer } from '../../api/server.js';
import { isLoopbackHostname } from '../../api/security.js';
import type { AuthConfig } from '../../core/config.js';
import { packageRoot } from '../../core/package-root.js';
import { CliError, usageError } from '../errors.js';
import { positiveInt } from '../options.js';
import { openStore } from '../../store/index.js';
import { cliConfig, storeTarget, withStoreOptions, type StoreFlags } from '../store.js';

interface ServeOptions extends StoreFlags {
  listen: string;
  web?: string;
  maxIngestMb?: number;
  dbPool?: number;
  quiet?: boolean;
}

/** What an admin should know at start: how people sign in, and who is trusted without it. */
function signInLine(auth: AuthConfig, loopback: boolean): string {
  const methods = [auth.ldap ? `LDAP (${auth.ldap.url})` : '', auth.oidc ? `OpenID Connect (${auth.oidc.issuer})` : ''].filter(Boolean);
  if (methods.length > 0) return `sign-in: ${methods.join(', ')}; everyone signs in, also on this machine`;
  if (auth.trustLoopback) {
    return loopback
      ? 'no sign-in configured: clients on this machine are the local admin'
      : 'no sign-in configured: clients on this machine are the local admin, other hosts see public nodes only and change nothing';
  }
  return 'no sign-in configured and loopback not trusted: everyone sees public nodes only';
}

/** The built UI: --web, else <package>/dist/web. */
function webDir(flag: string | undefined): string | undefined {
  if (flag) return flag;
  const dir = join(packageRoot(), 'dist', 'web');
  return existsSync(join(dir, 'index.html')) ? dir : undefined;
}

export function registerServe(program: Command): void {
  withStoreOptions(program.command('serve').description('serve the REST API and the web UI'))
    .option('--listen <host:port>', 'address to listen on (loopback by default; without [auth] sign-in configured, clients of other hosts see public nodes only and change nothing)', '127.0.0.1:8080')
    .option('--web <dir>', 'the built web UI (default: dist/web of this installation)')
    .option('--max-ingest-mb <n>', 'largest ingest body, MiB (default 64)', positiveInt('--max-ingest-mb', 4096))
    .option('--db-pool <n>', 'PostgreSQL connections (default 4)', positiveInt('--db-pool', 200))
    .option('-q, --quiet', 'no startup line')
    .action(async (opts: ServeOptions) => {
      let listen: { host: string; port: number };
      try {
        listen = parseListen(opts.listen);
      } catch (err) {
        throw usageError((err as Error).message);
      }
      const config = cliConfig(opts);
      const target = storeTarget(config);
      const other = runningServer(config.dataDir, target.db);
      if (other && target.embedded && other.embedded && other.pid !== process.pid) {
        throw new CliError('E_SERVER_RUNNING', `kiseki serve (pid ${other.pid}) already serves ${other.db} at ${other.url}`);
      }
      // Short queries, many at once: no JIT compilation (tens of ms on a misestimated
      // query) and no parallel workers (they help one query, not fifty).
      const store = await openStore({
        db: target.db, ...(target.schema ? { schema: target.schema } : {}),
        settings: { jit: 'off', max_parallel_workers_per_gather: '0' },
        ...(opts.dbPool ? { poolSize: opts.dbPool } : {}),
      });
      const log = (line: string) => process.stderr.write(`kiseki serve: ${line}\n`);
      let server;
      try {
        server = await startServer({
          store, host: listen.host, port: listen.port, webDir: webDir(opts.web), log, auth: createAuthRuntime(config.auth),
          ...(opts.maxIngestMb ? { maxIngestBytes: opts.maxIngestMb * 1024 * 1024 } : {}),
          // server.json is for `kiseki run` on the embedded database (PostgreSQL takes any number of processes).
          ...(target.embedded ? { dataDir: config.dataDir } : {}),
        });
      } catch (err) {
        await store.close();
        const e = err as NodeJS.ErrnoException;
        if (e.code === 'EADDRINUSE') throw new CliError('E_SERVE_LISTEN', `${opts.listen} is in use`);
        if (e.code === 'EACCES' || e.code === 'EADDRNOTAVAIL') throw new CliError('E_SERVE_LISTEN', `cannot listen on ${opts.listen}: ${e.message}`);
        throw err;
      }
      if (!opts.quiet) {
        process.stderr.write(`kiseki serve: ${server.url} (API ${server.url}/api/docs) on ${store.location}${webDir(opts.web) ? '' : '; the web UI is not built'}\n`);
        process.stderr.write(`kiseki serve: ${signInLine(config.auth, isLoopbackHostname(listen.host))}\n`);
      }
      await new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          if (!opts.quiet) process.stderr.write(`kiseki serve: ${signal}: stopping\n`);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await server.close();
      await store.close();
    });
}
