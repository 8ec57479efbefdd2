// The browsable API page (/api/docs): Swagger UI from the swagger-ui-dist
// package, served by this server (no CDN: clusters often have no internet).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const FILES: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

let distDir: string | undefined | null = null;
function swaggerDir(): string | undefined {
  if (distDir === null) {
    try {
      distDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
    } catch {
      distDir = undefined;
    }
  }
  return distDir;
}

export const DOCS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Kiseki API</title>
<link rel="stylesheet" href="/api/docs/swagger-ui.css">
<link rel="icon" type="image/png" href="/api/docs/favicon-32x32.png">
</head><body><div id="swagger-ui"></div>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body></html>
`;

export const DOCS_INIT = `window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#swagger-ui', deepLinking: true });\n`;

/** CSP of the docs page: Swagger UI sets styles inline and shows data: images. */
export const DOCS_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

export async function docsAsset(name: string): Promise<{ body: Uint8Array | string; type: string } | undefined> {
  if (name === 'init.js') return { body: DOCS_INIT, type: 'text/javascript; charset=utf-8' };
  const type = FILES[name];
  const dir = swaggerDir();
  if (!type || !dir) return undefined;
  const file = join(dir, name);
  if (!existsSync(file)) return undefined;
  return { body: await readFile(file), type };
}
