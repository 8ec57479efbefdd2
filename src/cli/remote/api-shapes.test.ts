import { expect, it } from 'vitest';
import { normalizeServer } from './api-client.js';
import { isoToUs, jobHitOf, lineageOf } from './api-shapes.js';

it('ISO times from the API keep their microseconds', () => {
  expect(isoToUs('2025-04-10T14:14:03.366564Z')).toBe(Date.parse('2025-04-10T14:14:03Z') * 1000 + 366564);
  expect(isoToUs('2025-04-10T14:14:03Z')).toBe(Date.parse('2025-04-10T14:14:03Z') * 1000);
  expect(isoToUs('2025-04-10T16:14:03.5+02:00')).toBe(Date.parse('2025-04-10T14:14:03Z') * 1000 + 500000);
  expect(isoToUs(null)).toBeNull();
  expect(isoToUs('not a time')).toBeNull();
});

it('a JobHit of the API becomes the direct mode\'s (unknown completeness is not "incomplete")', () => {
  const j = jobHitOf({
    id: 7, key: 'j:local:x', jobId: 'x', scheduler: 'local', name: 'job.sh', user: 'alice', uid: 2001, script: null,
    start: '2025-01-01T00:00:00.000001Z', end: null, state: 'completed', exitCode: 0, host: 'n1', visibility: 'private', matchedFiles: 3,
  });
  expect(j).toMatchObject({ id: 7, jobId: 'x', startTs: Date.parse('2025-01-01T00:00:00Z') * 1000 + 1, endTs: null, complete: null });
});

it('hidden placeholders of a lineage become summaries marked hidden, and their edges are dropped', () => {
  const { lineage, hidden } = lineageOf({
    start: [1], truncated: false, groups: [],
    nodes: [{ id: 1, key: 'f:/a#1', kind: 'file', label: 'a', path: '/a', attrs: { version: 1 } }],
    edges: [{ id: '1-wasGeneratedBy--1', kind: 'wasGeneratedBy', from: 1, to: -1 }],
    hidden: [{ id: -1, key: '', kind: 'hidden', label: '', parent: 1, relation: 'wasGeneratedBy', direction: 'out', count: 2 } as never],
  }, 'up');
  expect(lineage.edges).toEqual([]);
  expect(lineage.summaries).toEqual([{ node: 1, direction: 'up', edgeKind: 'wasGeneratedBy', count: 2, sample: [] }]);
  expect(hidden.has(lineage.summaries[0]!)).toBe(true);
});

it('server URLs: a bare host gets http://, trailing slashes go, other schemes are refused', () => {
  expect(normalizeServer('kiseki.example.org:8080')).toBe('http://kiseki.example.org:8080');
  expect(normalizeServer('https://kiseki.example.org/')).toBe('https://kiseki.example.org');
  expect(normalizeServer('https://example.org/kiseki/')).toBe('https://example.org/kiseki');
  expect(() => normalizeServer('ftp://x')).toThrow(/http/);
});
