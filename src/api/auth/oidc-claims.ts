// Turn an OpenID provider's claims into an Identity. Claim names are
// configurable because every provider spells POSIX ids differently; the
// defaults match the Keycloak mappers described in docs/access.md.
import type { OidcConfig } from '../../core/config.js';
import { AuthError, type GroupClaim, type Identity } from './identity.js';

export type Claims = Record<string, unknown> & { iss?: unknown; sub?: unknown };

interface ClaimNames { username?: string; uid: string; gid: string; groups: string; gids?: string }

function names(cfg: OidcConfig): ClaimNames {
  return {
    username: cfg.usernameClaim,
    uid: cfg.uidClaim ?? 'uid_number',
    gid: cfg.gidClaim ?? 'gid_number',
    groups: cfg.groupsClaim ?? 'groups',
    gids: cfg.gidsClaim,
  };
}

/** The configured claims absent from `claims`: when any is, userinfo is asked too. */
export function missingClaims(cfg: OidcConfig, claims: Claims): string[] {
  const n = names(cfg);
  const wanted = [n.username ?? 'preferred_username', n.uid, n.gid, n.groups, ...(n.gids ? [n.gids] : [])];
  return wanted.filter((c) => claims[c] === undefined);
}

export function identityFromClaims(cfg: OidcConfig, claims: Claims): Identity {
  const n = names(cfg);
  if (typeof claims.iss !== 'string' || typeof claims.sub !== 'string' || claims.sub === '') {
    throw new AuthError('E_AUTH_BAD_CREDENTIALS', 'the ID token has no issuer or subject');
  }
  const username = pickUsername(n, claims);
  const identity: Identity = {
    source: 'oidc',
    subject: `${claims.iss}|${claims.sub}`,
    username,
    groups: groupsFrom(claims[n.groups], n.gids ? claims[n.gids] : undefined),
  };
  const uid = posixId(claims[n.uid]);
  const gid = posixId(claims[n.gid]);
  if (uid !== undefined) identity.uid = uid;
  if (gid !== undefined) identity.gid = gid;
  if (typeof claims.name === 'string' && claims.name) identity.displayName = claims.name;
  if (typeof claims.email === 'string' && claims.email) identity.email = claims.email;
  return identity;
}

function pickUsername(n: ClaimNames, claims: Claims): string {
  // A configured claim is required: falling back to `sub` would give a name
  // that silently matches no scheduler user.
  const value = n.username ? claims[n.username] : (claims.preferred_username ?? claims.sub);
  if (typeof value !== 'string' || !isPlainName(value)) {
    throw new AuthError('E_AUTH_BAD_CREDENTIALS', `the OpenID provider sent no usable login name (claim ${n.username ?? 'preferred_username'})`);
  }
  return value;
}

function isPlainName(s: string): boolean {
  return s.length > 0 && s.length <= 256 && !/[\u0000-\u001f\u007f]/.test(s);
}

/**
 * A uid or gid: a non-negative integer, as a number or a numeric string
 * (Keycloak user-attribute mappers send strings), possibly wrapped in a
 * one-element array (a multivalued mapper). Anything else is ignored rather
 * than guessed: a wrong id would tie a person to someone else's jobs.
 */
export function posixId(value: unknown): number | undefined {
  const v = Array.isArray(value) && value.length === 1 ? value[0] : value;
  const num = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,10}$/.test(v.trim()) ? Number(v.trim()) : NaN;
  return Number.isSafeInteger(num) && num >= 0 && num <= 0xffffffff ? num : undefined;
}

/**
 * Group names, with Keycloak's full-path leading "/" dropped. Numeric gids
 * come from a separate claim: either a name→gid object, or an array in the
 * same order as the names (ignored when the lengths differ, since then no
 * name can be paired safely).
 */
export function groupsFrom(groupsValue: unknown, gidsValue: unknown): GroupClaim[] {
  const raw = typeof groupsValue === 'string' ? [groupsValue] : Array.isArray(groupsValue) ? groupsValue : [];
  const rawNames = raw.filter((g): g is string => typeof g === 'string');
  const groupNames = rawNames.map((g) => g.replace(/^\//, '')).filter(isPlainName);
  const byIndex = Array.isArray(gidsValue) && gidsValue.length === rawNames.length && rawNames.length === groupNames.length ? gidsValue : undefined;
  const byName = gidsValue !== null && typeof gidsValue === 'object' && !Array.isArray(gidsValue) ? gidsValue as Record<string, unknown> : undefined;
  const seen = new Set<string>();
  const out: GroupClaim[] = [];
  groupNames.forEach((name, i) => {
    if (seen.has(name)) return;
    seen.add(name);
    const gid = posixId(byIndex ? byIndex[i] : byName ? (byName[name] ?? byName[`/${name}`]) : undefined);
    out.push(gid === undefined ? { name } : { name, gid });
  });
  return out;
}
