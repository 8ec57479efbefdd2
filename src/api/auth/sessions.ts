// Browser sessions: a random id in an HttpOnly cookie (only its sha256 in
// app_session), a CSRF token the page sends back on every change, and an
// idle timeout (each request pushes the end forward; the reference system
// uses 30 minutes).
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Queryable } from '../../store/index.js';
import { newSecret, sha256Hex } from './secrets.js';

export const SESSION_COOKIE = 'kiseki_session';

export interface Session {
  userId: number;
  csrf: string;
  expiresAt: Date;
}

export async function createSession(db: Queryable, userId: number, idleMinutes: number, client: string | undefined): Promise<{ id: string; csrf: string }> {
  const id = newSecret('kss_');
  const csrf = newSecret('');
  await db.query(
    `insert into app_session (id_sha256, user_id, csrf, expires_at, client) values ($1, $2, $3, now() + make_interval(mins => $4), $5)`,
    [sha256Hex(id), userId, csrf, idleMinutes, client ?? null]);
  // Old sessions of anyone go now and then, so the table does not grow.
  await db.query('delete from app_session where expires_at < now()');
  return { id, csrf };
}

/** The live session with this id, its idle end moved forward; undefined when unknown or idle too long. */
export async function touchSession(db: Queryable, id: string, idleMinutes: number): Promise<Session | undefined> {
  const { rows } = await db.query<{ user_id: number | string; csrf: string; expires_at: Date | string }>(
    `update app_session set last_seen_at = now(), expires_at = now() + make_interval(mins => $2)
     where id_sha256 = $1 and expires_at > now()
       and user_id in (select id from app_user where not disabled)
     returning user_id, csrf, expires_at`,
    [sha256Hex(id), idleMinutes]);
  const r = rows[0];
  return r ? { userId: Number(r.user_id), csrf: r.csrf, expiresAt: new Date(r.expires_at) } : undefined;
}

export async function endSession(db: Queryable, id: string): Promise<void> {
  await db.query('delete from app_session where id_sha256 = $1', [sha256Hex(id)]);
}

/** Secure when the page came over https, or when the config says so; "auto" also for non-loopback servers behind a TLS proxy (X-Forwarded-Proto). */
export function cookieSecure(c: Context, mode: 'auto' | 'always' | 'never'): boolean {
  if (mode !== 'auto') return mode === 'always';
  const proto = c.req.header('x-forwarded-proto') ?? new URL(c.req.url).protocol.replace(':', '');
  return proto === 'https';
}

export function setSessionCookie(c: Context, id: string, secure: boolean): void {
  // Lax: the cookie comes along on the top-level redirect back from the identity provider, never on cross-site POSTs.
  setCookie(c, SESSION_COOKIE, id, { httpOnly: true, sameSite: 'Lax', secure, path: '/' });
}

export function sessionCookieOf(c: Context): string | undefined {
  const v = getCookie(c, SESSION_COOKIE);
  return v && /^kss_[A-Za-z0-9_-]{20,}$/.test(v) ? v : undefined;
}

export function clearSessionCookie(c: Context, secure: boolean): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure, httpOnly: true, sameSite: 'Lax' });
}
