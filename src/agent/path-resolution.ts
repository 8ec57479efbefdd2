import { posix } from 'node:path';

/**
 * Lexically normalizes an absolute path: collapses //, /./ and /../ the way
 * the trace sees them. Symlinks are not followed: the trace records the name
 * a program used, which is what people search for.
 */
export function normalizeAbsolute(path: string): string {
  const out = posix.normalize(path);
  return out.length > 1 && out.endsWith('/') ? out.slice(0, -1) : out;
}

/** Resolves path against base (a directory) unless it is already absolute. */
export function resolveAgainst(base: string, path: string): string {
  if (path.startsWith('/')) return normalizeAbsolute(path);
  if (path === '') return normalizeAbsolute(base);
  return normalizeAbsolute(`${base}/${path}`);
}
