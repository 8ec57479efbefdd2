// The agent's bounded disk spool: numbered, gzip-compressed batches of
// TraceEvents waiting to be shipped. A batch is written whole (tmp file,
// fsync, rename) before it counts, so a kill -9 leaves complete batches only;
// the next start resumes numbering after the highest batch ever assigned
// (state.json survives the files, which are deleted once the server has them).
//
// Full-spool policy (docs/cluster.md): when a new batch would push the spool
// past maxBytes, that batch — the newest events — is dropped, its events are
// counted per job, and the next batch that fits begins with one `trace.lost`
// per affected job, so the server marks those jobs incomplete. Sequence
// numbers are assigned only to batches actually written: no gaps.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { JobRef, TraceEvent } from '../../core/trace-event.js';

export interface SpoolOptions {
  dir: string;
  maxBytes: number;
}

interface SpoolState {
  nextSeq: number;
  /** Events dropped because the spool was full, per job key, not yet reported. */
  lostByJob: Record<string, { job: JobRef | null; count: number }>;
  /** Events dropped since this spool was created (reported or not). */
  droppedEvents: number;
}

export interface SpoolBatch {
  seq: number;
  file: string;
  bytes: number;
}

const NAME = /^(\d{12})\.ndjson\.gz$/;

export class Spool {
  readonly batchDir: string;
  private readonly statePath: string;
  private state: SpoolState;
  private bytes = 0;
  private files = new Map<number, SpoolBatch>();

  constructor(private readonly opts: SpoolOptions) {
    this.batchDir = join(opts.dir, 'batches');
    this.statePath = join(opts.dir, 'state.json');
    mkdirSync(this.batchDir, { recursive: true, mode: 0o700 });
    this.state = { nextSeq: 0, lostByJob: {}, droppedEvents: 0 };
    if (existsSync(this.statePath)) {
      try {
        this.state = { ...this.state, ...(JSON.parse(readFileSync(this.statePath, 'utf8')) as Partial<SpoolState>) };
      } catch {
        // A torn state file: the batch files still say where numbering is.
      }
    }
    for (const name of readdirSync(this.batchDir)) {
      const m = NAME.exec(name);
      const file = join(this.batchDir, name);
      if (!m) {
        if (name.endsWith('.tmp')) rmSync(file, { force: true }); // a write cut by a crash
        continue;
      }
      const seq = Number(m[1]);
      const bytes = statSync(file).size;
      this.files.set(seq, { seq, file, bytes });
      this.bytes += bytes;
      if (seq >= this.state.nextSeq) this.state.nextSeq = seq + 1;
    }
  }

  get nextSeq(): number {
    return this.state.nextSeq;
  }

  get backlogBytes(): number {
    return this.bytes;
  }

  get backlogBatches(): number {
    return this.files.size;
  }

  get droppedEvents(): number {
    return this.state.droppedEvents;
  }

  get unreportedLost(): Record<string, { job: JobRef | null; count: number }> {
    return this.state.lostByJob;
  }

  /** The oldest batch not yet shipped. */
  oldest(): SpoolBatch | undefined {
    let best: SpoolBatch | undefined;
    for (const b of this.files.values()) if (!best || b.seq < best.seq) best = b;
    return best;
  }

  read(b: SpoolBatch): Buffer {
    return readFileSync(b.file);
  }

  static decode(gz: Buffer): TraceEvent[] {
    const text = gunzipSync(gz).toString('utf8');
    return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as TraceEvent);
  }

  /**
   * Writes a batch, or drops it when the spool is full. `jobOf` names the
   * job of an event (for the lost counts). Returns the seq, or null if dropped.
   */
  write(events: TraceEvent[], jobOf: (e: TraceEvent) => JobRef | null, now: number): number | null {
    if (events.length === 0 && Object.keys(this.state.lostByJob).length === 0) return null;
    const lost = Object.values(this.state.lostByJob);
    const lostEvents: TraceEvent[] = lost.map((l) => ({
      type: 'trace.lost', ts: now, count: l.count, reason: 'agent spool full: events dropped',
      ...(l.job ? { job: l.job } : {}),
    }));
    const all = lostEvents.length ? [...lostEvents, ...events] : events;
    const gz = gzipSync(all.map((e) => JSON.stringify(e)).join('\n') + '\n');
    if (this.bytes + gz.length > this.opts.maxBytes) {
      if (events.length === 0) return null; // the report waits for room
      for (const e of events) {
        const job = jobOf(e);
        const key = job ? `${job.scheduler}:${job.id}` : '';
        const entry = (this.state.lostByJob[key] ??= { job, count: 0 });
        entry.count += 1;
      }
      this.state.droppedEvents += events.length;
      this.saveState();
      return null;
    }
    const seq = this.state.nextSeq;
    const file = join(this.batchDir, `${String(seq).padStart(12, '0')}.ndjson.gz`);
    // The file appears first, then the state moves on: a crash in between
    // is repaired at start (the highest file sets nextSeq), so no seq is
    // ever skipped and none used twice.
    writeDurably(file, gz);
    this.state.nextSeq = seq + 1;
    this.state.lostByJob = {};
    this.saveState();
    this.files.set(seq, { seq, file, bytes: gz.length });
    this.bytes += gz.length;
    return seq;
  }

  /** Sends the pending lost counts on their own once there is room (no events are coming). */
  reportLost(now: number): number | null {
    return this.write([], () => null, now);
  }

  /** Replaces a batch the server refused as invalid with one trace.lost (keeps seq gap-free). */
  replace(b: SpoolBatch, events: TraceEvent[]): void {
    const gz = gzipSync(events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    writeDurably(b.file, gz);
    this.bytes += gz.length - b.bytes;
    b.bytes = gz.length;
  }

  /** The server has the batch: forget it. */
  ack(b: SpoolBatch): void {
    rmSync(b.file, { force: true });
    if (this.files.delete(b.seq)) this.bytes -= b.bytes;
  }

  private saveState(): void {
    writeDurably(this.statePath, JSON.stringify(this.state));
  }
}

/** Replaces `file` whole or not at all: written aside, synced, then renamed over. */
function writeDurably(file: string, data: Buffer | string): void {
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}
