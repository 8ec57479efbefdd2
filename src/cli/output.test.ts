import { describe, expect, it } from 'vitest';
import { safe, table } from './output.js';

describe('safe(): file names shown on a terminal', () => {
  it('leaves ordinary text alone, backslashes included', () => {
    expect(safe('/data/run 1/out.csv')).toBe('/data/run 1/out.csv');
    expect(safe('C:\\x')).toBe('C:\\x');
    expect(safe('/données/ü.txt')).toBe('/données/ü.txt');
  });
  it('escapes newlines, escape sequences and other control characters', () => {
    expect(safe('a\nb')).toBe('a\\nb');
    expect(safe('x\u001b[31mred')).toBe('x\\x1b[31mred');
    expect(safe('tab\there\r')).toBe('tab\\there\\r');
    expect(safe('\u009b2J')).toBe('\\x9b2J');
    expect(safe('a\\b\n')).toBe('a\\\\b\\n'); // a backslash is doubled once anything is escaped, so the escapes stay unambiguous
  });
  it('shows bytes that are not UTF-8 as \\xNN and names invisible reordering characters', () => {
    expect(safe('/a\udcff')).toBe('/a\\xff');
    expect(safe('evil\u202etxt.exe')).toBe('evil\\u{202e}txt.exe');
  });
  it('tables escape every cell', () => {
    const t = table(['PATH'], [['a\nb']]);
    expect(t.split('\n')).toEqual(['PATH', 'a\\nb']);
  });
});
