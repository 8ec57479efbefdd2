// Compressed ingest bodies: agents send gzip (Content-Encoding: gzip). Hono
// does not decode request bodies, so the server does it before routing,
// within the same size limit as a plain body.
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { ApiError } from './errors.js';

const gunzipAsync = promisify(gunzip);

/** Reads at most max bytes of a stream; throws 413 beyond. */
export async function readLimited(body: ReadableStream<Uint8Array> | null, max: number): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  const parts: Uint8Array[] = [];
  let n = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.byteLength;
    if (n > max) {
      await reader.cancel().catch(() => {});
      throw new ApiError(413, 'E_TOO_LARGE', `the body is larger than ${max} bytes`);
    }
    parts.push(value);
  }
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

/** The request with a gzip body decoded (and Content-Encoding removed); other encodings are refused. */
export async function decodeBody(req: Request, max: number): Promise<Request> {
  const enc = (req.headers.get('content-encoding') ?? '').trim().toLowerCase();
  if (enc === '' || enc === 'identity') return req;
  if (enc !== 'gzip' && enc !== 'x-gzip') throw new ApiError(415, 'E_MEDIA_TYPE', `Content-Encoding ${JSON.stringify(enc)} is not supported (gzip is)`);
  const raw = await readLimited(req.body, max);
  let plain: Buffer;
  try {
    plain = await gunzipAsync(raw, { maxOutputLength: max });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
      throw new ApiError(413, 'E_TOO_LARGE', `the body is larger than ${max} bytes once decompressed`);
    }
    throw new ApiError(400, 'E_BAD_BODY', `the body is not valid gzip: ${(err as Error).message}`);
  }
  const headers = new Headers(req.headers);
  headers.delete('content-encoding');
  headers.set('content-length', String(plain.byteLength));
  return new Request(req.url, { method: req.method, headers, body: new Uint8Array(plain) });
}
