// Talking to a Kiseki server's HTTP API (docs/api.md) with an API token.
// Every error answer is `{ error: { code, message } }`: it becomes a
// RemoteError with that code, so the CLI prints the server's own words
// (`kiseki: no such node 42 [E_NOT_FOUND]`) and exits non-zero.
import { CliError, EXIT_FAILURE } from '../errors.js';

/** An error answer of the server (status ≥ 400). */
export class RemoteError extends CliError {
  constructor(readonly status: number, code: string, message: string, readonly retryAfter?: number) {
    super(code, message, EXIT_FAILURE);
  }
}

/** The server could not be reached at all (refused, no such host, timed out). */
export class UnreachableError extends CliError {
  constructor(server: string, reason: string) {
    super('E_SERVER_UNREACHABLE', `cannot reach the Kiseki server at ${server}: ${reason}`);
  }
}

export interface ApiClientOptions {
  server: string;
  token?: string;
  /** Per request (default 60 s: a big lineage or export takes a while). */
  timeoutMs?: number;
}

export type Query = Record<string, string | number | boolean | undefined>;

/** `https://host:8080/` → `https://host:8080`; a bare host:port gets http://. */
export function normalizeServer(url: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    throw new CliError('E_USAGE', `not a server URL: ${JSON.stringify(url)} (e.g. https://kiseki.example.org)`, 2);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new CliError('E_USAGE', `the server URL must be http:// or https://, got ${url}`, 2);
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
}

export class ApiClient {
  readonly server: string;
  private readonly token: string | undefined;
  private readonly timeoutMs: number;

  constructor(o: ApiClientOptions) {
    this.server = normalizeServer(o.server);
    this.token = o.token;
    this.timeoutMs = o.timeoutMs ?? 60_000;
  }

  get signedIn(): boolean {
    return this.token !== undefined;
  }

  get<T>(path: string, query: Query = {}): Promise<T> {
    return this.call<T>('GET', path, { query });
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('POST', path, { body });
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('PUT', path, { body });
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('PATCH', path, { body });
  }

  delete(path: string): Promise<void> {
    return this.call<void>('DELETE', path, {});
  }

  /** The answer's JSON (undefined for 204). */
  async call<T>(method: string, path: string, o: { query?: Query; body?: unknown; token?: string }): Promise<T> {
    return (await this.request<T>(method, path, o)).json;
  }

  /** The answer's JSON and headers. */
  async request<T>(method: string, path: string, o: { query?: Query; body?: unknown; token?: string }): Promise<{ json: T; headers: Headers }> {
    const url = new URL(`${this.server}${path}`);
    for (const [k, v] of Object.entries(o.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = o.token ?? this.token;
    if (token) headers.authorization = `Bearer ${token}`;
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(url, {
        method, headers, redirect: 'error',
        ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new UnreachableError(this.server, networkReason(err, this.timeoutMs));
    }
    const text = await res.text();
    if (!res.ok) throw errorOf(res, text, token !== undefined);
    if (res.status === 204 || text === '') return { json: undefined as T, headers: res.headers };
    try {
      return { json: JSON.parse(text) as T, headers: res.headers };
    } catch {
      throw new CliError('E_SERVER_ANSWER', `${method} ${path}: the server at ${this.server} did not answer JSON (is it a Kiseki server?)`);
    }
  }
}

function networkReason(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; cause?: { code?: string; message?: string }; message?: string };
  if (e.name === 'TimeoutError') return `no answer within ${Math.round(timeoutMs / 1000)} s`;
  const code = e.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused (is `kiseki serve` running there?)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'no such host';
  if (code === 'ECONNRESET') return 'the connection was reset';
  return e.cause?.message ?? e.message ?? String(err);
}

function errorOf(res: Response, text: string, withToken: boolean): RemoteError {
  let code = `E_HTTP_${res.status}`;
  let message = `the server answered ${res.status} ${res.statusText}`;
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    if (body.error?.code) code = body.error.code;
    if (body.error?.message) message = body.error.message;
  } catch { /* not JSON: keep the status line */ }
  const retry = Number(res.headers.get('retry-after') ?? NaN);
  // Say what to do about a refused credential, in the CLI's words.
  if (res.status === 401 && withToken && (code === 'E_AUTH_TOKEN' || code === 'E_AUTH_REQUIRED')) message += '; sign in again: kiseki login';
  else if (res.status === 401 && !withToken && code === 'E_AUTH_REQUIRED') message += ' (kiseki login)';
  return new RemoteError(res.status, code, message, Number.isFinite(retry) ? retry : undefined);
}
