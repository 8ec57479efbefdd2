import { describe, expect, it } from 'vitest';
import { DeferredLines } from './deferred-lines.js';

describe('DeferredLines', () => {
  it('hands the lines over after the data handler returns, in order, across chunks', async () => {
    const out: string[] = [];
    const lines = new DeferredLines((l) => out.push(l));
    lines.push(Buffer.from('a\tb\nc'));
    lines.push(Buffer.from('d\ne\n'));
    expect(out).toEqual([]);
    await new Promise((r) => process.nextTick(r));
    expect(out).toEqual(['a\tb', 'cd', 'e']);
  });

  it('finish() handles what is still queued and the unterminated tail at once', () => {
    const out: string[] = [];
    const lines = new DeferredLines((l) => out.push(l));
    lines.push(Buffer.from('x\ny'));
    lines.finish();
    expect(out).toEqual(['x', 'y']);
  });

  it('keeps bytes as latin1 (the tracers write ASCII; nothing is lost if not)', () => {
    const out: string[] = [];
    const lines = new DeferredLines((l) => out.push(l));
    lines.push(Buffer.from([0x66, 0xff, 0x0a]));
    lines.finish();
    expect(out).toEqual(['f\u00ff']);
  });
});
