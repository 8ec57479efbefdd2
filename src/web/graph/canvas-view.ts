// The graph drawn on one <canvas>: shapes, icons, edges with arrowheads and
// labels, with zoom (wheel, buttons), pan (drag, buttons, arrow keys), fit,
// click / double-click on nodes, and PNG / SVG export.
//
// Why not a graph library: Cytoscape.js needed 3–9 s on this 2-core machine
// to build and first draw 5,000 nodes (its per-element style and collection
// bookkeeping), before any layout. Drawing batched paths on a canvas takes
// milliseconds, so this view stays responsive at 5,000 nodes and more.
// Labels are drawn with fillText (text, never markup); the SVG export
// escapes them.
import { EDGE_COLOURS, iconSvg, KIND_COLOURS, type IconName } from './icons';
import { layeredLayout, type Point } from './layout';
import type { VisibleEdge, VisibleNode } from './model';
import { lookOf, svgShape, traceShape, type NodeLook } from './shapes';

export interface DrawStats {
  nodes: number;
  edges: number;
  layoutMs: number;
  /** Preparing what to draw (after the layout, before the first frame). */
  buildMs: number;
  /** From the start of the draw call to the first painted frame. */
  drawMs: number;
  /** performance.now() at the first painted frame (ms since navigation). */
  at: number;
}

export interface ViewHandlers {
  onTapNode: (id: string, data: VisibleNode) => void;
  onDoubleTapNode: (id: string, data: VisibleNode) => void;
  onTapBackground: () => void;
}

interface DNode {
  data: VisibleNode;
  x: number;
  y: number;
  look: NodeLook;
  colour: string;
  /** Label cut to fit (filled lazily). */
  text?: string;
}

interface DEdge {
  data: VisibleEdge;
  s: DNode;
  t: DNode;
}

const FONT = '11px system-ui, -apple-system, "Segoe UI", "Noto Sans JP", sans-serif';
const BOLD = 'bold 11px system-ui, -apple-system, "Segoe UI", "Noto Sans JP", sans-serif';
const LABEL_MAX = 190;
const MIN_ZOOM = 0.02;
const MAX_ZOOM = 4;
const DOUBLE_CLICK_MS = 280;

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function colourOf(n: VisibleNode): string {
  if (n.kind === 'file' && n.software) return KIND_COLOURS.software;
  return KIND_COLOURS[n.kind] ?? '#888';
}

export class CanvasView {
  private readonly canvas: HTMLCanvasElement;
  private nodes: DNode[] = [];
  private edges: DEdge[] = [];
  private byId = new Map<string, DNode>();
  private zoom = 1;
  private pan = { x: 0, y: 0 };
  private selected: string | null = null;
  private frame = 0;
  private afterPaint: (() => void)[] = [];
  private icons = new Map<IconName, HTMLImageElement>();
  private readonly cleanup: (() => void)[] = [];
  private measure: CanvasRenderingContext2D | null = null;

  constructor(private readonly container: HTMLElement, private readonly handlers: ViewHandlers) {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'graph-surface';
    this.canvas.style.display = 'block';
    this.canvas.style.width = '100%';
    this.canvas.style.height = '100%';
    this.canvas.tabIndex = 0;
    container.appendChild(this.canvas);
    for (const name of Object.keys(KIND_COLOURS) as IconName[]) {
      const img = new Image();
      img.onload = () => this.invalidate();
      img.src = `data:image/svg+xml;utf8,${encodeURIComponent(iconSvg(name, 48))}`;
      this.icons.set(name, img);
    }
    this.bindInput();
  }

  // ── drawing ─────────────────────────────────────────────────────────
  /** Lay out and draw; resolves after the first frame that shows it. */
  draw(nodes: VisibleNode[], edges: VisibleEdge[], opts: { anchor?: string; fit?: boolean } = {}): Promise<DrawStats> {
    const t0 = performance.now();
    const positions = layeredLayout({ nodes: nodes.map((n) => n.id), edges });
    const layoutMs = performance.now() - t0;
    const anchorBefore = opts.anchor ? this.renderedPositionOf(opts.anchor) : null;
    const first = this.nodes.length === 0;
    this.byId = new Map();
    this.nodes = nodes.map((data) => {
      const p = positions.get(data.id) ?? { x: 0, y: 0 };
      const d: DNode = { data, x: p.x, y: p.y, look: lookOf(data), colour: colourOf(data) };
      this.byId.set(data.id, d);
      return d;
    });
    this.edges = [];
    for (const data of edges) {
      const s = this.byId.get(data.source);
      const t = this.byId.get(data.target);
      if (s && t) this.edges.push({ data, s, t });
    }
    if (first || opts.fit || !anchorBefore) this.fit();
    else {
      const after = this.renderedPositionOf(opts.anchor!);
      if (after) {
        this.pan.x += anchorBefore.x - after.x;
        this.pan.y += anchorBefore.y - after.y;
      }
    }
    const buildMs = performance.now() - t0 - layoutMs;
    return new Promise((resolve) => {
      this.afterPaint.push(() => {
        requestAnimationFrame(() => {
          const at = performance.now();
          resolve({ nodes: this.nodes.length, edges: this.edges.length, layoutMs, buildMs, drawMs: at - t0, at });
        });
      });
      this.invalidate();
    });
  }

  private invalidate(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.paintScreen();
      const cbs = this.afterPaint;
      this.afterPaint = [];
      for (const cb of cbs) cb();
    });
  }

  private size(): { w: number; h: number } {
    return { w: this.container.clientWidth || 800, h: this.container.clientHeight || 600 };
  }

  private paintScreen(): void {
    const { w, h } = this.size();
    const dpr = Math.min(window.devicePixelRatio || 1, 2);
    if (this.canvas.width !== Math.round(w * dpr) || this.canvas.height !== Math.round(h * dpr)) {
      this.canvas.width = Math.round(w * dpr);
      this.canvas.height = Math.round(h * dpr);
    }
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.setTransform(dpr * this.zoom, 0, 0, dpr * this.zoom, dpr * this.pan.x, dpr * this.pan.y);
    const view = {
      x1: -this.pan.x / this.zoom, y1: -this.pan.y / this.zoom,
      x2: (w - this.pan.x) / this.zoom, y2: (h - this.pan.y) / this.zoom,
    };
    this.paint(ctx, this.zoom, view);
  }

  /** Paint the graph in world coordinates (the transform is set); `scale` is screen pixels per unit. */
  private paint(ctx: CanvasRenderingContext2D, scale: number, view: { x1: number; y1: number; x2: number; y2: number }): void {
    const m = 60; // margin for shapes and labels
    const inView = (n: DNode) => n.x > view.x1 - m && n.x < view.x2 + m && n.y > view.y1 - m && n.y < view.y2 + m;
    const edgeInView = (e: DEdge) => !(
      (e.s.x < view.x1 && e.t.x < view.x1) || (e.s.x > view.x2 && e.t.x > view.x2) ||
      (e.s.y < view.y1 && e.t.y < view.y1) || (e.s.y > view.y2 && e.t.y > view.y2));
    const px = 1 / scale; // one screen pixel in world units

    // Edges, one path per kind; arrowheads when they are big enough to see.
    const arrows = scale > 0.3;
    const byKind = new Map<string, DEdge[]>();
    for (const e of this.edges) {
      if (!edgeInView(e)) continue;
      const list = byKind.get(e.data.kind);
      if (list) list.push(e);
      else byKind.set(e.data.kind, [e]);
    }
    ctx.lineCap = 'round';
    for (const [kind, list] of byKind) {
      const colour = EDGE_COLOURS[kind] ?? '#9ca3af';
      ctx.strokeStyle = colour;
      ctx.fillStyle = colour;
      ctx.lineWidth = Math.max(kind === 'group' ? 2 : 1.5, 0.8 * px);
      ctx.setLineDash(kind === 'group' ? [6, 4] : kind === 'wasAssociatedWith' ? [2, 3] : []);
      ctx.globalAlpha = 0.85;
      ctx.beginPath();
      const heads: [number, number, number, number][] = [];
      for (const e of list) {
        const { x: x1, y: y1 } = e.s;
        const dx = e.t.x - x1;
        const dy = e.t.y - y1;
        const len = Math.hypot(dx, dy) || 1;
        const r = boundaryDistance(e.t.look, dx / len, dy / len) + 2;
        const x2 = e.t.x - (dx / len) * r;
        const y2 = e.t.y - (dy / len) * r;
        ctx.moveTo(x1, y1);
        ctx.lineTo(x2, y2);
        if (arrows) heads.push([x2, y2, dx / len, dy / len]);
      }
      ctx.stroke();
      ctx.setLineDash([]);
      if (heads.length) {
        ctx.beginPath();
        for (const [x, y, ux, uy] of heads) {
          const s = 8;
          ctx.moveTo(x, y);
          ctx.lineTo(x - ux * s - uy * s * 0.5, y - uy * s + ux * s * 0.5);
          ctx.lineTo(x - ux * s + uy * s * 0.5, y - uy * s - ux * s * 0.5);
          ctx.closePath();
        }
        ctx.fill();
      }
      ctx.globalAlpha = 1;
    }

    // Nodes, one path per colour.
    const visible = this.nodes.filter(inView);
    const byColour = new Map<string, DNode[]>();
    for (const n of visible) {
      const list = byColour.get(n.colour);
      if (list) list.push(n);
      else byColour.set(n.colour, [n]);
    }
    for (const [colour, list] of byColour) {
      // A group is a stack: a lighter sheet behind.
      const stacks = list.filter((n) => n.look.shape === 'stack');
      if (stacks.length) {
        ctx.fillStyle = '#c4b0e0';
        ctx.beginPath();
        for (const n of stacks) traceShape(ctx, 'stack', n.x + 5, n.y - 5, n.look.w, n.look.h);
        ctx.fill();
      }
      ctx.fillStyle = colour;
      ctx.beginPath();
      for (const n of list) traceShape(ctx, n.look.shape, n.x, n.y, n.look.w, n.look.h);
      ctx.fill();
    }
    // Borders: expanded nodes dark, the selected one blue.
    ctx.lineWidth = Math.max(2.5, 1.5 * px);
    ctx.strokeStyle = '#111827';
    ctx.beginPath();
    for (const n of visible) if (n.data.expanded) traceShape(ctx, n.look.shape, n.x, n.y, n.look.w + 6, n.look.h + 6);
    ctx.stroke();
    const sel = this.selected ? this.byId.get(this.selected) : undefined;
    if (sel) {
      ctx.fillStyle = 'rgba(37,99,235,0.18)';
      ctx.beginPath();
      traceShape(ctx, 'circle', sel.x, sel.y, Math.max(sel.look.w, sel.look.h) + 22, 0);
      ctx.fill();
      ctx.strokeStyle = '#2563eb';
      ctx.lineWidth = Math.max(3, 2 * px);
      ctx.beginPath();
      traceShape(ctx, sel.look.shape, sel.x, sel.y, sel.look.w + 8, sel.look.h + 8);
      ctx.stroke();
    }
    // Icons when a node is at least ~14 px on screen.
    if (scale * 34 >= 14) {
      for (const n of visible) {
        const img = this.icons.get(n.look.icon);
        if (!img || !img.complete || img.naturalWidth === 0) continue;
        const s = Math.min(n.look.w, n.look.h) * 0.72;
        ctx.drawImage(img, n.x - s / 2, n.y - s / 2, s, s);
      }
    }
    // Labels when 11 px text is at least ~6.5 px on screen.
    if (scale * 11 >= 6.5) {
      ctx.textAlign = 'center';
      ctx.textBaseline = 'top';
      ctx.fillStyle = '#1f2937';
      for (const n of visible) {
        const group = n.data.kind === 'group';
        ctx.font = group ? BOLD : FONT;
        if (group) ctx.fillStyle = '#4c2a85';
        ctx.fillText(this.labelOf(n), n.x, n.y + n.look.h / 2 + 4);
        if (group) ctx.fillStyle = '#1f2937';
      }
    }
  }

  /** The label cut with an ellipsis to LABEL_MAX units (measured once). */
  private labelOf(n: DNode): string {
    if (n.text !== undefined) return n.text;
    const full = n.data.label;
    if (!this.measure) this.measure = document.createElement('canvas').getContext('2d');
    const m = this.measure;
    if (!m) return (n.text = full);
    m.font = n.data.kind === 'group' ? BOLD : FONT;
    if (m.measureText(full).width <= LABEL_MAX) return (n.text = full);
    let lo = 0;
    let hi = full.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (m.measureText(`${full.slice(0, mid)}…`).width <= LABEL_MAX) lo = mid;
      else hi = mid - 1;
    }
    return (n.text = `${full.slice(0, lo)}…`);
  }

  // ── viewport ────────────────────────────────────────────────────────
  fit(): void {
    if (this.nodes.length === 0) return;
    let x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
    for (const n of this.nodes) {
      x1 = Math.min(x1, n.x); x2 = Math.max(x2, n.x);
      y1 = Math.min(y1, n.y); y2 = Math.max(y2, n.y);
    }
    x1 -= 110; x2 += 110; y1 -= 40; y2 += 50;
    const { w, h } = this.size();
    this.zoom = clamp(Math.min(1.5, Math.min((w - 20) / (x2 - x1), (h - 20) / (y2 - y1))), MIN_ZOOM, MAX_ZOOM);
    this.pan = { x: w / 2 - this.zoom * (x1 + x2) / 2, y: h / 2 - this.zoom * (y1 + y2) / 2 };
    this.invalidate();
  }

  zoomBy(factor: number, at?: { x: number; y: number }): void {
    const { w, h } = this.size();
    const c = at ?? { x: w / 2, y: h / 2 };
    const z = clamp(this.zoom * factor, MIN_ZOOM, MAX_ZOOM);
    this.pan = { x: c.x - ((c.x - this.pan.x) * z) / this.zoom, y: c.y - ((c.y - this.pan.y) * z) / this.zoom };
    this.zoom = z;
    this.invalidate();
  }

  panBy(dx: number, dy: number): void {
    this.pan = { x: this.pan.x + dx, y: this.pan.y + dy };
    this.invalidate();
  }

  resize(): void {
    this.invalidate();
  }

  select(id: string | null): void {
    this.selected = id;
    this.invalidate();
  }

  renderedPositionOf(id: string): { x: number; y: number } | null {
    const n = this.byId.get(id);
    return n ? { x: n.x * this.zoom + this.pan.x, y: n.y * this.zoom + this.pan.y } : null;
  }

  // ── input ───────────────────────────────────────────────────────────
  private nodeAt(sx: number, sy: number): DNode | undefined {
    const x = (sx - this.pan.x) / this.zoom;
    const y = (sy - this.pan.y) / this.zoom;
    const slack = 3 / this.zoom;
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const n = this.nodes[i]!;
      if (Math.abs(n.x - x) <= n.look.w / 2 + slack && Math.abs(n.y - y) <= n.look.h / 2 + slack) return n;
    }
    return undefined;
  }

  private bindInput(): void {
    const c = this.canvas;
    const local = (e: MouseEvent) => {
      const r = c.getBoundingClientRect();
      return { x: e.clientX - r.left, y: e.clientY - r.top };
    };
    let drag: { x: number; y: number; moved: boolean; id: number } | null = null;
    const down = (e: PointerEvent) => {
      if (e.button !== 0) return;
      drag = { ...local(e), moved: false, id: e.pointerId };
      c.setPointerCapture?.(e.pointerId);
    };
    const move = (e: PointerEvent) => {
      const p = local(e);
      if (drag && drag.id === e.pointerId) {
        const dx = p.x - drag.x;
        const dy = p.y - drag.y;
        if (drag.moved || Math.abs(dx) + Math.abs(dy) > 3) {
          drag.moved = true;
          drag.x = p.x;
          drag.y = p.y;
          this.panBy(dx, dy);
          c.style.cursor = 'grabbing';
        }
        return;
      }
      c.style.cursor = this.nodeAt(p.x, p.y) ? 'pointer' : 'grab';
    };
    // A click acts after a short wait, unless a second click on the same node
    // makes it a double-click (which expands or collapses instead).
    let pending: { id: string; timer: number } | null = null;
    const up = (e: PointerEvent) => {
      if (!drag || drag.id !== e.pointerId) return;
      const wasDrag = drag.moved;
      drag = null;
      c.style.cursor = 'grab';
      if (wasDrag) return;
      const p = local(e);
      const n = this.nodeAt(p.x, p.y);
      if (!n) {
        this.handlers.onTapBackground();
        return;
      }
      if (pending && pending.id === n.data.id) {
        window.clearTimeout(pending.timer);
        pending = null;
        this.handlers.onDoubleTapNode(n.data.id, n.data);
        return;
      }
      if (pending) window.clearTimeout(pending.timer);
      const data = n.data;
      pending = {
        id: data.id,
        timer: window.setTimeout(() => {
          pending = null;
          this.handlers.onTapNode(data.id, data);
        }, DOUBLE_CLICK_MS),
      };
    };
    const wheel = (e: WheelEvent) => {
      e.preventDefault();
      const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1;
      this.zoomBy(Math.pow(1.0015, -e.deltaY * unit), local(e));
    };
    const key = (e: KeyboardEvent) => {
      const step = 60;
      const k: Record<string, () => void> = {
        ArrowLeft: () => this.panBy(step, 0), ArrowRight: () => this.panBy(-step, 0), ArrowUp: () => this.panBy(0, step), ArrowDown: () => this.panBy(0, -step),
        '+': () => this.zoomBy(1.25), '=': () => this.zoomBy(1.25), '-': () => this.zoomBy(0.8), '0': () => this.fit(),
      };
      const f = k[e.key];
      if (f) {
        e.preventDefault();
        f();
      }
    };
    c.addEventListener('pointerdown', down);
    c.addEventListener('pointermove', move);
    c.addEventListener('pointerup', up);
    c.addEventListener('wheel', wheel, { passive: false });
    c.addEventListener('keydown', key);
    c.style.cursor = 'grab';
    this.cleanup.push(() => {
      c.removeEventListener('pointerdown', down);
      c.removeEventListener('pointermove', move);
      c.removeEventListener('pointerup', up);
      c.removeEventListener('wheel', wheel);
      c.removeEventListener('keydown', key);
    });
  }

  // ── export ──────────────────────────────────────────────────────────
  private bounds(): { x1: number; y1: number; x2: number; y2: number } {
    let x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
    for (const n of this.nodes) {
      x1 = Math.min(x1, n.x - LABEL_MAX / 2); x2 = Math.max(x2, n.x + LABEL_MAX / 2);
      y1 = Math.min(y1, n.y - n.look.h / 2); y2 = Math.max(y2, n.y + n.look.h / 2 + 18);
    }
    if (!Number.isFinite(x1)) return { x1: 0, y1: 0, x2: 100, y2: 100 };
    return { x1: x1 - 20, y1: y1 - 20, x2: x2 + 20, y2: y2 + 20 };
  }

  /** The whole graph as a PNG (up to 8,000 px a side). */
  png(): Promise<Blob> {
    const b = this.bounds();
    const scale = Math.min(2, 8000 / (b.x2 - b.x1), 8000 / (b.y2 - b.y1));
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.ceil((b.x2 - b.x1) * scale));
    canvas.height = Math.max(1, Math.ceil((b.y2 - b.y1) * scale));
    const ctx = canvas.getContext('2d');
    if (!ctx) return Promise.reject(new Error('no 2D canvas'));
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.setTransform(scale, 0, 0, scale, -b.x1 * scale, -b.y1 * scale);
    this.paint(ctx, scale, b);
    return new Promise((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('PNG export failed'))), 'image/png'));
  }

  /** The whole graph as SVG; labels are escaped text. */
  svg(): Blob {
    const b = this.bounds();
    const f = (v: number) => Math.round(v * 10) / 10;
    const out: string[] = [];
    out.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="${f(b.x1)} ${f(b.y1)} ${f(b.x2 - b.x1)} ${f(b.y2 - b.y1)}" width="${f(b.x2 - b.x1)}" height="${f(b.y2 - b.y1)}" font-family="system-ui, sans-serif" font-size="11">`);
    out.push('<defs>');
    for (const [name] of this.icons) {
      const inner = iconSvg(name, 24).replace(/^<svg[^>]*>/, '').replace(/<\/svg>$/, '');
      out.push(`<symbol id="icon-${name}" viewBox="0 0 24 24">${inner}</symbol>`);
    }
    for (const [kind, colour] of Object.entries(EDGE_COLOURS)) {
      out.push(`<marker id="arrow-${kind}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0L10,5L0,10z" fill="${colour}"/></marker>`);
    }
    out.push('</defs>');
    out.push(`<rect x="${f(b.x1)}" y="${f(b.y1)}" width="${f(b.x2 - b.x1)}" height="${f(b.y2 - b.y1)}" fill="#ffffff"/>`);
    out.push('<g class="edges" fill="none">');
    for (const e of this.edges) {
      const dx = e.t.x - e.s.x;
      const dy = e.t.y - e.s.y;
      const len = Math.hypot(dx, dy) || 1;
      const r = boundaryDistance(e.t.look, dx / len, dy / len) + 2;
      const colour = EDGE_COLOURS[e.data.kind] ?? '#9ca3af';
      const kind = e.data.kind in EDGE_COLOURS ? e.data.kind : 'used';
      const dash = e.data.kind === 'group' ? ' stroke-dasharray="6 4"' : e.data.kind === 'wasAssociatedWith' ? ' stroke-dasharray="2 3"' : '';
      out.push(`<line x1="${f(e.s.x)}" y1="${f(e.s.y)}" x2="${f(e.t.x - (dx / len) * r)}" y2="${f(e.t.y - (dy / len) * r)}" stroke="${colour}" stroke-width="1.5"${dash} marker-end="url(#arrow-${kind})"><title>${escapeXml(e.data.kind)}</title></line>`);
    }
    out.push('</g><g class="nodes">');
    for (const n of this.nodes) {
      const s = Math.min(n.look.w, n.look.h) * 0.72;
      out.push(`<g class="node ${n.data.kind}"><title>${escapeXml(n.data.fullLabel ?? n.data.label)}</title>`);
      if (n.look.shape === 'stack') out.push(svgShape('stack', n.x + 5, n.y - 5, n.look.w, n.look.h, 'fill="#c4b0e0"'));
      out.push(svgShape(n.look.shape, n.x, n.y, n.look.w, n.look.h, `fill="${n.colour}"`));
      out.push(`<use href="#icon-${n.look.icon}" x="${f(n.x - s / 2)}" y="${f(n.y - s / 2)}" width="${f(s)}" height="${f(s)}"/>`);
      out.push(`<text x="${f(n.x)}" y="${f(n.y + n.look.h / 2 + 14)}" text-anchor="middle" fill="#1f2937"${n.data.kind === 'group' ? ' font-weight="bold"' : ''}>${escapeXml(this.labelOf(n))}</text></g>`);
    }
    out.push('</g></svg>\n');
    return new Blob([out.join('\n')], { type: 'image/svg+xml' });
  }

  /** What is drawn, for tests and the benchmark. */
  snapshot(): { nodes: Record<string, unknown>[]; edges: Record<string, unknown>[]; zoom: number; pan: { x: number; y: number } } {
    return {
      nodes: this.nodes.map((n) => ({ ...n.data, position: { x: n.x, y: n.y }, selected: n.data.id === this.selected })),
      edges: this.edges.map((e) => ({ ...e.data })),
      zoom: this.zoom,
      pan: { ...this.pan },
    };
  }

  destroy(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    for (const f of this.cleanup) f();
    this.canvas.remove();
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/** Distance from a node's centre to its outline along the unit vector (ux, uy) (approximate for polygons). */
function boundaryDistance(look: NodeLook, ux: number, uy: number): number {
  const hw = look.w / 2;
  const hh = look.h / 2;
  if (look.shape === 'circle') return hw;
  if (look.shape === 'diamond') return 1 / (Math.abs(ux) / hw + Math.abs(uy) / hh);
  const tx = ux === 0 ? Infinity : hw / Math.abs(ux);
  const ty = uy === 0 ? Infinity : hh / Math.abs(uy);
  return Math.min(tx, ty);
}

export type { Point };
