import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../core/trace-event.js';
import { Spool } from './spool.js';

const ev = (i: number): TraceEvent => ({ type: 'process.exit', ts: i, proc: `h:b:${i}:1`, exitCode: 0, signal: null });
const job = { scheduler: 'slurm', id: '7' };

describe('agent spool', () => {
  const dirs: string[] = [];
  const fresh = () => {
    const d = mkdtempSync(join(tmpdir(), 'kiseki-spool-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('numbers batches from 0 without gaps and resumes after a restart (files or state)', () => {
    const dir = fresh();
    const s = new Spool({ dir, maxBytes: 1 << 20 });
    expect(s.write([ev(1)], () => null, 1)).toBe(0);
    expect(s.write([ev(2)], () => null, 2)).toBe(1);
    s.ack(s.oldest()!);
    expect(Spool.decode(s.read(s.oldest()!))).toEqual([ev(2)]);
    writeFileSync(join(dir, 'batches', '000000000002.ndjson.gz.tmp'), 'cut by a crash');
    const again = new Spool({ dir, maxBytes: 1 << 20 });
    expect(again.nextSeq).toBe(2);
    expect(again.backlogBatches).toBe(1);
    expect(readdirSync(join(dir, 'batches')).some((n) => n.endsWith('.tmp'))).toBe(false);
    again.ack(again.oldest()!);
    expect(new Spool({ dir, maxBytes: 1 << 20 }).nextSeq).toBe(2); // all shipped: state.json remembers
  });

  it('full: drops the newest batch, counts per job, then reports trace.lost when there is room', () => {
    const dir = fresh();
    const s = new Spool({ dir, maxBytes: 400 });
    const big = Array.from({ length: 200 }, (_, i) => ev(i));
    expect(s.write([ev(1)], () => job, 1)).toBe(0);
    expect(s.write(big, () => job, 2)).toBeNull();
    expect(s.droppedEvents).toBe(200);
    expect(s.unreportedLost).toEqual({ 'slurm:7': { job, count: 200 } });
    s.ack(s.oldest()!);
    expect(s.reportLost(3)).toBe(1);
    expect(Spool.decode(s.read(s.oldest()!))).toEqual([{ type: 'trace.lost', ts: 3, count: 200, reason: 'agent spool full: events dropped', job }]);
    expect(s.reportLost(4)).toBeNull();
  });
});
