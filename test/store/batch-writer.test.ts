import { expect, it } from 'vitest';
import { aggregationStatus, dumpGraph } from '../../src/graph/index.js';
import { BatchWriter, ingest } from '../../src/ingest/index.js';
import { resetStore } from '../../src/store/index.js';
import { threeStepPipeline } from './synthetic-trace.js';
import { describeStores } from './stores.js';

describeStores('batch writer', (ctx) => {
  it('streams events as numbered batches; the graph matches one big batch', async () => {
    const t = threeStepPipeline();
    const w = new BatchWriter(ctx.store, { source: 'live', batchSize: 7, maxDelayMs: 5 });
    for (const [i, e] of t.events.entries()) {
      w.push(e);
      if (i === 10) await new Promise((r) => setTimeout(r, 50)); // the timer sends a short batch
    }
    await w.flush();
    expect(w.results.map((r) => r.seq)).toEqual([...Array(w.nextSeq).keys()]);
    expect(w.results.some((r) => r.events < 7)).toBe(true);
    expect((await aggregationStatus(ctx.store.db))[0]!.pendingEvents).toBe(0);
    const streamed = await dumpGraph(ctx.store.db);
    await resetStore(ctx.store.db);
    await ingest(ctx.store, { source: 'live', seq: 0, events: t.events });
    expect(await dumpGraph(ctx.store.db)).toEqual(streamed);
  });

  it('reports a bad event on flush and sends nothing after it', async () => {
    const t = threeStepPipeline();
    const w = new BatchWriter(ctx.store, { source: 'bad', batchSize: 5, maxDelayMs: 1000 });
    for (const e of t.events.slice(0, 5)) w.push(e);
    w.push({ ...t.events[5]!, ts: -1 } as never);
    for (const e of t.events.slice(6, 12)) w.push(e);
    await expect(w.flush()).rejects.toMatchObject({ code: 'E_INGEST_INVALID' });
    expect(w.results.map((r) => r.seq)).toEqual([0]);
  });
}, 'batch-writer');
