// OpenID Connect sign-in: authorization code flow with PKCE (S256), state and
// nonce, against any conforming provider (Keycloak in production). The
// protocol work — discovery, the token request, ID token validation — is
// openid-client's; this module keeps the per-browser state between the two
// legs and turns the provider's claims into an Identity.
//
// Nothing here logs: codes, tokens and the client secret must never reach a log.
import { readFileSync } from 'node:fs';
import * as oidc from 'openid-client';
import type { OidcConfig } from '../../core/config.js';
import { AuthError, type Identity } from './identity.js';
import { identityFromClaims, missingClaims, type Claims } from './oidc-claims.js';
import { openPending, sealPending, type Pending } from './oidc-pending.js';

export interface OidcClient {
  /**
   * Start a sign-in. `url` is where to redirect the browser; `pending` must be
   * kept for this browser only (a short-lived, HttpOnly, signed cookie) and
   * handed back to complete(). `returnTo` is kept only when it is a local path.
   */
  begin(redirectUri: string, returnTo?: string): Promise<{ url: string; pending: string }>;
  /**
   * Finish a sign-in from the URL the browser arrived at. Throws AuthError:
   * E_AUTH_BAD_CREDENTIALS (refused, forged or replayed), E_AUTH_UNAVAILABLE
   * (the provider cannot be reached), E_AUTH_CONFIG (the provider rejects
   * Kiseki's client registration).
   */
  complete(callbackUrl: string, pending: string): Promise<{ identity: Identity; returnTo?: string }>;
}

export interface OidcClientOptions {
  /** How long a started sign-in stays valid (default 10 minutes). */
  pendingMaxAgeMs?: number;
  /** Seconds to wait for the provider on each request (default 10). */
  timeoutSeconds?: number;
  /** For tests: the current time in ms. */
  now?: () => number;
}

const DEFAULT_SCOPES = 'openid profile email';

/** Discover cfg.issuer and return a client. Throws AuthError (E_AUTH_UNAVAILABLE when the provider cannot be reached, E_AUTH_CONFIG for a bad setting). */
export async function createOidcClient(cfg: OidcConfig, options: OidcClientOptions = {}): Promise<OidcClient> {
  const issuer = parseIssuer(cfg.issuer);
  const secret = readSecret(cfg.clientSecretFile);
  const timeout = options.timeoutSeconds ?? 10;
  const now = options.now ?? Date.now;
  const maxAge = options.pendingMaxAgeMs ?? 10 * 60_000;
  const scope = cfg.scopes?.trim() || DEFAULT_SCOPES;
  if (!scope.split(/\s+/).includes('openid')) throw new AuthError('E_AUTH_CONFIG', 'auth.oidc.scopes must include "openid"');

  let config: oidc.Configuration;
  try {
    config = await oidc.discovery(
      issuer,
      cfg.clientId,
      secret === undefined ? undefined : { client_secret: secret },
      // With a secret: client_secret_basic, which Keycloak's confidential clients accept by default.
      // Without one: a public client, protected by PKCE alone.
      secret === undefined ? oidc.None() : oidc.ClientSecretBasic(secret),
      { timeout, execute: isLoopbackHttp(issuer) ? [oidc.allowInsecureRequests] : [] },
    );
  } catch (err) {
    throw toAuthError(err, 'discovery');
  }

  return {
    async begin(redirectUri, returnTo) {
      checkRedirectUri(redirectUri);
      const p: Pending = {
        state: oidc.randomState(),
        nonce: oidc.randomNonce(),
        verifier: oidc.randomPKCECodeVerifier(),
        redirectUri,
        returnTo: safeReturnTo(returnTo),
        issuedAt: now(),
      };
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope,
        state: p.state,
        nonce: p.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(p.verifier),
        code_challenge_method: 'S256',
      });
      return { url: url.href, pending: sealPending(p) };
    },

    async complete(callbackUrl, pending) {
      const p = openPending(pending, now(), maxAge);
      // The token request must repeat the redirect_uri of the authorization
      // request exactly, and openid-client derives it from the URL it is given.
      // Behind a proxy the server sees a different origin than the browser did,
      // so take only the response parameters from the callback URL.
      let response: URL;
      try {
        response = new URL(p.redirectUri);
        response.search = new URL(callbackUrl).search;
      } catch {
        throw new AuthError('E_AUTH_BAD_CREDENTIALS', 'the sign-in callback URL is malformed');
      }
      let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
      try {
        tokens = await oidc.authorizationCodeGrant(config, response, {
          pkceCodeVerifier: p.verifier,
          expectedState: p.state,
          expectedNonce: p.nonce,
          idTokenExpected: true,
        });
      } catch (err) {
        throw toAuthError(err, 'token');
      }
      const idClaims = tokens.claims();
      if (!idClaims) throw new AuthError('E_AUTH_BAD_CREDENTIALS', 'the OpenID provider returned no ID token');
      let claims: Claims = { ...idClaims };
      // Providers differ in what they put in the ID token (oidc-provider keeps
      // scope claims for userinfo; Keycloak mappers can do either), so ask
      // userinfo only when something configured is missing.
      if (missingClaims(cfg, claims).length > 0 && config.serverMetadata().userinfo_endpoint) {
        try {
          const info = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
          // The validated ID token wins over userinfo where both have a claim.
          claims = { ...info, ...claims };
        } catch (err) {
          throw toAuthError(err, 'userinfo');
        }
      }
      const identity = identityFromClaims(cfg, claims);
      return p.returnTo === undefined ? { identity } : { identity, returnTo: p.returnTo };
    },
  };
}

function parseIssuer(issuer: string): URL {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new AuthError('E_AUTH_CONFIG', `auth.oidc.issuer is not a URL: ${issuer}`);
  }
  // Tokens over plain http can be read on the wire; only a provider on this
  // machine (tests, a local Keycloak) may use it.
  if (url.protocol !== 'https:' && !isLoopbackHttp(url)) {
    throw new AuthError('E_AUTH_CONFIG', `auth.oidc.issuer must use https (http is allowed only on loopback): ${issuer}`);
  }
  return url;
}

function isLoopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && (url.hostname === 'localhost' || url.hostname === '[::1]' || /^127\./.test(url.hostname));
}

function readSecret(file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  let secret: string;
  try {
    secret = readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new AuthError('E_AUTH_CONFIG', `auth.oidc.clientSecretFile cannot be read: ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  if (secret === '') throw new AuthError('E_AUTH_CONFIG', `auth.oidc.clientSecretFile is empty: ${file}`);
  return secret;
}

function checkRedirectUri(uri: string): void {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new AuthError('E_AUTH_CONFIG', `the OIDC redirect URI is not a URL: ${uri}`);
  }
  if (url.search || url.hash) throw new AuthError('E_AUTH_CONFIG', `the OIDC redirect URI must have no query or fragment: ${uri}`);
}

/** Only a local path: anything else would make the sign-in an open redirect. */
export function safeReturnTo(returnTo: string | undefined): string | undefined {
  if (returnTo === undefined || returnTo.length > 1024) return undefined;
  if (!returnTo.startsWith('/') || returnTo.startsWith('//') || returnTo.startsWith('/\\')) return undefined;
  // Control characters could split headers or smuggle a scheme.
  if (/[\u0000-\u001f\u007f]/.test(returnTo)) return undefined;
  return returnTo;
}

type Stage = 'discovery' | 'token' | 'userinfo';

/** Map openid-client's errors to AuthError; messages name the OAuth error code, never a token or code value. */
export function toAuthError(err: unknown, stage: Stage): AuthError {
  if (err instanceof AuthError) return err;
  const where = stage === 'discovery' ? 'discovery' : stage === 'token' ? 'the token request' : 'the userinfo request';
  if (isUnreachable(err)) {
    return new AuthError('E_AUTH_UNAVAILABLE', `the OpenID provider cannot be reached (${where}): ${describe(err)}`);
  }
  if (err instanceof oidc.AuthorizationResponseError) {
    // The provider sent the browser back with ?error=… (the user cancelled, or is not allowed in).
    const desc = err.error_description ? `: ${err.error_description}` : '';
    return new AuthError('E_AUTH_BAD_CREDENTIALS', `the OpenID provider refused the sign-in (${err.error}${desc})`);
  }
  const oauthError = oauthErrorCode(err);
  if (oauthError === 'invalid_client' || oauthError === 'unauthorized_client') {
    return new AuthError('E_AUTH_CONFIG', `the OpenID provider rejected Kiseki's client (${oauthError}); check auth.oidc.clientId and clientSecretFile`);
  }
  if (oauthError === 'invalid_grant') {
    return new AuthError('E_AUTH_BAD_CREDENTIALS', 'the OpenID provider refused the sign-in code (invalid_grant): it was already used, has expired, or belongs to another sign-in; sign in again');
  }
  if (oauthError !== undefined) {
    return new AuthError('E_AUTH_BAD_CREDENTIALS', `the OpenID provider refused ${where} (${oauthError})`);
  }
  if (stage === 'discovery') {
    return new AuthError('E_AUTH_CONFIG', `OpenID discovery failed; check auth.oidc.issuer (it must equal the provider's issuer exactly, e.g. https://host/realms/REALM): ${describe(err)}`);
  }
  if (/"state"/.test(describe(err))) {
    return new AuthError('E_AUTH_BAD_CREDENTIALS', `the sign-in response does not belong to this browser's sign-in (state mismatch); sign in again`);
  }
  return new AuthError('E_AUTH_BAD_CREDENTIALS', `the OpenID provider's response failed validation (${where}): ${describe(err)}`);
}

function isUnreachable(err: unknown): boolean {
  // fetch() rejects with a TypeError('fetch failed') for refused connections and DNS failures.
  if (err instanceof TypeError && err.message === 'fetch failed') return true;
  if (err instanceof oidc.ClientError && (err.code === 'OAUTH_TIMEOUT' || err.code === 'OAUTH_ABORT')) return true;
  if (err instanceof oidc.ResponseBodyError && err.status >= 500) return true;
  // A proxy's 502/503 page is not JSON: openid-client reports the Response as the cause.
  const cause = (err as { cause?: unknown } | null)?.cause;
  if (cause instanceof Response && cause.status >= 500) return true;
  return false;
}

/** The OAuth error code of a refusal at the token or userinfo endpoint: in the JSON body, or in a WWW-Authenticate challenge (a 401 for bad client credentials). */
function oauthErrorCode(err: unknown): string | undefined {
  if (err instanceof oidc.ResponseBodyError) return err.error;
  if (err instanceof oidc.WWWAuthenticateChallengeError) {
    const challenge = err.cause.find((c) => typeof c.parameters.error === 'string');
    return challenge?.parameters.error ?? `HTTP ${err.status}`;
  }
  return undefined;
}

/**
 * What failed, for the message: openid-client's own messages are generic
 * ("invalid response encountered"), the oauth4webapi cause names the check.
 * Neither carries parameter values, so no code or token ends up in a log.
 */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof Response) return `${err.message} (HTTP ${cause.status})`;
  if (cause instanceof Error && cause.message && cause.message !== err.message) {
    const code = (cause as { code?: unknown }).code;
    return `${err.message}: ${cause.message}${typeof code === 'string' ? ` (${code})` : ''}`;
  }
  const code = (cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? `${err.message} (${code})` : err.message;
}
