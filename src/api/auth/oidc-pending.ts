// What a started OpenID sign-in must remember until the browser comes back:
// the state and nonce it sent, the PKCE verifier it kept, the redirect URI it
// used and where to go afterwards. It travels in a cookie the caller signs, so
// this module only packs it and checks that what comes back is well formed
// and recent; a forged or swapped value still fails the state/nonce/PKCE
// checks of the exchange itself.
import { AuthError } from './identity.js';

export interface Pending {
  state: string;
  nonce: string;
  verifier: string;
  redirectUri: string;
  returnTo?: string;
  /** ms since the epoch: a sign-in left half-done is refused after a while. */
  issuedAt: number;
}

/** Short keys: the value lives in a cookie. */
interface Wire { v: 1; s: string; n: string; c: string; r: string; t?: string; i: number }

export function sealPending(p: Pending): string {
  const wire: Wire = { v: 1, s: p.state, n: p.nonce, c: p.verifier, r: p.redirectUri, i: p.issuedAt };
  if (p.returnTo !== undefined) wire.t = p.returnTo;
  return Buffer.from(JSON.stringify(wire)).toString('base64url');
}

const RESTART = 'start the sign-in again';

export function openPending(sealed: string, now: number, maxAgeMs: number): Pending {
  let wire: Partial<Wire>;
  try {
    wire = JSON.parse(Buffer.from(sealed, 'base64url').toString('utf8')) as Partial<Wire>;
  } catch {
    throw new AuthError('E_AUTH_BAD_CREDENTIALS', `the sign-in state is missing or malformed; ${RESTART}`);
  }
  const str = (x: unknown): x is string => typeof x === 'string' && x.length > 0;
  if (wire === null || typeof wire !== 'object' || wire.v !== 1 || !str(wire.s) || !str(wire.n) || !str(wire.c) || !str(wire.r)
    || typeof wire.i !== 'number' || (wire.t !== undefined && typeof wire.t !== 'string')) {
    throw new AuthError('E_AUTH_BAD_CREDENTIALS', `the sign-in state is missing or malformed; ${RESTART}`);
  }
  if (now - wire.i > maxAgeMs || wire.i - now > 60_000) {
    throw new AuthError('E_AUTH_BAD_CREDENTIALS', `the sign-in took too long and has expired; ${RESTART}`);
  }
  const p: Pending = { state: wire.s, nonce: wire.n, verifier: wire.c, redirectUri: wire.r, issuedAt: wire.i };
  if (wire.t !== undefined) p.returnTo = wire.t;
  return p;
}
