import { expect, it } from 'vitest';
import { getNode, GraphError, jobGraph, LOCAL_ADMIN, searchFiles, searchJobs, type Viewer } from '../../src/graph/index.js';
import { ingest } from '../../src/ingest/index.js';
import { catSortPipeline, mvTmpFinal, SyntheticTrace, threeStepPipeline } from './synthetic-trace.js';
import { describeStores, type StoreContext } from './stores.js';

const D = '/home/alice/work';

async function load(ctx: StoreContext) {
  const pipe = catSortPipeline();
  const three = threeStepPipeline();
  const mv = mvTmpFinal();
  const bob = new SyntheticTrace(undefined, { uid: 1001, gid: 1001, name: 'bob' });
  bob.runStart(['python3', 'train.py'], '/home/bob');
  const py = bob.spawn(null, '/usr/bin/python3', ['python3', 'train.py'], '/home/bob');
  bob.read(py, '/home/bob/train.py');
  for (let i = 0; i < 70; i++) bob.read(py, `/data/shared/shard-${i}.bin`);
  bob.write(py, '/home/bob/model_[final].pt');
  bob.exit(py);
  bob.runEnd(1);
  for (const [i, t] of [pipe, three, mv, bob].entries()) await ingest(ctx.store, { source: `s${i}`, seq: 0, events: t.events });
  return { pipe, three, mv, bob };
}

describeStores('queries', (ctx) => {
  it('searches jobs by id, user, script, filename, time; combinable, paged, sorted', async () => {
    const { pipe, three, mv, bob } = await load(ctx);
    const all = await searchJobs(ctx.store, LOCAL_ADMIN, {});
    expect(all.total).toBe(4);
    expect(all.items.map((j) => j.jobId)).toEqual([bob.runId, mv.runId, three.runId, pipe.runId]); // newest first
    expect((await searchJobs(ctx.store, LOCAL_ADMIN, {}, { sort: 'start' })).items[0]!.jobId).toBe(pipe.runId);
    expect((await searchJobs(ctx.store, LOCAL_ADMIN, { jobId: pipe.runId.slice(0, 8) })).items.map((j) => j.jobId)).toEqual([pipe.runId]);
    expect((await searchJobs(ctx.store, LOCAL_ADMIN, { user: 'bob' })).items.map((j) => j.jobId)).toEqual([bob.runId]);
    expect((await searchJobs(ctx.store, LOCAL_ADMIN, { user: 1001 })).total).toBe(1);
    expect((await searchJobs(ctx.store, LOCAL_ADMIN, { jobScript: 'pipeline' })).items.map((j) => j.jobId)).toEqual([three.runId]);
    expect((await searchJobs(ctx.store, LOCAL_ADMIN, { jobScript: '*.py' })).items.map((j) => j.jobId)).toEqual([bob.runId]);
    expect((await searchJobs(ctx.store, LOCAL_ADMIN, { filename: 's2.dat' })).items.map((j) => j.jobId)).toEqual([three.runId]);
    expect((await searchJobs(ctx.store, LOCAL_ADMIN, { filename: 'final' })).items.map((j) => j.jobId).sort()).toEqual([bob.runId, mv.runId].sort());
    expect((await searchJobs(ctx.store, LOCAL_ADMIN, { filename: 'final', user: 'alice' })).items.map((j) => j.jobId)).toEqual([mv.runId]);
    expect((await searchJobs(ctx.store, LOCAL_ADMIN, { filename: 'libc' })).total).toBe(0); // software is not searched by default
    expect((await searchJobs(ctx.store, LOCAL_ADMIN, { filename: 'libc', includeSoftware: true })).total).toBe(2);
    const t0 = three.events[0]!.ts;
    const tEnd = three.events[three.events.length - 1]!.ts;
    expect((await searchJobs(ctx.store, LOCAL_ADMIN, { from: t0, to: tEnd })).items.map((j) => j.jobId)).toEqual([three.runId]);
    const p1 = await searchJobs(ctx.store, LOCAL_ADMIN, {}, { limit: 3, offset: 0, sort: 'start' });
    const p2 = await searchJobs(ctx.store, LOCAL_ADMIN, {}, { limit: 3, offset: 3, sort: 'start' });
    expect(p1.items.length).toBe(3);
    expect(p2.items.length).toBe(1);
    expect(p2.total).toBe(4);
    expect([...p1.items, ...p2.items].map((j) => j.jobId)).toEqual([pipe.runId, three.runId, mv.runId, bob.runId]);
  });

  it('searches files by substring and glob, safely', async () => {
    await load(ctx);
    const sub = await searchFiles(ctx.store, LOCAL_ADMIN, { filename: 'S1.DAT' });
    expect(sub.items.map((f) => f.path)).toEqual([`${D}/s1.dat`]);
    const glob = await searchFiles(ctx.store, LOCAL_ADMIN, { filename: '*.dat' });
    expect(glob.items.map((f) => f.path)).toEqual([`${D}/in.dat`, `${D}/out.dat`, `${D}/s1.dat`, `${D}/s2.dat`]);
    const shards = await searchFiles(ctx.store, LOCAL_ADMIN, { filename: '/data/shared/shard-?.bin' }, { limit: 5 });
    expect(shards.total).toBe(10);
    expect(shards.items.length).toBe(5);
    // LIKE wildcards and quotes are literal in substrings; [ makes a glob, \ escapes in globs
    expect((await searchFiles(ctx.store, LOCAL_ADMIN, { filename: '_' })).items.map((f) => f.path)).toEqual(['/home/bob/model_[final].pt']);
    expect((await searchFiles(ctx.store, LOCAL_ADMIN, { filename: '%' })).total).toBe(0);
    expect((await searchFiles(ctx.store, LOCAL_ADMIN, { filename: "x' or '1'='1" })).total).toBe(0);
    expect((await searchFiles(ctx.store, LOCAL_ADMIN, { filename: 'model_\\[final\\].pt' })).total).toBe(1);
    // versions: tmp and final, with the current flag
    const tmp = await searchFiles(ctx.store, LOCAL_ADMIN, { filename: `${D}/tmp` });
    expect(tmp.items.map((f) => [f.version, f.current])).toEqual([[1, false]]);
    expect((await searchFiles(ctx.store, LOCAL_ADMIN, { filename: 'shard', user: 'bob' })).total).toBe(70);
    expect((await searchFiles(ctx.store, LOCAL_ADMIN, { filename: 'shard', user: 'alice' })).total).toBe(0);
  });

  it('finds jobs and files by annotation text', async () => {
    const { three } = await load(ctx);
    const { rows } = await ctx.store.db.query<{ id: number }>(`select n.id from node n join path p on n.label = p.path where p.path = $1`, [`${D}/out.dat`]);
    await ctx.store.db.query(`insert into annotation (node_id, key, value, author_name) values ($1, 'paper', 'Figure 3 of the Nature draft', 'alice')`, [rows[0]!.id]);
    expect((await searchJobs(ctx.store, LOCAL_ADMIN, { annotation: 'nature' })).items.map((j) => j.jobId)).toEqual([three.runId]);
    expect((await searchFiles(ctx.store, LOCAL_ADMIN, { annotation: 'figure 3' })).items.map((f) => f.path)).toEqual([`${D}/out.dat`]);
    const node = await getNode(ctx.store, LOCAL_ADMIN, Number(rows[0]!.id));
    expect(node.annotations.map((a) => a.value)).toEqual(['Figure 3 of the Nature draft']);
  });

  it('shows a node with its facts and neighbours, big groups summarized', async () => {
    const { bob } = await load(ctx);
    const file = await getNode(ctx.store, LOCAL_ADMIN, { path: `${D}/b` });
    expect(file.kind).toBe('file');
    expect(file.facts.path).toBe(`${D}/b`);
    expect(file.facts.size).toBe(100);
    expect(file.neighbours.find((g) => g.edgeKind === 'wasGeneratedBy')!.sample[0]!.label).toBe('sort');
    const py = (await searchJobs(ctx.store, LOCAL_ADMIN, { jobId: bob.runId })).items[0]!;
    const g = await jobGraph(ctx.store, LOCAL_ADMIN, bob.runId, { maxPerGroup: 20 });
    expect(g.job).toBe(py.id);
    const used = g.summaries.find((s) => s.edgeKind === 'used');
    expect(used!.count).toBe(71); // 70 shards and the script (the program is system software, hidden)
    expect(used!.sample.length).toBe(20);
    expect(g.nodes.filter((n) => n.kind === 'file').length).toBe(21); // 20 inputs + the model
    const proc = g.nodes.find((n) => n.kind === 'process')!;
    const details = await getNode(ctx.store, LOCAL_ADMIN, proc.id, { maxPerGroup: 10 });
    expect(details.facts.argv).toEqual(['python3', 'train.py']);
    const usedGroup = details.neighbours.find((n) => n.edgeKind === 'used' && n.direction === 'out')!;
    expect(usedGroup.count).toBe(72);
    expect(usedGroup.sample.length).toBe(10);
    await expect(getNode(ctx.store, LOCAL_ADMIN, 'f:/nope#1')).rejects.toThrow(GraphError);
  });

  it('takes a viewer: other users see only what is theirs or shared', async () => {
    const { pipe, bob } = await load(ctx);
    const alice: Viewer = { kind: 'user', uid: 1000, gids: [1000] };
    expect((await searchJobs(ctx.store, alice, {})).items.map((j) => j.jobId)).not.toContain(bob.runId);
    expect((await searchJobs(ctx.store, alice, {})).total).toBe(3);
    await ctx.store.db.query(`update node set visibility = 'public' where key = $1`, [`j:local:${bob.runId}`]);
    expect((await searchJobs(ctx.store, alice, {})).total).toBe(4);
    const carol: Viewer = { kind: 'user', uid: 1002, gids: [1000] };
    expect((await searchJobs(ctx.store, carol, {})).total).toBe(1);
    await ctx.store.db.query(`update node set visibility = 'group' where key = $1`, [`j:local:${pipe.runId}`]);
    expect((await searchJobs(ctx.store, carol, {})).total).toBe(2);
  });
}, 'queries');
