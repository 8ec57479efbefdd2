// The legend: what each shape and colour means, and how to use the graph.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { EDGE_COLOURS, iconSvg, KIND_COLOURS, type IconName } from '../graph/icons';

const KINDS: IconName[] = ['job', 'process', 'file', 'group', 'software', 'user'];
const EDGES = ['used', 'wasGeneratedBy', 'wasInformedBy', 'wasStartedBy', 'wasDerivedFrom', 'wasInvalidatedBy', 'wasAssociatedWith'];

const SHAPES: Record<IconName, string> = { job: '6px', process: '50%', file: '0', group: '30%', software: '3px', user: '2px', hidden: '50%' };

export function GraphLegend() {
  const { t } = useTranslation();
  const [open, setOpen] = useState(true);
  return (
    <aside className={open ? 'legend' : 'legend closed'} aria-label={t('legend.title')} data-testid="legend">
      <button type="button" className="legend-toggle" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        {t('legend.title')} {open ? '▾' : '▸'}
      </button>
      {open && (
        <>
          <ul className="legend-kinds">
            {KINDS.map((k) => (
              <li key={k}>
                <img
                  className="legend-icon"
                  alt=""
                  src={`data:image/svg+xml;utf8,${encodeURIComponent(iconSvg(k, 18))}`}
                  style={{ background: KIND_COLOURS[k], borderRadius: SHAPES[k] }}
                />
                {t(`legend.kind.${k}`)}
              </li>
            ))}
          </ul>
          <ul className="legend-edges">
            {EDGES.map((k) => (
              <li key={k}>
                <span className="legend-line" style={{ borderTopColor: EDGE_COLOURS[k], borderTopStyle: k === 'wasAssociatedWith' ? 'dotted' : 'solid' }} />
                {t(`legend.edge.${k}`)}
              </li>
            ))}
          </ul>
          <p className="legend-hint">{t('legend.flow')}</p>
          <p className="legend-hint">{t('legend.mouse')}</p>
        </>
      )}
    </aside>
  );
}
