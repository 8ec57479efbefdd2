// The whole view lives in the URL's query, so a search can be bookmarked,
// shared and reopened: the criteria, which job is shown, graph or list, the
// list's tab, sort and page, the software toggle and the selected node.
import type { EntityType, Visibility } from '../api/types';

export interface Criteria {
  jobId: string;
  filename: string;
  annotation: string;
  script: string;
  user: string;
  /** Local date and time as typed: YYYY-MM-DD or YYYY-MM-DDTHH:MM. */
  from: string;
  to: string;
  visibility: '' | Visibility;
}

export const CRITERIA_KEYS = ['jobId', 'filename', 'annotation', 'script', 'user', 'from', 'to', 'visibility'] as const;

export const EMPTY_CRITERIA: Criteria = { jobId: '', filename: '', annotation: '', script: '', user: '', from: '', to: '', visibility: '' };

export type View = 'graph' | 'list';
export type ListTab = 'entities' | 'relations';

export interface ViewState {
  criteria: Criteria;
  /** Advanced options shown. */
  advanced: boolean;
  /** Page of the job hits. */
  jobPage: number;
  /** The job shown (node id). */
  job: number | null;
  view: View;
  tab: ListTab;
  entityType: EntityType;
  sort: string;
  order: '' | 'asc' | 'desc';
  page: number;
  /** Show system software (libraries, interpreters). */
  software: boolean;
  /** The node selected in the graph. */
  sel: number | null;
  /** The node whose details are open. */
  node: number | null;
}

export const DEFAULT_STATE: ViewState = {
  criteria: EMPTY_CRITERIA, advanced: false, jobPage: 1, job: null, view: 'graph', tab: 'entities', entityType: 'file',
  sort: '', order: '', page: 1, software: false, sel: null, node: null,
};

function posInt(v: string | null, def: number): number {
  if (v === null || !/^\d{1,9}$/.test(v)) return def;
  const n = Number(v);
  return n >= 1 ? n : def;
}

function id(v: string | null): number | null {
  return v !== null && /^\d{1,15}$/.test(v) ? Number(v) : null;
}

export function parseState(search: string | URLSearchParams): ViewState {
  const p = typeof search === 'string' ? new URLSearchParams(search) : search;
  const criteria = { ...EMPTY_CRITERIA };
  for (const k of CRITERIA_KEYS) {
    const v = p.get(k);
    if (v !== null) (criteria as Record<string, string>)[k] = v;
  }
  if (!['', 'private', 'group', 'public'].includes(criteria.visibility)) criteria.visibility = '';
  const view = p.get('view') === 'list' ? 'list' : 'graph';
  const tab = p.get('tab') === 'relations' ? 'relations' : 'entities';
  const et = p.get('etype');
  const entityType: EntityType = et === 'job' || et === 'process' || et === 'file' ? et : 'file';
  const order = p.get('order');
  return {
    criteria,
    advanced: p.get('adv') === '1' || Boolean(criteria.script || criteria.user || criteria.from || criteria.to || criteria.visibility),
    jobPage: posInt(p.get('jpage'), 1),
    job: id(p.get('job')),
    view, tab, entityType,
    sort: (p.get('sort') ?? '').slice(0, 32),
    order: order === 'asc' || order === 'desc' ? order : '',
    page: posInt(p.get('page'), 1),
    software: p.get('sw') === '1',
    sel: id(p.get('sel')),
    node: id(p.get('node')),
  };
}

/** The query string for a state: only what differs from the defaults, in a fixed order. */
export function serializeState(s: ViewState): string {
  const p = new URLSearchParams();
  for (const k of CRITERIA_KEYS) if (s.criteria[k]) p.set(k, s.criteria[k]);
  if (s.advanced) p.set('adv', '1');
  if (s.jobPage > 1) p.set('jpage', String(s.jobPage));
  if (s.job !== null) p.set('job', String(s.job));
  if (s.view !== 'graph') p.set('view', s.view);
  if (s.tab !== 'entities') p.set('tab', s.tab);
  if (s.entityType !== 'file') p.set('etype', s.entityType);
  if (s.sort) p.set('sort', s.sort);
  if (s.order) p.set('order', s.order);
  if (s.page > 1) p.set('page', String(s.page));
  if (s.software) p.set('sw', '1');
  if (s.sel !== null) p.set('sel', String(s.sel));
  if (s.node !== null) p.set('node', String(s.node));
  return p.toString();
}

/** The state as a plain record (what a permanent link stores). */
export function stateRecord(s: ViewState): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(serializeState(s)));
}

/** A local date (YYYY-MM-DD) and optional time (HH:MM) as typed → ISO 8601 in UTC for the API. */
export function localToIso(value: string, endOfDay: boolean): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi] = m;
  const date = h === undefined
    ? new Date(Number(y), Number(mo) - 1, Number(d), endOfDay ? 23 : 0, endOfDay ? 59 : 0, endOfDay ? 59 : 0, endOfDay ? 999 : 0)
    : new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), endOfDay ? 59 : 0, endOfDay ? 999 : 0);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** The criteria as API query parameters. */
export function criteriaQuery(c: Criteria): Record<string, string> {
  const q: Record<string, string> = {};
  for (const k of ['jobId', 'filename', 'annotation', 'script', 'user', 'visibility'] as const) {
    const v = c[k].trim();
    if (v) q[k] = v;
  }
  const from = c.from ? localToIso(c.from, false) : undefined;
  const to = c.to ? localToIso(c.to, true) : undefined;
  if (from) q.from = from;
  if (to) q.to = to;
  return q;
}
