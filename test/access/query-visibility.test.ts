// Visibility in every query, per kind of viewer, and lineage redaction
// (issue 6): what a viewer may not see is not shown, not named and does not
// leak through edges, counts, caches or "not found" versus "forbidden".
// The graph (visibility-graph.ts) marks every name with who may see it;
// each viewer's answers are serialized and searched for the markers they
// must not contain.
import { expect, it } from 'vitest';
import { JobCountCache } from '../../src/api/cache.js';
import { apiJobGraph, apiLineage, apiNeighbours, apiNodeDetails } from '../../src/api/queries/graph.js';
import { listEntities, listRelations } from '../../src/api/queries/list.js';
import { searchJobHits } from '../../src/api/queries/search.js';
import { EntitiesQuery, RelationsQuery, SearchQuery } from '../../src/api/schemas.js';
import { exportJobProvJson, exportLineageProvJson } from '../../src/graph/export/index.js';
import {
  ANONYMOUS, deletable, getNode, GraphError, jobGraph, keepSet, lineage, LOCAL_ADMIN, resolveNode, searchFiles, searchJobs, Sql, visibleTo,
  type Viewer,
} from '../../src/graph/index.js';
import type { Store } from '../../src/store/index.js';
import { describeStores } from '../store/stores.js';
import { buildVisGraph, P, type VisGraph } from './visibility-graph.js';

type Name = 'admin' | 'alice' | 'bob' | 'dave' | 'eve' | 'anonymous' | 'shareJob' | 'shareNodes';

function viewers(g: VisGraph): Record<Name, Viewer> {
  return {
    admin: LOCAL_ADMIN,
    alice: { kind: 'user', uid: 1000, gids: [100] }, // owner of A, group 100 with bob
    bob: { kind: 'user', uid: 1001, gids: [100] }, // owner of B; A is alice's private job
    dave: { kind: 'user', uid: 1003, gids: [300] }, // another group: public only
    eve: { kind: 'user', uid: 1004, gids: [300], adminGids: [100] }, // group admin of group 100
    anonymous: ANONYMOUS,
    // carol's link to job C: C's own nodes (not its inputs, not her user node)
    shareJob: { kind: 'share', linkId: 'l-job', scope: { kind: 'job', jobId: g.job.C }, within: { kind: 'user', uid: 1002, gids: [200] } },
    // an admin's link to one file's lineage, as a set of nodes
    shareNodes: { kind: 'share', linkId: 'l-nodes', scope: { kind: 'nodes', nodeIds: [g.file.cResult, g.proc.C, g.file.cParams] }, within: { kind: 'admin' } },
  };
}

/** Jobs each viewer may see. */
const JOBS: Record<Name, ('A' | 'B' | 'C' | 'D')[]> = {
  admin: ['A', 'B', 'C', 'D'], alice: ['A', 'B', 'C'], bob: ['B', 'C'], dave: ['C'], eve: ['A', 'B', 'C'], anonymous: ['C'], shareJob: ['C'], shareNodes: [],
};

/** Text each viewer must never be given (paths, cwd, exe, job ids, user names, annotations). */
function forbidden(g: VisGraph, v: Name): string[] {
  const sees = (who: Name[]) => who.includes(v);
  const out: string[] = [];
  if (!sees(['admin', 'alice', 'eve'])) out.push('SECRETA', g.runId.A, 'alice');
  if (!sees(['admin', 'alice', 'bob', 'eve'])) out.push('GROUPB', g.runId.B, 'bob');
  if (!sees(['admin', 'shareJob'])) out.push('SECRETC');
  if (!sees(['admin'])) out.push('SECRETD', g.runId.D);
  if (v === 'shareJob' || v === 'shareNodes') out.push('DPUBLIC');
  if (v === 'shareJob') out.push('PUBLICC-params');
  if (v === 'shareNodes') out.push(g.runId.C);
  return out;
}

async function visibleIds(store: Store, v: Viewer): Promise<Set<number>> {
  const q = new Sql();
  const { rows } = await store.db.query<{ id: number }>(`select n.id from node n where ${visibleTo(v, 'n', q)}`, q.params);
  return new Set(rows.map((r) => Number(r.id)));
}

/** Runs `f`; a node the viewer may not see must be "not found" exactly as a missing one. */
async function tryQuery<T>(f: () => Promise<T>): Promise<T | { notFound: string }> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof GraphError && e.code === 'E_GRAPH_NOT_FOUND') return { notFound: e.message };
    throw e;
  }
}

/** Node ids named in graph answers (ids, edge ends, placeholders' parents, samples, start). */
function namedIds(x: unknown, out: number[] = [], key = ''): number[] {
  if (typeof x === 'number' && ['id', 'from', 'to', 'parent', 'node', 'start', 'sample', 'job'].includes(key)) out.push(x);
  else if (Array.isArray(x)) for (const y of x) namedIds(y, out, key);
  else if (x && typeof x === 'object') {
    if ('createdAt' in x) return out; // an annotation: its id is not a node's
    for (const [k, y] of Object.entries(x)) namedIds(y, out, k === 'id' && typeof y === 'string' ? '' : k);
  }
  return out;
}

describeStores('query visibility', (ctx) => {
  it('every query, for every kind of viewer, shows and counts only what the viewer may see', async () => {
    const g = await buildVisGraph(ctx.store);
    const store = ctx.store;
    const V = viewers(g);
    const { rows: all } = await store.db.query<{ id: number; kind: string }>('select id, kind from node order by id');
    const cache = new JobCountCache();
    for (const name of Object.keys(V) as Name[]) {
      const v = V[name];
      const seen = await visibleIds(store, v);
      const answers: unknown[] = [];
      const graphAnswers: unknown[] = [];
      // search, both layers: exactly the viewer's jobs, totals included
      const jobs = await searchJobs(store, v, {});
      expect(jobs.items.map((j) => j.id).sort(), name).toEqual(JOBS[name].map((k) => g.job[k]).sort());
      expect(jobs.total, name).toBe(JOBS[name].length);
      const hits = await searchJobHits(store.db, v, SearchQuery.parse({}), cache);
      expect(hits.items.map((j) => j.id).sort(), name).toEqual(JOBS[name].map((k) => g.job[k]).sort());
      expect(hits.total, name).toBe(JOBS[name].length);
      answers.push(jobs, hits);
      for (const c of [{ filename: 'SECRET' }, { annotation: 'SECRET' }, { user: 'alice' }, { user: 'bob' }, { filename: 'PUBLICC' }]) {
        answers.push(await searchJobs(store, v, c), await searchFiles(store, v, c), await searchJobHits(store.db, v, SearchQuery.parse(c), cache));
        answers.push(await listEntities(store.db, v, EntitiesQuery.parse({ ...c, type: 'job' }), cache));
        answers.push(await listEntities(store.db, v, EntitiesQuery.parse({ ...c, type: 'file' })));
        answers.push(await listRelations(store.db, v, RelationsQuery.parse(c)));
      }
      answers.push(await searchFiles(store, v, {}, { limit: 1000 }));
      for (const type of ['job', 'process', 'file'] as const) answers.push(await listEntities(store.db, v, EntitiesQuery.parse({ type, pageSize: '200' }), cache));
      const rel = await listRelations(store.db, v, RelationsQuery.parse({ pageSize: '200' }));
      for (const r of rel.items) expect(seen.has(r.from.id) && seen.has(r.to.id), `${name}: relation ${r.id}`).toBe(true);
      answers.push(rel);
      // every node: details, neighbours, lineage, job graph, exports
      for (const { id: rawId, kind } of all) {
        const id = Number(rawId);
        const res: unknown[] = [
          await tryQuery(() => getNode(store, v, id)),
          await tryQuery(() => apiNodeDetails(store, v, id)),
          await tryQuery(() => apiNeighbours(store, v, id, { direction: 'both', page: 1, pageSize: 100 })),
        ];
        const graphs: unknown[] = [
          await tryQuery(() => lineage(store, v, id, { direction: 'both' })),
          await tryQuery(() => apiLineage(store, v, id, { direction: 'both', depth: 10, includeSoftware: true, groupThreshold: 50, maxNodes: 1000 })),
        ];
        if (kind === 'job') {
          graphs.push(await tryQuery(() => jobGraph(store, v, id, { includeSoftware: true })));
          graphs.push(await tryQuery(() => apiJobGraph(store, v, id, { includeSoftware: true, groupThreshold: 50 })));
          res.push(await tryQuery(() => exportJobProvJson(store, v, id, { includeSoftware: true })));
        }
        if (kind === 'file') {
          res.push(await tryQuery(() => exportLineageProvJson(store, v, id, { includeSoftware: true })));
          res.push(await tryQuery(() => keepSet(store, v, id)));
        }
        for (const r of [...res, ...graphs]) {
          // an invisible node is "not found", worded as for an id that does not exist
          if (!seen.has(id)) expect(r, `${name} node ${id}`).toMatchObject({ notFound: expect.stringMatching(new RegExp(`^no such (node|job) ${id}$`)) });
          else expect(r, `${name} node ${id}`).not.toHaveProperty('notFound');
        }
        answers.push(...res, ...graphs);
        graphAnswers.push(...graphs);
      }
      for (const path of Object.values(P)) {
        // (a "not found" repeats the path asked for: not searched for secrets, compared with a missing path's)
        for (const r of [await tryQuery(() => getNode(store, v, { path })),
          await tryQuery(() => apiLineage(store, v, { path }, { direction: 'up', depth: 10, includeSoftware: true, groupThreshold: 50, maxNodes: 1000 }))]) {
          if ('notFound' in r) expect(r.notFound, `${name} ${path}`).toBe(`no such file ${path}`);
          else answers.push(r);
        }
      }
      answers.push(await deletable(store, v, {}));
      // nothing invisible is named…
      const text = JSON.stringify(answers);
      for (const secret of forbidden(g, name)) expect(text.includes(secret), `${name} was shown ${secret}: …${text.slice(Math.max(0, text.indexOf(secret) - 300), text.indexOf(secret) + 100)}`).toBe(false);
      // …nor pointed at by id: graph answers name visible nodes or placeholders (negative ids)
      for (const x of namedIds(graphAnswers)) expect(x < 0 || seen.has(x), `${name}: graph names node ${x}`).toBe(true);
    }
  }, 240_000);

  it('a public file derived from a private one shows a hidden input, without naming it, and the walk stops there', async () => {
    const g = await buildVisGraph(ctx.store);
    const V = viewers(g);
    // bob: B read alice's private SECRETA-mid.csv
    const l = await lineage(ctx.store, V.bob, { path: P.bOut }, { direction: 'up' });
    expect(l.nodes.map((n) => n.id).sort()).toEqual([g.file.bOut, g.proc.B, g.job.B, g.user.bob].sort());
    const used = l.hidden.filter((h) => h.node === g.proc.B && h.edgeKind === 'used' && h.direction === 'out');
    expect(used).toHaveLength(1);
    expect(used[0]).toMatchObject({ kind: 'hidden', label: '', hidden: true, count: 1 }); // SECRETA-mid (the program file is system software, left out)
    expect(used[0]!.id).toBeLessThan(0);
    expect(l.edges).toContainEqual({ from: g.proc.B, kind: 'used', to: used[0]!.id, role: null });
    expect(JSON.stringify(l)).not.toMatch(/SECRETA|alice/);
    const ls = await lineage(ctx.store, V.bob, { path: P.bOut }, { direction: 'up', includeSoftware: true });
    // (the program file has no owner: whether bob may see it is viewer.ts's rule for ownerless nodes; either way nothing of alice's is named)
    expect(ls.hidden.find((x) => x.node === g.proc.B && x.edgeKind === 'used')?.count).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(ls)).not.toMatch(/SECRETA|alice/);
    // the admin sees the real input and, beyond it, alice's raw file
    const la = await lineage(ctx.store, LOCAL_ADMIN, { path: P.bOut }, { direction: 'up', includeSoftware: true });
    expect(la.nodes.map((n) => n.id)).toEqual(expect.arrayContaining([g.file.aMid, g.file.aRaw]));
    expect(la.hidden).toEqual([]);

    // dave: DPUBLIC-out.dat is public, the job that made it private; PUBLICC-result
    // (public, read by that job) is not reached through the hidden run
    const d = await lineage(ctx.store, V.dave, { path: P.dPublic }, { direction: 'up' });
    expect(d.nodes.map((n) => n.id)).toEqual([g.file.dPublic]);
    expect(d.hidden).toEqual([expect.objectContaining({ node: g.file.dPublic, edgeKind: 'wasGeneratedBy', direction: 'out', count: 1, depth: -1 })]);
    expect(JSON.stringify(d)).not.toMatch(/PUBLICC|SECRETD/);

    // the API answer and its placeholders
    const api = await apiLineage(ctx.store, V.dave, { path: P.cResult }, { direction: 'up', depth: 10, includeSoftware: false, groupThreshold: 50, maxNodes: 1000 });
    const h = api.hidden.find((x) => x.parent === g.proc.C && x.relation === 'used');
    expect(h).toMatchObject({ kind: 'hidden', label: '', hidden: true, direction: 'out' });
    expect(api.edges).toContainEqual(expect.objectContaining({ from: g.proc.C, kind: 'used', to: h!.id }));
    expect(api.nodes.map((n) => n.id)).toEqual(expect.arrayContaining([g.file.cResult, g.proc.C, g.file.cParams]));
    expect(JSON.stringify(api)).not.toContain('SECRETA');

    // job graph: C for dave shows its public files and a placeholder for the private inputs and output
    const jg = await apiJobGraph(ctx.store, V.dave, g.job.C, { includeSoftware: false, groupThreshold: 50 });
    expect(jg.nodes.map((n) => n.id).sort()).toEqual([g.job.C, g.user.carol, g.proc.C, g.file.cParams, g.file.cResult].sort());
    expect(jg.hidden.map((x) => [x.parent, x.relation, x.direction])).toEqual(expect.arrayContaining([
      [g.proc.C, 'used', 'out'], [g.proc.C, 'wasGeneratedBy', 'in'],
    ]));
    expect(JSON.stringify(jg)).not.toMatch(/SECRETA|SECRETC/);

    // PROV-JSON: a placeholder entity with no attributes but kiseki:hidden and its count
    const x = await exportLineageProvJson(ctx.store, V.dave, { path: P.cResult });
    const doc = JSON.stringify(x.document);
    expect(doc).not.toContain('SECRETA');
    const hiddenEntities = Object.entries(x.document.entity ?? {}).filter(([, a]) => a['kiseki:hidden'] === true);
    expect(hiddenEntities.length).toBeGreaterThan(0);
    for (const [pid, a] of hiddenEntities) {
      expect(pid).toMatch(/^kiseki:hidden-\d+$/);
      expect(Object.keys(a).sort()).toEqual(['kiseki:count', 'kiseki:hidden', 'prov:type']);
    }
    expect(Object.values(x.document.used ?? {})).toContainEqual(expect.objectContaining({ 'prov:entity': hiddenEntities[0]![0] }));
  });

  it('counts: neighbour groups, matched files (cached per viewer) and annotation search count only what the viewer sees', async () => {
    const g = await buildVisGraph(ctx.store);
    const V = viewers(g);
    // PUBLICC-result was read by D (private): the admin sees the group, dave does not
    const inUsed = (n: Awaited<ReturnType<typeof getNode>>) => n.neighbours.find((x) => x.direction === 'in' && x.edgeKind === 'used');
    expect(inUsed(await getNode(ctx.store, LOCAL_ADMIN, g.file.cResult))?.count).toBe(1);
    expect(inUsed(await getNode(ctx.store, V.dave, g.file.cResult))).toBeUndefined();
    // C touched SECRETA-mid (alice's), PUBLICC-params, PUBLICC-result, SECRETC-scratch (carol's, private)
    const cache = new JobCountCache();
    const files = async (v: Viewer) => (await searchJobHits(ctx.store.db, v, SearchQuery.parse({}), cache)).items.find((j) => j.id === g.job.C)!.matchedFiles;
    expect(await files(LOCAL_ADMIN)).toBe(4);
    expect(await files(V.dave)).toBe(2); // after the admin's count was cached
    expect(await files(V.alice)).toBe(3);
    expect(await files(V.shareJob)).toBe(2); // in the link's scope: C's own result and scratch
    // a private file's annotation in a public job does not find the job
    expect((await searchJobs(ctx.store, LOCAL_ADMIN, { annotation: 'SECRETC-note' })).items.map((j) => j.id)).toEqual([g.job.C]);
    expect((await searchJobs(ctx.store, V.dave, { annotation: 'SECRETC-note' })).total).toBe(0);
    expect((await searchJobHits(ctx.store.db, V.dave, SearchQuery.parse({ annotation: 'SECRETC-note' }))).total).toBe(0);
    // a private file's path does not find the public job that read it
    expect((await searchJobs(ctx.store, V.dave, { filename: 'SECRETA-mid' })).total).toBe(0);
    expect((await searchJobHits(ctx.store.db, V.dave, SearchQuery.parse({ filename: 'SECRETA-mid' }))).total).toBe(0);
    expect((await searchJobHits(ctx.store.db, LOCAL_ADMIN, SearchQuery.parse({ filename: 'SECRETA-mid' }))).total).toBe(3);
    // a private job's id does not find the public file it read
    expect((await searchFiles(ctx.store, LOCAL_ADMIN, { filename: 'PUBLICC-result', jobId: g.runId.D })).total).toBe(1);
    expect((await searchFiles(ctx.store, V.dave, { filename: 'PUBLICC-result', jobId: g.runId.D })).total).toBe(0);
    // a public file of a private job: listed without naming the job
    const list = await listEntities(ctx.store.db, V.dave, EntitiesQuery.parse({ type: 'file', pageSize: '200' }));
    expect(list.items.filter((f) => f.id === g.file.dPublic)).toEqual([expect.objectContaining({ job: null, job_id: null, host: null })]);
    expect(list.items.map((f) => f.id).sort((a, b) => Number(a) - Number(b))).toEqual([g.file.cParams, g.file.cResult, g.file.dPublic]);
    const det = await apiNodeDetails(ctx.store, V.dave, g.file.dPublic);
    expect(det.node.job).toBeNull();
    expect(det.neighbours).toEqual([]);
    // a job id or path the viewer may not see is not found, as a missing one
    await expect(resolveNode(ctx.store.db, { jobId: g.runId.A }, V.dave)).rejects.toThrow(`no such job ${JSON.stringify(g.runId.A)}`);
    await expect(resolveNode(ctx.store.db, { path: P.aMid }, V.dave)).rejects.toThrow(`no such file ${P.aMid}`);
    await expect(resolveNode(ctx.store.db, { path: P.aMid, version: 1 }, V.dave)).rejects.toThrow(`no such version 1 of ${P.aMid}`);
    expect(await resolveNode(ctx.store.db, { path: P.aMid }, V.alice)).toBe(g.file.aMid);
    // a visible job whose run is hidden: the run is a placeholder, nothing is reached through it
    // (not even C's public result), and the run's host is not listed
    await ctx.store.db.query(`update node set visibility = 'private' where id = $1`, [g.proc.C]);
    const jg = await jobGraph(ctx.store, V.dave, g.job.C);
    expect(jg.nodes.map((n) => n.id).sort()).toEqual([g.job.C, g.user.carol].sort());
    expect(jg.hidden).toEqual([expect.objectContaining({ node: g.job.C, edgeKind: 'wasStartedBy', direction: 'in', count: 1 })]);
    expect((await apiNodeDetails(ctx.store, V.dave, g.job.C)).node.nodes).toEqual([]);
    expect((await apiNodeDetails(ctx.store, LOCAL_ADMIN, g.job.C)).node.nodes).toEqual(['node1']);
  });
});
