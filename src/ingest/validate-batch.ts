// Turns a batch's events (objects or NDJSON text) into validated TraceEvents
// and their canonical JSON text, or rejects the whole batch naming the first
// bad event. Lines over the size limit are rejected before JSON parsing.
import { createHash } from 'node:crypto';
import { decodeTraceEvent, decodeTraceEventValue, TraceEventError, type TraceEvent } from '../core/trace-event.js';
import { IngestError } from './errors.js';

/** Longest accepted event line, in UTF-16 code units (≈ bytes for ASCII JSON). */
export const MAX_EVENT_CHARS = 1024 * 1024;

export interface ValidatedBatch {
  events: TraceEvent[];
  /** Canonical JSON text of each event (what raw_event.body stores). */
  bodies: string[];
  sha256: string;
}

export interface BatchInput {
  source: string;
  seq: number;
  events: unknown[] | string;
}

export function checkBatchHeader(b: { source?: unknown; seq?: unknown }): void {
  if (typeof b.source !== 'string' || b.source.length === 0 || b.source.length > 256) {
    throw new IngestError('E_INGEST_BATCH', 'batch source must be a non-empty string of at most 256 characters');
  }
  if (/[\ud800-\udfff]/.test(b.source)) throw new IngestError('E_INGEST_BATCH', 'batch source must be valid Unicode text');
  if (typeof b.seq !== 'number' || !Number.isSafeInteger(b.seq) || b.seq < 0) {
    throw new IngestError('E_INGEST_BATCH', 'batch seq must be a non-negative integer');
  }
}

function fail(index: number, line: number | undefined, reason: string, code: 'E_INGEST_INVALID' | 'E_INGEST_TOO_LARGE' = 'E_INGEST_INVALID'): never {
  const where = line !== undefined ? `event ${index} (line ${line})` : `event ${index}`;
  throw new IngestError(code, `${where}: ${reason}`, index, line);
}

function decodeOne(text: string, index: number, line: number | undefined): TraceEvent {
  if (text.length > MAX_EVENT_CHARS) fail(index, line, `longer than the ${MAX_EVENT_CHARS}-character limit (${text.length})`, 'E_INGEST_TOO_LARGE');
  try {
    return decodeTraceEvent(text, line);
  } catch (err) {
    if (err instanceof TraceEventError) fail(index, line, err.message);
    throw err;
  }
}

/** An event given as a value: validated as it is (no JSON round trip); its canonical text is checked for size by push. */
function decodeValue(value: unknown, index: number): TraceEvent {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') fail(index, undefined, 'not a JSON value');
  if (typeof value === 'bigint') fail(index, undefined, 'cannot be encoded as JSON: a BigInt');
  try {
    return decodeTraceEventValue(value);
  } catch (err) {
    if (err instanceof TraceEventError) fail(index, undefined, err.message);
    throw err;
  }
}

/** Splits NDJSON into lines without copying more than needed; blank lines are skipped. */
export function* ndjsonLines(text: string): Generator<{ text: string; line: number }> {
  let start = 0;
  let line = 1;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let s = text.slice(start, end);
    if (s.endsWith('\r')) s = s.slice(0, -1);
    if (s.trim().length > 0) yield { text: s, line };
    start = end + 1;
    line++;
  }
}

export function validateEvents(events: unknown[] | string): ValidatedBatch {
  const out: TraceEvent[] = [];
  const bodies: string[] = [];
  const push = (ev: TraceEvent) => {
    let body: string;
    try {
      body = JSON.stringify(ev);
    } catch (err) {
      fail(out.length, undefined, `cannot be encoded as JSON: ${(err as Error).message}`);
    }
    if (body.length > MAX_EVENT_CHARS) fail(out.length, undefined, `longer than the ${MAX_EVENT_CHARS}-character limit (${body.length})`, 'E_INGEST_TOO_LARGE');
    out.push(ev);
    bodies.push(body);
  };
  if (typeof events === 'string') {
    for (const { text, line } of ndjsonLines(events)) push(decodeOne(text, out.length, line));
  } else if (Array.isArray(events)) {
    events.forEach((e, i) => push(typeof e === 'string' ? decodeOne(e, i, undefined) : decodeValue(e, i)));
  } else {
    throw new IngestError('E_INGEST_BATCH', 'batch events must be an array or NDJSON text');
  }
  // The hash of every body followed by a newline, in one update (one call
  // into OpenSSL per batch instead of two per event).
  const hash = createHash('sha256');
  if (bodies.length > 0) hash.update(`${bodies.join('\n')}\n`);
  return { events: out, bodies, sha256: hash.digest('hex') };
}
