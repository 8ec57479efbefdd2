// List view: Entities and Relations tabs over what the search found.
import { useTranslation } from 'react-i18next';
import type { EntityType } from '../api/types';
import type { ListTab } from '../state/url-state';
import { EntitiesTable } from './EntitiesTable';
import { RelationsTable } from './RelationsTable';

interface Props {
  criteria: Record<string, string>;
  tab: ListTab;
  entityType: EntityType;
  sort: string;
  order: '' | 'asc' | 'desc';
  page: number;
  onChange: (patch: { tab?: ListTab; entityType?: EntityType; sort?: string; order?: '' | 'asc' | 'desc'; page?: number }) => void;
  onOpen: (id: number) => void;
  refreshKey: number;
}

export function ListView(p: Props) {
  const { t } = useTranslation();
  const common = {
    criteria: p.criteria,
    sort: p.sort,
    order: p.order,
    page: p.page,
    onSort: (sort: string, order: 'asc' | 'desc') => p.onChange({ sort, order, page: 1 }),
    onPage: (page: number) => p.onChange({ page }),
    onOpen: p.onOpen,
    refreshKey: p.refreshKey,
  };
  return (
    <div className="list-view" data-testid="list-view">
      <div className="tabs" role="tablist">
        {(['entities', 'relations'] as const).map((tab) => (
          <button
            key={tab}
            type="button"
            role="tab"
            aria-selected={p.tab === tab}
            className={p.tab === tab ? 'tab active' : 'tab'}
            data-testid={`tab-${tab}`}
            onClick={() => p.onChange({ tab, sort: '', order: '', page: 1 })}
          >
            {t(`list.${tab}`)}
          </button>
        ))}
      </div>
      <div role="tabpanel">
        {p.tab === 'entities' ? (
          <EntitiesTable {...common} type={p.entityType} onType={(entityType) => p.onChange({ entityType, sort: '', order: '', page: 1 })} />
        ) : (
          <RelationsTable {...common} />
        )}
      </div>
    </div>
  );
}
