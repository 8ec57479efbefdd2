// job_file (the files each job touched, for searches of a file name within
// few jobs) is kept by triggers on edge: it must hold exactly the (job, file
// version) pairs of the jobs' used / wasGeneratedBy / wasInvalidatedBy
// edges, whoever writes the edges, and be emptied with them.
import { expect, it } from 'vitest';
import { jobFileMatches } from '../../src/graph/queries/job-files.js';
import { LOCAL_ADMIN, searchJobs, type SearchCriteria } from '../../src/graph/index.js';
import { ingest } from '../../src/ingest/index.js';
import { resetStore } from '../../src/store/index.js';
import { catSortPipeline, mvTmpFinal, SyntheticTrace, threeStepPipeline } from './synthetic-trace.js';
import { describeStores, type StoreContext } from './stores.js';

/** The pairs as the path search finds them, through the edges. */
const FROM_EDGES = `select distinct e.job_id, fv.node_id, fv.path_id, p.path
  from edge e join file_version fv on fv.node_id = case when e.kind = 'used' then e.to_id else e.from_id end
  join path p on p.id = fv.path_id
  where e.job_id is not null and e.kind in ('used', 'wasGeneratedBy', 'wasInvalidatedBy')
  order by 1, 2`;
const JOB_FILE = 'select job_id, node_id, path_id, path from job_file order by 1, 2';

async function rows(ctx: StoreContext, sql: string): Promise<string[]> {
  const { rows: r } = await ctx.store.db.query<Record<string, unknown>>(sql);
  return r.map((x) => JSON.stringify(Object.values(x).map(String)));
}

describeStores('job_file', (ctx) => {
  it('holds the pairs of the edges the aggregator writes, chunk after chunk', async () => {
    const bob = new SyntheticTrace(undefined, { uid: 1001, gid: 1001, name: 'bob' });
    bob.runStart(['python3', 'train.py'], '/home/bob');
    const py = bob.spawn(null, '/usr/bin/python3', ['python3', 'train.py'], '/home/bob');
    for (let i = 0; i < 30; i++) bob.read(py, `/data/shared/shard-${i}.bin`);
    bob.write(py, '/home/bob/Model.PT');
    bob.unlink(py, '/data/shared/shard-0.bin');
    bob.exit(py);
    bob.runEnd(0);
    const traces = [catSortPipeline(), threeStepPipeline(), mvTmpFinal(), bob];
    for (const [i, t] of traces.entries()) {
      // in several batches, so that edges met again are upserts
      const ev = t.events;
      const half = Math.ceil(ev.length / 2);
      await ingest(ctx.store, { source: `s${i}`, seq: 0, events: ev.slice(0, half) });
      await ingest(ctx.store, { source: `s${i}`, seq: 1, events: ev.slice(half) });
    }
    const want = await rows(ctx, FROM_EDGES);
    expect(want.length).toBeGreaterThan(40);
    expect(await rows(ctx, JOB_FILE)).toEqual(want);
    // path_folds says which paths lower() changes (only those are lower-cased by a search)
    const { rows: folds } = await ctx.store.db.query<{ path: string; path_folds: boolean }>('select distinct path, path_folds from job_file');
    for (const f of folds) expect(f.path_folds, f.path).toBe(f.path.toLowerCase() !== f.path);
    expect(folds.some((f) => f.path_folds)).toBe(true);
    // the search within jobs: case-insensitive substrings, case-sensitive globs, as the path search
    const { rows: [job] } = await ctx.store.db.query<{ node_id: number }>(`select node_id from job where user_name = 'bob'`);
    const find = async (f: string) => [...((await jobFileMatches(ctx.store.db, [Number(job!.node_id)], f, { includeSoftware: false }))?.values() ?? [])];
    expect(await find('model.pt')).toEqual([1]);
    expect(await find('MODEL.pt')).toEqual([1]);
    expect(await find('/home/bob/*.PT')).toEqual([1]);
    expect(await find('/home/bob/*.pt')).toEqual([]);
    expect(await find('shard-1')).toEqual([11]); // shard-1, shard-10 … shard-19
    expect(await find('%')).toEqual([]); // LIKE wildcards are literal
    expect(await find('python3')).toEqual([]); // the program: software
    expect([...((await jobFileMatches(ctx.store.db, [Number(job!.node_id)], 'python3', { includeSoftware: true }))?.values() ?? [])]).toEqual([1]);
    // searchJobs (the CLI's search) takes the same way when other criteria leave few jobs
    const jobs = async (c: SearchCriteria) => (await searchJobs(ctx.store, LOCAL_ADMIN, c)).items.map((j) => j.jobId);
    expect(await jobs({ filename: 'MODEL.pt', user: 'bob' })).toEqual([bob.runId]);
    expect(await jobs({ filename: 'model.pt', user: 'alice' })).toEqual([]);
    expect(await jobs({ filename: 'python3', user: 'bob' })).toEqual([]);
    expect(await jobs({ filename: 'python3', user: 'bob', includeSoftware: true })).toEqual([bob.runId]);
    expect(await jobs({ filename: 'shard-2', jobScript: 'train' })).toEqual([bob.runId]);
    expect(await jobs({ filename: 'shard-2' })).toEqual([bob.runId]); // the path index
  });

  it('gains the pair when an upsert gives an edge its job; emptied with edge', async () => {
    await ingest(ctx.store, { source: 's0', seq: 0, events: catSortPipeline().events });
    const db = ctx.store.db;
    const { rows: [e] } = await db.query<{ from_id: number; to_id: number; job_id: number }>(
      `select e.from_id, e.to_id, e.job_id from edge e join file_version fv on fv.node_id = e.to_id where e.kind = 'used' and e.job_id is not null limit 1`);
    // as if the edge had come without its job, then again with it (the aggregator's upsert)
    await db.query(`update edge set job_id = null where from_id = $1 and kind = 'used' and to_id = $2`, [e!.from_id, e!.to_id]);
    await db.query(`delete from job_file where job_id = $1 and node_id = $2`, [e!.job_id, e!.to_id]);
    await db.query(
      `insert into edge (from_id, kind, to_id, job_id) values ($1, 'used', $2, $3)
       on conflict (from_id, kind, to_id) do update set job_id = coalesce(edge.job_id, excluded.job_id)`, [e!.from_id, e!.to_id, e!.job_id]);
    expect(await rows(ctx, JOB_FILE)).toEqual(await rows(ctx, FROM_EDGES));
    await resetStore(db);
    expect(await rows(ctx, JOB_FILE)).toEqual([]);
  });
}, 'job-file');
