// Entities: jobs, program runs or file versions matching the search, with
// the reference's columns. A row opens its details.
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import type { EntityRow, EntityType, Paged } from '../api/types';
import { useApi } from '../state/use-api';
import { cellText } from '../util/format';
import { DataTable, type Column } from './DataTable';
import { Empty, ErrorMessage, Loading } from './Status';

export const LIST_PAGE_SIZE = 20;

/** Columns per type: [field, API sort key]. */
const COLUMNS: Record<EntityType, [string, string?][]> = {
  job: [['job_id', 'jobId'], ['filename'], ['id', 'id'], ['name', 'name'], ['user', 'user'], ['uid'], ['script'], ['host'], ['start', 'start'], ['end', 'end'], ['state', 'state'], ['exit_code'], ['additem'], ['visibility']],
  process: [['job_id'], ['id', 'id'], ['pid', 'pid'], ['uid'], ['euid'], ['egid'], ['path', 'path'], ['host', 'host'], ['args'], ['parent'], ['start', 'start'], ['mpi'], ['additem']],
  file: [['job_id'], ['id', 'id'], ['uid'], ['path', 'path'], ['version', 'version'], ['inode', 'inode'], ['host'], ['additem'], ['visibility']],
};
const WRAP = new Set(['path', 'args', 'script', 'additem', 'name', 'filename']);

/** What both list tabs (entities, relations) take: the search, sorting, paging. */
export interface ListProps {
  criteria: Record<string, string>;
  sort: string;
  order: '' | 'asc' | 'desc';
  page: number;
  onSort: (sort: string, order: 'asc' | 'desc') => void;
  onPage: (page: number) => void;
  onOpen: (id: number) => void;
  refreshKey: number;
}

interface Props extends ListProps {
  type: EntityType;
  onType: (t: EntityType) => void;
}

export function EntitiesTable(p: Props) {
  const { t } = useTranslation();
  const key = JSON.stringify(p.criteria);
  const res = useApi<Paged<EntityRow>>(
    (signal) => api.entities({ ...p.criteria, type: p.type, sort: p.sort || undefined, order: p.order || undefined, page: p.page, pageSize: LIST_PAGE_SIZE }, signal),
    [key, p.type, p.sort, p.order, p.page, p.refreshKey],
  );
  const columns = useMemo<Column<EntityRow>[]>(
    () => COLUMNS[p.type].map(([field, sortKey]) => ({
      id: field,
      header: t(`columns.${field}`, { defaultValue: field }),
      sortKey,
      wrap: WRAP.has(field),
      value: (row: EntityRow) => (field === 'visibility' && typeof row[field] === 'string' ? t(`visibility.${row[field] as string}`) : cellText(row[field], field)),
    })),
    [p.type, t],
  );
  return (
    <div className="entities" data-testid="entities">
      <div className="segmented" role="radiogroup" aria-label={t('list.entityType')}>
        {(['job', 'process', 'file'] as const).map((ty) => (
          <label key={ty} className={ty === p.type ? 'active' : undefined} data-testid={`etype-${ty}`}>
            <input type="radio" name="etype" value={ty} checked={ty === p.type} onChange={() => p.onType(ty)} />
            {t(`list.type.${ty}`)}
          </label>
        ))}
      </div>
      {res.error !== undefined ? (
        <ErrorMessage error={res.error} onRetry={res.reload} />
      ) : !res.data ? (
        <Loading />
      ) : res.data.total === 0 ? (
        <Empty message={t('list.none')} />
      ) : (
        <DataTable
          columns={columns}
          rows={res.data.items}
          total={res.data.total}
          page={p.page}
          pageSize={LIST_PAGE_SIZE}
          sort={p.sort}
          order={p.order}
          onSort={p.onSort}
          onPage={p.onPage}
          onRowClick={(row) => typeof row.id === 'number' && p.onOpen(row.id)}
          rowKey={(row) => String(row.id)}
          testId="entities-table"
          caption={t('list.entities')}
          busy={res.loading}
        />
      )}
    </div>
  );
}
