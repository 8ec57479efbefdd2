// The Cytoscape side of the graph view: draws `GraphModel.visible()` with the
// layered layout, keeps the node the user acted on where it was when the
// graph changes, and exports PNG and SVG. Canvas rendering: labels are text.
import cytoscape from 'cytoscape';
import cytoscapeSvg from 'cytoscape-svg';
import { layeredLayout, type Point } from './layout';
import type { VisibleEdge, VisibleNode } from './model';
import { graphStyle } from './style';

cytoscape.use(cytoscapeSvg as unknown as cytoscape.Ext);

/** Above this many nodes: straight edges without arrows, textures while moving. */
export const LARGE_GRAPH = 1500;

export interface DrawStats {
  nodes: number;
  edges: number;
  layoutMs: number;
  /** From the start of the draw call to the first painted frame. */
  drawMs: number;
  /** performance.now() at the first painted frame (ms since navigation). */
  at: number;
}

export interface CyHandlers {
  onTapNode: (id: string, data: VisibleNode) => void;
  onDoubleTapNode: (id: string, data: VisibleNode) => void;
  onTapBackground: () => void;
}

export class CyView {
  private cy: cytoscape.Core | null = null;
  private large = false;

  constructor(private readonly container: HTMLElement, private readonly handlers: CyHandlers) {}

  /** Draw the graph; resolves after the first frame that shows it. */
  draw(nodes: VisibleNode[], edges: VisibleEdge[], opts: { anchor?: string; fit?: boolean } = {}): Promise<DrawStats> {
    const t0 = performance.now();
    const positions = layeredLayout({ nodes: nodes.map((n) => n.id), edges });
    const layoutMs = performance.now() - t0;
    const large = nodes.length > LARGE_GRAPH;
    const elements = toElements(nodes, edges, positions);
    if (!this.cy || large !== this.large) {
      this.destroy();
      this.large = large;
      this.cy = cytoscape({
        container: this.container,
        elements,
        style: graphStyle(large),
        layout: { name: 'preset' },
        minZoom: 0.02,
        maxZoom: 4,
        wheelSensitivity: 0.3,
        boxSelectionEnabled: false,
        selectionType: 'single',
        textureOnViewport: large,
        hideEdgesOnViewport: large,
        motionBlur: false,
        pixelRatio: large ? 1 : 'auto',
      });
      this.cy.fit(undefined, 30);
      this.bind(this.cy);
    } else {
      const cy = this.cy;
      const anchor = opts.anchor ? cy.getElementById(opts.anchor) : null;
      const before = anchor && anchor.nonempty() ? { ...anchor.renderedPosition() } : null;
      cy.batch(() => {
        const keep = new Set(elements.map((e) => e.data.id as string));
        cy.elements().filter((e) => !keep.has(e.id())).remove();
        for (const el of elements) {
          const existing = cy.getElementById(el.data.id as string);
          if (existing.nonempty()) {
            existing.data(el.data);
            if (el.position) existing.position(el.position);
          } else cy.add(el);
        }
      });
      if (opts.fit) cy.fit(undefined, 30);
      else if (before && anchor) {
        const after = anchor.renderedPosition();
        cy.panBy({ x: before.x - after.x, y: before.y - after.y });
      }
    }
    const cy = this.cy;
    return new Promise((resolve) => {
      const done = () => {
        requestAnimationFrame(() => {
          const at = performance.now();
          resolve({ nodes: nodes.length, edges: edges.length, layoutMs, drawMs: at - t0, at });
        });
      };
      cy.one('render', done);
      // Nothing to redraw (same picture): still report.
      setTimeout(() => cy.forceRender(), 0);
    });
  }

  private bind(cy: cytoscape.Core): void {
    cy.on('tap', 'node', (e) => this.handlers.onTapNode(e.target.id(), e.target.data() as VisibleNode));
    cy.on('dbltap', 'node', (e) => this.handlers.onDoubleTapNode(e.target.id(), e.target.data() as VisibleNode));
    cy.on('tap', (e) => {
      if (e.target === cy) this.handlers.onTapBackground();
    });
  }

  select(id: string | null): void {
    if (!this.cy) return;
    this.cy.$(':selected').unselect();
    if (id) this.cy.getElementById(id).select();
  }

  zoomBy(factor: number): void {
    if (!this.cy) return;
    const cy = this.cy;
    cy.zoom({ level: cy.zoom() * factor, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
  }

  panBy(dx: number, dy: number): void {
    this.cy?.panBy({ x: dx, y: dy });
  }

  fit(): void {
    this.cy?.fit(undefined, 30);
  }

  resize(): void {
    this.cy?.resize();
  }

  async png(): Promise<Blob> {
    if (!this.cy) throw new Error('no graph');
    return this.cy.png({ output: 'blob-promise', full: true, bg: '#ffffff', scale: 2, maxWidth: 8000, maxHeight: 8000 });
  }

  svg(): Blob {
    if (!this.cy) throw new Error('no graph');
    const text = (this.cy as unknown as { svg: (o: object) => string }).svg({ full: true, bg: '#ffffff', scale: 1 });
    return new Blob([text], { type: 'image/svg+xml' });
  }

  /** What is drawn, for tests and the benchmark. */
  snapshot(): { nodes: Record<string, unknown>[]; edges: Record<string, unknown>[]; zoom: number; pan: { x: number; y: number } } {
    const cy = this.cy;
    if (!cy) return { nodes: [], edges: [], zoom: 1, pan: { x: 0, y: 0 } };
    return {
      nodes: cy.nodes().map((n) => ({ ...n.data(), position: n.position(), selected: n.selected() })),
      edges: cy.edges().map((e) => ({ ...e.data() })),
      zoom: cy.zoom(),
      pan: cy.pan(),
    };
  }

  renderedPositionOf(id: string): { x: number; y: number } | null {
    const n = this.cy?.getElementById(id);
    return n && n.nonempty() ? n.renderedPosition() : null;
  }

  destroy(): void {
    this.cy?.destroy();
    this.cy = null;
  }
}

function toElements(nodes: VisibleNode[], edges: VisibleEdge[], positions: Map<string, Point>): cytoscape.ElementDefinition[] {
  const els: cytoscape.ElementDefinition[] = [];
  for (const n of nodes) els.push({ group: 'nodes', data: { ...n }, position: positions.get(n.id) ?? { x: 0, y: 0 } });
  for (const e of edges) els.push({ group: 'edges', data: { ...e } });
  return els;
}
