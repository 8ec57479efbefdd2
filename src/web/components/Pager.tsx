// "Items per page: 20   1 – 20 of 57   ‹ ›" as in the reference.
import { useTranslation } from 'react-i18next';

export function Pager(props: { page: number; pageSize: number; total: number; onPage: (p: number) => void; testId?: string }) {
  const { t } = useTranslation();
  const { page, pageSize, total } = props;
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return (
    <div className="pager" data-testid={props.testId ?? 'pager'}>
      <span>
        {t('pager.perPage')} {pageSize}
      </span>
      <span className="range" data-testid="pager-range">
        {t('pager.range', { first, last, total })}
      </span>
      <button type="button" aria-label={t('pager.first')} disabled={page <= 1} onClick={() => props.onPage(1)}>
        «
      </button>
      <button type="button" aria-label={t('pager.previous')} data-testid="pager-prev" disabled={page <= 1} onClick={() => props.onPage(page - 1)}>
        ‹
      </button>
      <button type="button" aria-label={t('pager.next')} data-testid="pager-next" disabled={page >= pages} onClick={() => props.onPage(page + 1)}>
        ›
      </button>
      <button type="button" aria-label={t('pager.last')} disabled={page >= pages} onClick={() => props.onPage(pages)}>
        »
      </button>
    </div>
  );
}
