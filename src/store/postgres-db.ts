import { userInfo } from 'node:os';
import pg from 'pg';
import { arrayLiteral } from './array-literal.js';
import type { Db, Queryable, QueryResult } from './db.js';

const INT8 = 20;
const INT8_ARRAY = 1016;
const NUMERIC = 1700;

/** int8 as a JS number: ids and microsecond timestamps stay below 2^53. */
function getTypeParser(oid: number, format?: string): unknown {
  if (oid === INT8) return (v: string) => Number(v);
  if (oid === NUMERIC) return (v: string) => Number(v);
  if (oid === INT8_ARRAY) {
    return pg.types.getTypeParser(1007 as never /* int4[] */);
  }
  return pg.types.getTypeParser(oid as never, format as 'text');
}

function normalizeRow(row: Record<string, unknown>): Record<string, unknown> {
  for (const k in row) {
    const v = row[k];
    if (Buffer.isBuffer(v)) row[k] = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  }
  return row;
}

/** Array parameters as one literal each when that is safe (see array-literal.ts). */
function encodeParams(params: unknown[] | undefined): unknown[] | undefined {
  if (!params) return params;
  let out: unknown[] | undefined;
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    if (!Array.isArray(p)) continue;
    const lit = arrayLiteral(p);
    if (lit === undefined) continue;
    out ??= [...params];
    out[i] = lit;
  }
  return out ?? params;
}

function wrap(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<T>(sql: string, params?: unknown[]): Promise<QueryResult<T>> {
      const r = await client.query(sql, encodeParams(params));
      const rows = (r.rows as Record<string, unknown>[]).map(normalizeRow) as T[];
      return { rows, affected: r.rowCount ?? 0 };
    },
    async exec(sql: string): Promise<void> {
      await client.query(sql);
    },
  };
}

/** PostgreSQL through a node-postgres pool. `schema` sets search_path (tests). */
export async function openPostgres(url: string, opts: { schema?: string; max?: number; settings?: Record<string, string> } = {}): Promise<Db> {
  const settings: Record<string, string> = { ...opts.settings, ...(opts.schema ? { search_path: `${opts.schema},public` } : {}) };
  for (const [k, v] of Object.entries(settings)) {
    if (!/^[a-z_][a-z0-9_.]*$/.test(k) || !/^[A-Za-z0-9_.,-]+$/.test(v)) throw new Error(`bad PostgreSQL setting ${k}=${v}`);
  }
  const options = Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`).join(' ');
  // Like libpq: no user in the URL or environment → the OS user name.
  const hasUser = /^postgres(ql)?:\/\/[^/@]+@/.test(url) || /[?&]user=/.test(url) || !!process.env.PGUSER || !!process.env.USER;
  const pool = new pg.Pool({
    connectionString: hasUser ? url : `${url}${url.includes('?') ? '&' : '?'}user=${encodeURIComponent(userInfo().username)}`,
    max: opts.max ?? 4,
    types: { getTypeParser } as unknown as pg.CustomTypesConfig,
    ...(options ? { options } : {}),
  });
  pool.on('error', () => {
    /* idle client errors (server restart) surface on the next query */
  });
  // Fail early with a clear message when the server is unreachable.
  await pool.query('select 1');
  const base = wrap(pool);
  return {
    kind: 'postgres',
    ...base,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const out = await fn(wrap(client));
        await client.query('commit');
        return out;
      } catch (err) {
        await client.query('rollback').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}
