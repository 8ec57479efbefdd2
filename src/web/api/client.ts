// A small fetch wrapper for /api/v1: JSON in and out, and every failure
// (HTTP error, network error, a body that is not JSON) as an ApiError with
// the server's code and message, so the UI can say what went wrong.
// It also carries who is asking: the CSRF token of a cookie session (sent
// with every change), the share link token of a /s/<token> page (sent with
// every call), and it tells the page when the session has ended.
import type {
  Annotation, AuditPage, EntityRow, EntityType, GraphEdge, GraphNode, JobGraph, JobHit, LinkCreated, LinkResult,
  Neighbour, NodeResult, Paged, Relation, Session, ShareCreated, ShareInfo, TokenCreated, TokenInfo, UserInfo, Visibility,
} from './types';

export const API_BASE = '/api/v1';

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly retryAfter?: number) {
    super(message);
    this.name = 'ApiError';
  }
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
let csrfToken: string | null = null;
let shareToken: string | null = null;

/** The CSRF token of the cookie session (from /auth/session or a sign-in); null when there is none. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** A share link page sends its token with every call; the server then shows only the link's scope. */
export function setShareToken(token: string | null): void {
  shareToken = token;
}

/** Fired when the server says the cookie session is over (signed out elsewhere, or idle too long). */
export const SESSION_ENDED = 'kiseki:session-ended';

export type Query = Record<string, string | number | boolean | undefined | null>;

export function queryString(q: Query): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null || v === '') continue;
    p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

export async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (csrfToken && !SAFE.has(method)) headers['x-csrf-token'] = csrfToken;
    if (shareToken) headers['x-kiseki-share'] = shareToken;
    res = await fetch(`${API_BASE}${path}`, {
      method,
      headers,
      // The answer depends on headers a browser cache does not key on (the
      // share link, the session): never reuse one (a cached 410 would do).
      cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'E_NETWORK', `the server could not be reached (${(e as Error).message})`);
  }
  const text = await res.text();
  let json: unknown = undefined;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
    const code = err?.code ?? `HTTP_${res.status}`;
    if (res.status === 401 && code === 'E_AUTH_SESSION') {
      // The server has dropped the cookie: the page is anonymous from now on.
      csrfToken = null;
      window.dispatchEvent(new Event(SESSION_ENDED));
    }
    const retry = Number(res.headers.get('retry-after'));
    throw new ApiError(res.status, code, err?.message ?? (res.statusText || `HTTP ${res.status}`), Number.isFinite(retry) && retry > 0 ? retry : undefined);
  }
  if (json === undefined && text) throw new ApiError(res.status, 'E_BAD_RESPONSE', 'the server answered with something that is not JSON');
  return json as T;
}

export const api = {
  search: (q: Query, signal?: AbortSignal) => request<Paged<JobHit>>('GET', `/search${queryString(q)}`, undefined, signal),
  jobGraph: (id: number, q: { includeSoftware?: boolean; groupThreshold?: number }, signal?: AbortSignal) =>
    request<JobGraph>('GET', `/jobs/${id}/graph${queryString(q)}`, undefined, signal),
  node: (id: number, signal?: AbortSignal) => request<NodeResult>('GET', `/nodes/${id}`, undefined, signal),
  neighbours: (id: number, q: { direction?: 'in' | 'out' | 'both'; edgeKind?: string; includeSoftware?: boolean; page?: number; pageSize?: number }, signal?: AbortSignal) =>
    request<Paged<Neighbour>>('GET', `/nodes/${id}/neighbours${queryString(q)}`, undefined, signal),
  entities: (q: Query & { type: EntityType }, signal?: AbortSignal) => request<Paged<EntityRow>>('GET', `/entities${queryString(q)}`, undefined, signal),
  relations: (q: Query, signal?: AbortSignal) => request<Paged<Relation>>('GET', `/relations${queryString(q)}`, undefined, signal),
  annotations: (id: number) => request<Annotation[] | { items: Annotation[] }>('GET', `/nodes/${id}/annotations`),
  addAnnotation: (id: number, a: { key: string; value: string }) => request<Annotation>('POST', `/nodes/${id}/annotations`, a),
  updateAnnotation: (id: number, annotationId: number, a: { key: string; value: string }) =>
    request<Annotation>('PUT', `/nodes/${id}/annotations/${annotationId}`, a),
  deleteAnnotation: (id: number, annotationId: number) => request<unknown>('DELETE', `/nodes/${id}/annotations/${annotationId}`),
  setVisibility: (id: number, visibility: Visibility, applyToFiles?: boolean) =>
    request<GraphNode & { updated?: number }>('PUT', `/nodes/${id}/visibility`, applyToFiles === undefined ? { visibility } : { visibility, applyToFiles }),
  createLink: (search: Record<string, string>, selection: string | null) => request<LinkCreated>('POST', '/links', { search, selection }),
  link: (id: string) => request<LinkResult>('GET', `/links/${encodeURIComponent(id)}`),
  lineage: (q: { node: number; direction?: 'up' | 'down' | 'both'; includeSoftware?: boolean; groupThreshold?: number }, signal?: AbortSignal) =>
    request<JobGraph>('GET', `/lineage${queryString(q)}`, undefined, signal),

  // Users and access (docs/access.md).
  session: (signal?: AbortSignal) => request<Session>('GET', '/auth/session', undefined, signal),
  login: (username: string, password: string) => request<{ user: UserInfo; csrf: string | null }>('POST', '/auth/login', { username, password }),
  logout: () => request<unknown>('POST', '/auth/logout'),
  tokens: (signal?: AbortSignal) => request<{ items: TokenInfo[] }>('GET', '/tokens', undefined, signal),
  createToken: (name: string, expiresDays?: number) => request<TokenCreated>('POST', '/tokens', expiresDays === undefined ? { name } : { name, expiresDays }),
  revokeToken: (id: number) => request<unknown>('DELETE', `/tokens/${id}`),
  shares: (signal?: AbortSignal) => request<{ items: ShareInfo[] }>('GET', '/shares', undefined, signal),
  createShare: (b: { node: number; days?: number; label?: string }) => request<ShareCreated>('POST', '/shares', b),
  revokeShare: (id: string) => request<unknown>('DELETE', `/shares/${encodeURIComponent(id)}`),
  users: (signal?: AbortSignal) => request<{ items: UserInfo[] }>('GET', '/users', undefined, signal),
  updateUser: (name: string, b: { role?: UserInfo['role']; disabled?: boolean }) => request<UserInfo>('PATCH', `/users/${encodeURIComponent(name)}`, b),
  audit: (q: Query, signal?: AbortSignal) => request<AuditPage>('GET', `/audit${queryString(q)}`, undefined, signal),
};

export type { GraphEdge, GraphNode };
