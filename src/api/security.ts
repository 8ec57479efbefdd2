// Headers and request checks every answer gets.
import type { Context } from 'hono';
import { ApiError } from './errors.js';

/** CSP of the web UI's pages: everything from this server, nothing inline but styles. */
export const UI_CSP = "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; font-src 'self' data:; "
  + "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
/** CSP of JSON answers: nothing may run or load from them. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export function securityHeaders(res: Response, csp: string = API_CSP): void {
  const h = res.headers;
  h.set('X-Content-Type-Options', 'nosniff');
  h.set('Referrer-Policy', 'no-referrer');
  h.set('X-Frame-Options', 'DENY');
  h.set('Cross-Origin-Opener-Policy', 'same-origin');
  h.set('Cross-Origin-Resource-Policy', 'same-origin');
  if (!h.has('Content-Security-Policy')) h.set('Content-Security-Policy', csp);
}

export function isLoopbackAddress(addr: string | undefined): boolean {
  if (!addr) return false;
  const a = addr.replace(/^::ffff:/, '');
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

export function isLoopbackHostname(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || isLoopbackAddress(h);
}

/** The host name of a Host header ('[::1]:8080' → '::1'). */
export function hostnameOf(hostHeader: string | undefined): string | undefined {
  if (!hostHeader) return undefined;
  const m = /^(\[[^\]]+\]|[^:]+)(?::\d+)?$/.exec(hostHeader.trim());
  return m ? m[1]!.replace(/^\[|\]$/g, '').toLowerCase() : undefined;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A browser page from another site must not change data here (CSRF): for
 * unsafe methods an Origin, if sent, must be this server's own, and
 * Sec-Fetch-Site must not say cross-site. Non-browser clients send neither.
 */
export function checkOrigin(c: Context): void {
  if (SAFE.has(c.req.method)) return;
  const site = c.req.header('sec-fetch-site');
  if (site === 'cross-site') throw new ApiError(403, 'E_CROSS_ORIGIN', 'cross-site requests may not change data');
  const origin = c.req.header('origin');
  if (origin === undefined) return;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    throw new ApiError(403, 'E_CROSS_ORIGIN', `bad Origin header ${JSON.stringify(origin)}`);
  }
  if (host.toLowerCase() !== (c.req.header('host') ?? '').toLowerCase()) {
    throw new ApiError(403, 'E_CROSS_ORIGIN', `requests from ${origin} may not change data here`);
  }
}
