// Sign-in and access routes: password sign-in (LDAP) and OpenID Connect,
// sign-out, who am I, API tokens, share links, users (admins), audit log
// (admins). Each sign-in, token, share link and role change is audited.
import { createRoute, type OpenAPIHono, type z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import { createApiToken, listApiTokens, revokeApiToken } from '../auth/api-tokens.js';
import { actorOf, audit, listAudit } from '../auth/audit.js';
import { AuthError, type Identity } from '../auth/identity.js';
import { clientAddress } from '../auth/resolve-viewer.js';
import { clearSessionCookie, cookieSecure, createSession, endSession, sessionCookieOf, setSessionCookie } from '../auth/sessions.js';
import { createShareLink, listShareLinks, revokeShareLink, type ShareGrant } from '../auth/share-links.js';
import { shareKey } from '../auth/share-links.js';
import { findUser, listUsers, setDisabled, setRole, upsertUser, type User } from '../auth/users.js';
import { adminOf, storeOf, viewerOf, writerOf, type ApiEnv } from '../context.js';
import { ApiError, badParameter, notFound } from '../errors.js';
import { loadOwned } from '../queries/owner.js';
import { mayManage } from '../../graph/index.js';
import { error, json, jsonBody, V1 } from '../route-docs.js';
import * as S from '../schemas.js';
import * as A from './access-schemas.js';

const E400 = { 400: error('Bad parameters (the message says which).') };
const E401 = { 401: error('Not signed in, or a bad credential (the message says why).') };
const E403 = { 403: error('Not allowed.') };
const OIDC_COOKIE = 'kiseki_oidc';

function publicUser(u: User): z.infer<typeof A.UserSchema> {
  return { id: u.id, username: u.username, displayName: u.displayName, role: u.role, uid: u.uid, gid: u.gid, groups: u.groups, source: u.source, disabled: u.disabled, lastLoginAt: u.lastLoginAt };
}

function shareInfo(g: ShareGrant): z.infer<typeof A.ShareInfo> {
  return { id: g.id, scope: g.scope, node: g.nodeId, label: g.label, createdBy: g.createdByName, createdAt: g.createdAt, expiresAt: g.expiresAt, revokedAt: g.revokedAt, lastUsedAt: g.lastUsedAt, uses: g.uses };
}

/** The origin browsers use to reach this server (auth.publicUrl behind a proxy). */
function originOf(c: Context<ApiEnv>): string {
  return c.get('deps').auth.config.publicUrl?.replace(/\/+$/, '') ?? new URL(c.req.url).origin;
}

/** The signed-in person's user row; the local admin gets one made on demand. */
async function currentUser(c: Context<ApiEnv>): Promise<User> {
  const v = writerOf(c);
  const auth = c.get('auth');
  if (auth.user) return auth.user;
  if (v.kind === 'admin' && (auth.via === 'loopback' || auth.via === 'local')) return c.get('deps').auth.localAdmin(storeOf(c).db);
  throw new ApiError(401, 'E_AUTH_REQUIRED', 'sign in first');
}

/** After a good sign-in (password or OIDC): the user row, the audit entry, a session or a token. */
async function signedIn(c: Context<ApiEnv>, identity: Identity, method: string): Promise<User> {
  const { store, auth } = c.get('deps');
  const user = await upsertUser(store.db, identity, auth.config);
  if (user.disabled) {
    await audit(store.db, { action: 'login', actor: user.username, actorId: user.id, outcome: 'denied', client: clientAddress(c) ?? null, detail: { method, reason: 'disabled' } });
    throw new ApiError(403, 'E_AUTH_DISABLED', 'this account is disabled here; ask an admin');
  }
  await audit(store.db, { action: 'login', actor: user.username, actorId: user.id, client: clientAddress(c) ?? null, detail: { method } });
  return user;
}

function relativeReturn(returnTo: string | undefined): string {
  // Only paths of this site: never an open redirect.
  return returnTo && /^\/(?!\/)[^\\\s]*$/.test(returnTo) ? returnTo : '/';
}

export function registerAccessRoutes(app: OpenAPIHono<ApiEnv>): void {
  app.openapi(createRoute({
    method: 'get', path: `${V1}/auth/session`, tags: ['access'], summary: 'Who am I',
    description: 'The signed-in user (or the local admin, a share link, or anonymous), the CSRF token of a cookie session, and the sign-in methods this server offers.',
    request: { query: S.NoQuery },
    responses: { 200: json(A.SessionResult, 'The session.') },
  }), async (c) => {
    const auth = c.get('auth');
    const rt = c.get('deps').auth;
    const v = auth.viewer;
    let user = auth.user;
    if (!user && v.kind === 'admin' && (auth.via === 'loopback' || auth.via === 'local')) user = await rt.localAdmin(storeOf(c).db);
    const role = v.kind === 'share' ? 'share' as const : user ? user.role : v.kind === 'admin' ? 'admin' as const : 'anonymous' as const;
    const oidcLabel = rt.config.oidc ? (rt.config.oidc.label ?? 'Single sign-on') : null;
    return c.json({
      signedIn: auth.via !== 'anonymous' && auth.via !== 'share',
      via: auth.via,
      user: user ? publicUser(user) : null,
      role,
      csrf: auth.csrf ?? null,
      share: auth.share ? { id: auth.share.id, scope: auth.share.scope, node: auth.share.nodeId, expiresAt: auth.share.expiresAt, createdBy: auth.share.createdByName } : null,
      methods: { password: rt.password !== undefined, oidc: oidcLabel ? { label: oidcLabel } : null },
      idleTimeoutMinutes: rt.config.idleTimeoutMinutes,
      tokenId: auth.tokenId ?? null,
    }, 200);
  });

  app.openapi(createRoute({
    method: 'post', path: `${V1}/auth/login`, tags: ['access'], summary: 'Sign in with user name and password (LDAP)',
    description: 'A cookie session for the browser, or with `token` an API token for the CLI (shown once). Failed tries are throttled per user name and per client address (429 + Retry-After).',
    request: { query: S.NoQuery, body: jsonBody(A.LoginBody) },
    responses: { 200: json(A.LoginResult, 'Signed in.'), ...E400, ...E401, ...E403, 404: error('Password sign-in is not configured here.'), 429: error('Too many failed tries: wait.'), 503: error('The directory cannot be reached.') },
  }), async (c) => {
    const { store, auth: rt } = c.get('deps');
    if (!rt.password) throw new ApiError(404, 'E_AUTH_METHOD', 'password sign-in is not configured on this server');
    const body = c.req.valid('json');
    const client = clientAddress(c) ?? 'unknown';
    const wait = await rt.throttle.blockedFor(body.username, client);
    if (wait > 0) {
      await audit(store.db, { action: 'login', actor: body.username, outcome: 'denied', client, detail: { method: 'password', reason: 'throttled' } });
      throw new ApiError(429, 'E_AUTH_THROTTLED', `too many failed sign-ins; try again in ${wait} s`, {}, { 'Retry-After': String(wait) });
    }
    let identity: Identity;
    try {
      identity = await rt.password(body.username, body.password);
    } catch (err) {
      if (err instanceof AuthError && err.code === 'E_AUTH_BAD_CREDENTIALS') {
        await rt.throttle.failed(body.username, client);
        await audit(store.db, { action: 'login', actor: body.username, outcome: 'failed', client, detail: { method: 'password' } });
        throw new ApiError(401, err.code, err.message);
      }
      if (err instanceof AuthError) throw new ApiError(err.code === 'E_AUTH_UNAVAILABLE' ? 503 : 500, err.code, err.message);
      throw err;
    }
    await rt.throttle.succeeded(body.username);
    const user = await signedIn(c, identity, 'password');
    if (body.token) {
      const t = await createApiToken(store.db, user.id, body.token.name, body.token.expiresDays);
      await audit(store.db, { action: 'token.create', actor: user.username, actorId: user.id, target: `token:${t.info.id}`, client, detail: { name: t.info.name } });
      return c.json({ user: publicUser(user), csrf: null, token: t.token }, 200);
    }
    const s = await createSession(store.db, user.id, rt.config.idleTimeoutMinutes, client);
    setSessionCookie(c, s.id, cookieSecure(c, rt.config.secureCookies));
    return c.json({ user: publicUser(user), csrf: s.csrf, token: null }, 200);
  });

  app.openapi(createRoute({
    method: 'post', path: `${V1}/auth/logout`, tags: ['access'], summary: 'Sign out (ends the cookie session)',
    request: { query: S.NoQuery },
    responses: { 204: { description: 'Signed out.' } },
  }), async (c) => {
    const { store, auth: rt } = c.get('deps');
    const sid = sessionCookieOf(c);
    const auth = c.get('auth');
    if (sid) await endSession(store.db, sid);
    if (auth.user) await audit(store.db, { action: 'logout', actor: auth.user.username, actorId: auth.user.id, client: clientAddress(c) ?? null });
    clearSessionCookie(c, cookieSecure(c, rt.config.secureCookies));
    return c.body(null, 204);
  });

  // ── OpenID Connect: redirect out, come back with a code ─────────────
  app.get(`${V1}/auth/oidc/start`, async (c) => {
    const rt = c.get('deps').auth;
    if (!rt.oidc) throw new ApiError(404, 'E_AUTH_METHOD', 'OpenID Connect sign-in is not configured on this server');
    const client = await rt.oidc().catch((err: unknown) => {
      if (err instanceof AuthError) throw new ApiError(err.code === 'E_AUTH_UNAVAILABLE' ? 503 : 500, err.code, err.message);
      throw err;
    });
    const returnTo = relativeReturn(c.req.query('returnTo'));
    const { url, pending } = await client.begin(`${originOf(c)}${V1}/auth/oidc/callback`, returnTo);
    // Signed so that a page cannot plant its own; ten minutes to sign in.
    await setSignedCookie(c, OIDC_COOKIE, pending, await cookieKey(storeOf(c).db), {
      httpOnly: true, sameSite: 'Lax', secure: cookieSecure(c, rt.config.secureCookies), path: `${V1}/auth/oidc`, maxAge: 600,
    });
    return c.redirect(url, 302);
  });

  app.get(`${V1}/auth/oidc/callback`, async (c) => {
    const { store, auth: rt } = c.get('deps');
    if (!rt.oidc) throw new ApiError(404, 'E_AUTH_METHOD', 'OpenID Connect sign-in is not configured on this server');
    const pending = await getSignedCookie(c, await cookieKey(store.db), OIDC_COOKIE);
    const secure = cookieSecure(c, rt.config.secureCookies);
    deleteCookie(c, OIDC_COOKIE, { path: `${V1}/auth/oidc`, secure });
    const fail = async (message: string) => {
      await audit(store.db, { action: 'login', outcome: 'failed', client: clientAddress(c) ?? null, detail: { method: 'oidc', reason: message } });
      return c.redirect(`/?signin_error=${encodeURIComponent(message)}`, 302);
    };
    if (!pending) return fail('the sign-in took too long or started in another browser; try again');
    let identity: Identity;
    let returnTo: string | undefined;
    try {
      const client = await rt.oidc();
      const url = new URL(c.req.url);
      const r = await client.complete(`${originOf(c)}${url.pathname}${url.search}`, pending);
      identity = r.identity;
      returnTo = r.returnTo;
    } catch (err) {
      return fail(err instanceof AuthError ? err.message : 'the identity provider refused the sign-in');
    }
    let user: User;
    try {
      user = await signedIn(c, identity, 'oidc');
    } catch (err) {
      return fail((err as Error).message);
    }
    const s = await createSession(store.db, user.id, rt.config.idleTimeoutMinutes, clientAddress(c));
    setSessionCookie(c, s.id, secure);
    return c.redirect(relativeReturn(returnTo), 302);
  });

  // ── API tokens ──────────────────────────────────────────────────────
  app.openapi(createRoute({
    method: 'get', path: `${V1}/tokens`, tags: ['access'], summary: 'My API tokens',
    request: { query: S.NoQuery },
    responses: { 200: json(A.TokenList, 'Tokens (never the secret).'), ...E401 },
  }), async (c) => {
    const user = await currentUser(c);
    return c.json({ items: await listApiTokens(storeOf(c).db, user.id) }, 200);
  });

  app.openapi(createRoute({
    method: 'post', path: `${V1}/tokens`, tags: ['access'], summary: 'Make an API token (shown once)',
    request: { query: S.NoQuery, body: jsonBody(A.TokenBody) },
    responses: { 201: json(A.TokenCreated, 'The token.'), ...E400, ...E401, ...E403 },
  }), async (c) => {
    const user = await currentUser(c);
    if (c.get('auth').via === 'token') throw new ApiError(403, 'E_FORBIDDEN', 'an API token cannot make more tokens; sign in');
    const body = c.req.valid('json');
    const t = await createApiToken(storeOf(c).db, user.id, body.name, body.expiresDays);
    await audit(storeOf(c).db, { action: 'token.create', actor: user.username, actorId: user.id, target: `token:${t.info.id}`, client: clientAddress(c) ?? null, detail: { name: body.name } });
    return c.json(t, 201);
  });

  app.openapi(createRoute({
    method: 'delete', path: `${V1}/tokens/{id}`, tags: ['access'], summary: 'Revoke an API token',
    request: { params: A.TokenIdParam, query: S.NoQuery },
    responses: { 204: { description: 'Revoked.' }, ...E401, 404: error('No such token of yours.') },
  }), async (c) => {
    const user = await currentUser(c);
    const { id } = c.req.valid('param');
    const ok = await revokeApiToken(storeOf(c).db, id, viewerOf(c).kind === 'admin' ? undefined : user.id);
    if (!ok) throw notFound(`token ${id}`);
    await audit(storeOf(c).db, { action: 'token.revoke', actor: user.username, actorId: user.id, target: `token:${id}`, client: clientAddress(c) ?? null });
    return c.body(null, 204);
  });

  // ── Share links ─────────────────────────────────────────────────────
  app.openapi(createRoute({
    method: 'post', path: `${V1}/shares`, tags: ['access'], summary: 'Make a share link',
    description: 'A signed, expiring, read-only link to one job or one file version\'s lineage, for people without an account (a paper\'s reviewers). Only who may change the node may share it.',
    request: { query: S.NoQuery, body: jsonBody(A.ShareBody) },
    responses: { 201: json(A.ShareCreated, 'The link (its token is shown once).'), ...E400, ...E401, ...E403, 404: error('No such node (or not visible to you).') },
  }), async (c) => {
    const user = await currentUser(c);
    const body = c.req.valid('json');
    const { store, auth: rt } = c.get('deps');
    const n = await loadOwned(store.db, viewerOf(c), body.node);
    if (!n) throw notFound(`node ${body.node}`);
    if (n.kind !== 'job' && n.kind !== 'file') throw badParameter(`share a job or a file version (node ${n.id} is a ${n.kind})`);
    if (!mayManage(viewerOf(c), n)) throw new ApiError(403, 'E_FORBIDDEN', `only the owner of node ${n.id}, an admin of its group, or an admin may share it`);
    const days = body.days ?? rt.config.shareDays;
    if (days > rt.config.shareMaxDays) throw badParameter(`days: at most ${rt.config.shareMaxDays} on this server`);
    const { token, grant } = await createShareLink(store.db, { scope: n.kind === 'job' ? 'job' : 'lineage', nodeId: n.id, createdBy: user.id, days, label: body.label ?? null });
    await audit(store.db, { action: 'share.create', ...actorOf(viewerOf(c)), target: `node:${n.id}`, client: clientAddress(c) ?? null, detail: { share: grant.id, scope: grant.scope, expiresAt: grant.expiresAt } });
    return c.json({ token, url: `${originOf(c)}/s/${token}`, info: shareInfo(grant) }, 201);
  });

  app.openapi(createRoute({
    method: 'get', path: `${V1}/shares`, tags: ['access'], summary: 'My share links',
    request: { query: A.ShareListQuery },
    responses: { 200: json(A.ShareList, 'Links (never the token).'), ...E401 },
  }), async (c) => {
    const user = await currentUser(c);
    const all = c.req.valid('query').all === 'true';
    if (all) adminOf(c);
    return c.json({ items: (await listShareLinks(storeOf(c).db, all ? undefined : user.id)).map(shareInfo) }, 200);
  });

  app.openapi(createRoute({
    method: 'delete', path: `${V1}/shares/{id}`, tags: ['access'], summary: 'Revoke a share link',
    request: { params: A.ShareIdParam, query: S.NoQuery },
    responses: { 204: { description: 'Revoked: the link opens nothing from now on.' }, ...E401, 404: error('No such link of yours.') },
  }), async (c) => {
    const user = await currentUser(c);
    const { id } = c.req.valid('param');
    const ok = await revokeShareLink(storeOf(c).db, id, viewerOf(c).kind === 'admin' ? undefined : user.id);
    if (!ok) throw notFound(`share link ${id}`);
    await audit(storeOf(c).db, { action: 'share.revoke', ...actorOf(viewerOf(c)), target: `share:${id}`, client: clientAddress(c) ?? null });
    return c.body(null, 204);
  });

  // ── Users and the audit log (admins) ────────────────────────────────
  app.openapi(createRoute({
    method: 'get', path: `${V1}/users`, tags: ['access'], summary: 'Users (admins)',
    request: { query: S.NoQuery },
    responses: { 200: json(A.UserList, 'Everyone who signed in.'), ...E401, ...E403 },
  }), async (c) => {
    adminOf(c);
    return c.json({ items: (await listUsers(storeOf(c).db)).map(publicUser) }, 200);
  });

  app.openapi(createRoute({
    method: 'patch', path: `${V1}/users/{name}`, tags: ['access'], summary: "Change a user's role or disable them (admins)",
    request: { params: A.UserNameParam, query: S.NoQuery, body: jsonBody(A.UserUpdateBody) },
    responses: { 200: json(A.UserSchema, 'The user now.'), ...E400, ...E401, ...E403, 404: error('No such user.') },
  }), async (c) => {
    const admin = adminOf(c);
    const { name } = c.req.valid('param');
    const body = c.req.valid('json');
    const db = storeOf(c).db;
    if (!(await findUser(db, name))) throw notFound(`user ${name}`);
    if (body.role) {
      await setRole(db, name, body.role);
      await audit(db, { action: 'user.role', ...actorOf(admin), target: `user:${name}`, client: clientAddress(c) ?? null, detail: { role: body.role } });
    }
    if (body.disabled !== undefined) {
      await setDisabled(db, name, body.disabled);
      await audit(db, { action: 'user.disable', ...actorOf(admin), target: `user:${name}`, client: clientAddress(c) ?? null, detail: { disabled: body.disabled } });
    }
    return c.json(publicUser((await findUser(db, name))!), 200);
  });

  app.openapi(createRoute({
    method: 'get', path: `${V1}/audit`, tags: ['access'], summary: 'The audit log (admins)',
    description: 'Sign-ins, sign-outs, tokens, share links made, opened and revoked, visibility changes, exports, role changes; newest first.',
    request: { query: A.AuditQuery },
    responses: { 200: json(A.AuditResult, 'A page of events.'), ...E400, ...E401, ...E403 },
  }), async (c) => {
    adminOf(c);
    const q = c.req.valid('query');
    for (const t of [q.from, q.to]) if (t !== undefined && Number.isNaN(Date.parse(t))) throw badParameter(`expected an ISO 8601 time, got ${JSON.stringify(t)}`);
    const r = await listAudit(storeOf(c).db, {
      ...(q.action ? { action: q.action } : {}), ...(q.actor ? { actor: q.actor } : {}), ...(q.from ? { from: q.from } : {}), ...(q.to ? { to: q.to } : {}),
      limit: q.pageSize, offset: (q.page - 1) * q.pageSize,
    });
    return c.json({ total: r.total, page: q.page, pageSize: q.pageSize, items: r.items }, 200);
  });
}

/** The OIDC cookie is signed with the server key (one per store, so every server of a cluster agrees). */
const cookieKey = async (db: Parameters<typeof shareKey>[0]) => Buffer.from(await shareKey(db)).toString('base64url');
