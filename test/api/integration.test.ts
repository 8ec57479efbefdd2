// Data integration API over real HTTP, on PGlite and PostgreSQL: ingest
// (JSON, NDJSON, gzip; idempotent; bad batches refused whole), annotations,
// visibility, permanent links.
import { gzipSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { startServer } from '../../src/api/server.js';
import { createNodeToken, revokeNodeToken } from '../../src/ingest/node-tokens.js';
import { countRows } from '../../src/store/index.js';
import { catSortPipeline, SyntheticTrace } from '../store/synthetic-trace.js';
import { call, describeApi, loadReal, XSS, type ApiContext } from './harness.js';

function expectError(r: { status: number; body: any }, status: number, code: string, mentions?: string | RegExp): void {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.body.error.code).toBe(code);
  if (mentions) expect(r.body.error.message).toMatch(mentions);
}

const ndjson = (ctx: ApiContext, query: string, body: BodyInit, headers: Record<string, string> = {}) =>
  ctx.call('POST', `/api/v1/ingest${query}`, { body, headers: { 'content-type': 'application/x-ndjson', ...headers } });

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function fileNode(ctx: ApiContext, fragment: string): Promise<number> {
  const r = await ctx.get(`/api/v1/entities?type=file&filename=${encodeURIComponent(fragment)}`);
  return r.body.items[0].id as number;
}

describeApi('integration API', (ctx) => {
  it('ingest: JSON and NDJSON batches, idempotent, conflicts refused', async () => {
    const t = catSortPipeline();
    const events = t.events;
    const first = await ctx.post('/api/v1/ingest?wait=true', { source: 'run:a', seq: 0, events: events.slice(0, 5) });
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ source: 'run:a', seq: 0, status: 'stored', events: 5, aggregated: true });
    const again = await ctx.post('/api/v1/ingest', { source: 'run:a', seq: 0, events: events.slice(0, 5) });
    expect([again.status, again.body.status]).toEqual([200, 'duplicate']);
    expectError(await ctx.post('/api/v1/ingest', { source: 'run:a', seq: 0, events: events.slice(0, 4) }), 409, 'E_INGEST_CONFLICT');
    const rest = events.slice(5).map((e) => JSON.stringify(e)).join('\n');
    const nd = await ndjson(ctx, '?source=run:a&seq=1&wait=1', rest);
    expect([nd.status, nd.body.events]).toEqual([202, events.length - 5]);
    expect((await ctx.get('/api/v1/search?script=job.sh')).body.total).toBe(1);
    // headers instead of the query
    const s = new SyntheticTrace();
    s.runStart(['true']).runEnd();
    const h = await ndjson(ctx, '?wait=true', s.ndjson(), { 'x-kiseki-source': 'run:h', 'x-kiseki-seq': '0' });
    expect([h.status, h.body.source, h.body.seq]).toEqual([202, 'run:h', 0]);
    // gzip, as agents send it
    const g = await ctx.call('POST', '/api/v1/ingest?wait=true', {
      body: new Uint8Array(gzipSync(JSON.stringify({ source: 'run:gz', seq: 0, events: new SyntheticTrace().runStart(['x']).runEnd().events }))),
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    });
    expect([g.status, g.body.events]).toEqual([202, 2]);
  });

  it('ingest: a bad batch is refused whole, naming the first bad event; nothing is written', async () => {
    const before = await countRows(ctx.store.db);
    const t = catSortPipeline();
    const lines = t.events.map((e) => JSON.stringify(e));
    const broken = [...lines];
    broken[3] = JSON.stringify({ ...t.events[3], ts: 'yesterday' });
    const r = await ndjson(ctx, '?source=run:bad&seq=0', broken.join('\n'));
    expectError(r, 400, 'E_INGEST_INVALID', /event 3 \(line 4\).*ts/);
    expect([r.body.error.index, r.body.error.line]).toEqual([3, 4]);
    const notJson = [...lines];
    notJson[1] = '{"type": "run.start",';
    expectError(await ndjson(ctx, '?source=run:bad&seq=0', notJson.join('\n')), 400, 'E_INGEST_INVALID', /event 1 \(line 2\): not JSON/);
    expectError(await ctx.post('/api/v1/ingest', { source: 'run:bad', seq: 0, events: [t.events[0], { type: 'file.teleport', ts: 1 }] }), 400, 'E_INGEST_INVALID', /event 1/);
    const huge = JSON.stringify({ ...t.events[0], argv: ['x'.repeat(1024 * 1024)] });
    expectError(await ndjson(ctx, '?source=run:bad&seq=0', `${lines[0]}\n${huge}\n`), 413, 'E_INGEST_TOO_LARGE', /event 1/);
    expectError(await ndjson(ctx, '', lines.join('\n')), 400, 'E_INGEST_BATCH', /source/);
    expectError(await ndjson(ctx, '?source=run:bad', lines.join('\n')), 400, 'E_INGEST_BATCH', /seq/);
    expectError(await ndjson(ctx, '?source=run:bad&seq=-1', lines.join('\n')), 400, 'E_BAD_PARAMETER', /seq/);
    expectError(await ndjson(ctx, '?source=run:bad&seq=0&priority=high', lines.join('\n')), 400, 'E_BAD_PARAMETER', /unknown parameter "priority"/);
    expectError(await ctx.post('/api/v1/ingest', { source: 'run:bad', seq: 0, events: [], extra: true }), 400, 'E_BAD_BODY', /unknown field "extra"/);
    expectError(await ctx.post('/api/v1/ingest', { source: 'run:bad', seq: 'zero', events: [] }), 400, 'E_BAD_BODY', /seq/);
    expectError(await ctx.post('/api/v1/ingest', { source: '', seq: 0, events: [] }), 400, 'E_BAD_BODY', /source/);
    expectError(await ctx.post('/api/v1/ingest?source=x&seq=0', { source: 'run:bad', seq: 0, events: [] }), 400, 'E_BAD_PARAMETER', /JSON body/);
    expectError(await ctx.call('POST', '/api/v1/ingest', { body: '{"source":', headers: { 'content-type': 'application/json' } }), 400, 'E_BAD_JSON');
    expectError(await ctx.call('POST', '/api/v1/ingest?source=a&seq=0', { body: lines.join('\n'), headers: { 'content-type': 'text/plain' } }), 415, 'E_MEDIA_TYPE');
    expectError(await ctx.call('POST', '/api/v1/ingest', { body: 'x', headers: { 'content-type': 'application/json', 'content-encoding': 'br' } }), 415, 'E_MEDIA_TYPE', /br/);
    expectError(await ctx.call('POST', '/api/v1/ingest', { body: 'not gzip', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } }), 400, 'E_BAD_BODY', /gzip/);
    expect(await countRows(ctx.store.db)).toEqual(before);
  });

  it('ingest: bodies beyond the server limit are 413, compressed or not', async () => {
    const small = await startServer({ store: ctx.store, port: 0, maxIngestBytes: 4096 });
    try {
      const big = new SyntheticTrace();
      big.runStart(['x']);
      const p = big.spawn(null, '/bin/x', ['x']);
      for (let i = 0; i < 100; i++) big.write(p, `/data/file-${i}`);
      const text = big.ndjson();
      expect(text.length).toBeGreaterThan(4096);
      expectError(await call(small.url, 'POST', '/api/v1/ingest?source=s&seq=0', { body: text, headers: { 'content-type': 'application/x-ndjson' } }), 413, 'E_TOO_LARGE');
      const bomb = gzipSync(Buffer.alloc(1024 * 1024, 32));
      expectError(await call(small.url, 'POST', '/api/v1/ingest', { body: new Uint8Array(bomb), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } }), 413, 'E_TOO_LARGE', /decompressed/);
    } finally {
      await small.close();
    }
  });

  it('ingest: agents authenticate with node tokens; unknown or revoked ones are 401 with the reason', async () => {
    const token = await createNodeToken(ctx.store.db, 'node-7');
    const batch = (seq: number) => ({ source: 'agent:node-7', seq, events: new SyntheticTrace().runStart(['x']).runEnd().events });
    const ok = await ctx.call('POST', '/api/v1/ingest', { json: batch(0), headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(202);
    const unknown = await ctx.call('POST', '/api/v1/ingest', { json: batch(1), headers: { authorization: 'Bearer kst_nope' } });
    expectError(unknown, 401, 'E_NODE_TOKEN', /unknown node token/);
    expect(unknown.headers.get('www-authenticate')).toBe('Bearer');
    await revokeNodeToken(ctx.store.db, { node: 'node-7' });
    expectError(await ctx.call('POST', '/api/v1/ingest', { json: batch(1), headers: { authorization: `Bearer ${token}` } }), 401, 'E_NODE_TOKEN', /node-7 was revoked/);
  });

  it('ingest: aggregation runs in the background; a running job grows as its batches come', async () => {
    const t = catSortPipeline();
    const cut = t.events.findIndex((e) => e.type === 'file.access' && e.path.endsWith('/a'));
    const r0 = await ctx.post('/api/v1/ingest', { source: 'run:live', seq: 0, events: t.events.slice(0, cut) });
    expect([r0.status, r0.body.aggregated]).toEqual([202, false]);
    const job = await until('the job', async () => (await ctx.get('/api/v1/search')).body.items[0]);
    expect(job.state).toBe('running');
    const g0 = await until('the first graph', async () => {
      const g = await ctx.get(`/api/v1/jobs/${job.id}/graph`);
      return g.body.nodes?.some((n: any) => n.kind === 'process') ? g.body : undefined;
    });
    await ctx.post('/api/v1/ingest', { source: 'run:live', seq: 1, events: t.events.slice(cut) });
    const g1 = await until('the graph to grow', async () => {
      const g = await ctx.get(`/api/v1/jobs/${job.id}/graph`);
      return g.body.nodes.length > g0.nodes.length && g.body.nodes.some((n: any) => n.path?.endsWith('/b')) ? g.body : undefined;
    });
    expect(g1.nodes.map((n: any) => n.path).filter(Boolean)).toEqual(expect.arrayContaining(['/home/alice/work/a', '/home/alice/work/b']));
    const done = await until('the job to end', async () => {
      const j = (await ctx.get('/api/v1/search')).body.items[0];
      return j.state === 'completed' ? j : undefined;
    });
    expect(done.end).toBeTruthy();
    const health = await ctx.get('/api/v1/health');
    expect(health.body).toMatchObject({ status: 'ok', db: ctx.store.db.kind, aggregation: { lastError: null } });
  });

  it('annotations: add, list, change, remove; found by search; shown in the list view', async () => {
    await loadReal(ctx);
    const file = await fileNode(ctx, 'sorted.csv');
    expect((await ctx.get(`/api/v1/nodes/${file}/annotations`)).body).toEqual({ items: [] });
    const a = await ctx.post(`/api/v1/nodes/${file}/annotations`, { key: 'experiment', value: 'calibration run 7' });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ node: file, key: 'experiment', value: 'calibration run 7', author: expect.any(String) });
    expect(a.body.createdAt).toBe(a.body.updatedAt);
    const b = await ctx.post(`/api/v1/nodes/${file}/annotations`, { value: XSS });
    expect(b.body.key).toBe('');
    expect(b.text).toContain(JSON.stringify(XSS));
    const list = await ctx.get(`/api/v1/nodes/${file}/annotations`);
    expect(list.body.items.map((x: any) => x.value)).toEqual(['calibration run 7', XSS]);
    expect((await ctx.get(`/api/v1/nodes/${file}`)).body.annotations).toHaveLength(2);
    const found = await ctx.get('/api/v1/search?annotation=CALIBRATION');
    expect(found.body.total).toBe(1);
    expect((await ctx.get('/api/v1/search?annotation=experiment')).body.total).toBe(1);
    expect((await ctx.get('/api/v1/search?annotation=nothing-like-this')).body.total).toBe(0);
    const row = (await ctx.get('/api/v1/entities?type=file&filename=sorted.csv')).body.items[0];
    expect(row.additem).toBe(`experiment: calibration run 7; ${XSS}`);
    await new Promise((r) => setTimeout(r, 20));
    const changed = await ctx.put(`/api/v1/nodes/${file}/annotations/${a.body.id}`, { value: 'calibration run 8' });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ id: a.body.id, key: 'experiment', value: 'calibration run 8', createdAt: a.body.createdAt });
    expect(Date.parse(changed.body.updatedAt)).toBeGreaterThan(Date.parse(changed.body.createdAt));
    const rekeyed = await ctx.put(`/api/v1/nodes/${file}/annotations/${a.body.id}`, { key: 'exp', value: 'calibration run 8' });
    expect(rekeyed.body.key).toBe('exp');
    const other = await fileNode(ctx, 'in.csv');
    expectError(await ctx.put(`/api/v1/nodes/${other}/annotations/${a.body.id}`, { value: 'x' }), 404, 'E_NOT_FOUND');
    expectError(await ctx.del(`/api/v1/nodes/${other}/annotations/${a.body.id}`), 404, 'E_NOT_FOUND');
    const gone = await ctx.del(`/api/v1/nodes/${file}/annotations/${a.body.id}`);
    expect([gone.status, gone.text]).toEqual([204, '']);
    expectError(await ctx.del(`/api/v1/nodes/${file}/annotations/${a.body.id}`), 404, 'E_NOT_FOUND');
    expect((await ctx.get(`/api/v1/nodes/${file}/annotations`)).body.items).toHaveLength(1);
  });

  it('annotations: bad input is 400 with the reason, unknown nodes 404', async () => {
    await loadReal(ctx);
    const file = await fileNode(ctx, 'sorted.csv');
    const path = `/api/v1/nodes/${file}/annotations`;
    expectError(await ctx.post(path, { value: '' }), 400, 'E_BAD_BODY', /value/);
    expectError(await ctx.post(path, { key: 'k' }), 400, 'E_BAD_BODY', /value/);
    expectError(await ctx.post(path, { value: 42 }), 400, 'E_BAD_BODY', /value/);
    expectError(await ctx.post(path, { value: 'x'.repeat(10_001) }), 400, 'E_BAD_BODY', /value/);
    expectError(await ctx.post(path, { key: 'k'.repeat(201), value: 'x' }), 400, 'E_BAD_BODY', /key/);
    expectError(await ctx.post(path, { value: 'x', color: 'red' }), 400, 'E_BAD_BODY', /unknown field "color"/);
    expectError(await ctx.post(path, ['x']), 400, 'E_BAD_BODY');
    expectError(await ctx.call('POST', path, { body: '{"value": ', headers: { 'content-type': 'application/json' } }), 400, 'E_BAD_JSON');
    expectError(await ctx.call('POST', path, { body: 'value=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'E_MEDIA_TYPE');
    expectError(await ctx.call('POST', path, { body: JSON.stringify({ value: 'x'.repeat(2 * 1024 * 1024) }), headers: { 'content-type': 'application/json' } }), 413, 'E_TOO_LARGE');
    expectError(await ctx.post('/api/v1/nodes/999999/annotations', { value: 'x' }), 404, 'E_NOT_FOUND');
    expectError(await ctx.get('/api/v1/nodes/999999/annotations'), 404, 'E_NOT_FOUND');
    expectError(await ctx.put(`${path}/abc`, { value: 'x' }), 400, 'E_BAD_PARAMETER', /annotationId/);
    expectError(await ctx.put(`${path}/12345`, { value: 'x' }), 404, 'E_NOT_FOUND');
    expectError(await ctx.put(`${path}/12345`, { value: 'x', extra: 1 }), 400, 'E_BAD_BODY', /unknown field "extra"/);
  });

  it('visibility: set on a node, on a job and its files; shown and searchable', async () => {
    await loadReal(ctx);
    const file = await fileNode(ctx, 'sorted.csv');
    const r = await ctx.put(`/api/v1/nodes/${file}/visibility`, { visibility: 'group' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: file, kind: 'file', visibility: 'group', updated: 1 });
    expect((await ctx.get(`/api/v1/nodes/${file}`)).body.node.visibility).toBe('group');
    const job = (await ctx.get('/api/v1/search')).body.items[0].id;
    const j = await ctx.put(`/api/v1/nodes/${job}/visibility`, { visibility: 'public', applyToFiles: true });
    expect(j.body.visibility).toBe('public');
    expect(j.body.updated).toBeGreaterThan(25);
    expect((await ctx.get('/api/v1/search?visibility=public')).body.total).toBe(1);
    const files = await ctx.get('/api/v1/entities?type=file&filename=part&pageSize=200');
    expect(new Set(files.body.items.map((f: any) => f.visibility))).toEqual(new Set(['public']));
    expect((await ctx.get(`/api/v1/nodes/${file}`)).body.node.visibility).toBe('public');
    expectError(await ctx.put(`/api/v1/nodes/${file}/visibility`, { visibility: 'public', applyToFiles: true }), 400, 'E_BAD_PARAMETER', /applyToFiles/);
    expectError(await ctx.put(`/api/v1/nodes/${file}/visibility`, { visibility: 'secret' }), 400, 'E_BAD_BODY', /visibility/);
    expectError(await ctx.put(`/api/v1/nodes/${file}/visibility`, {}), 400, 'E_BAD_BODY', /visibility/);
    expectError(await ctx.put(`/api/v1/nodes/${file}/visibility`, { visibility: 'public', owner: 0 }), 400, 'E_BAD_BODY', /unknown field "owner"/);
    expectError(await ctx.put('/api/v1/nodes/999999/visibility', { visibility: 'public' }), 404, 'E_NOT_FOUND');
  });

  it('links: a permanent link to a search and a selection', async () => {
    const search = { jobId: '1001', filename: '*.csv', view: 'graph', includeSoftware: false, from: null, tags: ['a', 'b'] };
    const made = await ctx.post('/api/v1/links', { search, selection: '42' });
    expect(made.status).toBe(201);
    expect(made.body.id).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(made.body.url).toBe(`${ctx.url}/l/${made.body.id}`);
    const got = await ctx.get(`/api/v1/links/${made.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual({ id: made.body.id, search, selection: '42', createdAt: expect.any(String) });
    const bare = await ctx.post('/api/v1/links', { search: { filename: XSS } });
    expect((await ctx.get(`/api/v1/links/${bare.body.id}`)).body).toMatchObject({ search: { filename: XSS }, selection: null });
    expect((await ctx.post('/api/v1/links', { search: {} })).body.id).not.toBe(bare.body.id);
    expectError(await ctx.get('/api/v1/links/AAAAAAAAAAAAAAAA'), 404, 'E_NOT_FOUND');
    expectError(await ctx.get('/api/v1/links/no!'), 400, 'E_BAD_PARAMETER');
    expectError(await ctx.post('/api/v1/links', { selection: 'x' }), 400, 'E_BAD_BODY', /search/);
    expectError(await ctx.post('/api/v1/links', { search: 'jobId=1' }), 400, 'E_BAD_BODY', /search/);
    expectError(await ctx.post('/api/v1/links', { search: { deep: { er: 1 } } }), 400, 'E_BAD_BODY', /search/);
    expectError(await ctx.post('/api/v1/links', { search: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])) }), 400, 'E_BAD_BODY', /50/);
    expectError(await ctx.post('/api/v1/links', { search: {}, owner: 'me' }), 400, 'E_BAD_BODY', /unknown field "owner"/);
    expectError(await ctx.call('POST', '/api/v1/links', { body: JSON.stringify({ search: { q: 'x'.repeat(70_000) } }), headers: { 'content-type': 'application/json' } }), 413, 'E_TOO_LARGE');
  });
}, 'api-integration');
