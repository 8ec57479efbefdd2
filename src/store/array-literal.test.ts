import { describe, expect, it } from 'vitest';
import { POSTGRES_URL } from '../../test/store/stores.js';
import { arrayLiteral } from './array-literal.js';
import { openPostgres } from './postgres-db.js';

describe('arrayLiteral', () => {
  it('turns a JSON array into an array literal', () => {
    expect(arrayLiteral(['a', 'b "q" \\ c', '', 'NULL', null, undefined])).toBe('{"a","b \\"q\\" \\\\ c","","NULL",null,null}');
    expect(arrayLiteral([1, -2.5, null])).toBe('{1,-2.5,null}');
    expect(arrayLiteral([true, false])).toBe('{true,false}');
    expect(arrayLiteral([])).toBe('{}');
  });
  it("leaves to node-postgres what JSON would escape differently", () => {
    expect(arrayLiteral(['a\nb'])).toBeUndefined();
    expect(arrayLiteral(['\u0001'])).toBeUndefined();
    expect(arrayLiteral(['\udcff'])).toBeUndefined();
    expect(arrayLiteral(['C:\\new'])).toBeUndefined();
    expect(arrayLiteral([NaN])).toBeUndefined();
    expect(arrayLiteral([new Uint8Array([1])])).toBeUndefined();
    expect(arrayLiteral([['nested']])).toBeUndefined();
    expect(arrayLiteral([1n])).toBeUndefined();
  });
});

describe.skipIf(!POSTGRES_URL)('array parameters on PostgreSQL', () => {
  it('arrive as the same values whichever way they are encoded', async () => {
    const db = await openPostgres(POSTGRES_URL!, { max: 1 });
    try {
      const clean = ['plain', 'quote " and \\ backslash', '{braces},commas', ' spaced ', '', 'NULL', null, 'é ü 日本'];
      const texts = [...clean, 'a\nb', 'C:\\new', '\u0007'];
      expect(arrayLiteral(clean)).toBeDefined();
      const { rows } = await db.query<{ c: (string | null)[]; t: (string | null)[]; n: number[]; b: boolean[] }>(
        'select $1::text[] as c, $2::text[] as t, $3::float8[] as n, $4::bool[] as b', [clean, texts, [1, 2.5, -3, null], [true, false, null]]);
      expect(rows[0]!.c).toEqual(clean);
      expect(rows[0]!.t).toEqual(texts);
      expect(rows[0]!.n).toEqual([1, 2.5, -3, null]);
      expect(rows[0]!.b).toEqual([true, false, null]);
    } finally {
      await db.close();
    }
  });
});
