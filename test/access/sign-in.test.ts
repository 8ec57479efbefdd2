// Sign-in over real HTTP against a real slapd: cookie sessions (HttpOnly,
// SameSite, CSRF token, idle timeout, sign-out), API tokens (hashed, listed,
// revoked), wrong passwords refused and throttled, the audit log, and no
// secret in the server's log or the audit log.
import { expect, it } from 'vitest';
import { call } from '../api/harness.js';
import { describeAccess, PASSWORDS } from './access-harness.js';

const cookieOf = (setCookie: string | null) => /kiseki_session=([^;]+)/.exec(setCookie ?? '')?.[1];

describeAccess('sign-in', (ctx) => {
  it('a cookie session: HttpOnly and SameSite, a CSRF token for changes, and sign-out ends it', async () => {
    const w = await ctx.world();
    const r = await ctx.login('alice', PASSWORDS.alice, false);
    expect(r.status).toBe(200);
    expect(r.body.token).toBeNull();
    const set = r.headers.get('set-cookie') ?? '';
    expect(set).toMatch(/HttpOnly/i);
    expect(set).toMatch(/SameSite=Lax/i);
    expect(set).not.toMatch(/Secure/i); // plain http on loopback (auth.secureCookies = auto)
    const cookie = `kiseki_session=${cookieOf(set)}`;
    const me = await call<any>(ctx.url, 'GET', '/api/v1/auth/session', { headers: { cookie } });
    expect(me.body).toMatchObject({ signedIn: true, via: 'session', role: 'member', user: { username: 'alice', uid: 2001, gid: 3001 } });
    expect(me.body.csrf).toBe(r.body.csrf);
    // The session sees alice's private job.
    expect((await call(ctx.url, 'GET', `/api/v1/nodes/${w.alice.private.job}`, { headers: { cookie } })).status).toBe(200);

    const annotate = (headers: Record<string, string>) => call<any>(ctx.url, 'POST', `/api/v1/nodes/${w.alice.private.job}/annotations`, { json: { value: 'x' }, headers: { cookie, ...headers } });
    const noToken = await annotate({});
    expect([noToken.status, noToken.body.error.code]).toEqual([403, 'E_AUTH_CSRF']);
    expect((await annotate({ 'x-csrf-token': 'wrong' })).status).toBe(403);
    expect((await annotate({ 'x-csrf-token': r.body.csrf })).status).toBe(201);
    const cross = await annotate({ 'x-csrf-token': r.body.csrf, origin: 'https://evil.example' });
    expect([cross.status, cross.body.error.code]).toEqual([403, 'E_CROSS_ORIGIN']);

    const out = await call(ctx.url, 'POST', '/api/v1/auth/logout', { headers: { cookie, 'x-csrf-token': r.body.csrf } });
    expect(out.status).toBe(204);
    const after = await call<any>(ctx.url, 'GET', `/api/v1/nodes/${w.alice.private.job}`, { headers: { cookie } });
    expect([after.status, after.body.error.code]).toEqual([401, 'E_AUTH_SESSION']);
  });

  it('a session idle for longer than the timeout has ended', async () => {
    await ctx.world();
    const r = await ctx.login('bob', PASSWORDS.bob, false);
    const cookie = `kiseki_session=${cookieOf(r.headers.get('set-cookie'))}`;
    expect((await call<any>(ctx.url, 'GET', '/api/v1/auth/session', { headers: { cookie } })).body.signedIn).toBe(true);
    const s = await ctx.store.db.query<{ expires_at: Date }>('select expires_at from app_session');
    // Each request pushed the end to now + 30 min.
    const left = (new Date(s.rows[0]!.expires_at).getTime() - Date.now()) / 60_000;
    expect(left).toBeGreaterThan(29);
    expect(left).toBeLessThanOrEqual(30.1);
    // Pretend 31 minutes passed without a request.
    await ctx.store.db.query(`update app_session set expires_at = now() - interval '1 minute'`);
    const r2 = await call<any>(ctx.url, 'GET', '/api/v1/search', { headers: { cookie } });
    expect([r2.status, r2.body.error.code]).toEqual([401, 'E_AUTH_SESSION']);
    expect(r2.body.error.message).toMatch(/30 minutes/);
    expect(r2.headers.get('set-cookie')).toMatch(/kiseki_session=;|Max-Age=0/i);
  });

  it('API tokens: shown once, stored hashed, listed without the secret, refused once revoked', async () => {
    await ctx.world();
    const r = await ctx.login('alice', PASSWORDS.alice, false);
    const cookie = `kiseki_session=${cookieOf(r.headers.get('set-cookie'))}`;
    const made = await call<any>(ctx.url, 'POST', '/api/v1/tokens', { json: { name: 'laptop', expiresDays: 30 }, headers: { cookie, 'x-csrf-token': r.body.csrf } });
    expect(made.status).toBe(201);
    const token: string = made.body.token;
    expect(token).toMatch(/^ksu_/);
    const stored = await ctx.store.db.query<{ token_sha256: string }>('select token_sha256 from api_token');
    expect(stored.rows.map((x) => x.token_sha256)).not.toContain(token);
    expect(JSON.stringify(stored.rows)).not.toContain(token.slice(4));
    const bearer = { authorization: `Bearer ${token}` };
    const me = await call<any>(ctx.url, 'GET', '/api/v1/auth/session', { headers: bearer });
    expect(me.body).toMatchObject({ via: 'token', user: { username: 'alice' } });
    const list = await call<any>(ctx.url, 'GET', '/api/v1/tokens', { headers: bearer });
    expect(list.body.items.map((t: any) => t.name)).toEqual(['test', 'laptop']);
    expect(list.text).not.toContain(token);
    // A token cannot mint tokens.
    expect((await call<any>(ctx.url, 'POST', '/api/v1/tokens', { json: { name: 'x' }, headers: bearer })).status).toBe(403);
    // bob cannot revoke alice's token.
    expect((await ctx.as('bob', 'DELETE', `/api/v1/tokens/${made.body.info.id}`)).status).toBe(404);
    expect((await call(ctx.url, 'DELETE', `/api/v1/tokens/${made.body.info.id}`, { headers: bearer })).status).toBe(204);
    const refused = await call<any>(ctx.url, 'GET', '/api/v1/search', { headers: bearer });
    expect([refused.status, refused.body.error.code]).toEqual([401, 'E_AUTH_TOKEN']);
    expect(refused.body.error.message).toMatch(/revoked/);
    const unknown = await call<any>(ctx.url, 'GET', '/api/v1/search', { headers: { authorization: 'Bearer ksu_not-a-real-token' } });
    expect([unknown.status, unknown.body.error.message]).toEqual([401, 'unknown API token']);
  });

  it('loopback clients are not trusted once sign-in is configured; anonymous clients see public data and change nothing', async () => {
    const w = await ctx.world();
    const me = await ctx.as('anonymous', 'GET', '/api/v1/auth/session');
    expect(me.body).toMatchObject({ signedIn: false, via: 'anonymous', role: 'anonymous', methods: { password: true, oidc: null } });
    expect((await ctx.as('anonymous', 'GET', '/api/v1/search')).body.total).toBe(1);
    const ingest = await ctx.as('anonymous', 'POST', '/api/v1/ingest?source=x&seq=0', { body: '', headers: { 'content-type': 'application/x-ndjson' } });
    expect(ingest.status).toBe(401);
    // A member with a token may not ingest either: node tokens and admins only.
    expect((await ctx.as('alice', 'POST', '/api/v1/ingest?source=x&seq=0', { body: '', headers: { 'content-type': 'application/x-ndjson' } })).status).toBe(403);
    void w;
  });

  it('the audit log has sign-ins, tokens, visibility changes, share links and exports; only admins read it', async () => {
    const w = await ctx.world();
    await ctx.login('alice', 'not-her-password');
    await ctx.as('alice', 'PUT', `/api/v1/nodes/${w.alice.group.job}/visibility`, { json: { visibility: 'public' } });
    const share = await ctx.as('alice', 'POST', '/api/v1/shares', { json: { node: w.alice.private.job } });
    await ctx.as('anonymous', 'GET', '/api/v1/search', { headers: { 'x-kiseki-share': share.body.token } });
    await ctx.as('anonymous', 'GET', '/api/v1/search', { headers: { 'x-kiseki-share': `${share.body.token}x` } });
    await ctx.as('bob', 'GET', `/api/v1/export/prov-json?job=${w.alice.group.job}`);
    expect((await ctx.as('alice', 'GET', '/api/v1/audit')).status).toBe(403);
    expect((await ctx.as('dave', 'GET', '/api/v1/audit')).status).toBe(403);
    const log = await ctx.as('carol', 'GET', '/api/v1/audit?pageSize=200');
    expect(log.status).toBe(200);
    const seen = log.body.items.map((e: any) => `${e.action} ${e.outcome} ${e.actor}`);
    expect(seen).toEqual(expect.arrayContaining([
      'login ok alice', 'login failed alice', 'token.create ok alice', 'visibility.set ok alice', 'share.create ok alice',
      `share.open denied null`, 'export ok bob',
    ]));
    expect(log.body.items.find((e: any) => e.action === 'visibility.set' && e.actor === 'alice')).toMatchObject({ target: `node:${w.alice.group.job}`, detail: { visibility: 'public' } });
    const byAction = await ctx.as('carol', 'GET', '/api/v1/audit?action=login&actor=alice');
    expect(byAction.body.items.every((e: any) => e.action === 'login' && e.actor === 'alice')).toBe(true);
    // Secrets are never written down.
    const all = JSON.stringify(log.body) + ctx.log.join('\n');
    for (const p of Object.values(PASSWORDS)) expect(all).not.toContain(p);
    expect(all).not.toContain('not-her-password');
    expect(all).not.toContain(share.body.token);
  });

  it('secure cookies behind a TLS proxy (X-Forwarded-Proto: https)', async () => {
    await ctx.world();
    const r = await call<any>(ctx.url, 'POST', '/api/v1/auth/login', { json: { username: 'bob', password: PASSWORDS.bob }, headers: { 'x-forwarded-proto': 'https' } });
    expect(r.status).toBe(200);
    expect(r.headers.get('set-cookie')).toMatch(/;\s*Secure/i);
  });

  it('the access routes refuse bad parameters with 400 and say which', async () => {
    await ctx.world();
    const bad = async (who: string, method: string, path: string, json: unknown, field: RegExp) => {
      const r = await ctx.as(who, method, path, { json });
      expect([r.status, r.body.error?.code], `${method} ${path}`).toEqual([400, 'E_BAD_BODY']);
      expect(r.body.error.message, `${method} ${path}`).toMatch(field);
    };
    await bad('anonymous', 'POST', '/api/v1/auth/login', { username: 'alice', password: 'x', admin: true }, /unknown field "admin"/);
    await bad('anonymous', 'POST', '/api/v1/auth/login', { username: 'alice', password: 42 }, /password/);
    await bad('anonymous', 'POST', '/api/v1/auth/login', { username: '', password: 'x' }, /username/);
    await bad('alice', 'POST', '/api/v1/shares', { node: 'one' }, /node/);
    await bad('alice', 'POST', '/api/v1/shares', { node: 1, days: -1 }, /days/);
    await bad('carol', 'PATCH', '/api/v1/users/alice', { role: 'root' }, /role/);
    const q = await ctx.as('carol', 'GET', '/api/v1/audit?pageSize=100000');
    expect([q.status, q.body.error.code]).toEqual([400, 'E_BAD_PARAMETER']);
    const t = await ctx.as('carol', 'GET', '/api/v1/audit?from=yesterday');
    expect([t.status, t.body.error.message]).toEqual([400, 'expected an ISO 8601 time, got "yesterday"']);
    const id = await ctx.as('alice', 'DELETE', '/api/v1/tokens/abc');
    expect([id.status, id.body.error.code]).toEqual([400, 'E_BAD_PARAMETER']);
  });

  it('wrong passwords are refused with one message, then throttled (429, Retry-After), even with the right password; others are not', async () => {
    await ctx.world();
    const bad = await ctx.login('eve', 'guess-1');
    expect([bad.status, bad.body.error.code, bad.body.error.message]).toEqual([401, 'E_AUTH_BAD_CREDENTIALS', 'wrong user name or password']);
    const nobody = await ctx.login('mallory', 'guess-1');
    expect([nobody.status, nobody.body.error.message]).toEqual([401, 'wrong user name or password']);
    for (let i = 2; i <= 5; i++) expect((await ctx.login('eve', `guess-${i}`)).status).toBe(401);
    const blocked = await ctx.login('eve', PASSWORDS.eve);
    expect([blocked.status, blocked.body.error.code]).toEqual([429, 'E_AUTH_THROTTLED']);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(60);
    expect(blocked.body.error.message).toMatch(/try again in \d+ s/);
    expect((await ctx.login('alice')).status).toBe(200);
    const audit = await ctx.store.db.query<{ outcome: string }>(`select outcome from audit_event where action = 'login' and actor = 'eve' order by id`);
    expect(audit.rows.map((r) => r.outcome).slice(-6)).toEqual(['failed', 'failed', 'failed', 'failed', 'failed', 'denied']);
  });
}, 'access-sign-in');
