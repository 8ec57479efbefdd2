import type { Queryable } from './db.js';

/** Every table holding data (not schema_migrations), children first. */
export const STORE_TABLES = [
  'annotation', 'edge', 'job', 'process', 'file_version', 'user_agent', 'node',
  'path', 'proc_state', 'raw_event', 'ingest_batch', 'ingest_source', 'share_link', 'job_script',
  'audit_event', 'share_grant', 'api_token', 'app_session', 'app_user_group', 'app_user',
] as const;

/** Empties every table (tests; `kiseki` never calls it). */
export async function resetStore(db: Queryable): Promise<void> {
  await db.exec(`truncate ${STORE_TABLES.join(', ')} restart identity cascade`);
}

/** Row count of each table, for before/after comparisons. */
export async function countRows(db: Queryable): Promise<Record<string, number>> {
  const sql = STORE_TABLES.map((t) => `select '${t}' as t, count(*)::int as n from ${t}`).join(' union all ');
  const { rows } = await db.query<{ t: string; n: number }>(sql);
  return Object.fromEntries(rows.map((r) => [r.t, Number(r.n)]));
}
