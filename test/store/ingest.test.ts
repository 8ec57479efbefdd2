import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { bytesToText } from '../../src/core/bytes-text.js';
import { dumpGraph, LOCAL_ADMIN, searchFiles } from '../../src/graph/index.js';
import { ingest, IngestError, ingestNdjsonFile } from '../../src/ingest/index.js';
import { countRows, loadMigrations, migrate, type Store } from '../../src/store/index.js';
import { catSortPipeline, SyntheticTrace } from './synthetic-trace.js';
import { describeStores } from './stores.js';

async function snapshot(store: Store) {
  const { rows } = await store.db.query<{ line: string }>(`select concat_ws(' ', source, seq, idx, body) as line from raw_event order by source, seq, idx`);
  return { counts: await countRows(store.db), raw: rows.map((r) => r.line), graph: await dumpGraph(store.db) };
}

async function rejects(p: Promise<unknown>): Promise<IngestError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(IngestError);
    return err as IngestError;
  }
  throw new Error('expected the batch to be rejected');
}

describeStores('ingest', (ctx) => {
  it('stores a batch, its raw events and its graph; the same batch again changes nothing', async () => {
    const t = catSortPipeline();
    const r = await ingest(ctx.store, { source: 'run:a', seq: 0, events: t.events });
    expect(r.status).toBe('stored');
    expect(r.events).toBe(t.events.length);
    expect(r.aggregated?.events).toBe(t.events.length);
    const before = await snapshot(ctx.store);
    expect(before.counts.raw_event).toBe(t.events.length);
    expect(before.counts.edge).toBeGreaterThan(5);
    const again = await ingest(ctx.store, { source: 'run:a', seq: 0, events: t.ndjson() });
    expect(again.status).toBe('duplicate');
    expect(await snapshot(ctx.store)).toEqual(before);
  });

  it('rejects the same (source, seq) with different events', async () => {
    const t = catSortPipeline();
    await ingest(ctx.store, { source: 's', seq: 0, events: t.events });
    const e = await rejects(ingest(ctx.store, { source: 's', seq: 0, events: t.events.slice(1) }));
    expect(e.code).toBe('E_INGEST_CONFLICT');
  });

  it('rejects bad batches whole, naming the first bad event, and writes nothing', async () => {
    await ingest(ctx.store, { source: 'good', seq: 0, events: catSortPipeline().events });
    const before = await snapshot(ctx.store);
    const t = catSortPipeline();
    const good = t.events.map((e) => JSON.stringify(e));
    const cases: [string, unknown[] | string, RegExp, string][] = [
      ['wrong type', [...t.events.slice(0, 3), { ...t.events[3], ts: 'yesterday' }, ...t.events.slice(4)], /^event 3: ts:/, 'E_INGEST_INVALID'],
      ['unknown event kind', [...t.events.slice(0, 5), { type: 'file.teleport', ts: 1 }], /^event 5: /, 'E_INGEST_INVALID'],
      ['truncated JSON', [...good.slice(0, 2), good[2]!.slice(0, 40), ...good.slice(3)].join('\n'), /^event 2 \(line 3\): not JSON/, 'E_INGEST_INVALID'],
      ['extra field', [t.events[0], { ...t.events[1], extra: 1 }], /^event 1: /, 'E_INGEST_INVALID'],
      ['a 50 MB line', [...good.slice(0, 4), `{"type":"file.facts","ts":1,"path":"/x","exists":true,"hashSkipped":"${'x'.repeat(50 * 1024 * 1024)}"}`].join('\n'), /^event 4 \(line 5\): longer than/, 'E_INGEST_TOO_LARGE'],
    ];
    for (const [name, events, msg, code] of cases) {
      const e = await rejects(ingest(ctx.store, { source: 'bad', seq: 0, events }));
      expect(e.code, name).toBe(code);
      expect(e.message, name).toMatch(msg);
      expect(await snapshot(ctx.store), name).toEqual(before);
    }
    const e = await rejects(ingest(ctx.store, { source: '', seq: 0, events: [] }));
    expect(e.code).toBe('E_INGEST_BATCH');
    await rejects(ingest(ctx.store, { source: 'x', seq: -1, events: [] }));
    expect(await snapshot(ctx.store)).toEqual(before);
  });

  it('ingests an NDJSON file atomically and names the file line of a bad event', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiseki-ndjson-'));
    const t = catSortPipeline();
    const file = join(dir, 'trace.ndjson');
    writeFileSync(file, t.ndjson());
    const r = await ingestNdjsonFile(ctx.store, file, { batchSize: 5 });
    expect(r.batches.length).toBe(Math.ceil(t.events.length / 5));
    expect(r.batches[0]!.source).toBe(`run:${t.runId}`);
    const before = await snapshot(ctx.store);
    const again = await ingestNdjsonFile(ctx.store, file, { batchSize: 5 });
    expect(again.batches.every((b) => b.status === 'duplicate')).toBe(true);
    expect(await snapshot(ctx.store)).toEqual(before);

    const lines = catSortPipeline().ndjson().split('\n');
    lines.splice(12, 0, '', '{"type":"process.exit","ts":5'); // blank line, then a truncated event at line 14
    const bad = join(dir, 'bad.ndjson');
    writeFileSync(bad, lines.join('\n'));
    const e = await rejects(ingestNdjsonFile(ctx.store, bad, { batchSize: 5 }));
    expect(e.message).toMatch(/bad\.ndjson: event 12 \(line 14\): not JSON/);
    const huge = join(dir, 'huge.ndjson');
    writeFileSync(huge, lines.slice(0, 3).join('\n') + '\n' + 'x'.repeat(50 * 1024 * 1024) + '\n');
    const e2 = await rejects(ingestNdjsonFile(ctx.store, huge));
    expect(e2.code).toBe('E_INGEST_TOO_LARGE');
    expect(e2.message).toMatch(/line 4/);
    expect(await snapshot(ctx.store)).toEqual(before);
  });

  it('keeps paths that are not valid UTF-8 exactly', async () => {
    const weird = bytesToText(Buffer.from('/data/caf\xe9-\\xe9.csv', 'latin1'));
    const t = new SyntheticTrace();
    t.runStart(['w']);
    const p = t.spawn(null, '/usr/bin/w', ['w']);
    t.write(p, weird);
    t.write(p, '/data/caf\\xe9-\\xe9.csv'); // a valid name that looks the same when displayed
    t.runEnd();
    await ingest(ctx.store, { source: 'w', seq: 0, events: t.ndjson() });
    const { rows } = await ctx.store.db.query<{ body: string }>(`select body from raw_event where type = 'file.access'`);
    expect(rows.map((r) => JSON.parse(r.body).path)).toContain(weird);
    const found = await searchFiles(ctx.store, LOCAL_ADMIN, { filename: 'caf' });
    expect(found.total).toBe(2);
    expect(found.items.map((f) => f.path).sort()).toEqual([weird, '/data/caf\\xe9-\\xe9.csv'].sort());
  });

  it('applies migrations once, even when asked again', async () => {
    expect(await migrate(ctx.store.db)).toEqual([]);
    const { rows } = await ctx.store.db.query<{ version: number }>('select version from schema_migrations order by version');
    expect(rows.map((r) => Number(r.version))).toEqual(loadMigrations().map((m) => m.version));
  });
}, 'ingest');
