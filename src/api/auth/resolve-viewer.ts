// Who is asking, decided once per request, in this order:
//   Authorization: Bearer ksu_…   an API token          → its user
//   Authorization: Bearer ksl_…   this machine's secret → the local admin
//   X-Kiseki-Share: <token>       a share link          → its scope, read-only
//   kiseki_session cookie         a browser session     → its user (+ CSRF check on changes)
//   a loopback client, nothing configured               → the local admin
//   anyone else                                          → anonymous (public only)
// A credential that is present but bad is an error (401/410), never a
// silent fall back to anonymous: the client should know why.
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { ANONYMOUS, LOCAL_ADMIN, type Viewer } from '../../graph/index.js';
import type { Store } from '../../store/index.js';
import { ApiError } from '../errors.js';
import { isLoopbackAddress } from '../security.js';
import { API_TOKEN_PREFIX, checkApiToken } from './api-tokens.js';
import { audit } from './audit.js';
import { LOCAL_TOKEN_PREFIX, type AuthRuntime } from './auth-runtime.js';
import { clearSessionCookie, cookieSecure, sessionCookieOf, touchSession } from './sessions.js';
import { openShareLink, ShareLinkError, shareViewer, type ShareGrant } from './share-links.js';
import { getUser, viewerOfUser, type User } from './users.js';

export type AuthVia = 'token' | 'local' | 'share' | 'session' | 'loopback' | 'anonymous';

export interface AuthState {
  viewer: Viewer;
  via: AuthVia;
  user?: User;
  /** Cookie sessions only: the token the page must send in X-CSRF-Token. */
  csrf?: string;
  share?: ShareGrant;
  /** API tokens only: the token's id (the CLI revokes it at `kiseki logout`). */
  tokenId?: number;
}

export const SHARE_HEADER = 'x-kiseki-share';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export function clientAddress(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined; // app.request() in unit tests: no socket
  }
}

async function userViewer(store: Store, userId: number): Promise<{ user: User; viewer: Viewer } | undefined> {
  const user = await getUser(store.db, userId);
  if (!user || user.disabled) return undefined;
  return { user, viewer: viewerOfUser(user) };
}

export async function resolveAuth(c: Context, store: Store, rt: AuthRuntime): Promise<AuthState> {
  const authz = c.req.header('authorization');
  if (authz !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authz);
    const token = m?.[1];
    if (token?.startsWith(API_TOKEN_PREFIX)) {
      const check = await checkApiToken(store.db, token);
      if (!check.ok) throw new ApiError(401, 'E_AUTH_TOKEN', check.reason, {}, { 'WWW-Authenticate': 'Bearer' });
      const u = await userViewer(store, check.userId);
      if (!u) throw new ApiError(401, 'E_AUTH_TOKEN', 'the account of this API token is disabled', {}, { 'WWW-Authenticate': 'Bearer' });
      return { ...u, via: 'token', tokenId: check.tokenId };
    }
    if (token?.startsWith(LOCAL_TOKEN_PREFIX)) {
      if (token !== rt.localToken) throw new ApiError(401, 'E_AUTH_TOKEN', 'this local token belongs to another run of the server', {}, { 'WWW-Authenticate': 'Bearer' });
      return { viewer: { ...LOCAL_ADMIN, name: rt.localName }, via: 'local' };
    }
    // Node tokens (kst_) are the ingest route's business (node-auth.ts).
  }

  const shareToken = c.req.header(SHARE_HEADER);
  if (shareToken !== undefined) {
    let grant: ShareGrant;
    try {
      grant = await openShareLink(store.db, shareToken.trim());
    } catch (err) {
      if (err instanceof ShareLinkError) {
        await audit(store.db, { action: 'share.open', outcome: 'denied', client: clientAddress(c) ?? null, detail: { reason: err.code } });
        throw new ApiError(err.status, err.code, err.message);
      }
      throw err;
    }
    if (!SAFE.has(c.req.method)) throw new ApiError(403, 'E_SHARE_READ_ONLY', 'a share link is read-only');
    return { viewer: await shareViewer(store, grant), via: 'share', share: grant };
  }

  const sid = sessionCookieOf(c);
  if (sid !== undefined) {
    const s = await touchSession(store.db, sid, rt.config.idleTimeoutMinutes);
    const u = s ? await userViewer(store, s.userId) : undefined;
    if (!s || !u) {
      clearSessionCookie(c, cookieSecure(c, rt.config.secureCookies));
      // The sign-in routes themselves must stay reachable.
      if (!c.req.path.startsWith('/api/v1/auth/')) {
        throw new ApiError(401, 'E_AUTH_SESSION', `your session has ended (signed out, or idle for more than ${rt.config.idleTimeoutMinutes} minutes): sign in again`);
      }
    } else {
      if (!SAFE.has(c.req.method) && c.req.header(CSRF_HEADER) !== s.csrf) {
        throw new ApiError(403, 'E_AUTH_CSRF', 'missing or wrong X-CSRF-Token header (reload the page)');
      }
      return { ...u, via: 'session', csrf: s.csrf };
    }
  }

  const addr = clientAddress(c);
  if (rt.loopbackIsAdmin && (addr === undefined || isLoopbackAddress(addr))) {
    return { viewer: { ...LOCAL_ADMIN, name: rt.localName }, via: 'loopback' };
  }
  return { viewer: ANONYMOUS, via: 'anonymous' };
}
