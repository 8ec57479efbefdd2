// Per-node ingest tokens: `kiseki agent` on each compute node authenticates
// with its own bearer token; the server keeps only the token's sha256, and
// refuses unknown or revoked tokens with a reason the agent can log.
import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../store/db.js';

export interface TokenCheck {
  ok: boolean;
  /** The node the token was issued to (when ok, or when revoked). */
  node?: string;
  /** Why not, for the 401 body: shown as is by the agent. */
  reason?: string;
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Issues a new token for `node`; the token itself is shown once and never stored. */
export async function createNodeToken(db: Queryable, node: string): Promise<string> {
  const token = `kst_${randomBytes(24).toString('base64url')}`;
  await db.query('insert into node_token (token_sha256, node, created_ts) values ($1, $2, $3)', [digest(token), node, Date.now() * 1000]);
  return token;
}

/** Revokes every token of `node` (or one token); returns how many. */
export async function revokeNodeToken(db: Queryable, nodeOrToken: { node: string } | { token: string }): Promise<number> {
  const now = Date.now() * 1000;
  const r = 'node' in nodeOrToken
    ? await db.query('update node_token set revoked_ts = $2 where node = $1 and revoked_ts is null', [nodeOrToken.node, now])
    : await db.query('update node_token set revoked_ts = $2 where token_sha256 = $1 and revoked_ts is null', [digest(nodeOrToken.token), now]);
  return r.affected;
}

/** Checks an `Authorization` header value (`Bearer <token>`). */
export async function checkNodeToken(db: Queryable, authorization: string | undefined | null): Promise<TokenCheck> {
  if (!authorization) return { ok: false, reason: 'no Authorization header: the agent needs a node token (--token-file)' };
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!m) return { ok: false, reason: 'Authorization must be "Bearer <node token>"' };
  const { rows } = await db.query<{ node: string; revoked_ts: number | null }>(
    'select node, revoked_ts from node_token where token_sha256 = $1', [digest(m[1]!)],
  );
  const row = rows[0];
  if (!row) return { ok: false, reason: 'unknown node token' };
  if (row.revoked_ts !== null) return { ok: false, node: row.node, reason: `node token of ${row.node} was revoked` };
  await db.query('update node_token set last_used_ts = $2 where token_sha256 = $1', [digest(m[1]!), Date.now() * 1000]);
  return { ok: true, node: row.node };
}
