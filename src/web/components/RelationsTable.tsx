// Relations: the edges between the search's nodes (from —kind→ to).
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import type { Paged, Relation } from '../api/types';
import { useApi } from '../state/use-api';
import { DataTable, type Column } from './DataTable';
import { LIST_PAGE_SIZE, type ListProps } from './EntitiesTable';
import { Empty, ErrorMessage, Loading } from './Status';

export function RelationsTable(p: ListProps) {
  const { t } = useTranslation();
  const key = JSON.stringify(p.criteria);
  const res = useApi<Paged<Relation>>(
    (signal) => api.relations({ ...p.criteria, sort: p.sort || undefined, order: p.order || undefined, page: p.page, pageSize: LIST_PAGE_SIZE }, signal),
    [key, p.sort, p.order, p.page, p.refreshKey],
  );
  const columns = useMemo<Column<Relation>[]>(() => [
    { id: 'from_kind', header: t('columns.from_kind'), value: (r) => t(`kind.${r.from.kind}`, { defaultValue: r.from.kind }) },
    { id: 'from', header: t('columns.from'), sortKey: 'from', value: (r) => `${r.from.label} (${r.from.id})`, wrap: true },
    { id: 'kind', header: t('columns.relation'), sortKey: 'kind', value: (r) => r.kind },
    { id: 'to_kind', header: t('columns.to_kind'), value: (r) => t(`kind.${r.to.kind}`, { defaultValue: r.to.kind }) },
    { id: 'to', header: t('columns.to'), sortKey: 'to', value: (r) => `${r.to.label} (${r.to.id})`, wrap: true },
  ], [t]);
  if (res.error !== undefined) return <ErrorMessage error={res.error} onRetry={res.reload} />;
  if (!res.data) return <Loading />;
  if (res.data.total === 0) return <Empty message={t('list.noRelations')} />;
  return (
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
      onRowClick={(r) => p.onOpen(r.from.id)}
      rowKey={(r) => r.id}
      testId="relations-table"
      caption={t('list.relations')}
      busy={res.loading}
    />
  );
}
