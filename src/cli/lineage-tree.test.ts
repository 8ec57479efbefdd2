import { expect, it } from 'vitest';
import type { Lineage } from '../graph/index.js';
import { renderTree } from './commands/lineage.js';
import type { NodeInfo } from './describe.js';

it('renders a lineage tree; summarized groups read "… and N more inputs"; a node met twice is not expanded twice', () => {
  const l: Lineage = {
    start: [1], direction: 'up', truncated: false, hidden: [],
    nodes: [],
    edges: [
      { from: 1, kind: 'wasGeneratedBy', to: 2, role: 'write' },
      { from: 2, kind: 'used', to: 3, role: null },
      { from: 2, kind: 'used', to: 4, role: null },
      { from: 4, kind: 'wasGeneratedBy', to: 2, role: 'write' },
    ],
    summaries: [{ node: 2, direction: 'up', edgeKind: 'used', count: 4814, sample: [3, 4] }],
  };
  const info = new Map<number, NodeInfo>([
    [1, { id: 1, key: 'f:/o#1', kind: 'file', label: '/o', path: '/o', version: 1, fileClass: 'data' }],
    [2, { id: 2, key: 'p:x#1', kind: 'process', label: 'merge', argv: ['merge', '--all'] }],
    [3, { id: 3, key: 'f:/i\n1#1', kind: 'file', label: '/i', path: '/in\n1', version: 1, fileClass: 'data' }],
    [4, { id: 4, key: 'f:/tmp#1', kind: 'file', label: '/tmp', path: '/tmp/t', version: 2, fileClass: 'data' }],
  ]);
  expect(renderTree(l, info)).toEqual([
    'file /o (v1)  — comes from:',
    '  written by (write): run merge --all',
    '    used: file /in\\n1 (v1)',
    '    used: file /tmp/t (v2)',
    '      written by (write): run merge --all  ↑ (shown above)',
    '    … and 4,812 more inputs',
  ]);
});
