// Data retrieval API over real HTTP, on PGlite and PostgreSQL: search, job
// graph, node details, neighbours, lineage, entities, relations, export —
// good parameters and bad ones (wrong types, unknown fields, huge pages).
import { userInfo } from 'node:os';
import { expect, it } from 'vitest';
import { SyntheticTrace } from '../store/synthetic-trace.js';
import { describeApi, ingestText, loadReal, manyFiles, XSS, type ApiContext } from './harness.js';

/** The id of the file version at `path` (newest), through the API. */
async function fileId(ctx: ApiContext, path: string): Promise<number> {
  const r = await ctx.get(`/api/v1/entities?type=file&filename=${encodeURIComponent(path)}&includeSoftware=true&pageSize=200`);
  const row = (r.body.items as { id: number; path: string; version: number }[]).filter((x) => x.path === path).sort((a, b) => b.version - a.version)[0];
  if (!row) throw new Error(`no file ${path}`);
  return row.id;
}

async function jobNode(ctx: ApiContext): Promise<number> {
  const r = await ctx.get('/api/v1/search?script=job.sh');
  return r.body.items[0].id as number;
}

/** The program runs of the job, by program name (several: the last). */
async function processes(ctx: ApiContext): Promise<Map<string, number[]>> {
  const r = await ctx.get('/api/v1/entities?type=process&pageSize=200&sort=start&order=asc');
  const out = new Map<string, number[]>();
  for (const p of r.body.items as { id: number; path: string | null }[]) {
    const name = (p.path ?? '').split('/').pop()!;
    out.set(name, [...(out.get(name) ?? []), p.id]);
  }
  return out;
}

function expectError(r: { status: number; body: any }, status: number, code: string, mentions?: string | RegExp): void {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.body.error.code).toBe(code);
  expect(typeof r.body.error.message).toBe('string');
  if (mentions) expect(r.body.error.message).toMatch(mentions);
}

describeApi('retrieval API', (ctx) => {
  it('search: criteria, matched files, fields and times', async () => {
    const t = await loadReal(ctx);
    const all = await ctx.get('/api/v1/search');
    expect(all.status).toBe(200);
    expect(all.headers.get('content-type')).toMatch(/^application\/json/);
    expect(all.body).toMatchObject({ total: 1, page: 1, pageSize: 20 });
    const hit = all.body.items[0];
    expect(hit).toMatchObject({ scheduler: 'local', name: 'job.sh', script: 'job.sh', state: 'completed', exitCode: 0, visibility: 'private', user: userInfo().username, uid: userInfo().uid });
    expect(hit.start).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(Date.parse(hit.end)).toBeGreaterThanOrEqual(Date.parse(hit.start));
    expect(hit.matchedFiles).toBe(31); // job.sh, in, XSS, sorted, out, 25 parts, all
    const q = async (query: string) => {
      const r = await ctx.get(`/api/v1/search?${query}`);
      expect(r.status, `${query}: ${r.text}`).toBe(200);
      return r.body;
    };
    expect((await q('filename=sorted.csv')).items.map((h: any) => h.matchedFiles)).toEqual([1]);
    expect((await q('filename=*.csv')).items[0].matchedFiles).toBe(28);
    expect((await q(`filename=${encodeURIComponent('**/data/part1?.csv')}`)).items[0].matchedFiles).toBe(10);
    expect((await q('filename=no-such-file')).total).toBe(0);
    expect((await q(`filename=${encodeURIComponent('<img')}`)).total).toBe(1);
    // with criteria that leave few jobs, those jobs' own files are searched (job_file): the same answers
    expect((await q(`filename=sorted.csv&user=${userInfo().username}`)).items.map((h: any) => h.matchedFiles)).toEqual([1]);
    expect((await q('filename=*.csv&script=job')).items[0].matchedFiles).toBe(28);
    expect((await q(`filename=${encodeURIComponent('**/data/part1?.csv')}&script=job`)).items[0].matchedFiles).toBe(10);
    expect((await q('filename=SORTED.CSV&script=job')).total).toBe(1);
    expect((await q('filename=sorted.csv&user=nobody-here')).total).toBe(0);
    expect((await q('filename=no-such-file&script=job')).total).toBe(0);
    expect((await q('filename=libc.so&script=job')).total).toBe(0); // software only when asked
    expect((await q('filename=libc.so&script=job&includeSoftware=true')).total).toBe(1);
    expect((await q('filename=libc.so&includeSoftware=true')).total).toBe(1);
    expect((await q(`jobId=${hit.jobId.slice(0, 8)}`)).total).toBe(1);
    expect((await q('jobId=zzzz')).total).toBe(0);
    expect((await q(`user=${userInfo().username}`)).total).toBe(1);
    expect((await q(`user=${userInfo().uid}`)).total).toBe(1);
    expect((await q('user=nobody-here')).total).toBe(0);
    expect((await q('script=job')).total).toBe(1);
    expect((await q('from=2000-01-01&to=2999-12-31')).total).toBe(1);
    expect((await q('to=2000-01-01')).total).toBe(0);
    expect((await q('from=2999-01-01T00:00:00Z')).total).toBe(0);
    expect((await q(`from=${encodeURIComponent(hit.start)}`)).total).toBe(1);
    expect((await q('visibility=private')).total).toBe(1);
    expect((await q('visibility=public')).total).toBe(0);
    // /jobs is the same list
    const jobs = await ctx.get('/api/v1/jobs?script=job');
    expect(jobs.body).toEqual((await ctx.get('/api/v1/search?script=job')).body);
    expectError(await ctx.get('/api/v1/jobs?pageSize=500'), 400, 'E_BAD_PARAMETER', /pageSize/);
    expect(t.dir.length).toBeGreaterThan(0);
  });

  it('search: paging and sorting', async () => {
    for (let i = 0; i < 5; i++) {
      const s = new SyntheticTrace();
      s.runStart(['sh', `step${i}.sh`]);
      const p = s.spawn(null, '/bin/sh', ['sh', `step${i}.sh`]);
      s.write(p, `/home/alice/work/out${i}.txt`);
      s.exit(p);
      s.runEnd();
      await ingestText(ctx, `run:${s.runId}`, s.ndjson());
    }
    const p1 = await ctx.get('/api/v1/search?pageSize=2&sort=name&order=asc');
    expect(p1.body).toMatchObject({ total: 5, page: 1, pageSize: 2 });
    expect(p1.body.items.map((h: any) => h.name)).toEqual(['step0.sh', 'step1.sh']);
    const p3 = await ctx.get('/api/v1/search?pageSize=2&page=3&sort=name&order=asc');
    expect(p3.body.items.map((h: any) => h.name)).toEqual(['step4.sh']);
    const p9 = await ctx.get('/api/v1/search?pageSize=2&page=9');
    expect(p9.body).toMatchObject({ total: 5, items: [] });
    const desc = await ctx.get('/api/v1/search?sort=name&order=desc&pageSize=200');
    expect(desc.body.items.map((h: any) => h.name)).toEqual(['step4.sh', 'step3.sh', 'step2.sh', 'step1.sh', 'step0.sh']);
    const byStart = await ctx.get('/api/v1/search');
    const starts = byStart.body.items.map((h: any) => h.start);
    expect(starts).toEqual([...starts].sort().reverse()); // default: newest first
  });

  it('search: bad parameters are 400 with the reason', async () => {
    const bad = async (query: string, mentions: string | RegExp) => expectError(await ctx.get(`/api/v1/search?${query}`), 400, 'E_BAD_PARAMETER', mentions);
    await bad('pageSize=201', /pageSize/);
    await bad('pageSize=1000000', /pageSize/);
    await bad('pageSize=0', /pageSize/);
    await bad('pageSize=abc', /pageSize.*whole number/);
    await bad('pageSize=-1', /pageSize/);
    await bad('pageSize=2.5', /pageSize/);
    await bad('page=0', /page/);
    await bad('page=1&page=2', /page/);
    await bad('foo=1', /unknown parameter "foo"/);
    await bad('jobid=1', /unknown parameter "jobid"/);
    await bad('from=yesterday', /from.*ISO 8601/);
    await bad('to=2025-02-30', /to/);
    await bad('sort=size', /sort/);
    await bad('order=up', /order/);
    await bad('includeSoftware=maybe', /includeSoftware/);
    await bad('visibility=secret', /visibility/);
    await bad(`jobId=${'x'.repeat(201)}`, /jobId/);
  });

  it('job graph: nodes, edges, groups beyond the threshold, software hidden', async () => {
    const t = await loadReal(ctx);
    const job = await jobNode(ctx);
    const g = await ctx.get(`/api/v1/jobs/${job}/graph`);
    expect(g.status).toBe(200);
    const ids = new Set(g.body.nodes.map((n: any) => n.id));
    for (const e of g.body.edges) {
      expect(ids.has(e.from) && ids.has(e.to)).toBe(true);
      expect(e.id).toBe(`${e.from}-${e.kind}-${e.to}`);
    }
    const paths = g.body.nodes.filter((n: any) => n.kind === 'file').map((n: any) => n.path);
    expect(paths).toEqual(expect.arrayContaining([`${t.dir}/data/in.csv`, `${t.dir}/data/sorted.csv`, `${t.dir}/data/all.csv`, `${t.dir}/${XSS}.txt`]));
    expect(paths.some((p: string) => p.includes('libc.so'))).toBe(false);
    expect(paths.some((p: string) => /part\d+\.csv$/.test(p))).toBe(false); // all in groups
    expect(g.body.nodes.find((n: any) => n.kind === 'job')).toMatchObject({ id: job, visibility: 'private', attrs: { name: 'job.sh', state: 'completed' } });
    const groups = g.body.groups.map((x: any) => [x.relation, x.direction, x.count, x.of, x.kind]).sort();
    // cat data/part*.csv reads 25 files; bash itself writes in.csv, the XSS file and 25 parts (printf > file)
    expect(groups).toEqual([['used', 'out', 25, 'file', 'group'], ['wasGeneratedBy', 'in', 27, 'file', 'group']]);
    for (const x of g.body.groups) {
      expect(ids.has(x.parent)).toBe(true);
      expect(x.sample.length).toBeGreaterThan(0);
      expect(x.sample.length).toBeLessThanOrEqual(10);
      expect(x.sample[0].path).toMatch(/\.(csv|txt)$/);
    }
    const wide = await ctx.get(`/api/v1/jobs/${job}/graph?groupThreshold=50&includeSoftware=true`);
    expect(wide.body.groups).toEqual([]);
    const widePaths = wide.body.nodes.filter((n: any) => n.kind === 'file').map((n: any) => n.path);
    expect(widePaths.filter((p: string) => /part\d+\.csv$/.test(p))).toHaveLength(25);
    expect(widePaths.some((p: string) => p.includes('libc.so'))).toBe(true);
  });

  it('job graph: bad parameters and unknown jobs', async () => {
    const t = await loadReal(ctx);
    const job = await jobNode(ctx);
    expectError(await ctx.get('/api/v1/jobs/999999/graph'), 404, 'E_NOT_FOUND');
    expectError(await ctx.get('/api/v1/jobs/abc/graph'), 400, 'E_BAD_PARAMETER', /id/);
    expectError(await ctx.get(`/api/v1/jobs/${job}/graph?groupThreshold=0`), 400, 'E_BAD_PARAMETER', /groupThreshold/);
    expectError(await ctx.get(`/api/v1/jobs/${job}/graph?groupThreshold=100000`), 400, 'E_BAD_PARAMETER', /groupThreshold/);
    expectError(await ctx.get(`/api/v1/jobs/${job}/graph?depth=3`), 400, 'E_BAD_PARAMETER', /unknown parameter "depth"/);
    const file = await fileId(ctx, `${t.dir}/data/in.csv`);
    expectError(await ctx.get(`/api/v1/jobs/${file}/graph`), 404, 'E_NOT_FOUND');
  });

  it('node details: every fact of a process, a file and a job', async () => {
    const t = await loadReal(ctx);
    const procs = await processes(ctx);
    const sort = procs.get('sort')![0]!;
    const p = await ctx.get(`/api/v1/nodes/${sort}`);
    expect(p.status).toBe(200);
    expect(p.body.node).toMatchObject({ id: sort, kind: 'process', label: 'sort', exe: '/usr/bin/sort', argv: ['sort', 'data/in.csv'], cwd: t.dir, exitCode: 0, mpiRank: null });
    expect(typeof p.body.node.pid).toBe('number');
    expect(typeof p.body.node.ppid).toBe('number');
    expect(typeof p.body.node.host).toBe('string');
    expect(p.body.node.env).toEqual(expect.any(Object));
    expect(p.body.node.start).toMatch(/Z$/);
    expect(p.body.annotations).toEqual([]);
    expect(p.body.neighbours).toEqual(expect.arrayContaining([
      { kind: 'used', direction: 'out', nodeKind: 'file', count: expect.any(Number) },
      { kind: 'wasGeneratedBy', direction: 'in', nodeKind: 'file', count: 1 },
    ]));
    const f = await ctx.get(`/api/v1/nodes/${await fileId(ctx, `${t.dir}/data/in.csv`)}`);
    expect(f.body.node).toMatchObject({ kind: 'file', path: `${t.dir}/data/in.csv`, version: 1, size: 4, software: false, visibility: 'private' });
    expect(f.body.node.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(typeof f.body.node.inode).toBe('number');
    expect(f.body.node.mtime).toMatch(/Z$/);
    const job = await jobNode(ctx);
    const j = await ctx.get(`/api/v1/nodes/${job}`);
    expect(j.body.node).toMatchObject({ kind: 'job', scheduler: 'local', script: 'job.sh', state: 'completed', user: userInfo().username, submit: null });
    expect(j.body.node.nodes).toEqual([expect.any(String)]);
    expectError(await ctx.get('/api/v1/nodes/999999'), 404, 'E_NOT_FOUND');
    expectError(await ctx.get('/api/v1/nodes/1x'), 400, 'E_BAD_PARAMETER');
    expectError(await ctx.get(`/api/v1/nodes/${job}?verbose=1`), 400, 'E_BAD_PARAMETER', /unknown parameter "verbose"/);
  });

  it('neighbours: one hop, by direction and edge kind, paged (expanding a group)', async () => {
    const t = await loadReal(ctx);
    const procs = await processes(ctx);
    const bash = procs.get('bash')![0]!;
    const sort = procs.get('sort')![0]!;
    const gen = await ctx.get(`/api/v1/nodes/${bash}/neighbours?direction=in&edgeKind=wasGeneratedBy&pageSize=10&page=3`);
    expect(gen.body).toMatchObject({ total: 27, page: 3, pageSize: 10 });
    expect(gen.body.items).toHaveLength(7);
    for (const it of gen.body.items) {
      expect(it.edge).toMatchObject({ kind: 'wasGeneratedBy', to: bash, from: it.node.id });
      expect(it.node.path).toMatch(/part\d+\.csv$/); // in id order: the parts come last
    }
    const used = await ctx.get(`/api/v1/nodes/${sort}/neighbours?direction=out&edgeKind=used`);
    expect(used.body.items.map((x: any) => x.node.path)).toEqual([`${t.dir}/data/in.csv`]);
    const withSw = await ctx.get(`/api/v1/nodes/${sort}/neighbours?direction=out&edgeKind=used&includeSoftware=true`);
    expect(withSw.body.items.map((x: any) => x.node.path)).toEqual(expect.arrayContaining(['/usr/bin/sort', `${t.dir}/data/in.csv`]));
    const both = await ctx.get(`/api/v1/nodes/${sort}/neighbours`);
    expect(both.body.items.some((x: any) => x.edge.kind === 'wasGeneratedBy' && x.node.path === `${t.dir}/data/sorted.csv`)).toBe(true);
    expectError(await ctx.get(`/api/v1/nodes/${sort}/neighbours?direction=sideways`), 400, 'E_BAD_PARAMETER', /direction/);
    expectError(await ctx.get(`/api/v1/nodes/${sort}/neighbours?edgeKind=knows`), 400, 'E_BAD_PARAMETER', /edgeKind/);
    expectError(await ctx.get(`/api/v1/nodes/${sort}/neighbours?pageSize=500`), 400, 'E_BAD_PARAMETER', /pageSize/);
    expectError(await ctx.get('/api/v1/nodes/999999/neighbours'), 404, 'E_NOT_FOUND');
  });

  it('volume: a run writing 250 files; groups, paging to the last page', async () => {
    const m = manyFiles(250);
    await ingestText(ctx, `run:${m.runId}`, m.ndjson());
    const job = (await ctx.get('/api/v1/search?script=fan.sh')).body.items[0];
    expect(job.matchedFiles).toBe(251);
    const g = await ctx.get(`/api/v1/jobs/${job.id}/graph`);
    expect(g.body.groups.map((x: any) => [x.relation, x.count]).sort()).toEqual([['used', 250], ['wasGeneratedBy', 250]]);
    expect(g.body.nodes.filter((n: any) => n.kind === 'file').map((n: any) => n.path)).toEqual(['/scratch/many/total.txt']);
    const group = g.body.groups.find((x: any) => x.relation === 'wasGeneratedBy');
    const p1 = await ctx.get(`/api/v1/nodes/${group.parent}/neighbours?direction=in&edgeKind=wasGeneratedBy&pageSize=200`);
    const p2 = await ctx.get(`/api/v1/nodes/${group.parent}/neighbours?direction=in&edgeKind=wasGeneratedBy&pageSize=200&page=2`);
    expect([p1.body.total, p1.body.items.length, p2.body.items.length]).toEqual([250, 200, 50]);
    const seen = new Set([...p1.body.items, ...p2.body.items].map((x: any) => x.node.id));
    expect(seen.size).toBe(250);
    const files = await ctx.get('/api/v1/entities?type=file&filename=/scratch/many/f&pageSize=200&page=2');
    expect([files.body.total, files.body.items.length]).toEqual([250, 50]);
    // patterns with a run of digits: the index is searched for the digits, the whole pattern checked after
    const byName = async (f: string) => (await ctx.get(`/api/v1/search?filename=${encodeURIComponent(f)}`)).body.items.map((h: any) => h.matchedFiles);
    expect(await byName('/scratch/many/f0042.dat')).toEqual([1]);
    expect(await byName('many/F0042')).toEqual([1]); // case-insensitive
    expect(await byName('/scratch/*/f01[0-4]?.dat')).toEqual([50]);
    expect(await byName('f01[!0-4]*.dat')).toEqual([50]);
    expect(await byName('/scratch/many/f0042.txt')).toEqual([]);
    expect(await byName('/other/f0042.dat')).toEqual([]);
    const e = await ctx.get(`/api/v1/entities?type=file&filename=${encodeURIComponent('/scratch/many/f012?.dat')}`);
    expect(e.body.items.map((f: any) => f.path)).toEqual(Array.from({ length: 10 }, (_, i) => `/scratch/many/f012${i}.dat`));
  });

  it('lineage: up and down, groups, bad parameters', async () => {
    const t = await loadReal(ctx);
    const sorted = await fileId(ctx, `${t.dir}/data/sorted.csv`);
    const up = await ctx.get(`/api/v1/lineage?path=${encodeURIComponent(`${t.dir}/data/sorted.csv`)}`);
    expect(up.status).toBe(200);
    expect(up.body.start).toEqual([sorted]);
    expect(up.body.truncated).toBe(false);
    expect(up.body.nodes.find((n: any) => n.id === sorted).depth).toBe(0);
    const paths = up.body.nodes.map((n: any) => n.path).filter(Boolean);
    expect(paths).toContain(`${t.dir}/data/in.csv`);
    expect(paths).not.toContain(`${t.dir}/out <b>&amp;.txt`);
    expect(up.body.nodes.every((n: any) => n.depth <= 0)).toBe(true);
    const down = await ctx.get(`/api/v1/lineage?node=${await fileId(ctx, `${t.dir}/data/in.csv`)}&direction=down`);
    expect(down.body.nodes.map((n: any) => n.path).filter(Boolean)).toEqual(expect.arrayContaining([`${t.dir}/data/sorted.csv`, `${t.dir}/out <b>&amp;.txt`]));
    expect(down.body.nodes.every((n: any) => n.depth >= 0)).toBe(true);
    const all = await ctx.get(`/api/v1/lineage?node=${await fileId(ctx, `${t.dir}/data/all.csv`)}&groupThreshold=10&depth=3`);
    const g = all.body.groups.find((x: any) => x.relation === 'used');
    expect(g).toMatchObject({ kind: 'group', of: 'file', direction: 'out' });
    expect(g.count).toBeGreaterThanOrEqual(25); // the 25 parts, and cat's own program and libraries
    const both = await ctx.get(`/api/v1/lineage?node=${sorted}&direction=both&depth=2`);
    expect(both.body.nodes.some((n: any) => n.depth < 0) && both.body.nodes.some((n: any) => n.depth > 0)).toBe(true);
    expectError(await ctx.get('/api/v1/lineage'), 400, 'E_BAD_PARAMETER', /node or path/);
    expectError(await ctx.get(`/api/v1/lineage?node=${sorted}&path=/x`), 400, 'E_BAD_PARAMETER', /node or path/);
    expectError(await ctx.get(`/api/v1/lineage?node=${sorted}&depth=101`), 400, 'E_BAD_PARAMETER', /depth/);
    expectError(await ctx.get(`/api/v1/lineage?node=${sorted}&direction=sideways`), 400, 'E_BAD_PARAMETER', /direction/);
    expectError(await ctx.get('/api/v1/lineage?path=/no/such/file'), 404, 'E_NOT_FOUND');
    expectError(await ctx.get('/api/v1/lineage?node=999999'), 404, 'E_NOT_FOUND');
  });

  it('entities: jobs, program runs and files with the list view columns', async () => {
    const t = await loadReal(ctx);
    const jobs = await ctx.get('/api/v1/entities?type=job&filename=all.csv');
    expect(jobs.body).toMatchObject({ type: 'job', total: 1 });
    expect(jobs.body.items[0]).toMatchObject({ name: 'job.sh', filename: 'all.csv', matched_files: 1, visibility: 'private', additem: null });
    const procs = await ctx.get('/api/v1/entities?type=process&sort=pid&order=asc&pageSize=200');
    const pids = procs.body.items.map((p: any) => p.pid);
    expect(pids).toEqual([...pids].sort((a: number, b: number) => a - b));
    const sort = procs.body.items.find((p: any) => p.path === '/usr/bin/sort');
    expect(sort).toMatchObject({ args: 'data/in.csv', argv: ['sort', 'data/in.csv'], mpi: null, exit_code: 0 });
    for (const k of ['id', 'pid', 'uid', 'euid', 'egid', 'path', 'host', 'args', 'parent', 'start', 'mpi', 'additem']) expect(sort).toHaveProperty(k);
    expect(typeof sort.parent).toBe('number');
    const files = await ctx.get('/api/v1/entities?type=file&filename=part&pageSize=10&page=3&sort=path');
    expect([files.body.total, files.body.items.length]).toEqual([25, 5]);
    const xss = await ctx.get(`/api/v1/entities?type=file&filename=${encodeURIComponent('onerror=')}`);
    expect(xss.body.items.map((f: any) => f.path)).toEqual([`${t.dir}/${XSS}.txt`]);
    expect(xss.text).toContain(JSON.stringify(`${t.dir}/${XSS}.txt`)); // a plain JSON string
    for (const k of ['id', 'uid', 'path', 'inode', 'host', 'additem', 'visibility']) expect(xss.body.items[0]).toHaveProperty(k);
    const sw = await ctx.get('/api/v1/entities?type=file&filename=libc.so');
    expect(sw.body.total).toBe(0);
    expect((await ctx.get('/api/v1/entities?type=file&filename=libc.so&includeSoftware=true')).body.total).toBe(1);
    expectError(await ctx.get('/api/v1/entities?type=process&sort=size'), 400, 'E_BAD_PARAMETER', /sort/);
    expectError(await ctx.get('/api/v1/entities?type=dataset'), 400, 'E_BAD_PARAMETER', /type/);
    expectError(await ctx.get('/api/v1/entities?type=file&pageSize=201'), 400, 'E_BAD_PARAMETER', /pageSize/);
    expectError(await ctx.get('/api/v1/entities?type=file&name=x'), 400, 'E_BAD_PARAMETER', /unknown parameter "name"/);
  });

  it('relations: edges of the selected jobs, by kind, sorted, paged', async () => {
    await loadReal(ctx);
    const all = await ctx.get('/api/v1/relations?pageSize=200');
    expect(all.body.total).toBeGreaterThan(50);
    for (const r of all.body.items) {
      expect(r.id).toBe(`${r.from.id}-${r.kind}-${r.to.id}`);
      expect(r.from).toEqual({ id: expect.any(Number), kind: expect.any(String), label: expect.any(String) });
    }
    expect(all.body.items.some((r: any) => r.to.label.includes('libc.so'))).toBe(false);
    const used = await ctx.get('/api/v1/relations?edgeKind=used&sort=to&order=desc&pageSize=200');
    expect(used.body.items.every((r: any) => r.kind === 'used')).toBe(true);
    const tos = used.body.items.map((r: any) => r.to.id);
    expect(tos).toEqual([...tos].sort((a: number, b: number) => b - a));
    const job = await ctx.get('/api/v1/relations?script=job.sh&pageSize=1');
    expect(job.body.total).toBe(all.body.total);
    expect((await ctx.get('/api/v1/relations?jobId=zzzz')).body.total).toBe(0);
    expect((await ctx.get('/api/v1/relations?includeSoftware=true')).body.total).toBeGreaterThan(all.body.total);
    expectError(await ctx.get('/api/v1/relations?edgeKind=likes'), 400, 'E_BAD_PARAMETER', /edgeKind/);
    expectError(await ctx.get('/api/v1/relations?sort=label'), 400, 'E_BAD_PARAMETER', /sort/);
  });

  it('export: PROV-JSON of a job or a file lineage, as a download', async () => {
    const t = await loadReal(ctx);
    const job = await jobNode(ctx);
    const j = await ctx.get(`/api/v1/export/prov-json?job=${job}`);
    expect(j.status).toBe(200);
    expect(j.headers.get('content-disposition')).toMatch(/^attachment; filename="kiseki-job-\d+\.prov\.json"$/);
    expect(j.body.prefix).toMatchObject({ prov: 'http://www.w3.org/ns/prov#' });
    expect(Object.keys(j.body.activity).length).toBeGreaterThan(3);
    const f = await ctx.get(`/api/v1/export/prov-json?path=${encodeURIComponent(`${t.dir}/data/sorted.csv`)}`);
    expect(f.status).toBe(200);
    expect(JSON.stringify(f.body.entity)).toContain('in.csv');
    expectError(await ctx.get('/api/v1/export/prov-json'), 400, 'E_BAD_PARAMETER', /job, node or path/);
    expectError(await ctx.get('/api/v1/export/prov-json?job=999999'), 404, 'E_NOT_FOUND');
    expectError(await ctx.get(`/api/v1/export/prov-json?job=${job}&format=xml`), 400, 'E_BAD_PARAMETER', /format/);
  });
}, 'api-retrieval');

