import { describe, expect, it } from 'vitest';
import { groupsFrom, identityFromClaims, missingClaims, posixId } from './oidc-claims.js';
import { safeReturnTo } from './oidc.js';
import { openPending, sealPending } from './oidc-pending.js';

const cfg = { issuer: 'https://sso.example.org/realms/hpc', clientId: 'kiseki' };

describe('OIDC claims → Identity', () => {
  it('uid/gid: numbers and numeric strings (Keycloak attribute mappers), one-element arrays; anything else is ignored', () => {
    expect(posixId(1001)).toBe(1001);
    expect(posixId('1001')).toBe(1001);
    expect(posixId(' 42 ')).toBe(42);
    expect(posixId(['7'])).toBe(7);
    expect(posixId(0)).toBe(0);
    for (const bad of [-1, 1.5, '1e3', '0x10', '', 'abc', ['1', '2'], null, undefined, 2 ** 32, true]) expect(posixId(bad)).toBeUndefined();
  });

  it('groups: Keycloak full paths lose the leading slash; gids pair by name or by position', () => {
    expect(groupsFrom(['/lab', 'ops', '/lab'], undefined)).toEqual([{ name: 'lab' }, { name: 'ops' }]);
    expect(groupsFrom('solo', undefined)).toEqual([{ name: 'solo' }]);
    expect(groupsFrom(['a', 'b'], ['10', 11])).toEqual([{ name: 'a', gid: 10 }, { name: 'b', gid: 11 }]);
    expect(groupsFrom(['/a', 'b'], { a: 10, '/b': '11' })).toEqual([{ name: 'a', gid: 10 }, { name: 'b', gid: 11 }]);
    // Lengths differ: no name can be paired safely.
    expect(groupsFrom(['a', 'b'], [10])).toEqual([{ name: 'a' }, { name: 'b' }]);
    expect(groupsFrom(undefined, undefined)).toEqual([]);
    expect(groupsFrom([1, { x: 1 }, 'ok'], undefined)).toEqual([{ name: 'ok' }]);
  });

  it('username: preferred_username, else sub; a configured claim is required', () => {
    const base = { iss: cfg.issuer, sub: 'abc-123' };
    expect(identityFromClaims(cfg, { ...base, preferred_username: 'alice' }).username).toBe('alice');
    expect(identityFromClaims(cfg, base).username).toBe('abc-123');
    expect(identityFromClaims({ ...cfg, usernameClaim: 'uid' }, { ...base, uid: 'al' }).username).toBe('al');
    expect(() => identityFromClaims({ ...cfg, usernameClaim: 'uid' }, base)).toThrow(/claim uid/);
    expect(identityFromClaims(cfg, base).subject).toBe(`${cfg.issuer}|abc-123`);
  });

  it('custom claim names are honoured, and only missing ones send the client to userinfo', () => {
    const custom = { ...cfg, uidClaim: 'uidNumber', gidClaim: 'gidNumber', groupsClaim: 'roles' };
    const claims = { iss: cfg.issuer, sub: 's', preferred_username: 'u', uidNumber: '5', gidNumber: 6, roles: ['r'] };
    expect(missingClaims(custom, claims)).toEqual([]);
    expect(identityFromClaims(custom, claims)).toMatchObject({ uid: 5, gid: 6, groups: [{ name: 'r' }] });
    expect(missingClaims(cfg, { iss: 'x', sub: 's' })).toEqual(['preferred_username', 'uid_number', 'gid_number', 'groups']);
  });
});

describe('OIDC sign-in state', () => {
  it('returnTo: local paths only', () => {
    expect(safeReturnTo('/jobs/1?x=2#y')).toBe('/jobs/1?x=2#y');
    for (const bad of ['https://evil', '//evil', '/\\evil', 'jobs', '/a\nb', `/${'x'.repeat(1100)}`]) expect(safeReturnTo(bad)).toBeUndefined();
  });

  it('pending round-trips and expires', () => {
    const p = { state: 's', nonce: 'n', verifier: 'v', redirectUri: 'https://k/cb', returnTo: '/x', issuedAt: 1_000_000 };
    expect(openPending(sealPending(p), 1_000_500, 60_000)).toEqual(p);
    expect(() => openPending(sealPending(p), 1_000_000 + 60_001, 60_000)).toThrow(/expired/);
    expect(() => openPending('%%%', 1_000_000, 60_000)).toThrow(/malformed/);
  });
});
