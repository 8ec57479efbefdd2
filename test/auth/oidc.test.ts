// OpenID Connect sign-in against a real provider (oidc-provider) on loopback:
// the full browser round trip, and the ways it must fail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { createOidcClient, type OidcClient } from '../../src/api/auth/oidc.js';
import { AuthError } from '../../src/api/auth/identity.js';
import { startOidcProvider, type OidcHarness } from './oidc-harness.js';

const REDIRECT = 'http://127.0.0.1:8123/callback';

async function refusal(p: Promise<unknown>): Promise<AuthError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(AuthError);
  return err as AuthError;
}

describe('OIDC sign-in, confidential client, claims from userinfo', () => {
  let op: OidcHarness;
  let client: OidcClient;

  beforeAll(async () => {
    op = await startOidcProvider({
      accounts: [
        { username: 'alice', claims: { uid_number: 1001, gid_number: 100, groups: ['lab-a', 'hpc-users'], name: 'Alice A', email: 'alice@example.org' } },
        { username: 'bob', password: 'hunter2', claims: { uid_number: 1002, gid_number: 100, groups: [] } },
      ],
    });
    client = await createOidcClient(op.config);
  });
  afterAll(async () => { await op?.stop(); });

  it('begin() sends the browser to the provider with PKCE S256, state and nonce, and keeps them in pending', async () => {
    const { url, pending } = await client.begin(REDIRECT, '/jobs/42?tab=files');
    const auth = new URL(url);
    expect(auth.origin).toBe(new URL(op.issuer).origin);
    expect(auth.searchParams.get('client_id')).toBe('kiseki');
    expect(auth.searchParams.get('redirect_uri')).toBe(REDIRECT);
    expect(auth.searchParams.get('response_type')).toBe('code');
    expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
    expect(auth.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(auth.searchParams.get('state')).toBeTruthy();
    expect(auth.searchParams.get('nonce')).toBeTruthy();
    expect(auth.searchParams.get('scope')).toBe('openid profile email posix');
    // The verifier is secret: it must not be in the URL, only in pending.
    expect(pending).toMatch(/^[\w-]+$/);
    expect(pending.length).toBeLessThan(600);
  });

  it('round trip: login at the provider, callback, complete() returns the Identity from the claims', async () => {
    const { url, pending } = await client.begin(REDIRECT, '/jobs/42?tab=files');
    const callback = await op.login(url, 'alice');
    expect(new URL(callback).searchParams.get('code')).toBeTruthy();
    const { identity, returnTo } = await client.complete(callback, pending);
    expect(identity).toEqual({
      source: 'oidc',
      subject: `${op.issuer}|sub-alice`,
      username: 'alice',
      displayName: 'Alice A',
      email: 'alice@example.org',
      uid: 1001,
      gid: 100,
      groups: [{ name: 'lab-a' }, { name: 'hpc-users' }],
    });
    expect(returnTo).toBe('/jobs/42?tab=files');
  });

  it('the callback may arrive on another origin (behind a proxy): the redirect URI kept in pending is used', async () => {
    const { url, pending } = await client.begin(REDIRECT);
    const callback = new URL(await op.login(url, 'bob', 'hunter2'));
    const seenByServer = `http://10.0.0.5:3000/callback${callback.search}`;
    const { identity, returnTo } = await client.complete(seenByServer, pending);
    expect(identity.username).toBe('bob');
    expect(identity.groups).toEqual([]);
    expect(returnTo).toBeUndefined();
  });

  it('a wrong password is refused by the provider, so no code is issued', async () => {
    const { url } = await client.begin(REDIRECT);
    await expect(op.login(url, 'bob', 'wrong')).rejects.toThrow(/HTTP 401/);
  });

  it('a tampered state is refused', async () => {
    const { url, pending } = await client.begin(REDIRECT);
    const callback = new URL(await op.login(url, 'alice'));
    callback.searchParams.set('state', `${callback.searchParams.get('state')}x`);
    const err = await refusal(client.complete(callback.href, pending));
    expect(err.code).toBe('E_AUTH_BAD_CREDENTIALS');
    expect(err.message).toMatch(/state/);
  });

  it("another browser's pending value is refused (login CSRF / swapped cookie)", async () => {
    const mine = await client.begin(REDIRECT);
    const theirs = await client.begin(REDIRECT);
    const callback = await op.login(mine.url, 'alice');
    const err = await refusal(client.complete(callback, theirs.pending));
    expect(err.code).toBe('E_AUTH_BAD_CREDENTIALS');
    // The right pending still works afterwards: the refusal did not spend the code.
    const { identity } = await client.complete(callback, mine.pending);
    expect(identity.username).toBe('alice');
  });

  it('a missing, malformed or stale pending value is refused with a clear message', async () => {
    const { url, pending } = await client.begin(REDIRECT);
    const callback = await op.login(url, 'alice');
    for (const bad of ['', 'not-base64-json', Buffer.from('{"v":1}').toString('base64url')]) {
      const err = await refusal(client.complete(callback, bad));
      expect(err.code).toBe('E_AUTH_BAD_CREDENTIALS');
      expect(err.message).toMatch(/sign-in state is missing or malformed/);
    }
    const later = await createOidcClient(op.config, { now: () => Date.now() + 11 * 60_000 });
    const err = await refusal(later.complete(callback, pending));
    expect(err.message).toMatch(/expired/);
  });

  it('the provider returning error=access_denied is refused with its reason', async () => {
    const { url, pending } = await client.begin(REDIRECT);
    const callback = await op.deny(url);
    expect(new URL(callback).searchParams.get('error')).toBe('access_denied');
    const err = await refusal(client.complete(callback, pending));
    expect(err.code).toBe('E_AUTH_BAD_CREDENTIALS');
    expect(err.message).toBe('the OpenID provider refused the sign-in (access_denied: End-User aborted interaction)');
  });

  it('a replayed code is refused', async () => {
    const { url, pending } = await client.begin(REDIRECT);
    const callback = await op.login(url, 'alice');
    await client.complete(callback, pending);
    const err = await refusal(client.complete(callback, pending));
    expect(err.code).toBe('E_AUTH_BAD_CREDENTIALS');
    expect(err.message).toMatch(/invalid_grant/);
    // Neither the code nor any token appears in the message.
    expect(err.message).not.toContain(new URL(callback).searchParams.get('code'));
  });

  it('a code issued for one PKCE verifier cannot be redeemed with another sign-in whose state was copied', async () => {
    // An attacker who stole a code and a state but not the verifier: forge a
    // pending with the right state and their own verifier.
    const victim = await client.begin(REDIRECT);
    const attacker = await client.begin(REDIRECT);
    const callback = new URL(await op.login(victim.url, 'alice'));
    const forged = JSON.parse(Buffer.from(attacker.pending, 'base64url').toString()) as Record<string, unknown>;
    forged.s = callback.searchParams.get('state');
    const err = await refusal(client.complete(callback.href, Buffer.from(JSON.stringify(forged)).toString('base64url')));
    expect(err.code).toBe('E_AUTH_BAD_CREDENTIALS');
  });

  it('a wrong client secret is a configuration error, not a bad password', async () => {
    const { writeFileSync } = await import('node:fs');
    const file = `${op.config.clientSecretFile}-wrong`;
    writeFileSync(file, 'not-the-secret');
    const wrong = await createOidcClient({ ...op.config, clientSecretFile: file });
    const { url, pending } = await wrong.begin(REDIRECT);
    const callback = await op.login(url, 'alice');
    const err = await refusal(wrong.complete(callback, pending));
    expect(err.code).toBe('E_AUTH_CONFIG');
    expect(err.message).not.toContain('not-the-secret');
  });

  it('a wrong issuer (a Keycloak realm URL that does not exist) is a configuration error naming the setting', async () => {
    const err = await refusal(createOidcClient({ ...op.config, issuer: `${op.issuer}/realms/nope` }));
    expect(err.code).toBe('E_AUTH_CONFIG');
    expect(err.message).toMatch(/auth\.oidc\.issuer.*HTTP 404/);
  });

  it('returnTo is kept only when it is a local path (no open redirect)', async () => {
    for (const evil of ['https://evil.example/', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)']) {
      const { url, pending } = await client.begin(REDIRECT, evil);
      const { returnTo } = await client.complete(await op.login(url, 'alice'), pending);
      expect(returnTo).toBeUndefined();
    }
  });
});

describe('OIDC sign-in, public client, Keycloak-style claims in the ID token', () => {
  let op: OidcHarness;

  beforeAll(async () => {
    op = await startOidcProvider({
      clientSecret: null,
      claimsInIdToken: true,
      accounts: [{
        username: 'carol',
        // Keycloak user-attribute mappers send strings; group mappers with
        // "full path" send names with a leading slash.
        claims: { uid_number: '2001', gid_number: '200', groups: ['/lab-b', '/lab-b/ml'], group_gids: ['300', '301'] },
      }],
    });
  });
  afterAll(async () => { await op?.stop(); });

  it('maps string ids, strips the leading slash, pairs group gids, and does not need userinfo', async () => {
    const client = await createOidcClient({ ...op.config, gidsClaim: 'group_gids' });
    const { url, pending } = await client.begin(REDIRECT);
    const { identity } = await client.complete(await op.login(url, 'carol'), pending);
    expect(identity).toEqual({
      source: 'oidc',
      subject: `${op.issuer}|sub-carol`,
      username: 'carol',
      uid: 2001,
      gid: 200,
      groups: [{ name: 'lab-b', gid: 300 }, { name: 'lab-b/ml', gid: 301 }],
    });
  });

  it('a configured username claim the provider does not send is refused, not replaced by sub', async () => {
    const client = await createOidcClient({ ...op.config, usernameClaim: 'uid' });
    const { url, pending } = await client.begin(REDIRECT);
    const err = await refusal(client.complete(await op.login(url, 'carol'), pending));
    expect(err.code).toBe('E_AUTH_BAD_CREDENTIALS');
    expect(err.message).toMatch(/claim uid/);
  });
});

describe('OIDC provider unreachable', () => {
  it('discovery against a closed port fails with E_AUTH_UNAVAILABLE', async () => {
    const port = await closedPort();
    const err = await refusal(createOidcClient({ issuer: `http://127.0.0.1:${port}`, clientId: 'kiseki' }));
    expect(err.code).toBe('E_AUTH_UNAVAILABLE');
  });

  it('the provider going away between begin() and complete() fails with E_AUTH_UNAVAILABLE', async () => {
    const op = await startOidcProvider({ accounts: [{ username: 'alice' }] });
    const client = await createOidcClient(op.config);
    const { url, pending } = await client.begin(REDIRECT);
    const callback = await op.login(url, 'alice');
    await op.stop();
    const err = await refusal(client.complete(callback, pending));
    expect(err.code).toBe('E_AUTH_UNAVAILABLE');
    expect(err.message).toMatch(/cannot be reached/);
  });

  it('an http issuer off loopback is a configuration error (tokens would cross the network in clear)', async () => {
    const err = await refusal(createOidcClient({ issuer: 'http://sso.example.org/realms/hpc', clientId: 'kiseki' }));
    expect(err.code).toBe('E_AUTH_CONFIG');
  });
});

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}
