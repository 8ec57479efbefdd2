// API errors: every error answer is `{ error: { code, message } }` with a
// stable code. Errors of the lower layers (graph, ingest, store) keep their
// own codes and get the fitting HTTP status here, in one place.
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import { KisekiError } from '../core/errors.js';
import { GraphError } from '../graph/index.js';
import { IngestError } from '../ingest/index.js';
import { StoreError } from '../store/index.js';

export type ApiErrorCode =
  | 'E_BAD_PARAMETER' // a query or path parameter is missing, unknown, of the wrong type or out of range
  | 'E_BAD_BODY' // the JSON body does not match the route's schema
  | 'E_BAD_JSON' // the body is not JSON
  | 'E_MEDIA_TYPE' // the body's Content-Type is not one the route takes
  | 'E_TOO_LARGE' // the body is larger than the route takes
  | 'E_NOT_FOUND' // no such node, annotation or link
  | 'E_NO_ROUTE' // no such API route
  | 'E_METHOD' // the route exists, not with this method
  | 'E_NODE_TOKEN' // ingest: a node token that is unknown or revoked (401)
  | 'E_FORBIDDEN' // the viewer may not do this
  | 'E_BAD_HOST' // Host header not this server's (DNS rebinding)
  | 'E_CROSS_ORIGIN' // a state-changing request from another origin
  | 'E_INTERNAL' // a bug: the message says what failed
  | 'E_UNAVAILABLE'; // the database cannot be reached

export interface ErrorBody {
  error: { code: string; message: string; index?: number; line?: number };
}

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode, readonly code: ApiErrorCode | string, message: string,
    readonly extra: Record<string, unknown> = {}, readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const notFound = (what: string) => new ApiError(404, 'E_NOT_FOUND', `no such ${what}`);
export const badParameter = (message: string) => new ApiError(400, 'E_BAD_PARAMETER', message);

/** One line per problem: `pageSize: Too big: expected number to be <=200`. */
export function describeZodError(err: ZodError, where: 'query' | 'param' | 'json' | string): string {
  const parts = err.issues.slice(0, 5).map((i) => {
    if (i.code === 'unrecognized_keys') {
      const noun = where === 'json' ? 'field' : 'parameter';
      return `unknown ${noun}${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    }
    const path = i.path.map(String).join('.');
    return path ? `${path}: ${i.message}` : i.message;
  });
  if (err.issues.length > 5) parts.push(`and ${err.issues.length - 5} more`);
  return parts.join('; ');
}

const INGEST_STATUS: Record<string, ContentfulStatusCode> = {
  E_INGEST_INVALID: 400, E_INGEST_TOO_LARGE: 413, E_INGEST_BATCH: 400, E_INGEST_CONFLICT: 409, E_INGEST_IO: 500,
};

const HTTP_CODES: Partial<Record<number, ApiErrorCode>> = {
  400: 'E_BAD_PARAMETER', 403: 'E_FORBIDDEN', 404: 'E_NOT_FOUND', 405: 'E_METHOD', 413: 'E_TOO_LARGE', 415: 'E_MEDIA_TYPE',
};

/** Any thrown value → (status, body). Unknown errors are 500 E_INTERNAL. */
export function toErrorResponse(err: unknown): { status: ContentfulStatusCode; body: ErrorBody; headers?: Record<string, string> } {
  const out = (status: ContentfulStatusCode, code: string, message: string, extra: Record<string, unknown> = {}) =>
    ({ status, body: { error: { code, message, ...extra } } });
  if (err instanceof ApiError) return { ...out(err.status, err.code, err.message, err.extra), headers: err.headers };
  if (err instanceof IngestError) {
    const extra: Record<string, unknown> = {};
    if (err.index !== undefined) extra.index = err.index;
    if (err.line !== undefined) extra.line = err.line;
    return out(INGEST_STATUS[err.code] ?? 400, err.code, err.message, extra);
  }
  if (err instanceof GraphError) {
    if (err.code === 'E_GRAPH_NOT_FOUND') return out(404, 'E_NOT_FOUND', err.message);
    if (err.code === 'E_GRAPH_QUERY') return out(400, 'E_BAD_PARAMETER', err.message);
    return out(500, err.code, err.message);
  }
  if (err instanceof StoreError) return out(503, err.code, err.message);
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    let message = err.message || `HTTP ${status}`;
    let code: string = HTTP_CODES[status] ?? (status >= 500 ? 'E_INTERNAL' : 'E_BAD_PARAMETER');
    if (status === 415) message = 'unsupported Content-Type: send application/json (ingest: application/x-ndjson too)';
    if (/malformed json|json/i.test(message) && status === 400) {
      code = 'E_BAD_JSON';
      message = 'the body is not valid JSON';
    }
    return out(status, code, message);
  }
  if (err instanceof KisekiError) return out(400, err.code, err.message);
  const e = err as { code?: unknown; message?: unknown };
  // node-postgres connection failures
  if (typeof e?.code === 'string' && /^(ECONNREFUSED|ENOENT|57P01|57P03|08\w{3})$/.test(e.code)) {
    return out(503, 'E_UNAVAILABLE', `the database is not reachable: ${String(e.message)}`);
  }
  return out(500, 'E_INTERNAL', `internal error: ${typeof e?.message === 'string' ? e.message : String(err)}`);
}
