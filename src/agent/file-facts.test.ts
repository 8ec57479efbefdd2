import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EventOf } from '../core/trace-event.js';
import { FileFactsCollector } from './file-facts.js';

function written(path: string): EventOf<'file.access'> {
  return {
    type: 'file.access', ts: 1, tsEnd: 2, proc: 'h:b:1:1', execSeq: 1, path, fileClass: 'data',
    read: false, write: true, create: true, truncate: true, append: false, bytesRead: 0, bytesWritten: 3, mmapWrite: false,
  };
}

describe('FileFactsCollector', () => {
  it('hashes written files and gives identity facts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiseki-facts-'));
    const path = join(dir, 'out.txt');
    writeFileSync(path, 'new');
    const c = new FileFactsCollector(1024);
    c.observe(written(path));
    const [facts] = await c.collect(10);
    expect(facts).toMatchObject({ path, exists: true, size: 3, sha256: '11507a0e2f5e69d5dfa40a62a1bd7b6ee57e6bcd85c67c9b8431b36fff21c437' });
  });

  it('survives a file that disappears between stat and read (no unhandled rejection)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiseki-facts-'));
    const path = join(dir, 'cc123.s');
    writeFileSync(path, 'tmp');
    const gone = Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
    const c = new FileFactsCollector(1024, () => Promise.reject(gone));
    c.observe(written(path));
    // Let the background hash fail before anyone awaits it.
    await new Promise((r) => setTimeout(r, 50));
    const [facts] = await c.collect(10);
    expect(facts).toMatchObject({ path, exists: true, hashSkipped: 'unreadable' });
  });

  it('skips the hash of a file larger than the limit and says why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiseki-facts-'));
    const path = join(dir, 'big.bin');
    writeFileSync(path, Buffer.alloc(2048));
    const c = new FileFactsCollector(1024);
    c.observe(written(path));
    const [facts] = await c.collect(10);
    expect(facts).toMatchObject({ size: 2048, hashSkipped: 'larger than 1024 bytes' });
    expect(facts!.sha256).toBeUndefined();
  });
});

describe('FileFactsCollector, many files written at once', () => {
  it('hashes at most a few files at a time, and every one of them in the end', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiseki-facts-'));
    let active = 0;
    let most = 0;
    const slowHash = async (p: string) => {
      active++;
      most = Math.max(most, active);
      await new Promise((r) => setTimeout(r, 2));
      active--;
      return `h:${p}`;
    };
    const c = new FileFactsCollector(1024, slowHash);
    const paths = Array.from({ length: 40 }, (_, i) => join(dir, `f${i}`));
    for (const p of paths) {
      writeFileSync(p, 'x');
      c.observe(written(p));
    }
    const facts = await c.collect(10);
    expect(most).toBeLessThanOrEqual(4);
    expect(facts.map((f) => f.sha256)).toEqual(paths.map((p) => `h:${p}`));
  });
});
