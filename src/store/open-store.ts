import { mkdirSync } from 'node:fs';
import type { Db } from './db.js';
import { defaultPgliteDir } from './data-dir.js';
import { StoreError } from './errors.js';
import { migrate, MIGRATION_LOCK } from './migrate.js';
import { lockPglite, type PgliteLock } from './pglite-lock.js';

export interface Store {
  readonly db: Db;
  /** Where it lives: a folder for PGlite, the URL (without password) for PostgreSQL. */
  readonly location: string;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /**
   * 'postgres://…' or 'postgresql://…' → PostgreSQL; 'memory:' → PGlite in memory;
   * any other string → PGlite in that folder; unset → $KISEKI_DB, else
   * PGlite in $XDG_DATA_HOME/kiseki/db (~/.local/share/kiseki/db).
   */
  db?: string;
  /** PostgreSQL schema to use (created if missing); tests isolate themselves with it. */
  schema?: string;
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  env?: NodeJS.ProcessEnv;
  /**
   * PostgreSQL settings for every connection (`-c name=value`), e.g. the API
   * server's { jit: 'off', max_parallel_workers_per_gather: '0' }.
   */
  settings?: Record<string, string>;
  /** PostgreSQL: most connections in the pool (default 4). */
  poolSize?: number;
}

export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//.test(db);
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

export async function openStore(opts: OpenStoreOptions = {}): Promise<Store> {
  const env = opts.env ?? process.env;
  const target = opts.db ?? (env.KISEKI_DB || undefined) ?? defaultPgliteDir(env);
  if (opts.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(opts.schema)) {
    throw new StoreError('E_STORE_CONFIG', `bad schema name ${JSON.stringify(opts.schema)}`);
  }
  let db: Db;
  let lock: PgliteLock | undefined;
  try {
    // Load only the driver in use (PGlite brings a large WASM module).
    if (isPostgresUrl(target)) {
      const { openPostgres } = await import('./postgres-db.js');
      if (opts.schema) {
        const boot = await openPostgres(target, { max: 1 });
        try {
          // Under the migration lock: concurrent `create schema if not exists` can collide.
          const schema = opts.schema;
          await boot.transaction(async (tx) => {
            await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK.toString()]);
            await tx.exec(`create schema if not exists ${schema}`);
          });
        } finally {
          await boot.close();
        }
      }
      db = await openPostgres(target, { schema: opts.schema, ...(opts.settings ? { settings: opts.settings } : {}), ...(opts.poolSize ? { max: opts.poolSize } : {}) });
    } else {
      const { openPglite } = await import('./pglite-db.js');
      if (target !== 'memory:') {
        mkdirSync(target, { recursive: true });
        lock = lockPglite(target);
      }
      try {
        db = await openPglite(target === 'memory:' ? undefined : target);
      } catch (err) {
        lock?.release();
        throw err;
      }
      if (opts.schema) await db.exec(`create schema if not exists ${opts.schema}; set search_path = ${opts.schema}, public`);
    }
  } catch (err) {
    if (err instanceof StoreError) throw err;
    throw new StoreError('E_STORE_OPEN', `cannot open the store at ${redact(target)}: ${(err as Error).message}`);
  }
  try {
    if (opts.migrate !== false) await migrate(db);
  } catch (err) {
    await db.close().catch(() => {});
    lock?.release();
    throw err;
  }
  return {
    db,
    location: isPostgresUrl(target) ? redact(target) : target,
    close: async () => {
      try {
        await db.close();
      } finally {
        lock?.release();
      }
    },
  };
}
