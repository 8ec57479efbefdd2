// The server around the routes, over real HTTP: the OpenAPI document and
// its page, the web UI (built or not), JSON errors for unknown routes and
// methods, security headers, the Host and Origin checks, and the viewer
// (loopback = local admin; other hosts anonymous until sign-in exists).
import { request as httpRequest } from 'node:http';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { call, describeApi, loadReal, XSS } from './harness.js';

/** A raw HTTP request (fetch does not let one set Host). */
function raw(url: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const ROUTES: [string, string][] = [
  ['get', '/api/v1/search'], ['get', '/api/v1/jobs'], ['get', '/api/v1/jobs/{id}/graph'], ['get', '/api/v1/nodes/{id}'], ['get', '/api/v1/nodes/{id}/neighbours'],
  ['get', '/api/v1/lineage'], ['get', '/api/v1/entities'], ['get', '/api/v1/relations'], ['get', '/api/v1/export/prov-json'],
  ['get', '/api/v1/nodes/{id}/annotations'], ['post', '/api/v1/nodes/{id}/annotations'],
  ['put', '/api/v1/nodes/{id}/annotations/{annotationId}'], ['delete', '/api/v1/nodes/{id}/annotations/{annotationId}'],
  ['put', '/api/v1/nodes/{id}/visibility'], ['post', '/api/v1/links'], ['get', '/api/v1/links/{id}'], ['post', '/api/v1/ingest'],
  ['get', '/api/v1/health'],
  ['get', '/api/v1/auth/session'], ['post', '/api/v1/auth/login'], ['post', '/api/v1/auth/logout'],
  ['get', '/api/v1/tokens'], ['post', '/api/v1/tokens'], ['delete', '/api/v1/tokens/{id}'],
  ['get', '/api/v1/shares'], ['post', '/api/v1/shares'], ['delete', '/api/v1/shares/{id}'],
  ['get', '/api/v1/users'], ['patch', '/api/v1/users/{name}'], ['get', '/api/v1/audit'],
];

describeApi('the server', (ctx) => {
  let ui: RunningServer;
  let webDir: string;
  beforeAll(async () => {
    webDir = mkdtempSync(join(tmpdir(), 'kiseki-web-'));
    mkdirSync(join(webDir, 'assets'));
    writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>Kiseki UI</title><script type="module" src="/assets/app-1234.js"></script>');
    writeFileSync(join(webDir, 'assets', 'app-1234.js'), 'console.log("ui")');
    writeFileSync(join(webDir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    ui = await startServer({ store: ctx.store, port: 0, webDir });
  });
  afterAll(async () => {
    await ui?.close();
  });

  it('serves its OpenAPI document, made from the schemas that validate requests', async () => {
    const r = await ctx.get('/api/openapi.json');
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe('3.1.0');
    const have = Object.entries(r.body.paths as Record<string, Record<string, unknown>>).flatMap(([p, ms]) => Object.keys(ms).map((m) => `${m} ${p}`)).sort();
    expect(have).toEqual(ROUTES.map(([m, p]) => `${m} ${p}`).sort());
    const search = r.body.paths['/api/v1/search'].get;
    const pageSize = search.parameters.find((p: any) => p.name === 'pageSize');
    expect(pageSize).toMatchObject({ in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200, default: 20 } });
    expect(search.parameters.map((p: any) => p.name)).toEqual(expect.arrayContaining(['jobId', 'filename', 'annotation', 'script', 'user', 'from', 'to', 'visibility', 'includeSoftware', 'sort', 'order', 'page']));
    expect(Object.keys(r.body.components.schemas)).toEqual(expect.arrayContaining(['JobHit', 'GraphNode', 'GraphEdge', 'Group', 'Annotation', 'Error']));
    expect(r.body.paths['/api/v1/ingest'].post.requestBody.content).toHaveProperty('application/x-ndjson');
  });

  it('serves a browsable API page from this server (no CDN)', async () => {
    const page = await ctx.get('/api/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const srcs = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(srcs.every((s) => s.startsWith('/api/docs/'))).toBe(true);
    for (const s of srcs) {
      const a = await ctx.get(s);
      expect(a.status, s).toBe(200);
      expect(a.headers.get('x-content-type-options')).toBe('nosniff');
    }
    expect(page.text).not.toMatch(/<script>[^<]/); // no inline script: the CSP forbids it
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect((await ctx.get('/api/docs/init.js')).text).toContain('/api/openapi.json');
    expect((await ctx.get('/api/docs/../../etc/passwd')).status).toBe(404);
    expect((await ctx.get('/api/docs/package.json')).status).toBe(404);
  });

  it('serves the built web UI: files, index.html for its routes, a CSP', async () => {
    const get = (p: string) => call<string>(ui.url, 'GET', p);
    // A share link (/s/<JWT>) is a UI route even when its last segment looks like an extension (a cut-short token).
    for (const p of ['/', '/l/AbCdEf123456', '/graph/12', '/jobs/7/list', '/settings', '/s/eyJhbGciOiJIUzI1NiJ9.eyJzY29wZSI6ImpvYiJ9.abc', '/s/eyJ.eyJ.sig_-x9']) {
      const r = await get(p);
      expect([p, r.status]).toEqual([p, 200]);
      expect(r.text).toContain('<title>Kiseki UI</title>');
      expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(r.headers.get('content-security-policy')).toMatch(/^default-src 'self'/);
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('x-frame-options')).toBe('DENY');
    }
    const js = await get('/assets/app-1234.js');
    expect([js.status, js.headers.get('content-type'), js.headers.get('cache-control')]).toEqual([200, 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable']);
    expect((await get('/favicon.svg')).headers.get('content-type')).toBe('image/svg+xml');
    expect((await get('/assets/missing.js')).status).toBe(404);
    for (const p of ['/..%2f..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2f..%2fetc/passwd']) {
      const r = await raw(ui.url, 'GET', p, {});
      expect(r.text).not.toContain('root:');
    }
    // the API still answers JSON under the UI
    const api = await call<{ status: string }>(ui.url, 'GET', '/api/v1/health');
    expect(api.body.status).toBe('ok');
  });

  it('says the UI is not built when there is no dist/web', async () => {
    const r = await ctx.get('/');
    expect(r.status).toBe(200);
    expect(r.text).toMatch(/web UI is not built/);
    expect(r.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect((await ctx.get('/l/abc')).status).toBe(404);
  });

  it('answers unknown API routes and methods with JSON errors', async () => {
    const nope = await ctx.get('/api/v1/nothing');
    expect([nope.status, nope.body.error.code]).toEqual([404, 'E_NO_ROUTE']);
    expect(nope.headers.get('content-type')).toMatch(/^application\/json/);
    const v2 = await ctx.get('/api/v2/search');
    expect(v2.body.error.code).toBe('E_NO_ROUTE');
    const method = await ctx.call('DELETE', '/api/v1/search');
    expect([method.status, method.body.error.code]).toEqual([405, 'E_METHOD']);
    expect(method.body.error.message).toContain('GET');
    const patch = await ctx.call('PATCH', '/api/v1/nodes/1/visibility', { json: { visibility: 'public' } });
    expect([patch.status, patch.body.error.code]).toEqual([405, 'E_METHOD']);
  });

  it('sends security headers and JSON content types on every API answer', async () => {
    await loadReal(ctx);
    for (const p of ['/api/v1/search', '/api/v1/search?pageSize=999', '/api/v1/nodes/999999', `/api/v1/entities?type=file&filename=${encodeURIComponent('<img')}`]) {
      const r = await ctx.get(p);
      expect(r.headers.get('content-type'), p).toMatch(/^application\/json/);
      expect(r.headers.get('x-content-type-options'), p).toBe('nosniff');
      expect(r.headers.get('content-security-policy'), p).toBe("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
      expect(r.headers.get('referrer-policy'), p).toBe('no-referrer');
      // What one viewer is answered must not be kept for another.
      expect(r.headers.get('cache-control'), p).toBe('no-store');
    }
    const xss = await ctx.get(`/api/v1/entities?type=file&filename=${encodeURIComponent('onerror')}`);
    expect(xss.body.items[0].path.endsWith(`/${XSS}.txt`)).toBe(true);
    expect(xss.text).not.toMatch(/&lt;|\\u003c/); // a plain JSON string, neither HTML-escaped nor mangled
  });

  it('answers only to loopback host names when on loopback (DNS rebinding)', async () => {
    const ok = await raw(ctx.url, 'GET', '/api/v1/health', { host: `localhost:${new URL(ctx.url).port}` });
    expect(ok.status).toBe(200);
    const evil = await raw(ctx.url, 'GET', '/api/v1/health', { host: 'attacker.example:80' });
    expect(evil.status).toBe(403);
    expect(JSON.parse(evil.text).error.code).toBe('E_BAD_HOST');
    expect(evil.headers['x-content-type-options']).toBe('nosniff');
    const none = await raw(ctx.url, 'GET', '/', { host: 'attacker.example' });
    expect(none.status).toBe(403);
  });

  it('refuses changes from other sites (CSRF), takes them from its own pages and from non-browsers', async () => {
    await loadReal(ctx);
    const id = (await ctx.get('/api/v1/search')).body.items[0].id;
    const path = `/api/v1/nodes/${id}/annotations`;
    const evil = await ctx.call('POST', path, { json: { value: 'x' }, headers: { origin: 'http://attacker.example' } });
    expect([evil.status, evil.body.error.code]).toEqual([403, 'E_CROSS_ORIGIN']);
    const site = await ctx.call('POST', path, { json: { value: 'x' }, headers: { 'sec-fetch-site': 'cross-site' } });
    expect([site.status, site.body.error.code]).toEqual([403, 'E_CROSS_ORIGIN']);
    const own = await ctx.call('POST', path, { json: { value: 'mine' }, headers: { origin: ctx.url, 'sec-fetch-site': 'same-origin' } });
    expect(own.status).toBe(201);
    const cli = await ctx.post(path, { value: 'curl' });
    expect(cli.status).toBe(201);
    // reads from anywhere are fine (no cookies, nothing changes)
    expect((await ctx.call('GET', '/api/v1/search', { headers: { origin: 'http://attacker.example' } })).status).toBe(200);
  });

  it('takes the viewer from the request: loopback is the local admin, other hosts anonymous', async () => {
    await loadReal(ctx);
    const { fetch: handle } = createApp({ store: ctx.store });
    const from = (address: string) => ({ incoming: { socket: { remoteAddress: address, remotePort: 40000, remoteFamily: address.includes(':') ? 'IPv6' : 'IPv4' } } });
    const ask = async (address: string, path: string, init?: RequestInit) => {
      const res = await handle(new Request(`http://127.0.0.1${path}`, init), from(address));
      return { status: res.status, body: await res.json() as any };
    };
    expect((await ask('127.0.0.1', '/api/v1/search')).body.total).toBe(1);
    expect((await ask('::1', '/api/v1/search')).body.total).toBe(1);
    expect((await ask('::ffff:127.0.0.1', '/api/v1/search')).body.total).toBe(1);
    // 192.0.2.0/24 is TEST-NET-1: nothing is sent anywhere, the address is only what the request says
    expect((await ask('192.0.2.7', '/api/v1/search')).body.total).toBe(0);
    const job = (await ctx.get('/api/v1/search')).body.items[0].id;
    const post = await ask('192.0.2.7', `/api/v1/nodes/${job}/annotations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"value":"x"}' });
    expect([post.status, post.body.error.code]).toEqual([401, 'E_AUTH_REQUIRED']);
    await ctx.put(`/api/v1/nodes/${job}/visibility`, { visibility: 'public' });
    expect((await ask('192.0.2.7', '/api/v1/search')).body.total).toBe(1);
    expect((await ask('192.0.2.7', `/api/v1/nodes/${job}`)).status).toBe(200);
  });
}, 'api-server');
