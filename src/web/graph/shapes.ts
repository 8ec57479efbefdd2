// Sizes and outlines of the node kinds, shared by the canvas drawing, hit
// testing and the SVG export.
import type { VisibleNode } from './model';
import type { IconName } from './icons';

export type Shape = 'round-rect' | 'circle' | 'rect' | 'hexagon' | 'diamond' | 'stack';

export interface NodeLook {
  shape: Shape;
  w: number;
  h: number;
  icon: IconName;
}

export function lookOf(n: Pick<VisibleNode, 'kind' | 'software'>): NodeLook {
  switch (n.kind) {
    case 'job':
      return { shape: 'round-rect', w: 42, h: 42, icon: 'job' };
    case 'process':
      return { shape: 'circle', w: 34, h: 34, icon: 'process' };
    case 'user':
      return { shape: 'diamond', w: 36, h: 36, icon: 'user' };
    case 'group':
      return { shape: 'stack', w: 46, h: 40, icon: 'group' };
    case 'hidden':
      return { shape: 'circle', w: 30, h: 30, icon: 'hidden' };
    default:
      return n.software ? { shape: 'hexagon', w: 32, h: 32, icon: 'software' } : { shape: 'rect', w: 28, h: 34, icon: 'file' };
  }
}

/** Trace the outline of a shape centred on (x, y) into a canvas path (no beginPath). */
export function traceShape(ctx: CanvasRenderingContext2D | Path2D, shape: Shape, x: number, y: number, w: number, h: number): void {
  const hw = w / 2;
  const hh = h / 2;
  switch (shape) {
    case 'circle':
      ctx.moveTo(x + hw, y);
      ctx.arc(x, y, hw, 0, Math.PI * 2);
      break;
    case 'rect':
      ctx.rect(x - hw, y - hh, w, h);
      break;
    case 'diamond':
      ctx.moveTo(x, y - hh);
      ctx.lineTo(x + hw, y);
      ctx.lineTo(x, y + hh);
      ctx.lineTo(x - hw, y);
      ctx.closePath();
      break;
    case 'hexagon':
      ctx.moveTo(x - hw, y);
      ctx.lineTo(x - hw / 2, y - hh);
      ctx.lineTo(x + hw / 2, y - hh);
      ctx.lineTo(x + hw, y);
      ctx.lineTo(x + hw / 2, y + hh);
      ctx.lineTo(x - hw / 2, y + hh);
      ctx.closePath();
      break;
    case 'round-rect':
    case 'stack': {
      const r = shape === 'stack' ? 10 : 8;
      ctx.moveTo(x - hw + r, y - hh);
      ctx.arcTo(x + hw, y - hh, x + hw, y + hh, r);
      ctx.arcTo(x + hw, y + hh, x - hw, y + hh, r);
      ctx.arcTo(x - hw, y + hh, x - hw, y - hh, r);
      ctx.arcTo(x - hw, y - hh, x + hw, y - hh, r);
      ctx.closePath();
      break;
    }
  }
}

/** The same outline as SVG markup (numbers only: nothing user-supplied). */
export function svgShape(shape: Shape, x: number, y: number, w: number, h: number, attrs: string): string {
  const hw = w / 2;
  const hh = h / 2;
  const f = (v: number) => Math.round(v * 10) / 10;
  switch (shape) {
    case 'circle':
      return `<circle cx="${f(x)}" cy="${f(y)}" r="${f(hw)}" ${attrs}/>`;
    case 'rect':
      return `<rect x="${f(x - hw)}" y="${f(y - hh)}" width="${f(w)}" height="${f(h)}" ${attrs}/>`;
    case 'diamond':
      return `<polygon points="${f(x)},${f(y - hh)} ${f(x + hw)},${f(y)} ${f(x)},${f(y + hh)} ${f(x - hw)},${f(y)}" ${attrs}/>`;
    case 'hexagon':
      return `<polygon points="${f(x - hw)},${f(y)} ${f(x - hw / 2)},${f(y - hh)} ${f(x + hw / 2)},${f(y - hh)} ${f(x + hw)},${f(y)} ${f(x + hw / 2)},${f(y + hh)} ${f(x - hw / 2)},${f(y + hh)}" ${attrs}/>`;
    default:
      return `<rect x="${f(x - hw)}" y="${f(y - hh)}" width="${f(w)}" height="${f(h)}" rx="${shape === 'stack' ? 10 : 8}" ${attrs}/>`;
  }
}
