import { describe, expect, it } from 'vitest';
import { layeredLayout } from './layout';

describe('layeredLayout', () => {
  it('places a flow left to right: input → run → output', () => {
    const p = layeredLayout({ nodes: ['job', 'run', 'in', 'out'], edges: [{ source: 'job', target: 'run' }, { source: 'in', target: 'run' }, { source: 'run', target: 'out' }] });
    expect(p.get('in')!.x).toBeLessThan(p.get('run')!.x);
    expect(p.get('job')!.x).toBeLessThan(p.get('run')!.x);
    expect(p.get('run')!.x).toBeLessThan(p.get('out')!.x);
    // Sources sit right before their consumer.
    expect(p.get('in')!.x).toBe(p.get('job')!.x);
  });

  it('survives cycles and self loops, and places every node', () => {
    const p = layeredLayout({ nodes: ['a', 'b', 'c', 'lonely'], edges: [{ source: 'a', target: 'b' }, { source: 'b', target: 'c' }, { source: 'c', target: 'a' }, { source: 'b', target: 'b' }] });
    expect(p.size).toBe(4);
    for (const v of p.values()) expect(Number.isFinite(v.x) && Number.isFinite(v.y)).toBe(true);
  });

  it('keeps nodes of one layer apart and wraps a tall layer into columns', () => {
    const nodes = ['run', ...Array.from({ length: 100 }, (_, i) => `f${i}`)];
    const p = layeredLayout({ nodes, edges: nodes.slice(1).map((f) => ({ source: f, target: 'run' })) }, { maxPerColumn: 40 });
    const xs = new Set(nodes.slice(1).map((f) => p.get(f)!.x));
    expect(xs.size).toBe(3);
    const seen = new Set(nodes.map((n) => `${p.get(n)!.x},${p.get(n)!.y}`));
    expect(seen.size).toBe(nodes.length);
  });

  it('orders a layer to follow its neighbours (fewer crossings)', () => {
    // a→x, b→y drawn as a over b: x should be over y.
    const p = layeredLayout({ nodes: ['y', 'x', 'a', 'b'], edges: [{ source: 'a', target: 'x' }, { source: 'b', target: 'y' }, { source: 'a', target: 'b' }] });
    expect(Math.sign(p.get('x')!.y - p.get('y')!.y)).toBe(Math.sign(p.get('a')!.y - p.get('b')!.y) || Math.sign(p.get('x')!.y - p.get('y')!.y));
  });

  it('lays out 5,000 nodes', () => {
    const nodes: string[] = [];
    const edges: { source: string; target: string }[] = [];
    for (let i = 0; i < 1000; i++) {
      nodes.push(`p${i}`, `i${i}a`, `i${i}b`, `o${i}a`, `o${i}b`);
      edges.push({ source: `i${i}a`, target: `p${i}` }, { source: `i${i}b`, target: `p${i}` }, { source: `p${i}`, target: `o${i}a` }, { source: `p${i}`, target: `o${i}b` });
      if (i % 10) edges.push({ source: `o${i - 1}a`, target: `p${i}` });
    }
    const p = layeredLayout({ nodes, edges });
    expect(p.size).toBe(5000);
    expect(new Set([...p.values()].map((v) => `${v.x},${v.y}`)).size).toBe(5000);
  });
});
