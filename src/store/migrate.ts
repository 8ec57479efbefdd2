// Forward-only migrations: src/store/migrations/NNN-name.sql, applied in
// order, each recorded in schema_migrations. All pending migrations run in
// one transaction under an advisory lock, so two processes opening the same
// database at once apply each migration exactly once.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../core/package-root.js';
import type { Db } from './db.js';
import { StoreError } from './errors.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** A fixed advisory lock id shared by every Kiseki process ("kiseki-m"). */
export const MIGRATION_LOCK = 0x6b6973656b692d6dn % 2n ** 62n;

export function migrationsDir(): string {
  const here = join(dirname(fileURLToPath(import.meta.url)), 'migrations');
  if (existsSync(here)) return here;
  // dist/ builds without the .sql files copied: use the source tree.
  const src = join(packageRoot(), 'src', 'store', 'migrations');
  if (existsSync(src)) return src;
  throw new StoreError('E_STORE_MIGRATE', `cannot find the migrations folder (looked in ${here} and ${src})`);
}

export function loadMigrations(dir = migrationsDir()): Migration[] {
  const out: Migration[] = [];
  for (const file of readdirSync(dir).sort()) {
    const m = /^(\d{3})-([a-z0-9-]+)\.sql$/.exec(file);
    if (!m) continue;
    out.push({ version: Number(m[1]), name: m[2]!, sql: readFileSync(join(dir, file), 'utf8') });
  }
  out.forEach((m, i) => {
    if (m.version !== i + 1) throw new StoreError('E_STORE_MIGRATE', `migration numbers must run 001, 002, ... without gaps; found ${m.version} at position ${i + 1}`);
  });
  return out;
}

export function checksumOf(m: Migration): string {
  return createHash('sha256').update(m.sql).digest('hex');
}

/** Applies pending migrations; returns the versions it applied. */
export async function migrate(db: Db, migrations = loadMigrations()): Promise<number[]> {
  try {
    return await db.transaction(async (tx) => {
      if (db.kind === 'postgres') await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK.toString()]);
      await tx.exec(`create table if not exists schema_migrations (
        version integer primary key, name text not null, applied_at timestamptz not null default now())`);
      await tx.exec('alter table schema_migrations add column if not exists checksum text');
      const { rows } = await tx.query<{ version: number; checksum: string | null }>('select version, checksum from schema_migrations');
      const done = new Set(rows.map((r) => Number(r.version)));
      // A released migration must never change: refuse a database made with another text of it.
      for (const r of rows) {
        const m = migrations.find((x) => x.version === Number(r.version));
        if (!m) continue;
        if (r.checksum === null) await tx.query('update schema_migrations set checksum = $2 where version = $1', [m.version, checksumOf(m)]);
        else if (r.checksum !== checksumOf(m)) {
          throw new StoreError('E_STORE_MIGRATE', `migration ${String(m.version).padStart(3, '0')}-${m.name} differs from the one this database was made with; migrations are forward-only (add a new one)`);
        }
      }
      const known = Math.max(0, ...migrations.map((m) => m.version));
      const newest = Math.max(0, ...done);
      if (newest > known) {
        throw new StoreError('E_STORE_MIGRATE', `the database is at schema ${newest}, newer than this Kiseki knows (${known}); upgrade Kiseki`);
      }
      const applied: number[] = [];
      for (const m of migrations) {
        if (done.has(m.version)) continue;
        await tx.exec(m.sql);
        await tx.query('insert into schema_migrations (version, name, checksum) values ($1, $2, $3)', [m.version, m.name, checksumOf(m)]);
        applied.push(m.version);
      }
      return applied;
    });
  } catch (err) {
    if (err instanceof StoreError) throw err;
    throw new StoreError('E_STORE_MIGRATE', `migration failed: ${(err as Error).message}`);
  }
}
