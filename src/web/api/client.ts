// A small fetch wrapper for /api/v1: JSON in and out, and every failure
// (HTTP error, network error, a body that is not JSON) as an ApiError with
// the server's code and message, so the UI can say what went wrong.
import type {
  Annotation, EntityRow, EntityType, GraphEdge, GraphNode, JobGraph, JobHit, LinkCreated, LinkResult,
  Neighbour, NodeResult, Paged, Relation, Visibility,
} from './types';

export const API_BASE = '/api/v1';

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
    this.name = 'ApiError';
  }
}

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
    res = await fetch(`${API_BASE}${path}`, {
      method,
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
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
    throw new ApiError(res.status, err?.code ?? `HTTP_${res.status}`, err?.message ?? (res.statusText || `HTTP ${res.status}`));
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
};

export type { GraphEdge, GraphNode };
