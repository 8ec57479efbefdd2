// End to end, on real traces (ptrace backend): kiseki run stores the events,
// and the query commands answer the lineage questions of issue 3.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { describeCli, workdir, type CliEnv } from './cli.js';
import { provErrors, XSD_DATETIME } from './prov-schema.js';

interface LNode { id: number; key: string; kind: string; path?: string; version?: number; depth: number }
interface LEdge { from: number; kind: string; to: number; role: string | null }
interface L { nodes: LNode[]; edges: LEdge[]; summaries: unknown[]; truncated: boolean }
interface FileRef { path: string; version: number }
interface Keep { inputs: FileRef[]; programs: FileRef[]; scripts: FileRef[]; libraries: FileRef[] }
interface Page<T> { total: number; items: T[] }
interface Job { jobId: string; user: string | null; uid: number | null; state: string; exitCode: number | null }

type ProvDoc = Record<string, Record<string, Record<string, unknown>>>;

const RUN_LINE = /^kiseki: run ([0-9a-f-]{36}): (\d+) events stored; see: kiseki show ([0-9a-f]{8})(  \|  kiseki lineage (\S+))?$/m;

describeCli('kiseki CLI on real traces', 'lineage', (get) => {
  let cli: CliEnv;
  const dir = workdir();
  const jobs: Record<string, string> = {};

  function run(name: string, argv: string[], cwd = dir): string {
    const r = cli.kiseki(['run', '--backend', 'ptrace', '--', ...argv], { cwd });
    expect(r.status, r.stderr).toBe(0);
    const m = RUN_LINE.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    jobs[name] = m![1]!;
    return r.stderr;
  }

  beforeAll(() => {
    cli = get();
    writeFileSync(join(dir, 'a'), 'pear\napple\nfig\n');
    writeFileSync(join(dir, 'f'), 'x marks\n');
    writeFileSync(join(dir, 'in.csv'), 'b,2\na,1\nc,3\n');
    // Three steps: an executable, a shell builtin loop, an executable.
    writeFileSync(join(dir, 'pipeline.sh'), [
      'sort in.csv > mid1',
      'while read -r line; do echo "row $line"; done < mid1 > mid2',
      'tr a-z A-Z < mid2 > out', ''].join('\n'));
    const first = run('catsort', ['sh', '-c', 'cat a | sort > b']);
    expect(first).toMatch(/see: kiseki show [0-9a-f]{8}  \|  kiseki lineage b$/m);
    run('sed', ['sed', '-i', 's/x/y/', 'f']);
    run('mv', ['sh', '-c', 'echo data > tmp; mv tmp final']);
    run('pipeline', ['bash', 'pipeline.sh']);
  });

  it('cat a | sort > b: a is among b\'s ancestors', () => {
    const l = cli.json<L>(['lineage', 'b', '--up'], { cwd: dir });
    const files = l.nodes.filter((n) => n.kind === 'file').map((n) => n.path);
    expect(files).toContain(join(dir, 'a'));
    expect(l.nodes.find((n) => n.path === join(dir, 'a'))!.depth).toBeLessThan(0);
    // and b among a's descendants
    const down = cli.json<L>(['lineage', join(dir, 'a'), '--down']);
    expect(down.nodes.map((n) => n.path)).toContain(join(dir, 'b'));
    // the readable form names both
    const text = cli.kiseki(['lineage', 'b'], { cwd: dir });
    expect(text.status).toBe(0);
    expect(text.stdout).toContain(`file ${join(dir, 'a')} (v1)`);
  });

  it('sed -i f: two versions of f, the new derived from the old', () => {
    const files = cli.json<Page<FileRef>>(['search', '--files', '--file', join(dir, 'f')]);
    expect(files.items.filter((f) => f.path === join(dir, 'f')).map((f) => f.version)).toEqual([1, 2]);
    const l = cli.json<L>(['lineage', 'f', '--up', '--depth', '1'], { cwd: dir });
    const key = (v: number) => `f:${dir}/f#${v}`;
    const id = (v: number) => l.nodes.find((n) => n.key === key(v))!.id;
    expect(l.edges).toContainEqual(expect.objectContaining({ from: id(2), kind: 'wasDerivedFrom', to: id(1) }));
    const v1 = cli.json<L>(['lineage', 'f', '--file-version', '1', '--down', '--depth', '1'], { cwd: dir });
    expect(v1.nodes.map((n) => n.key)).toContain(key(2));
  });

  it('mv tmp final: final\'s lineage goes through tmp\'s writer', () => {
    const l = cli.json<L>(['lineage', 'final', '--up', '--depth', '20'], { cwd: dir });
    const tmp = l.nodes.find((n) => n.key === `f:${dir}/tmp#1`);
    expect(tmp, 'tmp is an ancestor of final').toBeDefined();
    const final = l.nodes.find((n) => n.depth === 0)!;
    expect(l.edges).toContainEqual(expect.objectContaining({ from: final.id, kind: 'wasDerivedFrom', to: tmp!.id, role: 'rename' }));
    const writers = l.edges.filter((e) => e.kind === 'wasGeneratedBy' && e.from === tmp!.id).map((e) => e.to);
    expect(writers.length).toBeGreaterThan(0);
    for (const w of writers) expect(l.nodes.find((n) => n.id === w)?.kind).toBe('process');
  });

  it('keep set of the three-step pipeline\'s output: exactly its input, the programs and the script', () => {
    // "Programs" are the executables run on the way: bash (the script's
    // interpreter), sort and tr. The middle step is a shell builtin loop:
    // bash itself ran it, so it adds no program.
    const k = cli.json<Keep>(['keep', 'out'], { cwd: dir });
    expect(k.inputs.map((f) => f.path)).toEqual([join(dir, 'in.csv')]);
    expect(k.programs.map((f) => f.path).sort()).toEqual(['/usr/bin/bash', '/usr/bin/sort', '/usr/bin/tr']);
    expect(k.scripts.map((f) => f.path)).toEqual([join(dir, 'pipeline.sh')]);
    for (const f of k.libraries) expect(f.path).toMatch(/^\/(usr|lib|lib64|etc)\//);
    const text = cli.kiseki(['keep', 'out'], { cwd: dir });
    expect(text.stdout).toMatch(/^inputs \(1\):/m);
    expect(text.stdout).toMatch(/^programs \(3\):/m);
  });

  it('jobs lists the runs; show names what a job read and wrote', () => {
    const j = cli.json<Page<Job>>(['jobs']);
    expect(j.total).toBe(4);
    expect(j.items.map((x) => x.jobId).sort()).toEqual(Object.values(jobs).sort());
    expect(j.items.every((x) => x.state === 'completed' && x.exitCode === 0)).toBe(true);
    const show = cli.kiseki(['show', jobs.catsort!.slice(0, 8)]);
    expect(show.status, show.stderr).toBe(0);
    expect(show.stdout).toContain(`${join(dir, 'a')} (v1)`);
    expect(show.stdout).toMatch(/wrote \(1\):\n\s+.*\/b \(v1\)/);
    const node = cli.json<{ kind: string; facts: { jobRef: string } }>(['show', jobs.catsort!]);
    expect([node.kind, node.facts.jobRef]).toEqual(['job', jobs.catsort]);
  });

  it('search: --file substring and glob, --user, --job', () => {
    const ids = (p: Page<Job>) => p.items.map((x) => x.jobId).sort();
    expect(ids(cli.json<Page<Job>>(['search', '--file', 'in.csv']))).toEqual([jobs.pipeline]);
    expect(ids(cli.json<Page<Job>>(['search', '--file', '*.csv']))).toEqual([jobs.pipeline]);
    expect(ids(cli.json<Page<Job>>(['search', '--file', `${dir}/fin*`]))).toEqual([jobs.mv]);
    const files = cli.json<Page<FileRef>>(['search', '--files', '--file', 'mid?']);
    expect([...new Set(files.items.map((f) => f.path))].sort()).toEqual([join(dir, 'mid1'), join(dir, 'mid2')]);
    const me = String(process.getuid!());
    expect(cli.json<Page<Job>>(['search', '--user', me]).total).toBe(4);
    expect(cli.json<Page<Job>>(['search', '--user', 'no-such-user-here']).total).toBe(0);
    expect(ids(cli.json<Page<Job>>(['search', '--job', jobs.sed!.slice(0, 13)]))).toEqual([jobs.sed]);
    expect(ids(cli.json<Page<Job>>(['search', '--job', jobs.sed!, '--file', 'in.csv']))).toEqual([]);
    const paged = cli.json<Page<Job> & { limit: number; offset: number }>(['search', '--limit', '3', '--page', '2']);
    expect([paged.total, paged.items.length, paged.offset]).toEqual([4, 1, 3]);
  });

  it('export --format prov-json of a job and of a path validates against the W3C schema', () => {
    for (const target of [jobs.pipeline!, join(dir, 'out'), jobs.mv!]) {
      const r = cli.kiseki(['export', '--format', 'prov-json', target], { cwd: dir });
      expect(r.status, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout) as ProvDoc;
      expect(provErrors(doc)).toEqual([]);
      expect(Object.keys(doc.prefix!).sort()).toEqual(['kiseki', 'prov', 'xsd']);
      // relations use the standard PROV keys
      for (const u of Object.values(doc.used ?? {})) expect(Object.keys(u)).toEqual(expect.arrayContaining(['prov:activity', 'prov:entity']));
      for (const g of Object.values(doc.wasGeneratedBy ?? {})) expect(Object.keys(g)).toEqual(expect.arrayContaining(['prov:entity', 'prov:activity']));
      for (const i of Object.values(doc.wasInformedBy ?? {})) expect(Object.keys(i)).toEqual(expect.arrayContaining(['prov:informed', 'prov:informant']));
      for (const d of Object.values(doc.wasDerivedFrom ?? {})) expect(Object.keys(d)).toEqual(expect.arrayContaining(['prov:generatedEntity', 'prov:usedEntity']));
      // every relation names declared nodes; times are xsd:dateTime
      const declared = new Set([...Object.keys(doc.entity ?? {}), ...Object.keys(doc.activity ?? {}), ...Object.keys(doc.agent ?? {})]);
      for (const kind of ['used', 'wasGeneratedBy', 'wasInformedBy', 'wasStartedBy', 'wasAssociatedWith', 'wasDerivedFrom', 'wasInvalidatedBy']) {
        for (const rel of Object.values(doc[kind] ?? {})) {
          for (const [k, v] of Object.entries(rel)) {
            if (['prov:activity', 'prov:entity', 'prov:informed', 'prov:informant', 'prov:generatedEntity', 'prov:usedEntity', 'prov:agent', 'prov:starter'].includes(k)) expect(declared.has(v as string), `${kind} ${k} ${String(v)}`).toBe(true);
            if (k === 'prov:time') expect(v).toMatch(XSD_DATETIME);
          }
        }
      }
      for (const a of Object.values(doc.activity ?? {})) {
        for (const k of ['prov:startTime', 'prov:endTime']) if (a[k] !== undefined) expect(a[k]).toMatch(XSD_DATETIME);
      }
    }
    // the job export has the pipeline's files, runs and user; the path export out's lineage
    const job = JSON.parse(cli.kiseki(['export', '--format', 'prov-json', jobs.pipeline!]).stdout) as ProvDoc;
    const labels = Object.values(job.entity!).map((e) => e['prov:label']);
    expect(labels).toEqual(expect.arrayContaining([join(dir, 'in.csv'), join(dir, 'mid1'), join(dir, 'mid2'), join(dir, 'out'), join(dir, 'pipeline.sh')]));
    expect(Object.values(job.agent!).map((a) => a['prov:type'])).toContainEqual({ $: 'prov:Person', type: 'xsd:QName' });
    expect(Object.keys(job.wasAssociatedWith!).length).toBeGreaterThan(0);
    const path = JSON.parse(cli.kiseki(['export', '--format', 'prov-json', 'final'], { cwd: dir }).stdout) as ProvDoc;
    expect(Object.values(path.wasDerivedFrom!)).toContainEqual(expect.objectContaining({
      'prov:generatedEntity': `kiseki:f:${dir}/final%231`, 'prov:usedEntity': `kiseki:f:${dir}/tmp%231`,
    }));
    // -o writes the file
    const o = join(dir, 'export.json');
    expect(cli.kiseki(['export', '--format', 'prov-json', '-o', o, jobs.sed!]).status).toBe(0);
    const sed = JSON.parse(readFileSync(o, 'utf8')) as ProvDoc;
    expect(provErrors(sed)).toEqual([]);
    expect(Object.values(sed.wasDerivedFrom!)).toContainEqual(expect.objectContaining({ 'prov:type': { $: 'prov:Revision', type: 'xsd:QName' } }));
  });

  it('a broken export fails validation (the schema check can fail)', () => {
    const doc = JSON.parse(cli.kiseki(['export', '--format', 'prov-json', jobs.catsort!]).stdout) as ProvDoc;
    expect(provErrors(doc)).toEqual([]);
    const noEntity = structuredClone(doc);
    const firstGen = Object.keys(noEntity.wasGeneratedBy!)[0]!;
    delete noEntity.wasGeneratedBy![firstGen]!['prov:entity'];
    expect(provErrors(noEntity).join('\n')).toMatch(/prov:entity/);
    const badKey = { ...structuredClone(doc), wasGeneratedByX: {} };
    expect(provErrors(badKey)).not.toEqual([]);
    const badInformed = structuredClone(doc);
    const firstInf = Object.keys(badInformed.wasInformedBy!)[0]!;
    badInformed.wasInformedBy![firstInf] = { 'prov:informed': 'kiseki:x' } as Record<string, unknown>;
    expect(provErrors(badInformed).join('\n')).toMatch(/prov:informant/);
  });

  it('usage errors exit 2, unknown names exit 1, with stable codes', () => {
    const nf = cli.kiseki(['show', 'no-such-thing'], { cwd: dir });
    expect(nf.status).toBe(1);
    expect(nf.stderr).toMatch(/\[E_NOT_FOUND\]$/m);
    const bad = cli.kiseki(['lineage', 'b', '--depth', 'many'], { cwd: dir });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/\[E_USAGE\]$/m);
    expect(cli.kiseki(['export', 'b'], { cwd: dir }).status).toBe(2); // --format missing
    expect(cli.kiseki(['search', '--from', 'yesterday']).status).toBe(2);
    expect(cli.kiseki(['jobs', '--bogus']).status).toBe(2);
  });
});
