import { describe, expect, it } from 'vitest';
import { catSortPipeline } from '../../test/store/synthetic-trace.js';
import { IngestError } from './errors.js';
import { MAX_EVENT_CHARS, ndjsonLines, validateEvents } from './validate-batch.js';

function err(f: () => unknown): IngestError {
  try {
    f();
  } catch (e) {
    if (e instanceof IngestError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('batch validation', () => {
  const t = catSortPipeline();
  it('accepts objects and NDJSON alike, with the same hash', () => {
    const a = validateEvents(t.events);
    const b = validateEvents(t.ndjson());
    expect(a.events).toEqual(t.events);
    expect(b.sha256).toBe(a.sha256);
    expect(b.bodies).toEqual(a.bodies);
  });
  it('names the first bad event and why', () => {
    const bad = [...t.events];
    bad[4] = { ...bad[4]!, type: 'file.accessed' } as never;
    bad[6] = { nonsense: true } as never;
    const e = err(() => validateEvents(bad));
    expect(e.code).toBe('E_INGEST_INVALID');
    expect(e.index).toBe(4);
    expect(e.message).toMatch(/^event 4: type/);
  });
  it('rejects an over-long line before parsing it', () => {
    const line = '{' + ' '.repeat(MAX_EVENT_CHARS) + '}';
    const e = err(() => validateEvents(`${JSON.stringify(t.events[0])}\n${line}\n`));
    expect(e.code).toBe('E_INGEST_TOO_LARGE');
    expect(e.index).toBe(1);
    expect(e.line).toBe(2);
  });
  it('rejects an over-long event given as an object', () => {
    const exec = t.events.find((e) => e.type === 'process.exec')!;
    const e = err(() => validateEvents([t.events[0], { ...exec, env: { X: 'x'.repeat(MAX_EVENT_CHARS) } }]));
    expect(e.code).toBe('E_INGEST_TOO_LARGE');
    expect(e.index).toBe(1);
  });
  it('skips blank lines and CRLF endings', () => {
    expect([...ndjsonLines('a\r\n\n  \nb')].map((l) => [l.text, l.line])).toEqual([['a', 1], ['b', 4]]);
  });
  it('rejects values that are not JSON', () => {
    expect(err(() => validateEvents([undefined])).message).toMatch(/event 0: not a JSON value/);
    expect(err(() => validateEvents([1n])).message).toMatch(/event 0: cannot be encoded/);
    expect(err(() => validateEvents('{"type":')).message).toMatch(/event 0 \(line 1\): not JSON/);
  });
});
