// One icon per node kind, drawn on the node (Cytoscape background image) and
// in the legend. Plain SVG, white on the node's colour.
import type { VisibleKind } from './model';

export type IconName = VisibleKind | 'software';

const PATHS: Record<IconName, string> = {
  // a clipboard: the job (a batch script)
  job: '<rect x="6" y="4" width="12" height="17" rx="1.5" fill="none" stroke="#fff" stroke-width="2"/><rect x="9" y="2.5" width="6" height="3.5" rx="1" fill="#fff"/><path d="M9 11h6M9 14.5h6M9 18h4" stroke="#fff" stroke-width="1.6"/>',
  // a gear: a program run
  process: '<circle cx="12" cy="12" r="3.2" fill="none" stroke="#fff" stroke-width="2"/><path d="M12 2.5v3M12 18.5v3M2.5 12h3M18.5 12h3M5.3 5.3l2.1 2.1M16.6 16.6l2.1 2.1M5.3 18.7l2.1-2.1M16.6 7.4l2.1-2.1" stroke="#fff" stroke-width="2.4" stroke-linecap="round"/><circle cx="12" cy="12" r="6.3" fill="none" stroke="#fff" stroke-width="2"/>',
  // a page with a folded corner: a file version
  file: '<path d="M6 2.5h8l4.5 4.5v14.5H6z" fill="none" stroke="#fff" stroke-width="2" stroke-linejoin="round"/><path d="M14 2.5V7h4.5" fill="none" stroke="#fff" stroke-width="1.6"/><path d="M8.5 12h7M8.5 15h7M8.5 18h5" stroke="#fff" stroke-width="1.4"/>',
  // a person: the user
  user: '<circle cx="12" cy="8" r="4" fill="none" stroke="#fff" stroke-width="2"/><path d="M4 21c0-4.5 3.6-7.5 8-7.5s8 3 8 7.5" fill="none" stroke="#fff" stroke-width="2"/>',
  // stacked pages: a group of files
  group: '<path d="M9 2.5h7l3.5 3.5v11H9z" fill="none" stroke="#fff" stroke-width="1.6"/><path d="M6.5 5.5h7l3.5 3.5v11H6.5z" fill="#7a4fb4" stroke="#fff" stroke-width="1.6"/><path d="M4 8.5h7l3.5 3.5v10H4z" fill="#7a4fb4" stroke="#fff" stroke-width="1.8"/>',
  // a crossed-out eye: nodes the viewer may not see
  hidden: '<path d="M2.5 12s3.5-6 9.5-6 9.5 6 9.5 6-3.5 6-9.5 6-9.5-6-9.5-6z" fill="none" stroke="#fff" stroke-width="1.8"/><circle cx="12" cy="12" r="2.6" fill="none" stroke="#fff" stroke-width="1.8"/><path d="M4 20L20 4" stroke="#fff" stroke-width="2"/>',
  // a cube: software (a library, an interpreter)
  software: '<path d="M12 2.5l8.5 4.5v10L12 21.5 3.5 17V7z" fill="none" stroke="#fff" stroke-width="2" stroke-linejoin="round"/><path d="M3.5 7L12 11.5 20.5 7M12 11.5v10" fill="none" stroke="#fff" stroke-width="1.6"/>',
};

export function iconSvg(name: IconName, size = 24): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 24 24">${PATHS[name]}</svg>`;
}

export function iconUri(name: IconName): string {
  return `data:image/svg+xml;utf8,${encodeURIComponent(iconSvg(name, 48))}`;
}

export const KIND_COLOURS: Record<IconName, string> = {
  job: '#1f4e8c',
  process: '#d9822b',
  file: '#2e8b57',
  user: '#6b7280',
  group: '#7a4fb4',
  hidden: '#b8bcc4',
  software: '#8a8f98',
};

export const EDGE_COLOURS: Record<string, string> = {
  used: '#2e8b57',
  wasGeneratedBy: '#d9822b',
  wasInformedBy: '#b45309',
  wasStartedBy: '#1f4e8c',
  wasAssociatedWith: '#9ca3af',
  wasDerivedFrom: '#7a4fb4',
  wasInvalidatedBy: '#c0392b',
  group: '#7a4fb4',
};
