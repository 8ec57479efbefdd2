// One HTTP(S) POST with node:http, for the agent's shipper. Not fetch():
// Node's fetch loads undici on first use, ~12 MiB resident against ~4 for
// node:http, in a daemon whose budget on every compute node is 100 MB.
import type { IncomingMessage } from 'node:http';

export interface PostAnswer {
  status: number;
  ok: boolean;
  text: string;
}

/** Posts `body`; rejects when the server cannot be reached or does not answer within `timeoutMs`. */
export async function httpPost(url: string, headers: Record<string, string>, body: Buffer | string, timeoutMs: number): Promise<PostAnswer> {
  const u = new URL(url);
  // https (and with it TLS) is loaded only by agents that talk https.
  const { request } = u.protocol === 'https:' ? await import('node:https') : await import('node:http');
  return new Promise<PostAnswer>((resolve, reject) => {
    const req = request(u, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, timeout: timeoutMs }, (res: IncomingMessage) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        resolve({ status, ok: status >= 200 && status < 300, text: Buffer.concat(parts).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs / 1000} s`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(body);
  });
}
