// Array parameters for node-postgres as one PostgreSQL array literal built
// by JSON.stringify. node-postgres quotes and escapes every element in
// JavaScript (prepareValue, escapeElement, string concatenation): for the
// aggregator's unnest() upserts of ~10^4 elements per column that was ~10 %
// of its CPU and much of its garbage. A JSON array of strings, finite
// numbers, booleans and nulls is already a valid array literal once its
// brackets are braces, as long as the only backslash escapes in it are \"
// and \\ (which mean the same in both). Anything else (bytes, nested
// arrays, control characters, lone surrogates, a backslash before one of
// b f n r t u) returns undefined and keeps node-postgres's own encoding.

const OTHER_ESCAPE = /\\[bfnrtu/]/;

/** The literal for `values`, or undefined when node-postgres should encode them itself. */
export function arrayLiteral(values: readonly unknown[]): string | undefined {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined || typeof v === 'string' || typeof v === 'boolean') continue;
    if (typeof v === 'number' && Number.isFinite(v)) continue;
    return undefined;
  }
  const json = JSON.stringify(values);
  if (OTHER_ESCAPE.test(json)) return undefined;
  return `{${json.slice(1, -1)}}`;
}
