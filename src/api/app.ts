// The `kiseki serve` application: API routes, OpenAPI document, docs page,
// the web UI, and the checks and headers every answer gets.
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ANONYMOUS } from '../graph/index.js';
import { AuthRuntime } from './auth/auth-runtime.js';
import { resolveAuth } from './auth/resolve-viewer.js';
import { registerAccessRoutes } from './routes/access.js';

export { ANONYMOUS };
import type { Store } from '../store/index.js';
import { AggregationRunner } from './aggregation.js';
import { decodeBody } from './body.js';
import { JobCountCache } from './cache.js';
import type { ApiDeps, ApiEnv } from './context.js';
import { DOCS_CSP, DOCS_PAGE, docsAsset } from './docs.js';
import { ApiError, describeZodError, toErrorResponse } from './errors.js';
import { registerRoutes } from './routes.js';
import { HealthResult, NoQuery } from './schemas.js';
import { API_CSP, checkOrigin, hostnameOf, securityHeaders, UI_CSP } from './security.js';
import { serveUi } from './static.js';

export const API_VERSION = '1.0.0';


export interface AppOptions {
  store: Store;
  aggregation?: AggregationRunner;
  webDir?: string;
  maxIngestBytes?: number;
  /** Host header check (DNS rebinding); default: none. */
  allowedHosts?: (hostname: string) => boolean;
  /** Sign-in settings (default: nothing configured, loopback clients are the local admin). */
  auth?: AuthRuntime;
  log?: (line: string) => void;
}

const JSON_BODY_LIMIT = 1024 * 1024;
const LINK_BODY_LIMIT = 64 * 1024;

async function drain(body: ReadableStream<Uint8Array> | null, max: number): Promise<void> {
  if (!body || body.locked) return;
  const reader = body.getReader();
  let n = 0;
  try {
    while (n <= max) {
      const { done, value } = await reader.read();
      if (done) return;
      n += value.byteLength;
    }
    await reader.cancel();
  } catch {
    /* the client went away */
  }
}

export interface KisekiApp {
  app: OpenAPIHono<ApiEnv>;
  deps: ApiDeps;
  /** app.fetch with gzip ingest bodies decoded first: what the HTTP server calls. */
  fetch(req: Request, env?: unknown): Promise<Response>;
}

export function createApp(opts: AppOptions): KisekiApp {
  const log = opts.log ?? (() => {});
  const jobCounts = new JobCountCache();
  const aggregation = opts.aggregation ?? new AggregationRunner(opts.store, log);
  aggregation.onChange = () => jobCounts.clear();
  const deps: ApiDeps = {
    store: opts.store,
    aggregation,
    jobCounts,
    auth: opts.auth ?? new AuthRuntime(),
    webDir: opts.webDir,
    maxIngestBytes: opts.maxIngestBytes ?? 64 * 1024 * 1024,
    allowedHosts: opts.allowedHosts,
    version: API_VERSION,
  };
  const app = new OpenAPIHono<ApiEnv>({
    strict: false,
    defaultHook: (result, c) => {
      if (!result.success) {
        const target = (result as { target?: string }).target ?? 'query';
        const code = target === 'json' ? 'E_BAD_BODY' : 'E_BAD_PARAMETER';
        const body = toErrorResponse(new ApiError(400, code, describeZodError(result.error, target))).body;
        return c.json(body, 400);
      }
      return undefined;
    },
  });

  const errorResponse = (c: Context, err: unknown) => {
    const { status, body, headers } = toErrorResponse(err);
    if (status >= 500) log(`${c.req.method} ${c.req.path}: ${body.error.code} ${body.error.message}`);
    const res = c.json(body, status, headers ?? {});
    securityHeaders(res, API_CSP);
    return res;
  };

  app.onError((err, c) => errorResponse(c, err));

  app.use('*', async (c, next) => {
    c.set('deps', deps);
    if (deps.allowedHosts) {
      const host = hostnameOf(c.req.header('host'));
      if (!host || !deps.allowedHosts(host)) {
        return errorResponse(c, new ApiError(403, 'E_BAD_HOST', `this server does not answer to the host ${JSON.stringify(c.req.header('host') ?? '')}`));
      }
    }
    try {
      checkOrigin(c);
      const auth = await resolveAuth(c, deps.store, deps.auth);
      c.set('auth', auth);
      c.set('viewer', auth.viewer);
    } catch (err) {
      return errorResponse(c, err);
    }
    await next();
    const api = c.req.path.startsWith('/api/');
    securityHeaders(c.res, api ? API_CSP : UI_CSP);
    // Answers depend on who asks: no browser or proxy may keep one for the next person (or the next share link).
    if (api && !c.res.headers.has('Cache-Control')) c.res.headers.set('Cache-Control', 'no-store');
    return undefined;
  });

  // Too large: read (and drop) up to 16 MiB of what is still coming, so that
  // the client, still sending, gets the 413 rather than a reset connection.
  const tooLarge = (max: number) => async (c: Context) => {
    await drain(c.req.raw.body, 16 * 1024 * 1024);
    return errorResponse(c, new ApiError(413, 'E_TOO_LARGE', `the body is larger than ${max} bytes`));
  };
  app.use('/api/v1/ingest', bodyLimit({ maxSize: deps.maxIngestBytes, onError: tooLarge(deps.maxIngestBytes) }));
  app.use('/api/v1/nodes/*', bodyLimit({ maxSize: JSON_BODY_LIMIT, onError: tooLarge(JSON_BODY_LIMIT) }));
  app.use('/api/v1/links', bodyLimit({ maxSize: LINK_BODY_LIMIT, onError: tooLarge(LINK_BODY_LIMIT) }));

  registerRoutes(app);
  registerAccessRoutes(app);

  app.openapi(createRoute({
    method: 'get', path: '/api/v1/health', tags: ['meta'], summary: 'Is the server up',
    request: { query: NoQuery },
    responses: { 200: { description: 'Up.', content: { 'application/json': { schema: HealthResult } } } },
  }), async (c) => {
    await deps.store.db.query('select 1');
    const e = deps.aggregation.lastError as { message?: string } | undefined;
    return c.json({
      status: 'ok' as const, version: API_VERSION, db: deps.store.db.kind,
      aggregation: { running: deps.aggregation.busy, lastError: e ? String(e.message ?? e) : null },
    }, 200);
  });

  app.doc31('/api/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Kiseki API', version: API_VERSION,
      description: 'Provenance of research data: search jobs and files, browse their provenance graphs, annotate, share, ingest trace events. '
        + 'Errors are { error: { code, message } } with stable codes (docs/api.md).',
    },
    tags: [
      { name: 'retrieval', description: 'Data retrieval API' },
      { name: 'integration', description: 'Data integration API' },
      { name: 'access', description: 'Sign-in, API tokens, share links, users, audit log' },
      { name: 'meta', description: 'Server' },
    ],
  });

  app.get('/api/docs', (c) => {
    const res = c.html(DOCS_PAGE);
    res.headers.set('Content-Security-Policy', DOCS_CSP);
    return res;
  });
  app.get('/api/docs/:file', async (c) => {
    const a = await docsAsset(c.req.param('file'));
    if (!a) throw new ApiError(404, 'E_NO_ROUTE', 'no such file');
    return c.body(a.body as never, 200, { 'Content-Type': a.type, 'Cache-Control': 'public, max-age=86400' });
  });

  // Unknown API routes: JSON 404 (405 when the path exists with another method).
  app.all('/api/*', (c) => {
    const known = app.routes.filter((r) => r.method !== 'ALL' && matchPath(r.path, c.req.path));
    if (known.length > 0) {
      throw new ApiError(405, 'E_METHOD', `${c.req.method} is not allowed here (allowed: ${[...new Set(known.map((r) => r.method))].join(', ')})`);
    }
    throw new ApiError(404, 'E_NO_ROUTE', `no API route ${c.req.method} ${c.req.path}`);
  });

  // The web UI.
  app.on(['GET', 'HEAD'], '*', async (c) => {
    const a = await serveUi(deps.webDir, c.req.path);
    return c.body(a.body as never, a.status, { 'Content-Type': a.type, 'Cache-Control': a.cache });
  });
  app.all('*', (c) => c.json({ error: { code: 'E_METHOD', message: `${c.req.method} is not allowed here` } }, 405));

  const fetch = async (req: Request, env?: unknown): Promise<Response> => {
    if (req.headers.has('content-encoding') && new URL(req.url).pathname === '/api/v1/ingest') {
      try {
        req = await decodeBody(req, deps.maxIngestBytes);
      } catch (err) {
        const { status, body } = toErrorResponse(err);
        const res = new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json; charset=UTF-8' } });
        securityHeaders(res, API_CSP);
        return res;
      }
    }
    return app.fetch(req, env);
  };
  return { app, deps, fetch };
}

function matchPath(pattern: string, path: string): boolean {
  if (pattern.includes('*')) return false;
  const re = new RegExp(`^${pattern.split('/').map((s) => (s.startsWith(':') ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/')}/?$`);
  return re.test(path);
}
