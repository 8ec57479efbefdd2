import type { Command } from 'commander';
import { lineage, LOCAL_ADMIN, type Direction, type Lineage, type LineageSummary } from '../../graph/index.js';
import { describeNodes, KIND_WORD, nodeName, type NodeInfo } from '../describe.js';
import { fmtCount, out, printJson, safe } from '../output.js';
import { nonNegativeInt, positiveInt } from '../options.js';
import { resolveArg } from '../resolve-arg.js';
import { withStore, withStoreOptions, type StoreFlags } from '../store.js';
import type { ApiClient } from '../remote/api-client.js';
import { lineageOf, nodeInfos, type ApiLineage } from '../remote/api-shapes.js';
import { resolveRemote } from '../remote/resolve.js';
import { remoteFor, withServerOption } from '../remote/server-mode.js';

interface LineageOptions extends StoreFlags {
  server?: string;
  up?: boolean;
  down?: boolean;
  depth: number;
  software?: boolean;
  fileVersion?: number;
  json?: boolean;
}

/** "inputs", "writers", … : what a summarized group holds, seen from its node. */
function groupWord(s: LineageSummary, info: NodeInfo | undefined): string {
  const k = info?.kind;
  if (s.direction === 'up') {
    if (s.edgeKind === 'used') return 'inputs';
    if (s.edgeKind === 'wasGeneratedBy') return 'writers';
    if (s.edgeKind === 'wasDerivedFrom') return 'sources';
    if (s.edgeKind === 'wasStartedBy' && k === 'job') return 'runs';
  } else {
    if (s.edgeKind === 'used') return 'readers';
    if (s.edgeKind === 'wasGeneratedBy') return 'outputs';
    if (s.edgeKind === 'wasDerivedFrom') return 'derived files';
    if (s.edgeKind === 'wasStartedBy') return 'runs';
    if (s.edgeKind === 'wasInformedBy') return 'later runs';
  }
  return `${s.edgeKind} links`;
}

const VERB: Record<string, [string, string]> = {
  // edge kind: [seen going up (from → to), seen going down (to ← from)]
  used: ['used', 'used by'],
  wasGeneratedBy: ['written by', 'wrote'],
  wasInformedBy: ['after', 'before'],
  wasStartedBy: ['started by', 'started'],
  wasAssociatedWith: ['run by', 'ran'],
  wasDerivedFrom: ['derived from', 'source of'],
};

/**
 * The lineage as an indented tree from the start; a node met again is named,
 * not expanded. Summaries in `hidden` stand for nodes the viewer may not see
 * (remote mode): they are counted, never named.
 */
export function renderTree(l: Lineage, info: Map<number, NodeInfo>, hidden: ReadonlySet<LineageSummary> = new Set()): string[] {
  const lines: string[] = [];
  const seen = new Set<number>();
  const dirs: ('up' | 'down')[] = l.direction === 'both' ? ['up', 'down'] : [l.direction];
  const summaries = new Map<string, LineageSummary[]>();
  for (const s of l.summaries) {
    const k = `${s.node}|${s.direction}`;
    summaries.set(k, [...(summaries.get(k) ?? []), s]);
  }
  const name = (id: number) => {
    const n = info.get(id);
    return `${n ? KIND_WORD[n.kind] : 'node'} ${safe(nodeName(n, id))}`;
  };
  const walk = (id: number, dir: 'up' | 'down', indent: string, depth: number) => {
    const children = l.edges
      .filter((e) => (dir === 'up' ? e.from === id : e.to === id))
      .map((e) => ({ other: dir === 'up' ? e.to : e.from, e }))
      .sort((a, b) => a.e.kind.localeCompare(b.e.kind) || a.other - b.other);
    for (const { other, e } of children) {
      const verb = VERB[e.kind]?.[dir === 'up' ? 0 : 1] ?? e.kind;
      const role = e.role ? ` (${e.role})` : '';
      if (seen.has(other)) {
        lines.push(`${indent}${verb}${role}: ${name(other)}  ↑ (shown above)`);
        continue;
      }
      seen.add(other);
      lines.push(`${indent}${verb}${role}: ${name(other)}`);
      walk(other, dir, `${indent}  `, depth + 1);
    }
    for (const s of summaries.get(`${id}|${dir}`) ?? []) {
      lines.push(`${indent}… and ${fmtCount(s.count - s.sample.length)} more ${groupWord(s, info.get(id))}${hidden.has(s) ? ' you may not see' : ''}`);
    }
  };
  for (const d of dirs) {
    for (const s of l.start) {
      if (!info.has(s)) continue;
      if (l.start.length > 1 && info.get(s)?.kind === 'process') continue; // a job's runs: walked from the job's files below
      seen.add(s);
    }
    for (const s of l.start) {
      if (!info.has(s)) continue;
      lines.push(`${name(s)}  — ${d === 'up' ? 'comes from' : 'went into'}:`);
      walk(s, d, '  ', 1);
    }
  }
  return lines;
}

export function registerLineage(program: Command): void {
  withServerOption(withStoreOptions(program.command('lineage').description('where a file or job came from (--up, the default) or what came from it (--down)')))
    .argument('<path|id>', 'a file path, a job id (or its first characters), a node key or a node id')
    .option('--up', 'ancestors: what it came from (default)')
    .option('--down', 'descendants: what came from it (with --up: both)')
    .option('--depth <n>', 'steps to follow (default 10, at most 100)', nonNegativeInt('--depth', 100), 10)
    .option('--software', 'include system software (libraries, system programs)')
    .option('--file-version <n>', 'this version of the file (default: the newest)', positiveInt('--file-version'))
    .option('--json', 'JSON for scripts')
    .action(async (arg: string, opts: LineageOptions) => {
      const direction: Direction = opts.down ? (opts.up ? 'both' : 'down') : 'up';
      const api = remoteFor(opts);
      if (api) return remoteLineage(api, arg, direction, opts);
      await withStore(opts, async (store) => {
        const r = await resolveArg(store, arg, opts.fileVersion !== undefined ? { version: opts.fileVersion } : {});
        const l = await lineage(store, LOCAL_ADMIN, r.id, { direction, depth: opts.depth, includeSoftware: opts.software ?? false });
        const info = await describeNodes(store, [...new Set([...l.nodes.map((n) => n.id), ...l.start])]);
        if (opts.json) {
          return printJson({
            ...l,
            nodes: l.nodes.map((n) => {
              const i = info.get(n.id);
              return { ...n, ...(i?.path !== undefined ? { path: i.path, version: i.version, fileClass: i.fileClass ?? 'data' } : {}), ...(i?.argv ? { argv: i.argv } : {}), ...(i?.jobId ? { jobId: i.jobId } : {}) };
            }),
          });
        }
        for (const line of renderTree(l, info)) out(line);
        if (l.nodes.length <= l.start.length) out('  (nothing recorded)');
        if (l.truncated) out(`(stopped at ${fmtCount(l.nodes.length)} nodes: the lineage is bigger than shown)`);
      });
    });
}

/** `lineage` through the server: the API's lineage, drawn as the same tree. */
async function remoteLineage(api: ApiClient, arg: string, direction: Direction, opts: LineageOptions): Promise<void> {
  const r = await resolveRemote(api, arg, opts.fileVersion !== undefined ? { version: opts.fileVersion } : {});
  // The API walks at least one step; --depth 0 (the start alone) is cut back below.
  const a = await api.get<ApiLineage>('/api/v1/lineage', {
    node: r.id, direction, depth: Math.max(1, opts.depth), includeSoftware: opts.software ?? false, maxNodes: 5000,
  });
  if (opts.depth === 0) {
    a.nodes = a.nodes.filter((n) => a.start.includes(n.id));
    a.edges = [];
    a.groups = [];
    a.hidden = [];
  }
  if (opts.json) return printJson(a);
  const { lineage: l, hidden } = lineageOf(a, direction);
  for (const line of renderTree(l, nodeInfos(a.nodes, a.groups), hidden)) out(line);
  if (a.nodes.length <= a.start.length && l.summaries.length === 0) out('  (nothing recorded)');
  if (a.truncated) out(`(stopped at ${fmtCount(a.nodes.length)} nodes: the lineage is bigger than shown)`);
}
