// The graph's tools: zoom, pan, fit, expand/collapse the selected node,
// the software toggle, PNG/SVG download and refresh.
import { useTranslation } from 'react-i18next';

interface Props {
  onZoomIn: () => void;
  onZoomOut: () => void;
  onFit: () => void;
  onPan: (dx: number, dy: number) => void;
  canExpand: boolean;
  canCollapse: boolean;
  onExpand: () => void;
  onCollapse: () => void;
  software: boolean;
  onSoftware: (on: boolean) => void;
  onPng: () => void;
  onSvg: () => void;
  onRefresh: () => void;
  busy: string | null;
}

const PAN = 120;

export function GraphToolbar(p: Props) {
  const { t } = useTranslation();
  const B = (props: { id: string; label: string; onClick: () => void; disabled?: boolean; children: string }) => (
    <button type="button" className="tool" data-testid={`tool-${props.id}`} title={props.label} aria-label={props.label} onClick={props.onClick} disabled={props.disabled}>
      {props.children}
    </button>
  );
  return (
    <div className="graph-toolbar" role="toolbar" aria-label={t('graph.toolbar')}>
      <div className="tool-group">
        <B id="zoom-in" label={t('graph.zoomIn')} onClick={p.onZoomIn}>+</B>
        <B id="zoom-out" label={t('graph.zoomOut')} onClick={p.onZoomOut}>−</B>
        <B id="fit" label={t('graph.fit')} onClick={p.onFit}>⤢</B>
      </div>
      <div className="tool-group">
        <B id="pan-left" label={t('graph.panLeft')} onClick={() => p.onPan(PAN, 0)}>←</B>
        <B id="pan-up" label={t('graph.panUp')} onClick={() => p.onPan(0, PAN)}>↑</B>
        <B id="pan-down" label={t('graph.panDown')} onClick={() => p.onPan(0, -PAN)}>↓</B>
        <B id="pan-right" label={t('graph.panRight')} onClick={() => p.onPan(-PAN, 0)}>→</B>
      </div>
      <div className="tool-group">
        <button type="button" className="tool text" data-testid="tool-expand" onClick={p.onExpand} disabled={!p.canExpand} title={t('graph.expandHint')}>
          ⊕ {t('graph.expand')}
        </button>
        <button type="button" className="tool text" data-testid="tool-collapse" onClick={p.onCollapse} disabled={!p.canCollapse} title={t('graph.collapseHint')}>
          ⊖ {t('graph.collapse')}
        </button>
      </div>
      <label className="tool-toggle">
        <input type="checkbox" data-testid="tool-software" checked={p.software} onChange={(e) => p.onSoftware(e.target.checked)} />
        {t('graph.software')}
      </label>
      <div className="tool-group">
        <button type="button" className="tool text" data-testid="tool-png" onClick={p.onPng} title={t('graph.downloadPng')}>
          ⤓ PNG
        </button>
        <button type="button" className="tool text" data-testid="tool-svg" onClick={p.onSvg} title={t('graph.downloadSvg')}>
          ⤓ SVG
        </button>
        <B id="refresh" label={t('graph.refresh')} onClick={p.onRefresh}>⟳</B>
      </div>
      {p.busy && <span className="tool-busy" role="status">{p.busy}</span>}
    </div>
  );
}
