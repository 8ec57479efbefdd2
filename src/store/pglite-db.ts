import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import type { Db, Queryable, QueryResult } from './db.js';

type PgliteLike = {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[]; affectedRows?: number }>;
  exec(sql: string): Promise<unknown>;
};

function wrap(conn: PgliteLike): Queryable {
  return {
    async query<T>(sql: string, params?: unknown[]): Promise<QueryResult<T>> {
      const r = await conn.query<T>(sql, params);
      return { rows: r.rows, affected: r.affectedRows ?? 0 };
    },
    async exec(sql: string): Promise<void> {
      await conn.exec(sql);
    },
  };
}

/**
 * Embedded PostgreSQL (WASM) in a directory. Single process: only one
 * PGlite may have a directory open at a time (a `kiseki serve` on the same
 * directory must do the ingesting for other commands).
 * `dir` undefined = in memory (tests of pure SQL only).
 */
export async function openPglite(dir: string | undefined): Promise<Db> {
  if (dir) mkdirSync(dir, { recursive: true });
  const pg = await PGlite.create(dir, { extensions: { pg_trgm } });
  const base = wrap(pg as unknown as PgliteLike);
  return {
    kind: 'pglite',
    ...base,
    transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      return pg.transaction((tx) => fn(wrap(tx as unknown as PgliteLike)));
    },
    async close() {
      if (!pg.closed) await pg.close();
    },
  };
}
