// OpenID Connect through the server over real HTTP: /auth/oidc/start →
// the real provider (oidc-provider, test/auth/oidc-harness.ts) → callback →
// a cookie session for the person the ID token names, with uid, gid, groups
// and the role their groups give. Forged or foreign state is refused.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAuthRuntime } from '../../src/api/auth/auth-runtime.js';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { authDefaults } from '../../src/core/config.js';
import { call } from '../api/harness.js';
import { startOidcProvider, type OidcHarness } from '../auth/oidc-harness.js';
import { describeStores } from '../store/stores.js';

const setCookies = (h: Headers) => h.getSetCookie().map((c) => c.split(';')[0]!);

describeStores('OIDC sign-in through the server', (sctx) => {
  let idp: OidcHarness;
  let server: RunningServer;
  beforeAll(async () => {
    idp = await startOidcProvider({
      accounts: [
        { username: 'olivia', claims: { uid_number: '2101', gid_number: '3001', groups: ['/proj-a', '/kiseki-admins'], name: 'Olivia Example' } },
        { username: 'oscar', claims: { uid_number: 2102, gid_number: 3002, groups: ['proj-b'] } },
      ],
      claimsInIdToken: true,
    });
    const rt = createAuthRuntime({
      ...authDefaults(),
      oidc: { ...idp.config, uidClaim: 'uid_number', gidClaim: 'gid_number', groupsClaim: 'groups', label: 'Example SSO' },
      adminGroups: ['kiseki-admins'],
    });
    server = await startServer({ store: sctx.store, port: 0, auth: rt });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await idp?.stop();
  });

  async function signIn(username: string, returnTo = '/?jobId=1'): Promise<{ cookie: string; landed: string }> {
    const start = await fetch(`${server.url}/api/v1/auth/oidc/start?returnTo=${encodeURIComponent(returnTo)}`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const pending = setCookies(start.headers).find((c) => c.startsWith('kiseki_oidc='))!;
    expect(pending).toBeDefined();
    expect(start.headers.get('set-cookie')).toMatch(/HttpOnly/i);
    const callback = await idp.login(start.headers.get('location')!, username);
    const back = await fetch(callback, { redirect: 'manual', headers: { cookie: pending } });
    expect(back.status).toBe(302);
    const session = setCookies(back.headers).find((c) => c.startsWith('kiseki_session=') && c.length > 'kiseki_session='.length);
    return { cookie: session ?? '', landed: back.headers.get('location')! };
  }

  it('a round trip signs the person in with their claims and their role', async () => {
    const me0 = await call<any>(server.url, 'GET', '/api/v1/auth/session');
    expect(me0.body.methods).toEqual({ password: false, oidc: { label: 'Example SSO' } });
    const { cookie, landed } = await signIn('olivia');
    expect(landed).toBe('/?jobId=1');
    expect(cookie).toMatch(/^kiseki_session=kss_/);
    const me = await call<any>(server.url, 'GET', '/api/v1/auth/session', { headers: { cookie } });
    expect(me.body).toMatchObject({ signedIn: true, via: 'session', role: 'admin', user: { username: 'olivia', displayName: 'Olivia Example', uid: 2101, gid: 3001, source: 'oidc' } });
    const o2 = await signIn('oscar');
    const me2 = await call<any>(server.url, 'GET', '/api/v1/auth/session', { headers: { cookie: o2.cookie } });
    expect(me2.body).toMatchObject({ role: 'member', user: { username: 'oscar', uid: 2102, gid: 3002 } });
    // Admins' audit log has both sign-ins.
    const audit = await call<any>(server.url, 'GET', '/api/v1/audit?action=login', { headers: { cookie } });
    expect(audit.body.items.map((e: any) => `${e.actor} ${e.outcome} ${e.detail.method}`)).toEqual(expect.arrayContaining(['olivia ok oidc', 'oscar ok oidc']));
  });

  it('a callback without the browser\'s own pending cookie, or with a forged one, signs nobody in', async () => {
    const start = await fetch(`${server.url}/api/v1/auth/oidc/start`, { redirect: 'manual' });
    const pending = setCookies(start.headers).find((c) => c.startsWith('kiseki_oidc='))!;
    const callback = await idp.login(start.headers.get('location')!, 'oscar');
    for (const cookie of ['', pending.replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A'))]) {
      const r = await fetch(callback, { redirect: 'manual', headers: cookie ? { cookie } : {} });
      expect(r.status).toBe(302);
      expect(r.headers.get('location')).toMatch(/^\/\?signin_error=/);
      expect(setCookies(r.headers).some((c) => /^kiseki_session=kss_/.test(c))).toBe(false);
    }
    // An open redirect is not possible: returnTo must be a path of this site.
    const evil = await signIn('oscar', 'https://evil.example/');
    expect(evil.landed).toBe('/');
  });
}, 'access-oidc');
