// Graph view: the job → program runs → files graph of one job, drawn with
// the layered layout. Click a node for its details, double-click (or the
// toolbar) to expand or collapse its neighbours; click a group to open it.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import type { JobGraph, Neighbour } from '../api/types';
import { CanvasView, type DrawStats } from '../graph/canvas-view';
import { GraphModel, type VisibleNode } from '../graph/model';
import { useApi } from '../state/use-api';
import { GraphLegend } from './GraphLegend';
import { GraphToolbar } from './GraphToolbar';
import { Empty, ErrorMessage, Loading } from './Status';

export const GROUP_THRESHOLD = 20;
const NEIGHBOUR_PAGE = 200;
const MAX_FETCHED = 2000;

interface Props {
  /** The job shown (or, with load, the node the graph is about: it names the downloads). */
  job: number;
  /** Another graph than the job's (a share link's file lineage); same shape as a job graph. */
  load?: (software: boolean, signal: AbortSignal) => Promise<JobGraph>;
  software: boolean;
  onSoftware: (on: boolean) => void;
  selected: number | null;
  onSelect: (nodeId: number | null) => void;
  onDetails: (nodeId: number) => void;
}

declare global {
  interface Window {
    __kisekiGraph?: { snapshot: () => ReturnType<CanvasView['snapshot']>; stats: DrawStats[]; fetchMs?: number; rendered?: (id: string) => { x: number; y: number } | null };
  }
}

async function allNeighbours(id: number, q: { direction: 'in' | 'out' | 'both'; edgeKind?: string; includeSoftware: boolean }): Promise<{ items: Neighbour[]; total: number }> {
  const items: Neighbour[] = [];
  let total = 0;
  for (let page = 1; items.length < MAX_FETCHED; page++) {
    const r = await api.neighbours(id, { ...q, page, pageSize: NEIGHBOUR_PAGE });
    total = r.total;
    items.push(...r.items);
    if (r.items.length < NEIGHBOUR_PAGE || items.length >= r.total) break;
  }
  return { items, total };
}

export function GraphView(props: Props) {
  const { t } = useTranslation();
  const fetchStart = useRef(0);
  const graph = useApi<JobGraph>((signal) => {
    fetchStart.current = performance.now();
    if (props.load) return props.load(props.software, signal);
    return api.jobGraph(props.job, { includeSoftware: props.software, groupThreshold: GROUP_THRESHOLD }, signal);
  }, [props.job, props.software]);
  const container = useRef<HTMLDivElement>(null);
  const view = useRef<CanvasView | null>(null);
  const model = useRef<GraphModel | null>(null);
  const [version, setVersion] = useState(0);
  const [busy, setBusy] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(undefined);
  const [drawn, setDrawn] = useState<DrawStats | null>(null);
  const anchor = useRef<string | undefined>(undefined);
  const fitNext = useRef(false);
  const propsRef = useRef(props);
  propsRef.current = props;
  const tRef = useRef(t);
  tRef.current = t;

  const expandNode = useCallback(async (key: string) => {
    const m = model.current;
    const n = m?.nodes.get(key);
    if (!m || !n) return;
    setBusy(t('graph.expanding'));
    setActionError(undefined);
    try {
      const { items } = await allNeighbours(n.id, { direction: 'both', includeSoftware: propsRef.current.software });
      m.expand(key, items);
      anchor.current = key;
      setVersion((v) => v + 1);
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(null);
    }
  }, [t]);

  const collapseNode = useCallback((key: string) => {
    const m = model.current;
    if (!m) return;
    m.collapse(key);
    anchor.current = key;
    setVersion((v) => v + 1);
  }, []);

  const openGroup = useCallback(async (id: string) => {
    const m = model.current;
    const g = m?.group(id);
    if (!m || !g) return;
    anchor.current = g.parent;
    if (m.openGroup(id)) {
      setVersion((v) => v + 1);
      return;
    }
    const parent = m.nodes.get(g.parent);
    if (!parent) return;
    setBusy(t('graph.expanding'));
    setActionError(undefined);
    try {
      const { items } = await allNeighbours(parent.id, { direction: g.direction, edgeKind: g.relation, includeSoftware: propsRef.current.software });
      m.fillGroup(id, items);
      setVersion((v) => v + 1);
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(null);
    }
  }, [t]);

  // Build the model when the graph arrives.
  useEffect(() => {
    if (!graph.data) return;
    model.current = GraphModel.fromJobGraph(graph.data, GROUP_THRESHOLD);
    window.__kisekiGraph = { ...(window.__kisekiGraph ?? { stats: [] }), fetchMs: performance.now() - fetchStart.current, snapshot: () => view.current?.snapshot() ?? { nodes: [], edges: [], zoom: 1, pan: { x: 0, y: 0 } } };
    fitNext.current = true;
    anchor.current = undefined;
    setVersion((v) => v + 1);
  }, [graph.data]);

  // Draw whenever the model changes.
  useEffect(() => {
    const m = model.current;
    if (!m || !container.current) return;
    if (!view.current) {
      view.current = new CanvasView(container.current, {
        onTapNode: (id, data: VisibleNode) => {
          if (data.kind === 'group') void openGroup(id);
          else if (data.nodeId !== undefined) {
            propsRef.current.onSelect(data.nodeId);
            propsRef.current.onDetails(data.nodeId);
          }
        },
        onDoubleTapNode: (id, data) => {
          if (data.kind === 'group') return;
          if (model.current?.canCollapse(id)) collapseNode(id);
          else void expandNode(id);
        },
        onTapBackground: () => propsRef.current.onSelect(null),
      });
      window.__kisekiGraph = {
        ...(window.__kisekiGraph ?? { stats: [] }),
        snapshot: () => view.current?.snapshot() ?? { nodes: [], edges: [], zoom: 1, pan: { x: 0, y: 0 } },
        rendered: (id) => view.current?.renderedPositionOf(id) ?? null,
      };
    }
    const { nodes, edges } = m.visible();
    for (const n of nodes) if (n.kind === 'group') n.label = tRef.current('graph.groupLabel', { count: n.count ?? 0 });
    const fit = fitNext.current;
    fitNext.current = false;
    let cancelled = false;
    void view.current.draw(nodes, edges, { anchor: anchor.current, fit }).then((stats) => {
      if (cancelled) return;
      const g = window.__kisekiGraph;
      if (g) g.stats = [...g.stats, stats];
      setDrawn(stats);
      view.current?.select(propsRef.current.selected !== null ? `n${propsRef.current.selected}` : null);
    });
    return () => {
      cancelled = true;
    };
    // Relabel groups when the language changes.
  }, [version, t, openGroup, expandNode, collapseNode]);

  useEffect(() => view.current?.select(props.selected !== null ? `n${props.selected}` : null), [props.selected]);

  useEffect(() => () => {
    view.current?.destroy();
    view.current = null;
  }, []);

  useEffect(() => {
    const el = container.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => view.current?.resize());
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const download = async (kind: 'png' | 'svg') => {
    if (!view.current) return;
    try {
      const blob = kind === 'png' ? await view.current.png() : view.current.svg();
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `kiseki-job-${props.job}.${kind}`;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      setActionError(e);
    }
  };

  const selectedKey = props.selected !== null ? `n${props.selected}` : null;
  const empty = graph.data && graph.data.nodes.length === 0;
  return (
    <div className="graph-view" data-testid="graph-view">
      <GraphToolbar
        onZoomIn={() => view.current?.zoomBy(1.25)}
        onZoomOut={() => view.current?.zoomBy(0.8)}
        onFit={() => view.current?.fit()}
        onPan={(dx, dy) => view.current?.panBy(dx, dy)}
        canExpand={selectedKey !== null && !busy}
        canCollapse={selectedKey !== null && Boolean(model.current?.canCollapse(selectedKey))}
        onExpand={() => selectedKey && void expandNode(selectedKey)}
        onCollapse={() => selectedKey && collapseNode(selectedKey)}
        software={props.software}
        onSoftware={props.onSoftware}
        onPng={() => void download('png')}
        onSvg={() => void download('svg')}
        onRefresh={graph.reload}
        busy={busy}
      />
      {actionError !== undefined && <ErrorMessage error={actionError} />}
      <div className="graph-area">
        <div
          className="graph-canvas"
          ref={container}
          data-testid="graph-canvas"
          data-drawn={drawn ? 'yes' : 'no'}
          data-nodes={drawn?.nodes ?? 0}
          data-edges={drawn?.edges ?? 0}
          data-version={version}
          aria-label={t('graph.canvasLabel')}
          role="img"
        />
        {graph.loading && <div className="graph-overlay"><Loading what={t('status.loadingGraph')} /></div>}
        {graph.error !== undefined && <div className="graph-overlay"><ErrorMessage error={graph.error} onRetry={graph.reload} /></div>}
        {empty && <div className="graph-overlay"><Empty message={t('graph.empty')} /></div>}
        <GraphLegend />
      </div>
      {drawn && (
        <div className="graph-stats" data-testid="graph-stats">
          {t('graph.stats', { nodes: drawn.nodes, edges: drawn.edges, ms: Math.round(drawn.drawMs) })}
        </div>
      )}
    </div>
  );
}
