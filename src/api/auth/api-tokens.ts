// API tokens for the CLI and scripts: `Authorization: Bearer ksu_…`. Shown
// once when made; only the sha256 is kept. Each has a name, an optional
// expiry, and can be revoked by its owner (or an admin).
import type { Queryable } from '../../store/index.js';
import { newSecret, sha256Hex } from './secrets.js';

export const API_TOKEN_PREFIX = 'ksu_';

export interface ApiTokenInfo {
  id: number;
  name: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

type Row = { id: number | string; name: string; created_at: Date | string; expires_at: Date | string | null; last_used_at: Date | string | null; revoked_at: Date | string | null };
const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());
const info = (r: Row): ApiTokenInfo => ({ id: Number(r.id), name: r.name, createdAt: iso(r.created_at)!, expiresAt: iso(r.expires_at), lastUsedAt: iso(r.last_used_at), revokedAt: iso(r.revoked_at) });

export async function createApiToken(db: Queryable, userId: number, name: string, expiresDays?: number): Promise<{ token: string; info: ApiTokenInfo }> {
  const token = newSecret(API_TOKEN_PREFIX);
  const { rows } = await db.query<Row>(
    `insert into api_token (token_sha256, user_id, name, expires_at)
     values ($1, $2, $3, case when $4::float8 is null then null else now() + make_interval(secs => $4::float8 * 86400) end)
     returning id, name, created_at, expires_at, last_used_at, revoked_at`,
    [sha256Hex(token), userId, name, expiresDays ?? null]);
  return { token, info: info(rows[0]!) };
}

export async function listApiTokens(db: Queryable, userId: number): Promise<ApiTokenInfo[]> {
  const { rows } = await db.query<Row>(
    'select id, name, created_at, expires_at, last_used_at, revoked_at from api_token where user_id = $1 order by id', [userId]);
  return rows.map(info);
}

/** Revokes token `id` of `userId` (any user's when userId is undefined: admins). */
export async function revokeApiToken(db: Queryable, id: number, userId: number | undefined): Promise<boolean> {
  const r = await db.query(
    'update api_token set revoked_at = now() where id = $1 and revoked_at is null and ($2::bigint is null or user_id = $2)', [id, userId ?? null]);
  return r.affected > 0;
}

export type TokenCheck = { ok: true; userId: number; tokenId: number } | { ok: false; reason: string };

export async function checkApiToken(db: Queryable, token: string): Promise<TokenCheck> {
  const { rows } = await db.query<{ id: number | string; user_id: number | string; expired: boolean; revoked: boolean; disabled: boolean }>(
    `select t.id, t.user_id, coalesce(t.expires_at < now(), false) as expired, t.revoked_at is not null as revoked, u.disabled
     from api_token t join app_user u on u.id = t.user_id where t.token_sha256 = $1`, [sha256Hex(token)]);
  const r = rows[0];
  if (!r) return { ok: false, reason: 'unknown API token' };
  if (r.revoked) return { ok: false, reason: 'this API token was revoked' };
  if (r.expired) return { ok: false, reason: 'this API token has expired' };
  if (r.disabled) return { ok: false, reason: 'the account of this API token is disabled' };
  // One write per minute at most, not one per request.
  await db.query(`update api_token set last_used_at = now() where id = $1 and (last_used_at is null or last_used_at < now() - interval '1 minute')`, [r.id]);
  return { ok: true, userId: Number(r.user_id), tokenId: Number(r.id) };
}
