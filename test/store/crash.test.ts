import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { aggregate, aggregationStatus, dumpGraph } from '../../src/graph/index.js';
import { ingest } from '../../src/ingest/index.js';
import { resetStore } from '../../src/store/index.js';
import { catSortPipeline, mvTmpFinal, sedInPlace, threeStepPipeline } from './synthetic-trace.js';
import { describeStores, type StoreContext } from './stores.js';

const CHILD = fileURLToPath(new URL('./aggregate-child.ts', import.meta.url));
const TRACES = [threeStepPipeline(), catSortPipeline(), sedInPlace(), mvTmpFinal()];

/** Runs the aggregator in a child node process; kills it (SIGKILL) when `killWhen` sees its output. */
function runChild(ctx: StoreContext, chunkSize: number, hangAt: number, killWhen?: (out: string) => boolean): Promise<{ out: string; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ctx.target.db, ctx.target.schema ?? '-', String(chunkSize), String(hangAt)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let killed = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!killed && killWhen?.(out)) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (killed && signal === 'SIGKILL') resolve({ out, killed });
      else if (code === 0) resolve({ out, killed });
      else reject(new Error(`aggregator child failed (${code ?? signal}): ${err}`));
    });
  });
}

describeStores('crash recovery', (ctx) => {
  async function reference(): Promise<string[]> {
    for (const [i, t] of TRACES.entries()) await ingest(ctx.store, { source: `s${i}`, seq: 0, events: t.events });
    const d = await dumpGraph(ctx.store.db);
    await resetStore(ctx.store.db);
    return d;
  }

  it('kill -9 of the aggregator mid-chunk, then a restart: same graph, nothing lost or doubled', async () => {
    const ref = await reference();
    for (const [i, t] of TRACES.entries()) await ingest(ctx.store, { source: `s${i}`, seq: 0, events: t.events }, { aggregate: false });
    await ctx.closeForChild(); // PGlite is single-process: the child opens the folder alone
    const first = await runChild(ctx, 7, 3, (out) => out.includes('HANG'));
    expect(first.killed).toBe(true);
    expect(first.out).toContain('CHUNK 3');
    await ctx.reopen();
    const { rows } = await ctx.store.db.query<{ n: number }>('select count(*)::int as n from node');
    expect(rows[0]!.n).toBeGreaterThan(0); // chunks 1 and 2 committed
    const mid = await aggregationStatus(ctx.store.db);
    expect(mid.some((s) => s.pendingEvents > 0)).toBe(true);
    // a second crash, at another point, in another child
    await ctx.closeForChild();
    const second = await runChild(ctx, 5, 2, (out) => out.includes('HANG'));
    expect(second.killed).toBe(true);
    // the restart finishes the work
    const done = await runChild(ctx, 5, 0);
    expect(done.out).toContain('DONE');
    await ctx.reopen();
    expect(await dumpGraph(ctx.store.db)).toEqual(ref);
    expect((await aggregate(ctx.store)).events).toBe(0);
  });
}, 'crash');
