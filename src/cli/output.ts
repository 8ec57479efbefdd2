// Showing things on a terminal: tables (cli-table3), times, counts, and text
// that may hold anything a file name can (newlines, escape sequences, bytes
// that are not UTF-8) made safe to print.
import Table from 'cli-table3';
import { displayText } from '../core/bytes-text.js';

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\\': '\\\\' };

/**
 * Printable form of any text: bytes that are not UTF-8 as \xNN
 * (displayText), control characters (C0, DEL, C1) as \n, \t, \xNN, and
 * invisible format characters that can reorder or hide text (bidi controls,
 * zero-width, line/paragraph separators) as \u{NNNN}. A backslash is doubled
 * only when the text needed escaping, so ordinary paths stay as they are.
 */
export function safe(text: string): string {
  // eslint-disable-next-line no-control-regex
  const risky = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\udc80-\udcff]/;
  if (!risky.test(text)) return text;
  const shown = displayText(text.replace(/\\/g, '\\\\'));
  // eslint-disable-next-line no-control-regex
  return shown.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g, (ch) => {
    if (NAMED[ch]) return NAMED[ch]!;
    const c = ch.charCodeAt(0);
    return c <= 0xff ? `\\x${c.toString(16).padStart(2, '0')}` : `\\u{${c.toString(16)}}`;
  });
}

/** A borderless, aligned table (like `ps` or `kubectl get`); every cell made safe. */
export function table(head: string[], rows: (string | number | null | undefined)[][]): string {
  const t = new Table({
    head,
    style: { head: [], border: [], compact: true, 'padding-left': 0, 'padding-right': 2 },
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
      left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '',
    },
  });
  for (const r of rows) t.push(r.map((c) => (c === null || c === undefined ? '' : safe(String(c)))));
  return t.toString().split('\n').map((l) => l.trimEnd()).join('\n');
}

/** Microseconds since the epoch → `2025-01-02 03:04:05` (UTC). */
export function fmtTime(us: number | null | undefined): string {
  if (us === null || us === undefined) return '';
  return new Date(Math.floor(us / 1000)).toISOString().replace('T', ' ').slice(0, 19);
}

export function fmtCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function fmtBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function fmtDuration(startUs: number | null, endUs: number | null): string {
  if (startUs === null || endUs === null) return '';
  const s = (endUs - startUs) / 1e6;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${Math.round(s % 60)}s`;
  return `${Math.floor(m / 60)}h${m % 60}m`;
}

export function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** JSON for scripts: exact strings (bytes that are not UTF-8 stay \udcNN escapes). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
