// Permanent links to a search and a selection (share_link table).
import { randomBytes } from 'node:crypto';
import type { Queryable } from '../../store/index.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 16 characters from a 62-letter alphabet: ~95 bits, unguessable. */
export function newLinkId(): string {
  const bytes = randomBytes(32);
  let id = '';
  for (const b of bytes) {
    if (b >= 248) continue; // 248 = 4 * 62: no modulo bias
    id += ALPHABET[b % 62];
    if (id.length === 16) return id;
  }
  return id.length >= 12 ? id : newLinkId();
}

export async function createLink(db: Queryable, search: Record<string, unknown>, selection: string | null, createdBy: string): Promise<string> {
  const id = newLinkId();
  await db.query('insert into share_link (id, search, selection, created_by) values ($1, $2, $3, $4)', [id, JSON.stringify(search), selection, createdBy]);
  return id;
}

export async function getLink(db: Queryable, id: string): Promise<{ id: string; search: Record<string, unknown>; selection: string | null; createdAt: string } | undefined> {
  const { rows } = await db.query<{ id: string; search: string; selection: string | null; created_at: Date | string }>(
    'select id, search, selection, created_at from share_link where id = $1', [id]);
  const r = rows[0];
  if (!r) return undefined;
  return { id: r.id, search: JSON.parse(r.search) as Record<string, unknown>, selection: r.selection, createdAt: new Date(r.created_at).toISOString() };
}
