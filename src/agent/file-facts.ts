// File facts: identity (device, inode, size, mtime) of every data file a run
// touched and the sha256 of the files it wrote. Hashing starts as soon as a
// writer closes a file, in the background, so it never delays the traced
// program; at the end each file is checked again and re-hashed only if it
// changed since.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { EventOf, TraceEvent } from '../core/trace-event.js';
import { textToBytes } from '../core/bytes-text.js';

interface Hashed {
  signature: string;
  sha256: string;
}

type Stats = Awaited<ReturnType<typeof stat>>;

/**
 * Files hashed at the same time. Each read holds a 64 KiB buffer: unbounded,
 * `tar xzf` of 2000 small files started 2000 reads at once and took the
 * agent from ~90 to ~135 MiB (ArrayBuffers peaked at ~107 MiB). Four keep
 * the disk busy without that.
 */
const HASH_CONCURRENCY = 4;

export class FileFactsCollector {
  private readonly touched = new Map<string, { written: boolean }>();
  private readonly hashes = new Map<string, Promise<Hashed | undefined>>();
  private hashing = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly hashMaxBytes: number,
    private readonly hashFile: (path: string) => Promise<string> = sha256File,
  ) {}

  /** Feed every event; only data-file events matter. */
  observe(event: TraceEvent): void {
    switch (event.type) {
      case 'file.access':
        if (event.fileClass !== 'data') return;
        this.note(event.path, event.write);
        if (event.write) this.startHash(event.path);
        return;
      case 'file.rename':
        this.note(event.from, false);
        this.note(event.to, true);
        this.startHash(event.to);
        return;
      case 'file.link':
        this.note(event.path, false);
        return;
      case 'file.unlink':
      case 'file.truncate':
        this.note(event.path, event.type === 'file.truncate');
        return;
      default:
    }
  }

  private note(path: string, written: boolean): void {
    const t = this.touched.get(path);
    if (t) t.written ||= written;
    else this.touched.set(path, { written });
  }

  private startHash(path: string): void {
    // Files vanish between stat and open all the time (compilers' temp files):
    // a failed early hash just means collect() decides again at the end.
    this.hashes.set(path, this.hashIfSmall(path).catch(() => undefined));
  }

  private async hashIfSmall(path: string): Promise<Hashed | undefined> {
    if (this.hashing >= HASH_CONCURRENCY) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.hashing++;
    try {
      const st = await statOrUndefined(path);
      if (!st || !st.isFile() || Number(st.size) > this.hashMaxBytes) return undefined;
      const sha256 = await this.hashFile(path);
      // If the file changed while it was read, the signature will not match.
      return { signature: signature(st), sha256 };
    } finally {
      this.hashing--;
      this.waiting.shift()?.();
    }
  }

  /** The facts of every touched file as it is now, one event each. */
  async collect(ts: number): Promise<EventOf<'file.facts'>[]> {
    const out: EventOf<'file.facts'>[] = [];
    for (const [path, { written }] of this.touched) {
      const st = await statOrUndefined(path);
      if (!st) {
        out.push({ type: 'file.facts', ts, path, exists: false });
        continue;
      }
      if (st.isDirectory()) continue;
      const facts: EventOf<'file.facts'> = {
        type: 'file.facts', ts, path, exists: true, dev: Number(st.dev), ino: Number(st.ino),
        size: Number(st.size), mtime: Math.floor(Number(st.mtimeMs) * 1000),
      };
      if (written) {
        if (!st.isFile()) facts.hashSkipped = 'not a regular file';
        else if (Number(st.size) > this.hashMaxBytes) facts.hashSkipped = `larger than ${this.hashMaxBytes} bytes`;
        else {
          let hashed = await this.hashes.get(path);
          if (!hashed || hashed.signature !== signature(st)) {
            const sha256 = await this.hashFile(path).catch(() => undefined);
            hashed = sha256 ? { signature: signature(st), sha256 } : undefined;
          }
          if (hashed) facts.sha256 = hashed.sha256;
          else facts.hashSkipped = 'unreadable';
        }
      }
      out.push(facts);
    }
    return out;
  }
}

function signature(st: Stats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
}

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(textToBytes(path));
  } catch {
    return undefined;
  }
}

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(textToBytes(path))
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
