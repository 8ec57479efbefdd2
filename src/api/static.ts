// The built web UI (dist/web): files as they are, index.html for the UI's
// own routes (/, /l/:id, /s/:token, /settings, ...), a short page when it is not built.
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json; charset=utf-8', '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.ico': 'image/x-icon',
  '.webp': 'image/webp', '.woff': 'font/woff', '.woff2': 'font/woff2', '.ttf': 'font/ttf', '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export function contentTypeOf(file: string): string {
  return TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Kiseki</title></head>
<body><h1>Kiseki</h1>
<p>The web UI is not built. Build it (<code>npm run build</code>; it goes to <code>dist/web</code>) and restart <code>kiseki serve</code>,
or use the API: <a href="/api/docs">/api/docs</a>, <a href="/api/openapi.json">/api/openapi.json</a>.</p>
</body></html>
`;

/** A file under root for a URL path, or undefined (never outside root). */
export function resolveUnder(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const rel = normalize(decoded).replace(/^(\.\.(\/|\\|$))+/, '').replace(/^\/+/, '');
  const file = join(root, rel);
  if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) return undefined;
  return file;
}

export interface StaticAnswer {
  status: 200 | 404;
  body: Uint8Array | string;
  type: string;
  /** Cache-Control */
  cache: string;
}

/** What to answer for GET urlPath from the UI folder (undefined root = not built). */
export async function serveUi(root: string | undefined, urlPath: string): Promise<StaticAnswer> {
  if (!root || !existsSync(join(root, 'index.html'))) {
    return { status: urlPath === '/' ? 200 : 404, body: NOT_BUILT_PAGE, type: 'text/html; charset=utf-8', cache: 'no-store' };
  }
  const file = resolveUnder(root, urlPath);
  if (file && file !== root && existsSync(file) && statSync(file).isFile()) {
    // Vite puts content-hashed files in assets/: cache them for good.
    const immutable = /\/assets\//.test(urlPath);
    return { status: 200, body: await readFile(file), type: contentTypeOf(file), cache: immutable ? 'public, max-age=31536000, immutable' : 'no-cache' };
  }
  // A path with an extension that is not there is a missing file, not a UI route
  // (but a share link, /s/<token>, is a UI route whatever its token ends with).
  if (/\.[A-Za-z0-9]{1,8}$/.test(urlPath) && !urlPath.startsWith('/s/')) {
    return { status: 404, body: 'not found\n', type: 'text/plain; charset=utf-8', cache: 'no-store' };
  }
  return { status: 200, body: await readFile(join(root, 'index.html')), type: 'text/html; charset=utf-8', cache: 'no-cache' };
}
