// What every handler gets from the request context: the store, the viewer
// (who is asking: LOCAL_ADMIN on loopback today; signed-in users later), and
// the background aggregation.
import type { Context } from 'hono';
import type { Viewer } from '../graph/index.js';
import type { Store } from '../store/index.js';
import type { AggregationRunner } from './aggregation.js';
import type { JobCountCache } from './cache.js';
import { ApiError } from './errors.js';

export interface ApiDeps {
  store: Store;
  aggregation: AggregationRunner;
  /** Files per finished job (search's matchedFiles). */
  jobCounts: JobCountCache;
  /** Who is asking; the users issue replaces this with sign-in. */
  viewerFor(c: Context): Viewer;
  /** May this viewer change data (annotations, visibility, ingest, links)? */
  mayWrite(viewer: Viewer): boolean;
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
    deps: ApiDeps;
  };
}

export type ApiContext = Context<ApiEnv>;

export function viewerOf(c: Context<ApiEnv>): Viewer {
  return c.get('viewer');
}

/** The viewer, when it may change data; 403 otherwise. */
export function writerOf(c: Context<ApiEnv>): Viewer {
  const v = c.get('viewer');
  if (!c.get('deps').mayWrite(v)) {
    throw new ApiError(403, 'E_FORBIDDEN', 'only local (loopback) clients may change data until sign-in exists');
  }
  return v;
}

export function storeOf(c: Context<ApiEnv>): Store {
  return c.get('deps').store;
}

/** Who wrote it, for annotations and links. */
export function authorOf(v: Viewer): { uid: number | null; name: string } {
  if (v.kind === 'user') return { uid: v.uid, name: v.name ?? String(v.uid) };
  return { uid: null, name: v.name ?? 'admin' };
}
