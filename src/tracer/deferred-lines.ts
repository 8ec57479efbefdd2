import { LineSplitter } from './line-splitter.js';

/**
 * A tracer's output, from its stream's 'data' events to lines, handled just
 * after each 'data' handler returns (process.nextTick) rather than inside it.
 *
 * Why: Node reads a pipe 64 KiB at a time, and handling the ~300 lines of a
 * chunk allocates more than V8's young generation holds (1 MiB, see
 * cli/lean-heap.ts). A chunk still referenced by the 'data' call frame while
 * its lines are handled outlives two scavenges and is promoted, so every
 * chunk's 64 KiB Buffer waited for a full GC: 5–10 MiB of `kiseki run`'s peak
 * on `tar czf`. Here the handler only copies the chunk into a string, the
 * Buffer dies young, and the lines are handled a moment later, in order.
 */
export class DeferredLines {
  private readonly splitter = new LineSplitter();
  private queue: string[] = [];
  private scheduled = false;

  constructor(private readonly onLine: (line: string) => void) {}

  /** For the stream's 'data' handler. */
  push(chunk: Buffer): void {
    this.queue.push(chunk.toString('latin1'));
    if (this.scheduled) return;
    this.scheduled = true;
    process.nextTick(this.drain);
  }

  /** Handles every chunk received so far. */
  readonly drain = (): void => {
    this.scheduled = false;
    const chunks = this.queue;
    this.queue = [];
    for (const text of chunks) this.splitter.push(text, this.onLine);
  };

  /** End of the stream: every line now, an unterminated tail included. */
  finish(): void {
    this.drain();
    this.splitter.finish(this.onLine);
  }
}
