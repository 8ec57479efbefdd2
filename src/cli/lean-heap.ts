// The heap settings of the long-running, memory-capped commands: `kiseki
// run` (beside the traced command, target ≤ 100 MB with its tracer) and
// `kiseki agent` (a daemon on every compute node, same cap).
//
// Both turn a stream of tracer lines into short-lived objects. V8 then grows
// its young generation from 1 MiB to 16 MiB per semi-space (32 MiB resident
// once both halves are touched) to scavenge less often: measured on
// `tar czf` (72k events), 15–17 MiB of the Node process's peak. Keeping it at
// its initial size costs a little CPU (more, cheaper scavenges) and nothing
// else: the young objects die young either way.
//
// `--max-semi-space-size` only takes effect at start-up, which would need a
// second Node process (~40 MiB and ~40 ms more); the growth factor is read
// each time V8 considers growing, so setting it to 1 here, before the work
// starts, has the same effect (V8 clamps it to ≥ 2 only when the heap is
// configured, at start-up).
//
// `--optimize-for-size` is also read as V8 goes: it makes the old generation
// grow by smaller steps after each full GC. The short-lived objects that do
// get promoted (a 64 KiB pipe chunk outlives a scavenge while its lines are
// handled) are then freed sooner: 10–15 MiB less at the peak, for about
// 0.1 s more CPU on `tar czf`'s 72k events.
import { setFlagsFromString } from 'node:v8';

/** Commands that run for long and must stay small. */
const LEAN = new Set(['run', 'agent']);

/** Applies the lean heap settings when `command` is one of the capped commands. */
export function leanHeapFor(command: string | undefined): void {
  if (command === undefined || !LEAN.has(command)) return;
  if (process.env.KISEKI_NO_LEAN_HEAP === '1') return; // to measure the difference
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString('--optimize-for-size');
}
