import { expect, it } from 'vitest';
import { deletable, keepSet, lineage, LOCAL_ADMIN, type Lineage } from '../../src/graph/index.js';
import { ingest } from '../../src/ingest/index.js';
import { catSortPipeline, mvTmpFinal, sedInPlace, SyntheticTrace, threeStepPipeline } from './synthetic-trace.js';
import { describeStores } from './stores.js';

const D = '/home/alice/work';
const labels = (l: Lineage, kind = 'file') => l.nodes.filter((n) => n.kind === kind).map((n) => n.key.replace(/^f:/, ''));

describeStores('lineage', (ctx) => {
  it('cat a | sort > b: a is among b\'s ancestors, through the pipe', async () => {
    await ingest(ctx.store, { source: 's', seq: 0, events: catSortPipeline().events });
    const up = await lineage(ctx.store, LOCAL_ADMIN, { path: `${D}/b` });
    const files = labels(up);
    expect(files).toContain(`${D}/a#1`);
    expect(files.some((f) => f.includes('pipe:[4242]'))).toBe(true);
    expect(files).toContain(`${D}/job.sh#1`);
    expect(up.nodes.some((n) => n.kind === 'job')).toBe(true);
    expect(files).not.toContain('/usr/lib/x86_64-linux-gnu/libc.so.6#1'); // system software hidden
    const withSw = await lineage(ctx.store, LOCAL_ADMIN, { path: `${D}/b` }, { includeSoftware: true });
    expect(labels(withSw)).toContain('/usr/lib/x86_64-linux-gnu/libc.so.6#1');
    // and b is among a's descendants
    const down = await lineage(ctx.store, LOCAL_ADMIN, { path: `${D}/a` }, { direction: 'down' });
    expect(labels(down)).toContain(`${D}/b#1`);
    expect(down.nodes.every((n) => n.depth >= 0)).toBe(true);
    // a depth bound stops the walk
    const near = await lineage(ctx.store, LOCAL_ADMIN, { path: `${D}/b` }, { depth: 2 });
    expect(labels(near)).not.toContain(`${D}/a#1`);
  });

  it('sed -i f: two versions, and the new f derives from the old', async () => {
    await ingest(ctx.store, { source: 's', seq: 0, events: sedInPlace().events });
    const up = await lineage(ctx.store, LOCAL_ADMIN, { path: `${D}/f` });
    expect(up.nodes[0]!.key).toBe(`f:${D}/f#2`);
    expect(labels(up)).toContain(`${D}/f#1`);
    const direct = up.edges.find((e) => e.kind === 'wasDerivedFrom' && e.role === 'revision');
    expect(direct).toBeDefined();
    expect(up.nodes.find((n) => n.id === direct!.to)!.key).toBe(`f:${D}/f#1`);
  });

  it('mv tmp final: final\'s lineage goes through tmp\'s writer to its input', async () => {
    await ingest(ctx.store, { source: 's', seq: 0, events: mvTmpFinal().events });
    const up = await lineage(ctx.store, LOCAL_ADMIN, { path: `${D}/final` });
    expect(labels(up)).toEqual(expect.arrayContaining([`${D}/final#1`, `${D}/tmp#1`, `${D}/in.dat#1`, `${D}/make-final.sh#1`]));
    const gen = up.nodes.find((n) => n.kind === 'process' && up.edges.some((e) => e.kind === 'wasGeneratedBy' && e.to === n.id && up.nodes.find((x) => x.id === e.from)?.key === `f:${D}/tmp#1`));
    expect(gen).toBeDefined();
  });

  it('the keep set of a three-step pipeline\'s output is exactly its inputs, programs and script', async () => {
    await ingest(ctx.store, { source: 's', seq: 0, events: threeStepPipeline().events });
    const k = await keepSet(ctx.store, LOCAL_ADMIN, { path: `${D}/out.dat` });
    expect(k.inputs.map((f) => f.path)).toEqual([`${D}/in.csv`, `${D}/params.txt`]);
    expect(k.programs.map((f) => f.path).sort()).toEqual(['/opt/tools/step1', '/opt/tools/step2', '/opt/tools/step3', '/usr/bin/bash']);
    expect(k.scripts.map((f) => f.path)).toEqual([`${D}/pipeline.sh`]);
    expect(k.libraries.map((f) => f.path)).toEqual(['/usr/lib/x86_64-linux-gnu/libc.so.6']);
  });

  it('deletable: what nothing kept depends on', async () => {
    await ingest(ctx.store, { source: 's', seq: 0, events: threeStepPipeline().events });
    const keepOut = await deletable(ctx.store, LOCAL_ADMIN, { pathPrefix: D, keep: [{ path: `${D}/out.dat` }] });
    expect(keepOut.kept.map((f) => f.path)).toEqual([`${D}/out.dat`]);
    expect(keepOut.deletable.map((f) => f.path)).toEqual([`${D}/log.txt`, `${D}/other.csv`]);
    expect(keepOut.needed.map((f) => f.path)).toEqual([`${D}/in.csv`, `${D}/params.txt`, `${D}/pipeline.sh`, `${D}/s1.dat`, `${D}/s2.dat`]);
    // default: keep the final products (log.txt, out.dat): nothing is left to delete
    const byDefault = await deletable(ctx.store, LOCAL_ADMIN, { pathPrefix: D });
    expect(byDefault.kept.map((f) => f.path)).toEqual([`${D}/log.txt`, `${D}/out.dat`]);
    expect(byDefault.deletable).toEqual([]);
    const { rows } = await ctx.store.db.query<{ id: number }>(`select node_id as id from job`);
    const byJob = await deletable(ctx.store, LOCAL_ADMIN, { job: Number(rows[0]!.id), keep: [{ path: `${D}/log.txt` }] });
    expect(byJob.deletable.map((f) => f.path)).toContain(`${D}/out.dat`);
    expect(byJob.deletable.map((f) => f.path)).not.toContain(`${D}/scratch.tmp`); // already gone
  });

  it('summarizes large fan-in instead of listing it, and survives cycles', async () => {
    const t = new SyntheticTrace();
    t.runStart(['gather']);
    const p = t.spawn(null, '/usr/bin/gather', ['gather']);
    for (let i = 0; i < 120; i++) t.read(p, `/data/in/part-${String(i).padStart(3, '0')}`);
    t.write(p, '/data/all');
    // a cycle: q reads all and appends to it (all#2 derives from all#1), r reads all#2 and writes part-000 again
    const q = t.spawn(null, '/usr/bin/q', ['q']);
    t.read(q, '/data/all');
    t.write(q, '/data/all', { append: true, truncate: false });
    t.read(q, '/data/all');
    t.runEnd();
    await ingest(ctx.store, { source: 's', seq: 0, events: t.events });
    const up = await lineage(ctx.store, LOCAL_ADMIN, { path: '/data/all' }, { maxPerGroup: 50, depth: 30 });
    const s = up.summaries.find((x) => x.edgeKind === 'used' && x.direction === 'up');
    expect(s).toBeDefined();
    expect(s!.count).toBe(121); // 120 parts and the program
    expect(s!.sample.length).toBe(50);
    expect(up.nodes.filter((n) => n.key.includes('/data/in/')).length).toBeLessThanOrEqual(50);
    const capped = await lineage(ctx.store, LOCAL_ADMIN, { path: '/data/all' }, { maxNodes: 10 });
    expect(capped.truncated).toBe(true);
    expect(capped.nodes.length).toBeLessThanOrEqual(10);
    expect(capped.nodes[0]!.key).toBe('f:/data/all#2'); // the shallowest are kept
    const both = await lineage(ctx.store, LOCAL_ADMIN, { path: '/data/all', version: 1 }, { direction: 'both', depth: 50 });
    expect(both.nodes.some((n) => n.depth < 0) && both.nodes.some((n) => n.depth > 0)).toBe(true);
  });

  it('a job\'s lineage: its inputs up, its outputs down', async () => {
    const t = catSortPipeline();
    await ingest(ctx.store, { source: 's', seq: 0, events: t.events });
    const up = await lineage(ctx.store, LOCAL_ADMIN, { jobId: t.runId });
    expect(labels(up)).toContain(`${D}/a#1`);
    const down = await lineage(ctx.store, LOCAL_ADMIN, { jobId: t.runId }, { direction: 'down' });
    expect(labels(down)).toContain(`${D}/b#1`);
  });
}, 'lineage');
