// Share links for reviewers: a signed (HS256 JWT, jose), expiring token that
// opens one job, or one file version's lineage, read-only and without an
// account. The token names a share_grant row, so its maker (or an admin) can
// revoke it, and every use is counted and audited. What a link shows is
// bounded by what its maker may see, evaluated when it is opened.
import { randomBytes } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { lineage, type ShareViewer, type Viewer } from '../../graph/index.js';
import type { Queryable, Store } from '../../store/index.js';
import { getUser, viewerOfUser } from './users.js';

const ISSUER = 'kiseki';
const AUDIENCE = 'kiseki-share';

export type ShareScope = 'job' | 'lineage';

export interface ShareGrant {
  id: string;
  scope: ShareScope;
  nodeId: number;
  createdBy: number;
  createdByName: string | null;
  label: string | null;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
  uses: number;
}

/** Why a link does not open. Status: 401 tampered/unknown, 410 expired/revoked. */
export class ShareLinkError extends Error {
  constructor(readonly code: 'E_SHARE_INVALID' | 'E_SHARE_EXPIRED' | 'E_SHARE_REVOKED', message: string, readonly status: 401 | 410) {
    super(message);
  }
}

const secrets = new WeakMap<Queryable, Promise<Uint8Array>>();

/** The HMAC key, made once per store (shared by every server on one PostgreSQL). */
export function shareKey(db: Queryable): Promise<Uint8Array> {
  let p = secrets.get(db);
  if (!p) {
    p = (async () => {
      await db.query(`insert into server_secret (name, value) values ('share-hmac', $1) on conflict (name) do nothing`, [randomBytes(32).toString('base64url')]);
      const { rows } = await db.query<{ value: string }>(`select value from server_secret where name = 'share-hmac'`);
      return new Uint8Array(Buffer.from(rows[0]!.value, 'base64url'));
    })();
    p.catch(() => secrets.delete(db));
    secrets.set(db, p);
  }
  return p;
}

type Row = { id: string; scope_kind: ShareScope; node_id: number | string; created_by: number | string; username?: string | null; label: string | null;
  created_at: Date | string; expires_at: Date | string; revoked_at: Date | string | null; last_used_at: Date | string | null; uses: number | string };
const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());
const grantOf = (r: Row): ShareGrant => ({
  id: r.id, scope: r.scope_kind, nodeId: Number(r.node_id), createdBy: Number(r.created_by), createdByName: r.username ?? null, label: r.label,
  createdAt: iso(r.created_at)!, expiresAt: iso(r.expires_at)!, revokedAt: iso(r.revoked_at), lastUsedAt: iso(r.last_used_at), uses: Number(r.uses),
});
const SELECT = `select g.*, u.username from share_grant g join app_user u on u.id = g.created_by`;

export async function createShareLink(db: Queryable, o: { scope: ShareScope; nodeId: number; createdBy: number; days: number; label?: string | null }): Promise<{ token: string; grant: ShareGrant }> {
  const id = randomBytes(12).toString('base64url');
  const expires = new Date(Date.now() + o.days * 86_400_000);
  await db.query(
    'insert into share_grant (id, scope_kind, node_id, created_by, label, expires_at) values ($1, $2, $3, $4, $5, $6)',
    [id, o.scope, o.nodeId, o.createdBy, o.label ?? null, expires.toISOString()]);
  const token = await new SignJWT({ scope: o.scope, node: o.nodeId })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER).setAudience(AUDIENCE).setSubject(id)
    .setIssuedAt().setExpirationTime(Math.floor(expires.getTime() / 1000))
    .sign(await shareKey(db));
  const { rows } = await db.query<Row>(`${SELECT} where g.id = $1`, [id]);
  return { token, grant: grantOf(rows[0]!) };
}

/** Checks signature, expiry and revocation; counts the use. */
export async function openShareLink(db: Queryable, token: string): Promise<ShareGrant> {
  let id: string;
  try {
    const { payload } = await jwtVerify(token, await shareKey(db), { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
    id = String(payload.sub);
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) throw new ShareLinkError('E_SHARE_EXPIRED', 'this share link has expired; ask its sender for a new one', 410);
    throw new ShareLinkError('E_SHARE_INVALID', 'this share link is not valid (it was changed or cut short); check that you copied all of it', 401);
  }
  const { rows } = await db.query<Row>(
    `update share_grant g set uses = uses + 1, last_used_at = now() from app_user u
     where g.id = $1 and u.id = g.created_by returning g.*, u.username`, [id]);
  const r = rows[0];
  if (!r) throw new ShareLinkError('E_SHARE_INVALID', 'this share link is not known here', 401);
  const g = grantOf(r);
  if (g.revokedAt) throw new ShareLinkError('E_SHARE_REVOKED', `this share link was revoked on ${g.revokedAt.slice(0, 10)}`, 410);
  if (Date.parse(g.expiresAt) <= Date.now()) throw new ShareLinkError('E_SHARE_EXPIRED', 'this share link has expired; ask its sender for a new one', 410);
  return g;
}

/** What the link may show: its scope, within what its maker may see now. */
export async function shareViewer(store: Store, g: ShareGrant): Promise<ShareViewer> {
  const maker = await getUser(store.db, g.createdBy);
  const within: Exclude<Viewer, ShareViewer> = maker && !maker.disabled
    ? viewerOfUser(maker) as Exclude<Viewer, ShareViewer>
    : { kind: 'user', uid: -1, gids: [], name: 'nobody' };
  const name = `share:${g.id}`;
  if (g.scope === 'job') return { kind: 'share', linkId: g.id, scope: { kind: 'job', jobId: g.nodeId }, within, name };
  // A file's lineage: everything it came from (what the maker may see of it).
  const l = await lineage(store, within, g.nodeId, { direction: 'up', depth: 100, maxNodes: 5000, includeSoftware: true });
  const ids = [...new Set([g.nodeId, ...l.nodes.map((n) => n.id)])];
  return { kind: 'share', linkId: g.id, scope: { kind: 'nodes', nodeIds: ids }, within, name };
}

/** Links made by `userId` (all links when undefined: admins). */
export async function listShareLinks(db: Queryable, userId: number | undefined): Promise<ShareGrant[]> {
  const { rows } = await db.query<Row>(`${SELECT} where ($1::bigint is null or g.created_by = $1) order by g.created_at desc`, [userId ?? null]);
  return rows.map(grantOf);
}

export async function getShareLink(db: Queryable, id: string): Promise<ShareGrant | undefined> {
  const { rows } = await db.query<Row>(`${SELECT} where g.id = $1`, [id]);
  return rows[0] ? grantOf(rows[0]) : undefined;
}

export async function revokeShareLink(db: Queryable, id: string, userId: number | undefined): Promise<boolean> {
  const r = await db.query('update share_grant set revoked_at = now() where id = $1 and revoked_at is null and ($2::bigint is null or created_by = $2)', [id, userId ?? null]);
  return r.affected > 0;
}
