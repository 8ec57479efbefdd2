// A minimal HTTP ingest endpoint (node:http): POST /api/v1/ingest with
// {source, seq, events} as JSON (optionally Content-Encoding: gzip), checked
// against per-node tokens. `kiseki serve` has the full API; this one is what
// the cluster tests run, and the contract the agent relies on:
//   200 {status: 'stored'|'duplicate', events}   the batch is safe on the server
//   400 {error, code}   the batch is invalid: the agent replaces it (trace.lost)
//   401 {error, reason} unknown or revoked token: the agent logs the reason
//   409 {error, code}   same (source, seq) with other events
//   5xx                 try again later
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { Store } from '../store/open-store.js';
import type { AggregationRunner } from '../graph/aggregation-runner.js';
import { IngestError } from './errors.js';
import { ingest } from './ingest.js';
import { checkNodeToken } from './node-tokens.js';

export interface IngestServerOptions {
  /** Check `Authorization: Bearer` against node_token (default true). */
  requireToken?: boolean;
  /** Largest accepted body after decompression (default 256 MiB). */
  maxBytes?: number;
  /**
   * Aggregate in the background with this runner, as `kiseki serve` does:
   * the answer comes once the batch is stored, and the next batches are
   * stored while earlier ones are aggregated. Default: each request
   * aggregates before it answers (what the cluster tests expect).
   */
  aggregation?: AggregationRunner;
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
      if (n > max) {
        reject(new Error('body too large'));
        req.destroy();
      } else parts.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

export function createIngestServer(store: Store, opts: IngestServerOptions = {}): Server {
  const max = opts.maxBytes ?? 256 * 1024 * 1024;
  return createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    void (async () => {
      if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== '/api/v1/ingest') return send(404, { error: 'not found' });
      if (opts.requireToken !== false) {
        const check = await checkNodeToken(store.db, req.headers.authorization);
        if (!check.ok) return send(401, { error: 'unauthorized', reason: check.reason });
      }
      let raw = await readBody(req, max);
      if ((req.headers['content-encoding'] ?? '').includes('gzip')) raw = gunzipSync(raw, { maxOutputLength: max });
      let body: { source?: unknown; seq?: unknown; events?: unknown };
      try {
        body = JSON.parse(raw.toString('utf8')) as typeof body;
      } catch (err) {
        return send(400, { error: `not JSON: ${(err as Error).message}`, code: 'E_INGEST_BATCH' });
      }
      try {
        const background = opts.aggregation;
        const r = await ingest(store, { source: body.source as string, seq: body.seq as number, events: body.events as unknown[] }, { aggregate: !background });
        if (background && r.status === 'stored') void background.kick();
        send(200, { status: r.status, events: r.events });
      } catch (err) {
        if (err instanceof IngestError) return send(err.code === 'E_INGEST_CONFLICT' ? 409 : 400, { error: err.message, code: err.code });
        throw err;
      }
    })().catch((err: unknown) => {
      if (!res.headersSent) send(500, { error: (err as Error).message });
      else res.destroy();
    });
  });
}
