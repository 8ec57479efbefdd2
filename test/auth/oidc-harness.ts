// A real OpenID provider (panva's oidc-provider, the certified implementation)
// on a random loopback port, for sign-in tests. It plays the part of a site's
// Keycloak: Kiseki is a first-party client, so there is a login form but no
// consent screen, and the POSIX claims come from the account.
//
// Browser tests can fill the login form in Chromium: inputs `username` and
// `password`, a "Sign in" button, and a "Cancel" button that sends the
// browser back with error=access_denied.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Interaction } from 'oidc-provider';
import type { OidcConfig } from '../../src/core/config.js';

export interface TestAccount {
  username: string;
  /** Default "password". */
  password?: string;
  /** The stable subject; default `sub-<username>`, so tests can tell it from the login name. */
  sub?: string;
  /** Extra claims, e.g. uid_number, gid_number, groups, name, email. */
  claims?: Record<string, unknown>;
}

export interface OidcHarnessOptions {
  accounts: TestAccount[];
  /** The client's secret; null for a public client (PKCE only). Default: a random secret. */
  clientSecret?: string | null;
  /**
   * Put the scope claims in the ID token, as Keycloak mappers do by default.
   * Otherwise oidc-provider keeps them for the userinfo endpoint.
   */
  claimsInIdToken?: boolean;
  /**
   * Redirect URIs to register. Loopback http URIs match on any port (RFC 8252
   * native-app rules), so a test server on a random port only needs the path.
   * Default: /callback and Kiseki's /api/v1/auth/oidc/callback on 127.0.0.1 and localhost.
   */
  redirectUris?: string[];
}

export interface OidcHarness {
  issuer: string;
  /** Ready for createOidcClient(): issuer, clientId, clientSecretFile (a temp file), scopes. */
  config: OidcConfig;
  stop(): Promise<void>;
  /** Act as a browser: open authUrl, sign in as `username`, return the callback URL the provider redirects to. Throws when the login is refused. */
  login(authUrl: string, username: string, password?: string): Promise<string>;
  /** Act as a browser that presses Cancel on the login form: returns the callback URL (carrying error=access_denied). */
  deny(authUrl: string): Promise<string>;
}

const STANDARD = new Set(['sub', 'preferred_username', 'name', 'email']);

export async function startOidcProvider(opts: OidcHarnessOptions): Promise<OidcHarness> {
  const accounts = opts.accounts.map((a) => ({ ...a, sub: a.sub ?? `sub-${a.username}`, password: a.password ?? 'password' }));
  const secret = opts.clientSecret === undefined ? randomBytes(24).toString('base64url') : opts.clientSecret;
  const custom = [...new Set(accounts.flatMap((a) => Object.keys(a.claims ?? {})))].filter((c) => !STANDARD.has(c));

  // The issuer must be known before the provider exists, so listen first.
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => { res.statusCode = 503; res.end(); };
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };

  const provider = new Provider(issuer, {
    clients: [{
      client_id: 'kiseki',
      ...(secret === null ? { token_endpoint_auth_method: 'none' } : { client_secret: secret, token_endpoint_auth_method: 'client_secret_basic' }),
      // "native" only for the loopback-any-port redirect rule; the flow is the web one.
      application_type: 'native',
      redirect_uris: opts.redirectUris ?? ['127.0.0.1', 'localhost'].flatMap((h) => [`http://${h}/callback`, `http://${h}/api/v1/auth/oidc/callback`]),
      grant_types: ['authorization_code'],
      response_types: ['code'],
    }],
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: {
      openid: ['sub'],
      profile: ['preferred_username', 'name'],
      email: ['email'],
      posix: custom,
    },
    conformIdTokenClaims: !opts.claimsInIdToken,
    pkce: { required: () => true },
    // Fixed lifetimes (seconds) so the provider does not print a notice for each default.
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 3600, Interaction: 600, Session: 3600 },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx: unknown, id: string) {
      const account = accounts.find((a) => a.sub === id);
      if (!account) return undefined;
      return {
        accountId: account.sub,
        async claims() {
          return { sub: account.sub, preferred_username: account.username, ...account.claims };
        },
      };
    },
    // Errors as JSON rather than an HTML page: easier to read in a failing test.
    async renderError(ctx: { type: string; body: unknown }, out: unknown) {
      ctx.type = 'json';
      ctx.body = out;
    },
  });

  const providerCallback = provider.callback();
  handler = (req, res) => {
    const m = /^\/interaction\/([\w-]+)(?:\/(login|abort))?$/.exec(new URL(req.url ?? '/', issuer).pathname);
    if (!m) return providerCallback(req, res);
    interaction(req, res, m[2]).catch((err: unknown) => {
      res.statusCode = 500;
      res.end(String(err));
    });
  };

  // Kiseki is a first-party client, as it is in a site's Keycloak: grant what
  // it asks for instead of showing a consent screen. (oidc-provider asks for
  // consent on every native-client sign-in; see redirectUris for why native.)
  async function grantConsent(req: IncomingMessage, res: ServerResponse, details: Interaction): Promise<void> {
    const accountId = details.session?.accountId;
    const clientId = String(details.params.client_id);
    const grant = (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ?? new provider.Grant({ accountId, clientId });
    const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
    grant.addOIDCScope(missing.missingOIDCScope?.join(' ') ?? String(details.params.scope));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  async function interaction(req: IncomingMessage, res: ServerResponse, action: string | undefined): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    if (action === undefined && details.prompt.name === 'consent') return grantConsent(req, res, details);
    if (action === undefined) return loginForm(res, details.uid);
    if (req.method !== 'POST') { res.statusCode = 405; res.end(); return; }
    if (action === 'abort') {
      await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'End-User aborted interaction' }, { mergeWithLastSubmission: false });
      return;
    }
    const form = new URLSearchParams(await readBody(req));
    const account = accounts.find((a) => a.username === form.get('username'));
    if (!account || account.password !== form.get('password')) return loginForm(res, details.uid, 'Invalid username or password.', 401);
    await provider.interactionFinished(req, res, { login: { accountId: account.sub } }, { mergeWithLastSubmission: false });
  }

  const dir = mkdtempSync(join(tmpdir(), 'kiseki-oidc-'));
  const config: OidcConfig = { issuer, clientId: 'kiseki', scopes: 'openid profile email posix' };
  if (secret !== null) {
    config.clientSecretFile = join(dir, 'client-secret');
    // A trailing newline, as an editor or `echo` leaves: the client must trim it.
    writeFileSync(config.clientSecretFile, `${secret}\n`, { mode: 0o600 });
  }

  const issuerOrigin = new URL(issuer).origin;
  return {
    issuer,
    config,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
    async login(authUrl, username, password) {
      const browser = new Browser(issuerOrigin);
      const page = await browser.go(authUrl);
      if (page.leftTo) return page.leftTo;
      const account = accounts.find((a) => a.username === username);
      const body = new URLSearchParams({ username, password: password ?? account?.password ?? '' });
      const after = await browser.go(`${page.url}/login`, body);
      if (after.leftTo) return after.leftTo;
      throw new Error(`the provider refused the login (HTTP ${after.status}): ${after.body.slice(0, 300)}`);
    },
    async deny(authUrl) {
      const browser = new Browser(issuerOrigin);
      const page = await browser.go(authUrl);
      if (page.leftTo) return page.leftTo;
      const after = await browser.go(`${page.url}/abort`, new URLSearchParams());
      if (after.leftTo) return after.leftTo;
      throw new Error(`the provider did not redirect after Cancel (HTTP ${after.status}): ${after.body.slice(0, 300)}`);
    },
  };
}

function loginForm(res: ServerResponse, uid: string, error?: string, status = 200): void {
  res.statusCode = status;
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.end(`<!doctype html><title>Sign in</title>
${error ? `<p role="alert">${error}</p>` : ''}
<form method="post" action="/interaction/${uid}/login">
  <label>Username <input name="username" autocomplete="username"></label>
  <label>Password <input name="password" type="password" autocomplete="current-password"></label>
  <button type="submit">Sign in</button>
</form>
<form method="post" action="/interaction/${uid}/abort"><button type="submit">Cancel</button></form>`);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Just enough of a browser: a cookie jar for one origin and redirects
 * followed by hand, stopping at the first one that leaves the provider
 * (the callback to the client, which the test hands to the code under test).
 */
class Browser {
  private readonly jar = new Map<string, string>();
  constructor(private readonly origin: string) {}

  async go(start: string, form?: URLSearchParams): Promise<{ url: string; status: number; body: string; leftTo?: string }> {
    let url = new URL(start);
    let body = form;
    for (let hop = 0; hop < 20; hop++) {
      const headers: Record<string, string> = {};
      if (this.jar.size) headers.cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
      if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
      const res = await fetch(url, { method: body ? 'POST' : 'GET', headers, body, redirect: 'manual' });
      this.keep(res.headers.getSetCookie());
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        await res.body?.cancel();
        url = new URL(location, url);
        body = undefined;
        if (url.origin !== this.origin) return { url: url.href, status: res.status, body: '', leftTo: url.href };
        continue;
      }
      return { url: url.href, status: res.status, body: await res.text() };
    }
    throw new Error('too many redirects');
  }

  private keep(setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const expired = attrs.some((a) => {
        const [k = '', v = ''] = a.trim().split('=');
        if (k.toLowerCase() === 'max-age') return Number(v) <= 0;
        if (k.toLowerCase() === 'expires') return Date.parse(v) < Date.now();
        return false;
      });
      if (expired) this.jar.delete(name);
      else this.jar.set(name, pair.slice(eq + 1).trim());
    }
  }
}
