/** Microseconds since the Unix epoch: the time unit of every TraceEvent. */
export function nowUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}
