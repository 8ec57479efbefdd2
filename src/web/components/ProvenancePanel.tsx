// Provenance Information: Graph view / List view of what the search found,
// with Generate Link and Visibility Settings as in the reference (the latter
// only for who may change the node).
import { useTranslation } from 'react-i18next';
import type { EntityType } from '../api/types';
import { useMayManage } from '../state/session';
import type { ListTab, View } from '../state/url-state';
import { GraphView } from './GraphView';
import { ListView } from './ListView';

export interface PanelPatch {
  view?: View;
  software?: boolean;
  tab?: ListTab;
  entityType?: EntityType;
  sort?: string;
  order?: '' | 'asc' | 'desc';
  page?: number;
  sel?: number | null;
}

interface Props {
  jobNode: number | null;
  view: View;
  software: boolean;
  criteria: Record<string, string>;
  tab: ListTab;
  entityType: EntityType;
  sort: string;
  order: '' | 'asc' | 'desc';
  page: number;
  sel: number | null;
  refreshKey: number;
  onChange: (patch: PanelPatch, opts?: { replace?: boolean }) => void;
  onDetails: (nodeId: number) => void;
  onGenerateLink: () => void;
  onVisibility: (nodeId: number) => void;
}

export function ProvenancePanel(p: Props) {
  const { t } = useTranslation();
  // Visibility Settings act on the node selected in the graph, else on the job.
  const target = (p.view === 'graph' ? p.sel : null) ?? p.jobNode;
  const manage = useMayManage(target);
  return (
    <section className="provenance" aria-label={t('provenance.title')} data-testid="provenance">
      <div className="provenance-head">
        <h2>{t('provenance.title')}</h2>
        <div className="segmented" role="radiogroup" aria-label={t('provenance.view')}>
          {(['graph', 'list'] as const).map((v) => (
            <label key={v} className={p.view === v ? 'active' : undefined} data-testid={`view-${v}`}>
              <input type="radio" name="view" value={v} checked={p.view === v} onChange={() => p.onChange({ view: v })} />
              {t(`provenance.${v}`)}
            </label>
          ))}
        </div>
        <div className="spacer" />
        <button type="button" className="secondary" onClick={p.onGenerateLink} data-testid="generate-link">
          {t('provenance.link')}
        </button>
        {manage && (
          <button type="button" className="secondary" disabled={target === null} onClick={() => target !== null && p.onVisibility(target)} data-testid="visibility-settings">
            {t('provenance.visibility')}
          </button>
        )}
      </div>
      {p.view === 'graph' ? (
        p.jobNode !== null ? (
          <GraphView
            key={p.jobNode}
            job={p.jobNode}
            software={p.software}
            onSoftware={(software) => p.onChange({ software })}
            selected={p.sel}
            onSelect={(sel) => p.onChange({ sel }, { replace: true })}
            onDetails={p.onDetails}
          />
        ) : null
      ) : (
        <ListView
          criteria={p.criteria}
          tab={p.tab}
          entityType={p.entityType}
          sort={p.sort}
          order={p.order}
          page={p.page}
          onChange={p.onChange}
          onOpen={p.onDetails}
          refreshKey={p.refreshKey}
        />
      )}
    </section>
  );
}
