import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../core/trace-event.js';
import { RecentBatches } from './recent-batches.js';

const evs = (n: number, tag: number) => Array.from({ length: n }, (_, i) => ({ type: 'process.exit', ts: tag * 1000 + i }) as unknown as TraceEvent);
const tsOf = (t: { events: TraceEvent[] } | null) => t?.events.map((e) => e.ts);
const sha = (seq: number) => `sha-${seq}`;

describe('recent batches', () => {
  it('takes a chunk across batches from the cursor, with the position of its last event', () => {
    const r = new RecentBatches();
    r.remember('s', 0, evs(3, 0), sha(0));
    r.remember('s', 1, evs(2, 1), sha(1));
    r.remember('s', 2, evs(3, 2), sha(2));
    const t = r.take('s', 0, 1, 2, 4, sha);
    expect(tsOf(t)).toEqual([1, 2, 1000, 1001]);
    expect([t!.endSeq, t!.endIdx]).toEqual([1, 1]);
    expect(tsOf(r.take('s', 2, 1, 2, 10, sha))).toEqual([2001, 2002]);
  });
  it('answers null when a batch is not kept (read it from the database)', () => {
    const r = new RecentBatches();
    r.remember('s', 0, evs(2, 0), sha(0));
    r.remember('s', 2, evs(2, 2), sha(2));
    expect(r.take('s', 0, 0, 2, 10, sha)).toBeNull();
    expect(r.take('other', 0, 0, 0, 10, sha)).toBeNull();
    r.forget('s', 0, 1);
    expect(r.take('s', 0, 0, 0, 10, sha)).toBeNull();
    expect(tsOf(r.take('s', 2, 0, 2, 10, sha))).toEqual([2000, 2001]);
  });
  it('answers null when the stored batch has another hash (the store was emptied and refilled)', () => {
    const r = new RecentBatches();
    r.remember('s', 0, evs(2, 0), 'old');
    expect(r.take('s', 0, 0, 0, 10, () => 'new')).toBeNull();
    r.remember('s', 0, evs(2, 7), 'new');
    expect(tsOf(r.take('s', 0, 0, 0, 10, () => 'new'))).toEqual([7000, 7001]);
  });
  it('drops the oldest batches past its bound', () => {
    const r = new RecentBatches();
    for (let s = 0; s < 25; s++) r.remember('s', s, evs(5000, s), sha(s));
    expect(r.get('s', 4)).toBeUndefined();
    expect(r.get('s', 5)).toBeDefined();
    expect(r.get('s', 24)).toBeDefined();
  });
});
