// A real trace: `kiseki run --backend ptrace -- bash job.sh` in /tmp/realtr, where
// job.sh is fixtures/ptrace-pipeline.job.sh:
//   cat a | sort > b ; sed -i 's/a/A/' b ; cp b tmp1 && mv tmp1 final
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { dumpGraph, keepSet, lineage, LOCAL_ADMIN, searchJobs } from '../../src/graph/index.js';
import { ingestNdjsonFile } from '../../src/ingest/index.js';
import { describeStores } from './stores.js';

const TRACE = fileURLToPath(new URL('./fixtures/ptrace-pipeline.ndjson', import.meta.url));
const D = '/tmp/realtr';

describeStores('a real ptrace trace', (ctx) => {
  it('gives the lineage, versions and keep set one expects', async () => {
    const r = await ingestNdjsonFile(ctx.store, TRACE);
    expect(r.aggregated!.events).toBe(56);
    const job = (await searchJobs(ctx.store, LOCAL_ADMIN, {})).items[0]!;
    expect([job.name, job.state]).toEqual(['job.sh', 'completed']);
    const final = await lineage(ctx.store, LOCAL_ADMIN, { path: `${D}/final` }, { depth: 20 });
    const keys = final.nodes.map((n) => n.key);
    expect(keys).toEqual(expect.arrayContaining([`f:${D}/tmp1#1`, `f:${D}/b#2`, `f:${D}/b#1`, `f:${D}/a#1`, `f:${D}/job.sh#1`]));
    expect(keys.some((k) => k.includes('|pipe:['))).toBe(true);
    // sed -i: b#2 is a revision of b#1; `sort > b` made one version, not two
    const b = await lineage(ctx.store, LOCAL_ADMIN, { path: `${D}/b` }, { depth: 1 });
    expect(b.edges.filter((e) => e.kind === 'wasDerivedFrom').map((e) => e.role).sort()).toEqual(['rename', 'revision']);
    const { rows } = await ctx.store.db.query<{ n: number }>(`select max(version)::int as n from file_version fv join path p on p.id = fv.path_id where p.path = $1`, [`${D}/b`]);
    expect(rows[0]!.n).toBe(2);
    const k = await keepSet(ctx.store, LOCAL_ADMIN, { path: `${D}/final` });
    expect(k.inputs.map((f) => f.path)).toEqual([`${D}/a`]);
    expect(k.scripts.map((f) => f.path)).toEqual([`${D}/job.sh`]);
    expect(k.programs.map((f) => f.path).sort()).toEqual(['/usr/bin/bash', '/usr/bin/cat', '/usr/bin/cp', '/usr/bin/mv', '/usr/bin/sed', '/usr/bin/sort']);
    // the same file again: nothing changes
    const before = await dumpGraph(ctx.store.db);
    await ingestNdjsonFile(ctx.store, TRACE);
    expect(await dumpGraph(ctx.store.db)).toEqual(before);
  });
}, 'real-trace');
