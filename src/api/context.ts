// What every handler gets from the request context: the store, the viewer
// (who is asking: auth/resolve-viewer.ts decides, once per request), and
// the background aggregation.
import type { Context } from 'hono';
import { isSignedIn, mayManage, type Owned, type Viewer } from '../graph/index.js';
import type { Store } from '../store/index.js';
import type { AggregationRunner } from './aggregation.js';
import type { AuthRuntime } from './auth/auth-runtime.js';
import type { AuthState } from './auth/resolve-viewer.js';
import type { JobCountCache } from './cache.js';
import { ApiError } from './errors.js';

export interface ApiDeps {
  store: Store;
  aggregation: AggregationRunner;
  /** Files per finished job (search's matchedFiles). */
  jobCounts: JobCountCache;
  /** Sign-in settings, throttle, local secret. */
  auth: AuthRuntime;
  /** The built web UI (index.html and assets), if any. */
  webDir: string | undefined;
  /** Largest ingest body, bytes. */
  maxIngestBytes: number;
  /** Hosts the Host header may name (DNS rebinding guard); undefined = any. */
  allowedHosts: ((hostname: string) => boolean) | undefined;
  version: string;
}

export interface ApiEnv {
  Variables: {
    viewer: Viewer;
    auth: AuthState;
    deps: ApiDeps;
  };
}

export type ApiContext = Context<ApiEnv>;

export function viewerOf(c: Context<ApiEnv>): Viewer {
  return c.get('viewer');
}

/** The viewer, when signed in (or the local admin); 401 for anonymous clients, 403 for share links. */
export function writerOf(c: Context<ApiEnv>): Viewer {
  const v = c.get('viewer');
  if (v.kind === 'share') throw new ApiError(403, 'E_SHARE_READ_ONLY', 'a share link is read-only');
  if (!isSignedIn(v)) throw new ApiError(401, 'E_AUTH_REQUIRED', 'sign in to change data');
  return v;
}

/** The viewer, when it may change `node` (its owner, a group admin of its group, an admin); 403 otherwise. */
export function managerOf(c: Context<ApiEnv>, node: Owned & { id: number }): Viewer {
  const v = writerOf(c);
  if (!mayManage(v, node)) throw new ApiError(403, 'E_FORBIDDEN', `you may see node ${node.id} but not change it (only its owner, an admin of its group, or an admin may)`);
  return v;
}

/** Admins only. */
export function adminOf(c: Context<ApiEnv>): Viewer {
  const v = writerOf(c);
  if (v.kind !== 'admin') throw new ApiError(403, 'E_FORBIDDEN', 'only admins may do this');
  return v;
}

export function storeOf(c: Context<ApiEnv>): Store {
  return c.get('deps').store;
}

/** Who wrote it, for annotations and links. */
export function authorOf(v: Viewer): { uid: number | null; name: string } {
  if (v.kind === 'user') return { uid: v.uid, name: v.name ?? String(v.uid) };
  if (v.kind === 'share') return { uid: null, name: `share:${v.linkId}` };
  return { uid: null, name: v.name ?? 'admin' };
}
