import type { Command } from 'commander';
import { getNode, jobGraph, LOCAL_ADMIN, type NodeDetails } from '../../graph/index.js';
import type { Store } from '../../store/index.js';
import { describeNodes, nodeName, type NodeInfo } from '../describe.js';
import { fmtBytes, fmtCount, fmtTime, out, printJson, safe } from '../output.js';
import { positiveInt } from '../options.js';
import { resolveArg } from '../resolve-arg.js';
import { withStore, withStoreOptions, type StoreFlags } from '../store.js';
import type { ApiClient } from '../remote/api-client.js';
import { nodeInfoOf, nodeInfos, type ApiJobGraph, type ApiNodeResult } from '../remote/api-shapes.js';
import { resolveRemote } from '../remote/resolve.js';
import { remoteFor, withServerOption } from '../remote/server-mode.js';

interface ShowOptions extends StoreFlags {
  server?: string;
  fileVersion?: number;
  json?: boolean;
}

const TIME_FACTS = new Set(['startTs', 'endTs', 'submitTs', 'mtime']);

function factLine(k: string, v: unknown): string | undefined {
  if (v === null || v === undefined || k === 'pathKey') return undefined;
  if (TIME_FACTS.has(k) && typeof v === 'number') return `${k}: ${fmtTime(v)} UTC`;
  if (k === 'size' && typeof v === 'number') return `size: ${fmtBytes(v)} (${fmtCount(v)} bytes)`;
  if (Array.isArray(v)) return `${k}: ${v.map((x) => safe(String(x))).join(' ')}`;
  if (typeof v === 'object') return `${k}: ${safe(JSON.stringify(v))}`;
  return `${k}: ${safe(String(v))}`;
}

async function jobSummary(store: Store, job: number): Promise<{ reads: string[]; writes: string[]; runs: number }> {
  const g = await jobGraph(store, LOCAL_ADMIN, job, { maxPerGroup: 200 });
  const info = await describeNodes(store, g.nodes.map((n) => n.id));
  return { ...readsAndWrites(g.edges, info), runs: g.nodes.filter((n) => n.kind === 'process').length };
}

/** A job's runs and the files it read and wrote (remote answers may count more files in groups). */
function printSummary(summary: { reads: string[]; writes: string[]; runs: number; more?: number }): void {
  out(`  program runs: ${fmtCount(summary.runs)}`);
  out(`  read (${fmtCount(summary.reads.length)}):${summary.reads.length ? '' : ' nothing'}`);
  for (const f of summary.reads) out(`    ${safe(f)}`);
  out(`  wrote (${fmtCount(summary.writes.length)}):${summary.writes.length ? '' : ' nothing'}`);
  for (const f of summary.writes) out(`    ${safe(f)}`);
  if (summary.more) out(`  (and ${fmtCount(summary.more)} more files in groups: kiseki lineage, or the web UI)`);
}

/** The data files a job's edges say it read (and did not write first) and wrote, by name. */
function readsAndWrites(edges: { kind: string; from: number; to: number }[], info: Map<number, NodeInfo>): { reads: string[]; writes: string[] } {
  const isData = (id: number) => {
    const n = info.get(id);
    return n?.kind === 'file' && n.fileClass !== 'pipe' && !n.software;
  };
  const written = new Set(edges.filter((e) => e.kind === 'wasGeneratedBy' && isData(e.from)).map((e) => e.from));
  const read = new Set(edges.filter((e) => e.kind === 'used' && isData(e.to) && !written.has(e.to)).map((e) => e.to));
  const names = (ids: Set<number>) => [...ids].map((i) => nodeName(info.get(i), i)).sort();
  return { reads: names(read), writes: names(written) };
}

export function registerShow(program: Command): void {
  withServerOption(withStoreOptions(program.command('show').description('everything recorded about a job, a file or a program run')))
    .argument('<id|path>', 'a file path, a job id (or its first characters), a node key or a node id')
    .option('--file-version <n>', 'this version of the file (default: the newest)', positiveInt('--file-version'))
    .option('--json', 'JSON for scripts')
    .action(async (arg: string, opts: ShowOptions) => {
      const api = remoteFor(opts);
      if (api) return remoteShow(api, arg, opts);
      await withStore(opts, async (store) => {
        const r = await resolveArg(store, arg, opts.fileVersion !== undefined ? { version: opts.fileVersion } : {});
        const node: NodeDetails = await getNode(store, LOCAL_ADMIN, r.id);
        const summary = node.kind === 'job' ? await jobSummary(store, node.id) : undefined;
        if (opts.json) return printJson(summary ? { ...node, summary } : node);
        const info = await describeNodes(store, [node.id]);
        out(`${node.kind} ${safe(nodeName(info.get(node.id), node.id))}`);
        out(`  key: ${safe(node.key)}   id: ${node.id}`);
        for (const [k, v] of Object.entries(node.facts)) {
          if (k === 'scriptText') continue;
          const line = factLine(k, v);
          if (line) out(`  ${line}`);
        }
        // the job script as the scheduler kept it, one line per line (each made safe)
        if (typeof node.facts.scriptText === 'string') {
          out('  script text:');
          for (const l of node.facts.scriptText.replace(/\n$/, '').split('\n')) out(`    | ${safe(l)}`);
        }
        if (summary) printSummary(summary);
        for (const a of node.annotations) out(`  note ${safe(a.key)}: ${safe(a.value)}${a.authorName ? ` (${safe(a.authorName)})` : ''}`);
        if (node.neighbours.length) out('  links:');
        for (const g of node.neighbours) {
          const arrow = g.direction === 'out' ? `${g.edgeKind} →` : `← ${g.edgeKind}`;
          const names = g.sample.map((s) => `${nodeLabel(s.kind, s.label)}${s.role ? ` [${s.role}]` : ''}`);
          const shown = names.slice(0, 8).map(safe).join(', ');
          const rest = g.count - Math.min(names.length, 8);
          out(`    ${arrow} ${g.nodeKind} (${fmtCount(g.count)}): ${shown}${rest > 0 ? ` … and ${fmtCount(rest)} more` : ''}`);
        }
      });
    });
}

function nodeLabel(kind: string, label: string): string {
  return kind === 'job' ? `job ${label}` : label;
}

/** What a job read and wrote, from the API's job graph (files in groups are counted, not named). */
async function remoteJobSummary(api: ApiClient, job: number): Promise<{ reads: string[]; writes: string[]; runs: number; more: number }> {
  const g = await api.get<ApiJobGraph>(`/api/v1/jobs/${job}/graph`, { groupThreshold: 1000 });
  const info = nodeInfos(g.nodes, g.groups);
  const more = g.groups.reduce((n, x) => n + x.count, 0);
  return { ...readsAndWrites(g.edges, info), runs: g.nodes.filter((n) => n.kind === 'process').length, more };
}

/** `show` through the server: the node as the API gives it (only what this viewer may see). */
async function remoteShow(api: ApiClient, arg: string, opts: ShowOptions): Promise<void> {
  const r = await resolveRemote(api, arg, opts.fileVersion !== undefined ? { version: opts.fileVersion } : {});
  const d = await api.get<ApiNodeResult>(`/api/v1/nodes/${r.id}`);
  const node = d.node;
  const summary = node.kind === 'job' ? await remoteJobSummary(api, node.id) : undefined;
  if (opts.json) return printJson(summary ? { ...d, summary } : d);
  out(`${node.kind} ${safe(nodeName(nodeInfoOf(node), node.id))}`);
  out(`  key: ${safe(node.key)}   id: ${node.id}`);
  const skip = new Set(['id', 'key', 'kind', 'label', 'attrs', 'scriptText']);
  for (const [k, v] of Object.entries(node)) {
    if (skip.has(k)) continue;
    const line = factLine(k, v);
    if (line) out(`  ${line}`);
  }
  if (typeof node.scriptText === 'string') {
    out('  script text:');
    for (const l of node.scriptText.replace(/\n$/, '').split('\n')) out(`    | ${safe(l)}`);
  }
  if (summary) printSummary(summary);
  for (const a of d.annotations) out(`  note ${safe(a.key)}: ${safe(a.value)}${a.author ? ` (${safe(a.author)})` : ''}`);
  if (d.neighbours.length) out('  links:');
  for (const g of d.neighbours) {
    const arrow = g.direction === 'out' ? `${g.kind} →` : `← ${g.kind}`;
    out(`    ${arrow} ${g.nodeKind} (${fmtCount(g.count)})`);
  }
}
