// A server-sorted, server-paged table (TanStack Table in manual mode): the
// API sorts and pages, the table shows one page. Headers of sortable
// columns toggle ascending/descending. Cells are text.
import { flexRender, getCoreRowModel, useReactTable, type ColumnDef, type SortingState } from '@tanstack/react-table';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Pager } from './Pager';

export interface Column<Row> {
  id: string;
  header: string;
  /** The API's sort key for this column, if it sorts. */
  sortKey?: string;
  value: (row: Row) => string;
  wrap?: boolean;
}

interface Props<Row> {
  columns: Column<Row>[];
  rows: Row[];
  total: number;
  page: number;
  pageSize: number;
  sort: string;
  order: '' | 'asc' | 'desc';
  onSort: (sort: string, order: 'asc' | 'desc') => void;
  onPage: (page: number) => void;
  onRowClick?: (row: Row) => void;
  rowKey: (row: Row) => string;
  testId: string;
  caption: string;
  /** A new page or order is on its way. */
  busy?: boolean;
}

export function DataTable<Row>(p: Props<Row>) {
  const { t } = useTranslation();
  const defs = useMemo<ColumnDef<Row>[]>(
    () => p.columns.map((c) => ({ id: c.id, header: c.header, accessorFn: c.value, enableSorting: Boolean(c.sortKey), meta: c })),
    [p.columns],
  );
  const sortedColumn = p.columns.find((c) => c.sortKey && c.sortKey === p.sort);
  const sorting: SortingState = sortedColumn ? [{ id: sortedColumn.id, desc: p.order === 'desc' }] : [];
  const table = useReactTable({
    data: p.rows,
    columns: defs,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    manualPagination: true,
    rowCount: p.total,
    state: { sorting },
    getRowId: p.rowKey,
  });
  const toggle = (c: Column<Row>) => {
    if (!c.sortKey) return;
    const next = p.sort === c.sortKey && p.order !== 'desc' ? 'desc' : 'asc';
    p.onSort(c.sortKey, next);
  };
  return (
    <div className="table-wrap">
      <table className="table data" data-testid={p.testId} aria-busy={p.busy ?? false}>
        <caption className="sr-only">{p.caption}</caption>
        <thead>
          {table.getHeaderGroups().map((hg) => (
            <tr key={hg.id}>
              {hg.headers.map((h) => {
                const c = h.column.columnDef.meta as Column<Row>;
                const dir = h.column.getIsSorted();
                return (
                  <th
                    key={h.id}
                    data-column={c.id}
                    aria-sort={dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : undefined}
                    className={c.sortKey ? 'sortable' : undefined}
                  >
                    {c.sortKey ? (
                      <button type="button" className="sort-button" onClick={() => toggle(c)} title={t('table.sortBy', { column: c.header })}>
                        {flexRender(h.column.columnDef.header, h.getContext())}
                        <span className="sort-mark" aria-hidden="true">{dir === 'asc' ? ' ▲' : dir === 'desc' ? ' ▼' : ' ⇅'}</span>
                      </button>
                    ) : (
                      flexRender(h.column.columnDef.header, h.getContext())
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.map((r) => (
            <tr key={r.id} className={p.onRowClick ? 'clickable' : undefined} onClick={p.onRowClick ? () => p.onRowClick!(r.original) : undefined} data-testid="row">
              {r.getVisibleCells().map((cell) => {
                const c = cell.column.columnDef.meta as Column<Row>;
                return (
                  <td key={cell.id} data-column={c.id} className={c.wrap ? 'wrap' : undefined}>
                    {String(cell.getValue() ?? '')}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <Pager page={p.page} pageSize={p.pageSize} total={p.total} onPage={p.onPage} />
    </div>
  );
}
