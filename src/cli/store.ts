// Where the CLI's store is and how to open it: --db URL, else KISEKI_DB or
// the config file's `db`, else the embedded database (PGlite) in
// <dataDir>/db. A PostgreSQL URL may carry `schema=NAME` to use a schema
// other than public (tests isolate themselves that way).
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadConfig, type KisekiConfig } from '../core/config.js';
import { isPostgresUrl, openStore, type Store } from '../store/index.js';

export interface StoreFlags {
  db?: string;
  config?: string;
}

export interface StoreTarget {
  /** A postgres:// URL (without `schema=`) or a PGlite folder. */
  db: string;
  schema?: string;
  embedded: boolean;
}

/** Adds --db and --config to a command. */
export function withStoreOptions(cmd: Command): Command {
  return cmd
    .option('--db <url>', 'the store: postgres://… (add schema=NAME to use a schema), or a folder for the embedded database (default: <dataDir>/db, or $KISEKI_DB)')
    .option('--config <file>', 'config file (TOML)');
}

export function cliConfig(flags: StoreFlags): KisekiConfig {
  return loadConfig({ ...(flags.config ? { configFile: flags.config } : {}), ...(flags.db ? { db: flags.db } : {}) });
}

export function storeTarget(config: KisekiConfig): StoreTarget {
  const db = config.db ?? join(config.dataDir, 'db');
  if (!isPostgresUrl(db)) return { db, embedded: true };
  const m = /([?&])schema=([^&#]*)(&?)/.exec(db);
  if (!m) return { db, embedded: false };
  const schema = decodeURIComponent(m[2]!);
  const rest = db.slice(0, m.index) + (m[3] ? m[1] : '') + db.slice(m.index + m[0].length);
  return { db: rest.replace(/[?&]$/, ''), schema, embedded: false };
}

export function openTarget(t: StoreTarget): Promise<Store> {
  return openStore({ db: t.db, ...(t.schema ? { schema: t.schema } : {}) });
}

/** Opens the store, runs fn, closes the store. */
export async function withStore<T>(flags: StoreFlags, fn: (store: Store, config: KisekiConfig) => Promise<T>): Promise<T> {
  const config = cliConfig(flags);
  const store = await openTarget(storeTarget(config));
  try {
    return await fn(store, config);
  } finally {
    await store.close();
  }
}
