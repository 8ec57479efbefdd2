// Ingests a whole NDJSON trace file (what `kiseki run` writes) atomically:
// read in chunks, lines over the limit rejected without being buffered,
// every event validated, then stored as batches seq 0..n of one source in
// one transaction.
import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import type { Store } from '../store/open-store.js';
import { IngestError } from './errors.js';
import { ingestBatches, type IngestErrorWithBatch, type IngestOptions, type IngestResult } from './ingest.js';
import { MAX_EVENT_CHARS } from './validate-batch.js';

export interface NdjsonFileOptions extends IngestOptions {
  /** Source name; default `run:<runId>` of the file's first run.start. */
  source?: string;
  /** Events per stored batch (default 5000). */
  batchSize?: number;
}

/** Reads the non-blank lines of a file; a line over maxChars is rejected as soon as it is seen. */
export async function readNdjsonLines(path: string, maxChars = MAX_EVENT_CHARS): Promise<{ text: string; line: number }[]> {
  const fh = await open(path, 'r').catch((err: Error) => {
    throw new IngestError('E_INGEST_IO', `cannot read ${path}: ${err.message}`);
  });
  const lines: { text: string; line: number }[] = [];
  const dec = new StringDecoder('utf8');
  const buf = Buffer.alloc(1 << 20);
  let partial = '';
  let lineNo = 1;
  const tooLong = () => {
    throw new IngestError('E_INGEST_TOO_LARGE', `event ${lines.length} (line ${lineNo}): longer than the ${maxChars}-character limit`, lines.length, lineNo);
  };
  const take = (s: string) => {
    const t = s.endsWith('\r') ? s.slice(0, -1) : s;
    if (t.length > maxChars) tooLong();
    if (t.trim().length > 0) lines.push({ text: t, line: lineNo });
    lineNo++;
  };
  try {
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      let text = partial + dec.write(buf.subarray(0, bytesRead));
      let nl: number;
      while ((nl = text.indexOf('\n')) >= 0) {
        take(text.slice(0, nl));
        text = text.slice(nl + 1);
      }
      if (text.length > maxChars) tooLong();
      partial = text;
    }
    partial += dec.end();
    if (partial.length > 0) take(partial);
  } finally {
    await fh.close();
  }
  return lines;
}

export async function ingestNdjsonFile(store: Store, path: string, opts: NdjsonFileOptions = {}): Promise<IngestResult> {
  const lines = await readNdjsonLines(path);
  let source = opts.source;
  if (!source) {
    const first = lines.find((l) => l.text.includes('"run.start"'));
    const m = first && /"runId"\s*:\s*"([^"]+)"/.exec(first.text);
    if (!m) throw new IngestError('E_INGEST_BATCH', `${path}: no run.start event to name the source; pass a source`);
    source = `run:${m[1]}`;
  }
  const size = opts.batchSize ?? 5000;
  const batches = [];
  for (let i = 0, seq = 0; i < lines.length || seq === 0; i += size, seq++) {
    // Lines keep their numbers in error messages through the string form.
    batches.push({ source, seq, events: lines.slice(i, i + size).map((l) => l.text) });
  }
  try {
    return await ingestBatches(store, batches, opts);
  } catch (err) {
    // Name the file's event index and line, not the index inside a batch.
    if (err instanceof IngestError && err.index !== undefined && err.code !== 'E_INGEST_CONFLICT') {
      const b = batches.findIndex((x) => x.events === (err as IngestErrorWithBatch).batchEvents);
      const abs = (b < 0 ? 0 : b * size) + err.index;
      const line = lines[abs]?.line;
      const reason = err.message.replace(/^event \d+( \(line \d+\))?: /, '');
      throw new IngestError(err.code, `${path}: event ${abs} (line ${line}): ${reason}`, abs, line);
    }
    throw err;
  }
}
