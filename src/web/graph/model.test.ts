import { describe, expect, it } from 'vitest';
import type { GraphEdge, GraphNode, JobGraph, Neighbour } from '../api/types';
import { GraphModel, shortLabel } from './model';

const node = (id: number, kind: GraphNode['kind'], label: string, extra: Partial<GraphNode> = {}): GraphNode => ({ id, kind, label, attrs: {}, ...extra });
const edge = (from: number, kind: GraphEdge['kind'], to: number): GraphEdge => ({ id: `${from}-${kind}-${to}`, kind, from, to });

function jobWithGroup(): JobGraph {
  const files = Array.from({ length: 5 }, (_, i) => node(100 + i, 'file', `/in/f${i}`));
  return {
    job: 1,
    nodes: [node(1, 'job', 'Job:1'), node(2, 'process', 'cat'), node(3, 'file', '/out')],
    edges: [edge(2, 'wasStartedBy', 1), edge(3, 'wasGeneratedBy', 2)],
    groups: [{ id: 'g:2:used', kind: 'group', of: 'file', parent: 2, relation: 'used', direction: 'out', count: 100, sample: files }],
  };
}

describe('GraphModel', () => {
  it('draws edges the way data flows (PROV edges reversed)', () => {
    const m = GraphModel.fromJobGraph(jobWithGroup());
    const { edges } = m.visible();
    expect(edges).toContainEqual({ id: 'e:2-wasStartedBy-1', kind: 'wasStartedBy', source: 'n1', target: 'n2' });
    expect(edges).toContainEqual({ id: 'e:3-wasGeneratedBy-2', kind: 'wasGeneratedBy', source: 'n2', target: 'n3' });
  });

  it('shows a group as one node with its count, pointing into the run that used it', () => {
    const m = GraphModel.fromJobGraph(jobWithGroup());
    const { nodes, edges } = m.visible();
    const g = nodes.find((n) => n.kind === 'group')!;
    expect(g.count).toBe(100);
    expect(edges).toContainEqual({ id: `ge:${g.id}`, kind: 'group', source: g.id, target: 'n2' });
    expect(nodes.some((n) => n.label.startsWith('/in/'))).toBe(false);
  });

  it('opens a group with the members the API lists, and folds it back on collapse', () => {
    const m = GraphModel.fromJobGraph(jobWithGroup());
    const gid = [...m.groups.keys()][0]!;
    expect(m.openGroup(gid)).toBe(false); // 5 of 100 known
    const items: Neighbour[] = Array.from({ length: 100 }, (_, i) => ({ node: node(100 + i, 'file', `/in/f${i}`), edge: edge(2, 'used', 100 + i) }));
    m.fillGroup(gid, items);
    let v = m.visible();
    expect(v.nodes.filter((n) => n.label.startsWith('/in/')).length).toBe(100);
    expect(v.nodes.some((n) => n.kind === 'group')).toBe(false);
    expect(m.canCollapse('n2')).toBe(true);
    m.collapse('n2');
    v = m.visible();
    expect(v.nodes.filter((n) => n.label.startsWith('/in/')).length).toBe(0);
    expect(v.nodes.find((n) => n.kind === 'group')!.count).toBe(100);
    // Known members now: opening needs no API call.
    expect(m.openGroup(gid)).toBe(true);
  });

  it('keeps a member visible when it links to something else', () => {
    const g = jobWithGroup();
    g.nodes.push(node(4, 'process', 'sort'), node(100, 'file', '/in/f0'));
    g.edges.push(edge(2, 'used', 100), edge(4, 'used', 100));
    const v = GraphModel.fromJobGraph(g).visible();
    expect(v.nodes.some((n) => n.id === 'n100')).toBe(true);
    expect(v.nodes.find((n) => n.kind === 'group')!.count).toBe(99);
  });

  it('expands one hop, groups many new siblings, and collapses recursively', () => {
    const m = GraphModel.fromJobGraph({ nodes: [node(1, 'job', 'J'), node(2, 'process', 'p')], edges: [edge(2, 'wasStartedBy', 1)], groups: [] }, 3);
    m.expand('n2', [
      { node: node(10, 'file', '/a'), edge: edge(2, 'used', 10) },
      { node: node(11, 'process', 'q'), edge: edge(11, 'wasInformedBy', 2) },
      ...Array.from({ length: 5 }, (_, i) => ({ node: node(20 + i, 'file', `/o${i}`), edge: edge(20 + i, 'wasGeneratedBy', 2) })),
    ]);
    let v = m.visible();
    expect(v.nodes.map((n) => n.id)).toEqual(expect.arrayContaining(['n10', 'n11']));
    expect(v.nodes.find((n) => n.kind === 'group')!.count).toBe(5);
    expect(v.nodes.find((n) => n.id === 'n2')!.expanded).toBe(true);
    m.expand('n11', [{ node: node(30, 'file', '/q-out'), edge: edge(30, 'wasGeneratedBy', 11) }]);
    expect(m.visible().nodes.some((n) => n.id === 'n30')).toBe(true);
    m.collapse('n2');
    v = m.visible();
    expect(v.nodes.map((n) => n.id).sort()).toEqual(['n1', 'n2']);
  });

  it('shortens long paths to their last parts and keeps text as given', () => {
    expect(shortLabel('file', '/very/long/path/to/some/folder/<img src=x onerror=alert(1)>')).toBe('…/folder/<img src=x onerror=alert(1)>');
    expect(shortLabel('file', '/short')).toBe('/short');
    expect(shortLabel('job', 'x'.repeat(40))).toBe(`${'x'.repeat(31)}…`);
  });

  it('draws hidden nodes as one grey placeholder with a count, joined by the edge the API gives', () => {
    const g = { ...jobWithGroup(), groups: [], edges: [edge(2, 'wasStartedBy', 1), edge(3, 'wasGeneratedBy', 2), edge(2, 'used', -1)],
      hidden: [{ id: -1, kind: 'hidden' as const, count: 2, parent: 2, relation: 'used' as const, direction: 'out' as const }] };
    const { nodes, edges } = GraphModel.fromJobGraph(g).visible();
    expect(nodes).toContainEqual({ id: 'n-1', kind: 'hidden', label: '2 hidden', count: 2 });
    expect(edges).toContainEqual({ id: 'e:2-used--1', kind: 'used', source: 'n-1', target: 'n2' });
  });
});
