import { describe, expect, it } from 'vitest';
import { globToRegex, isGlob, likeEscape, substringLike } from './glob.js';

const m = (glob: string, path: string) => new RegExp(globToRegex(glob)).test(path);

describe('filename patterns', () => {
  it('tells globs from substrings', () => {
    expect(isGlob('*.csv')).toBe(true);
    expect(isGlob('data[12]')).toBe(true);
    expect(isGlob('result')).toBe(false);
  });
  it('escapes LIKE wildcards', () => {
    expect(likeEscape('a%b_c\\d')).toBe('a\\%b\\_c\\\\d');
    expect(substringLike('50%')).toBe('%50\\%%');
  });
  it('matches file names without a slash', () => {
    expect(m('*.csv', '/data/x/run1.csv')).toBe(true);
    expect(m('*.csv', '/data/x.csv/run1.txt')).toBe(false);
    expect(m('run?.csv', '/d/run1.csv')).toBe(true);
    expect(m('run?.csv', '/d/run10.csv')).toBe(false);
    expect(m('run[0-9].csv', '/d/run7.csv')).toBe(true);
    expect(m('run[!0-9].csv', '/d/run7.csv')).toBe(false);
    expect(m('a.b', '/d/axb')).toBe(false);
  });
  it('matches whole paths with a slash, ** across folders', () => {
    expect(m('/data/*/out.h5', '/data/run1/out.h5')).toBe(true);
    expect(m('/data/*/out.h5', '/data/a/b/out.h5')).toBe(false);
    expect(m('/data/**/out.h5', '/data/a/b/out.h5')).toBe(true);
    expect(m('/data/**/out.h5', '/data/out.h5')).toBe(true);
  });
  it('treats regex characters literally', () => {
    expect(m('f(1)+.txt', '/d/f(1)+.txt')).toBe(true);
    expect(m('f(1)+.txt', '/d/f11.txt')).toBe(false);
    expect(m('*$x^', '/d/a$x^')).toBe(true);
  });
});
