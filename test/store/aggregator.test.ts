import { expect, it } from 'vitest';
import { aggregate, aggregationStatus, dumpGraph } from '../../src/graph/index.js';
import { ingest } from '../../src/ingest/index.js';
import { resetStore } from '../../src/store/index.js';
import type { TraceEvent } from '../../src/core/trace-event.js';
import { catSortPipeline, mvTmpFinal, sedInPlace, threeStepPipeline } from './synthetic-trace.js';
import { describeStores, openTarget } from './stores.js';

/** Several sources, each cut into batches of `size` events. */
function batchesOf(size: number) {
  const traces = [catSortPipeline(), sedInPlace(), mvTmpFinal(), threeStepPipeline()];
  return traces.flatMap((t, i) => {
    const out: { source: string; seq: number; events: TraceEvent[] }[] = [];
    for (let k = 0; k * size < t.events.length; k++) out.push({ source: `src-${i}`, seq: k, events: t.events.slice(k * size, (k + 1) * size) });
    return out;
  });
}

const BATCHES = batchesOf(4);

/** Graph dumps, compared line by line so a failure shows what differs. */
function sameGraph(actual: string[], expected: string[]): void {
  const a = new Set(actual);
  const e = new Set(expected);
  expect({ missing: expected.filter((x) => !a.has(x)), extra: actual.filter((x) => !e.has(x)) }).toEqual({ missing: [], extra: [] });
}

describeStores('aggregator', (ctx) => {
  async function reference(): Promise<string[]> {
    await resetStore(ctx.store.db);
    for (const b of BATCHES) await ingest(ctx.store, b);
    const d = await dumpGraph(ctx.store.db);
    await resetStore(ctx.store.db);
    return d;
  }

  it('every batch sent twice gives the same graph', async () => {
    const ref = await reference();
    for (const b of BATCHES) {
      await ingest(ctx.store, b);
      expect((await ingest(ctx.store, b)).status).toBe('duplicate');
    }
    sameGraph(await dumpGraph(ctx.store.db), ref);
  });

  it('gives the same graph whatever the chunk size', async () => {
    const ref = await reference();
    for (const b of BATCHES) await ingest(ctx.store, b, { aggregate: false });
    const r = await aggregate(ctx.store, { chunkSize: 1 });
    expect(r.chunks).toBeGreaterThanOrEqual(BATCHES.reduce((n, b) => n + b.events.length, 0));
    sameGraph(await dumpGraph(ctx.store.db), ref);
    expect((await aggregate(ctx.store)).events).toBe(0);
  });

  it('takes one chunk of each source in turn, not one source after the other', async () => {
    await resetStore(ctx.store.db);
    for (const b of BATCHES) await ingest(ctx.store, b, { aggregate: false });
    const order: string[] = [];
    await aggregate(ctx.store, { chunkSize: 4, beforeCommit: (c) => void order.push(c.source) });
    // Every source has several chunks: the first round names each once.
    expect(order.slice(0, 4)).toEqual(['src-0', 'src-1', 'src-2', 'src-3']);
    expect(order.filter((s) => s === 'src-0').length).toBeGreaterThan(1);
  });

  it('aggregates what is stored, not events kept in memory from before the store was emptied', async () => {
    await resetStore(ctx.store.db);
    const b = sedInPlace().events;
    await ingest(ctx.store, { source: 'reused', seq: 0, events: b });
    const ref = await dumpGraph(ctx.store.db);
    await resetStore(ctx.store.db);
    await ingest(ctx.store, { source: 'reused', seq: 0, events: catSortPipeline().events }, { aggregate: false });
    await resetStore(ctx.store.db);
    await ingest(ctx.store, { source: 'reused', seq: 0, events: b }, { aggregate: false });
    await aggregate(ctx.store);
    sameGraph(await dumpGraph(ctx.store.db), ref);
  });

  it('waits at a missing batch, then catches up in order', async () => {
    const ref = await reference();
    const reversed = [...BATCHES].reverse();
    for (const b of reversed.slice(0, -1)) await ingest(ctx.store, b);
    const status = await aggregationStatus(ctx.store.db);
    const src0 = status.find((s) => s.source === 'src-0')!;
    expect(src0.nextSeq).toBe(0); // src-0 seq 0 has not arrived: nothing of src-0 aggregated
    expect(src0.pendingEvents).toBeGreaterThan(0);
    await ingest(ctx.store, reversed[reversed.length - 1]!);
    sameGraph(await dumpGraph(ctx.store.db), ref);
    expect((await aggregationStatus(ctx.store.db)).every((s) => s.pendingEvents === 0)).toBe(true);
  });

  it('two ingests at once give the same graph as one after the other', async () => {
    const ref = await reference();
    const other = ctx.target.kind === 'postgres' ? await openTarget(ctx.target) : ctx.store;
    try {
      const a = BATCHES.filter((_, i) => i % 2 === 0);
      const b = BATCHES.filter((_, i) => i % 2 === 1);
      await Promise.all([
        (async () => { for (const x of a) await ingest(ctx.store, x); })(),
        (async () => { for (const x of b) await ingest(other, x); })(),
      ]);
      await aggregate(ctx.store);
      sameGraph(await dumpGraph(ctx.store.db), ref);
    } finally {
      if (other !== ctx.store) await other.close();
    }
  });

  it('grows a running job\'s graph as events come', async () => {
    const t = threeStepPipeline();
    const half = Math.floor(t.events.length / 2);
    await ingest(ctx.store, { source: 'live', seq: 0, events: t.events.slice(0, half) });
    const { rows: r1 } = await ctx.store.db.query<{ n: number; state: string }>(`select (select count(*)::int from edge) as n, (select state from job) as state`);
    expect(r1[0]!.state).toBe('running');
    await ingest(ctx.store, { source: 'live', seq: 1, events: t.events.slice(half) });
    const { rows: r2 } = await ctx.store.db.query<{ n: number; state: string }>(`select (select count(*)::int from edge) as n, (select state from job) as state`);
    expect(r2[0]!.n).toBeGreaterThan(r1[0]!.n);
    expect(r2[0]!.state).toBe('completed');
  });
}, 'aggregator');
