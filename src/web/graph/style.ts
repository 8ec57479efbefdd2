// The Cytoscape stylesheet: a shape, colour and icon per node kind, edges
// coloured by relation with an arrow in the direction data flows. Labels are
// drawn on the canvas as text (never HTML), and only when big enough to read.
import type cytoscape from 'cytoscape';
import { EDGE_COLOURS, iconUri, KIND_COLOURS } from './icons';

export function graphStyle(large: boolean): cytoscape.StylesheetJson {
  return [
    {
      selector: 'node',
      style: {
        label: 'data(label)',
        'font-size': 11,
        'font-family': 'system-ui, sans-serif',
        color: '#1f2937',
        'text-valign': 'bottom',
        'text-halign': 'center',
        'text-margin-y': 4,
        'text-wrap': 'ellipsis',
        'text-max-width': '180px',
        'min-zoomed-font-size': large ? 9 : 6,
        width: 34,
        height: 34,
        'background-fit': 'contain',
        'background-clip': 'none',
        'background-width': '70%',
        'background-height': '70%',
        'border-width': 0,
      },
    },
    { selector: 'node[kind = "job"]', style: { shape: 'round-rectangle', width: 42, height: 42, 'background-color': KIND_COLOURS.job, 'background-image': iconUri('job') } },
    { selector: 'node[kind = "process"]', style: { shape: 'ellipse', 'background-color': KIND_COLOURS.process, 'background-image': iconUri('process') } },
    { selector: 'node[kind = "file"]', style: { shape: 'rectangle', width: 28, height: 34, 'background-color': KIND_COLOURS.file, 'background-image': iconUri('file') } },
    { selector: 'node[kind = "file"][?software]', style: { shape: 'hexagon', width: 30, height: 30, 'background-color': KIND_COLOURS.software, 'background-image': iconUri('software') } },
    { selector: 'node[kind = "user"]', style: { shape: 'diamond', 'background-color': KIND_COLOURS.user, 'background-image': iconUri('user') } },
    {
      selector: 'node[kind = "group"]',
      style: {
        shape: 'barrel', width: 46, height: 40, 'background-color': KIND_COLOURS.group, 'background-image': iconUri('group'),
        'font-weight': 'bold', color: '#4c2a85',
      },
    },
    { selector: 'node[?expanded]', style: { 'border-width': 3, 'border-color': '#111827', 'border-style': 'double' } },
    { selector: 'node:selected', style: { 'overlay-color': '#2563eb', 'overlay-opacity': 0.25, 'overlay-padding': 6, 'border-width': 3, 'border-color': '#2563eb' } },
    {
      selector: 'edge',
      style: {
        width: 1.5,
        'line-color': '#9ca3af',
        'target-arrow-color': '#9ca3af',
        'target-arrow-shape': large ? 'none' : 'triangle',
        'arrow-scale': 0.9,
        'curve-style': large ? 'haystack' : 'bezier',
        opacity: 0.85,
      },
    },
    ...Object.entries(EDGE_COLOURS).map(([kind, colour]) => ({
      selector: `edge[kind = "${kind}"]`,
      style: { 'line-color': colour, 'target-arrow-color': colour },
    })),
    { selector: 'edge[kind = "group"]', style: { 'line-style': 'dashed', width: 2 } },
    { selector: 'edge[kind = "wasAssociatedWith"]', style: { 'line-style': 'dotted' } },
  ];
}
