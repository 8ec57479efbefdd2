// Node tokens on the ingest route (cluster mode): an agent sends
// `Authorization: Bearer <node token>`; a known, unrevoked token lets it
// ingest from any address, an unknown or revoked one gets 401 with the reason
// (the agent logs it). Without the header, the route's usual rule applies,
// unless KISEKI_REQUIRE_NODE_TOKEN=1 (production servers that take agents).
import type { Context } from 'hono';
import { checkNodeToken } from '../ingest/node-tokens.js';
import type { ApiEnv } from './context.js';
import { ApiError } from './errors.js';

/** true when a valid node token came with the request; throws 401 for a bad one. */
export async function nodeTokenOk(c: Context<ApiEnv>): Promise<boolean> {
  const header = c.req.header('authorization');
  // Other bearer tokens (API tokens ksu_, the local secret ksl_) were checked already (auth/resolve-viewer.ts).
  const other = header !== undefined && /^Bearer\s+ks[ul]_/i.test(header);
  if ((!header || other) && process.env.KISEKI_REQUIRE_NODE_TOKEN !== '1') return false;
  if (other) return false;
  const check = await checkNodeToken(c.get('deps').store.db, header);
  if (!check.ok) throw new ApiError(401, 'E_NODE_TOKEN', check.reason ?? 'node token refused', {}, { 'WWW-Authenticate': 'Bearer' });
  return true;
}
