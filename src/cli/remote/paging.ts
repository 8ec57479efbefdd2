// The CLI pages by --limit (up to 1000) and --page; the API by pageSize
// (up to 200) and page. A CLI page is fetched as whole API pages of the
// largest size ≤ 200 that divides --limit, so that both line up.
import type { ApiClient, Query } from './api-client.js';
import type { ApiPage } from './api-shapes.js';

const API_MAX_PAGE = 200;

export async function fetchRange<T>(api: ApiClient, path: string, query: Query, offset: number, limit: number): Promise<{ total: number; items: T[] }> {
  let size = Math.min(limit, API_MAX_PAGE);
  while (limit % size !== 0 || offset % size !== 0) size--;
  const items: T[] = [];
  let total = 0;
  for (let page = offset / size + 1; items.length < limit; page++) {
    const r = await api.get<ApiPage<T>>(path, { ...query, page, pageSize: size });
    total = r.total;
    items.push(...r.items);
    if (r.items.length < size || offset + items.length >= total) break;
  }
  return { total, items };
}

/** Microseconds since the epoch → the ISO time the API takes. */
export function usToIso(us: number): string {
  return new Date(Math.floor(us / 1000)).toISOString();
}
