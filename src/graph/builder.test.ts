import { describe, expect, it } from 'vitest';
import { catSortPipeline, mvTmpFinal, sedInPlace, SyntheticTrace } from '../../test/store/synthetic-trace.js';
import type { TraceEvent } from '../core/trace-event.js';
import { MemoryState } from './builder-state.js';
import { GraphBuilder } from './builder.js';
import { checkEdge, EDGE_KINDS, GraphError } from './edge-kinds.js';
import type { EdgeMutation, GraphMutation } from './mutation.js';
import { kindOfKey, scriptOf } from './node-keys.js';

function build(events: TraceEvent[]): { muts: GraphMutation[]; edges: string[]; st: MemoryState } {
  const st = new MemoryState({ source: 'test', jobKey: null, jobUid: null, jobGid: null });
  const b = new GraphBuilder(st);
  const muts = events.flatMap((e) => b.apply(e));
  const edges = [...new Set(muts.filter((m): m is EdgeMutation => m.op === 'edge').map((e) => `${short(e.from)} ${e.kind} ${short(e.to)}${e.role ? ` (${e.role})` : ''}`))];
  return { muts, edges, st };
}

/** Keys without the long process refs: p:<pid>#<exec>, f:<basename>#<v>. */
function short(key: string): string {
  if (key.startsWith('p:')) return `p:${key.split(':')[3]}#${key.split('#')[1]}`;
  if (key.startsWith('f:')) return `f:${key.slice(Math.max(key.lastIndexOf('/'), key.lastIndexOf('|')) + 1)}`;
  if (key.startsWith('j:')) return 'job';
  return key;
}

describe('edge kinds', () => {
  it('are declared once with the node kinds they join, and checked', () => {
    expect(Object.keys(EDGE_KINDS).sort()).toEqual(['used', 'wasAssociatedWith', 'wasDerivedFrom', 'wasGeneratedBy', 'wasInformedBy', 'wasInvalidatedBy', 'wasStartedBy']);
    expect(() => checkEdge('used', 'process', 'file')).not.toThrow();
    expect(() => checkEdge('used', 'file', 'process')).toThrow(GraphError);
    expect(() => checkEdge('wasAssociatedWith', 'file', 'user')).toThrow(/may not join file → user/);
    expect(() => checkEdge('teleported', 'file', 'file')).toThrow(/unknown edge kind/);
  });
  it('every mutation the builder makes passes the check', () => {
    for (const t of [catSortPipeline(), sedInPlace(), mvTmpFinal()]) {
      for (const m of build(t.events).muts) if (m.op === 'edge') expect(() => checkEdge(m.kind, kindOfKey(m.from), kindOfKey(m.to))).not.toThrow();
    }
  });
});

describe('graph builder (TraceEvent → GraphMutation, no database)', () => {
  it('links a pipeline through its pipe: a → cat → pipe → sort → b', () => {
    const { edges } = build(catSortPipeline().events);
    const cat = edges.find((e) => e.includes('used f:a'))!.split(' ')[0]!;
    const sort = edges.find((e) => e.startsWith('f:b#1 wasGeneratedBy'))!.split(' ')[2]!;
    expect(edges).toContain(`f:pipe:[4242]#1 wasGeneratedBy ${cat}`);
    expect(edges).toContain(`${sort} used f:pipe:[4242]#1`);
  });

  it('links exec chains and fork parents, and starts root runs from the job', () => {
    const t = new SyntheticTrace();
    t.runStart(['sh', 'x.sh']);
    const sh = t.spawn(null, '/bin/sh', ['sh', 'x.sh']);
    const child = t.spawn(sh); // fork without exec
    t.write(child, '/tmp/from-subshell'); // ... that writes a file: its pre-exec part is a run
    t.exec(child, '/usr/bin/env', ['env', 'python3', 'y.py']);
    t.exec(child, '/usr/bin/python3', ['python3', 'y.py']);
    const { edges } = build(t.events);
    const shPid = sh.ref.split(':')[2];
    const cPid = child.ref.split(':')[2];
    expect(edges).toContain(`p:${shPid}#1 wasStartedBy job (root)`);
    expect(edges).toContain(`p:${cPid}#0 wasInformedBy p:${shPid}#1 (fork)`);
    expect(edges).toContain(`p:${cPid}#1 wasInformedBy p:${cPid}#0 (exec)`);
    expect(edges).toContain(`p:${cPid}#2 wasInformedBy p:${cPid}#1 (exec)`);
    expect(edges).toContain(`p:${cPid}#1 wasInformedBy p:${shPid}#1 (fork)`);
    expect(edges).toContain(`f:from-subshell#1 wasGeneratedBy p:${cPid}#0 (truncate)`);
    expect(edges).toContain(`p:${cPid}#2 used f:python3#1 (exec)`);
  });

  it('makes a new version per write, reads see the latest, overwrite invalidates', () => {
    const t = new SyntheticTrace();
    t.runStart(['x']);
    const a = t.spawn(null, '/bin/a', ['a']);
    t.write(a, '/d/f');
    const b = t.spawn(null, '/bin/b', ['b']);
    t.read(b, '/d/f');
    t.write(b, '/d/f'); // truncating rewrite
    const c = t.spawn(null, '/bin/c', ['c']);
    t.write(c, '/d/f', { append: true, truncate: false });
    t.read(c, '/d/f');
    const { edges, st } = build(t.events);
    const pid = (p: { ref: string }) => p.ref.split(':')[2];
    expect(edges).toContain(`f:f#1 wasGeneratedBy p:${pid(a)}#1 (truncate)`);
    expect(edges).toContain(`p:${pid(b)}#1 used f:f#1`);
    expect(edges).toContain(`f:f#2 wasGeneratedBy p:${pid(b)}#1 (truncate)`);
    expect(edges).toContain(`f:f#1 wasInvalidatedBy p:${pid(b)}#1 (overwrite)`);
    expect(edges).toContain(`f:f#3 wasDerivedFrom f:f#2 (append)`);
    expect(edges).toContain(`p:${pid(c)}#1 used f:f#3`);
    expect(st.heads.get('/d/f')!.version).toBe(3);
  });

  it('ftruncate then write by one run is one version; after another run read it, a new one', () => {
    const t = new SyntheticTrace();
    t.runStart(['x']);
    const a = t.spawn(null, '/bin/a', ['a']);
    t.write(a, '/d/ck'); // checkpoint v1
    t.events.push({ type: 'file.truncate', ts: t.tick(), proc: a.ref, execSeq: a.execSeq, path: '/d/ck', length: 0 });
    t.write(a, '/d/ck'); // the access that did the ftruncate, flushed at close
    const b = t.spawn(null, '/bin/b', ['b']);
    t.read(b, '/d/ck');
    t.write(a, '/d/ck'); // rewritten after b read it: v2
    const { edges, st } = build(t.events);
    expect(st.heads.get('/d/ck')!.version).toBe(2);
    expect(edges).toContain(`p:${b.ref.split(':')[2]}#1 used f:ck#1`);
    expect(edges).toContain(`f:ck#1 wasInvalidatedBy p:${a.ref.split(':')[2]}#1 (overwrite)`);
  });

  it('sed -i: two versions of f, the new derived from the old', () => {
    const { edges } = build(sedInPlace().events);
    expect(edges).toContain('f:f#2 wasDerivedFrom f:sedAbc123#1 (rename)');
    expect(edges).toContain('f:f#2 wasDerivedFrom f:f#1 (revision)');
    expect(edges.some((e) => /^f:f#1 wasInvalidatedBy .* \(replaced\)$/.test(e))).toBe(true);
    expect(edges.some((e) => /^f:sedAbc123#1 wasInvalidatedBy .* \(rename\)$/.test(e))).toBe(true);
  });

  it('mv tmp final: final derives from tmp, which its writer generated', () => {
    const { edges } = build(mvTmpFinal().events);
    expect(edges).toContain('f:final#1 wasDerivedFrom f:tmp#1 (rename)');
    expect(edges.some((e) => /^f:tmp#1 wasGeneratedBy p:\d+#1 \(truncate\)$/.test(e))).toBe(true);
    expect(edges.some((e) => e.startsWith('f:final#1 wasDerivedFrom f:final'))).toBe(false);
  });

  it('unlink invalidates; file.facts fill in the latest version', () => {
    const t = new SyntheticTrace();
    t.runStart(['x']);
    const a = t.spawn(null, '/bin/a', ['a']);
    t.write(a, '/d/tmp');
    t.unlink(a, '/d/tmp');
    t.write(a, '/d/out');
    t.facts('/d/out', { size: 42, sha256: 'a'.repeat(64) });
    t.facts('/d/tmp', { exists: false });
    const { edges, muts } = build(t.events);
    expect(edges.some((e) => /^f:tmp#1 wasInvalidatedBy p:\d+#1 \(unlink\)$/.test(e))).toBe(true);
    const outFacts = muts.filter((m) => m.op === 'node' && m.key.endsWith('/d/out#1')).map((m) => (m as { attrs: Record<string, unknown> }).attrs);
    expect(outFacts.some((a) => a.size === 42 && a.sha256 === 'a'.repeat(64))).toBe(true);
  });

  it('is deterministic: the same events give the same mutations', () => {
    const t = catSortPipeline();
    expect(build(t.events).muts).toEqual(build(t.events).muts);
  });

  it('finds the job script in a command line', () => {
    expect(scriptOf(['bash', 'job.sh'])).toBe('job.sh');
    expect(scriptOf(['bash', '-e', 'job.sh', 'arg'])).toBe('job.sh');
    expect(scriptOf(['./run.sh', 'x'])).toBe('./run.sh');
    expect(scriptOf(['python3', 'train.py'])).toBe('train.py');
    expect(scriptOf(['make'])).toBe('make');
  });
});
