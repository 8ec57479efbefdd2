/**
 * Splits a byte stream into lines. Both tracers' outputs are ASCII (strace
 * escapes every non-ASCII byte; the eBPF loader hex-encodes strings), so
 * chunks can be decoded as latin1 without caring where characters fall.
 */
export class LineSplitter {
  private pending = '';

  push(chunk: Buffer | string, onLine: (line: string) => void): void {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('latin1');
    let start = 0;
    let nl = text.indexOf('\n');
    if (nl < 0) {
      this.pending += text;
      return;
    }
    onLine(this.pending + text.slice(0, nl));
    this.pending = '';
    start = nl + 1;
    while ((nl = text.indexOf('\n', start)) >= 0) {
      onLine(text.slice(start, nl));
      start = nl + 1;
    }
    this.pending = text.slice(start);
  }

  /** The unterminated tail, if any (a tracer that died mid-line). */
  finish(onLine: (line: string) => void): void {
    if (this.pending !== '') onLine(this.pending);
    this.pending = '';
  }
}
