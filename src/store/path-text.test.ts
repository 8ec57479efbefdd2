import { describe, expect, it } from 'vitest';
import { bytesToText } from '../core/bytes-text.js';
import { escapePath, fromStoredPath, pathKey, toStoredPath, unescapePath } from './path-text.js';

const bad = bytesToText(Buffer.from([0x2f, 0x74, 0xff, 0x5c, 0x78, 0x66, 0x66])); // "/t<ff>\xff"

describe('path-text', () => {
  it('keeps valid UTF-8 paths as they are', () => {
    expect(toStoredPath('/data/résumé.txt')).toEqual({ path: '/data/résumé.txt', pathBytes: null });
    expect(escapePath('/a/b')).toBe('/a/b');
  });
  it('stores invalid bytes losslessly', () => {
    const s = toStoredPath(bad);
    expect(s.path).toBe('/t\\xff\\xff');
    expect([...s.pathBytes!]).toEqual([0x2f, 0x74, 0xff, 0x5c, 0x78, 0x66, 0x66]);
    expect(fromStoredPath(s.path, s.pathBytes)).toBe(bad);
  });
  it('escapes keys reversibly and without collisions', () => {
    const literal = '/t\\xff\\xff';
    expect(escapePath(bad)).not.toBe(escapePath(literal));
    expect(unescapePath(escapePath(bad))).toBe(bad);
    expect(unescapePath(escapePath(literal))).toBe(literal);
  });
  it('hashes very long keys deterministically', () => {
    const long = '/x'.repeat(1000);
    expect(pathKey(long).length).toBeLessThan(250);
    expect(pathKey(long)).toBe(pathKey(long));
    expect(pathKey(long)).not.toBe(pathKey(long + 'y'));
    expect(pathKey('pipe:[1]', 'h:b')).toBe('h:b|pipe:[1]');
  });
});
