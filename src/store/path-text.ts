// How paths are stored. Kiseki paths are JS strings in which bytes that are
// not valid UTF-8 are lone surrogates U+DC80..U+DCFF (core/bytes-text.ts).
// PostgreSQL text cannot hold lone surrogates, so a stored path has
//   path        readable text: the path itself when it has no lone surrogate,
//               else with each such byte shown as \xNN (displayText)
//   path_bytes  NULL for valid UTF-8; else the exact bytes of the name
// and the original string is path_bytes ? bytesToText(path_bytes) : path.
// Keys (unique identity) use a reversible escape: \ → \\, byte → \xNN.
import { createHash } from 'node:crypto';
import { bytesToText, displayText, textToBytes } from '../core/bytes-text.js';

const LONE = /[\udc80-\udcff]/;

function hasLoneSurrogate(s: string): boolean {
  if (!LONE.test(s)) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc80 && c <= 0xdcff) {
      const prev = i > 0 ? s.charCodeAt(i - 1) : 0;
      if (!(prev >= 0xd800 && prev <= 0xdbff)) return true;
    }
  }
  return false;
}

export interface StoredPath {
  path: string;
  pathBytes: Buffer | null;
}

export function toStoredPath(p: string): StoredPath {
  if (!hasLoneSurrogate(p)) return { path: p, pathBytes: null };
  return { path: displayText(p), pathBytes: textToBytes(p) };
}

export function fromStoredPath(path: string, pathBytes: Uint8Array | null | undefined): string {
  return pathBytes ? bytesToText(pathBytes) : path;
}

/** Reversible escape for keys: \ → \\ and each lone surrogate byte → \xNN. */
export function escapePath(p: string): string {
  if (!p.includes('\\') && !hasLoneSurrogate(p)) return p;
  let out = '';
  for (let i = 0; i < p.length; i++) {
    const ch = p[i]!;
    const c = p.charCodeAt(i);
    if (ch === '\\') out += '\\\\';
    else if (c >= 0xdc80 && c <= 0xdcff && !(i > 0 && p.charCodeAt(i - 1) >= 0xd800 && p.charCodeAt(i - 1) <= 0xdbff)) {
      out += `\\x${(c - 0xdc00).toString(16).padStart(2, '0')}`;
    } else out += ch;
  }
  return out;
}

export function unescapePath(k: string): string {
  return k.replace(/\\(\\|x([0-9a-f]{2}))/g, (_m, a: string, hex: string | undefined) =>
    hex ? String.fromCharCode(0xdc00 + parseInt(hex, 16)) : a,
  );
}

/** Longest key text kept verbatim; longer ones are hashed (btree row limit). */
export const MAX_KEY_TEXT = 400;

/** Unique identity of a path, optionally in a namespace (pipes: host:boot). */
export function pathKey(p: string, namespace?: string): string {
  const k = (namespace ? `${namespace}|` : '') + escapePath(p);
  if (k.length <= MAX_KEY_TEXT) return k;
  const h = createHash('sha256').update(k, 'utf8').digest('hex');
  let cut = 120;
  const c = k.charCodeAt(cut - 1);
  if (c >= 0xd800 && c <= 0xdbff) cut--; // do not split a surrogate pair
  return `${k.slice(0, cut)}…sha256:${h}`;
}
