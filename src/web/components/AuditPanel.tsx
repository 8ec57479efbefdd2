// Admins: the audit log (sign-ins, tokens, share links, visibility changes,
// exports, role changes), newest first, filtered by action, actor and time,
// a page at a time.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { localToIso } from '../state/url-state';
import { useApi } from '../state/use-api';
import { formatTime } from '../util/format';
import { Pager } from './Pager';
import { Empty, ErrorMessage, Loading } from './Status';

const PAGE_SIZE = 20;
const ACTIONS = ['', 'login', 'logout', 'token.create', 'token.revoke', 'share.create', 'share.open', 'share.revoke', 'visibility.set', 'export', 'user.role', 'user.disable'];

interface Filter { action: string; actor: string; from: string; to: string }
const NO_FILTER: Filter = { action: '', actor: '', from: '', to: '' };

export function AuditPanel() {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<Filter>(NO_FILTER);
  const [filter, setFilter] = useState<Filter>(NO_FILTER);
  const [page, setPage] = useState(1);
  const q = {
    action: filter.action, actor: filter.actor.trim(),
    from: filter.from ? localToIso(filter.from, false) : undefined, to: filter.to ? localToIso(filter.to, true) : undefined,
    page, pageSize: PAGE_SIZE,
  };
  const res = useApi((signal) => api.audit(q, signal), [JSON.stringify(q)]);
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilter(draft);
    setPage(1);
  };
  const set = (k: keyof Filter) => (e: { target: { value: string } }) => setDraft({ ...draft, [k]: e.target.value });
  return (
    <section className="settings-panel" data-testid="audit-panel">
      <h2>{t('audit.title')}</h2>
      <form className="inline-form" onSubmit={apply}>
        <label>
          {t('audit.action')}
          <select value={draft.action} onChange={set('action')} data-testid="audit-action">
            {ACTIONS.map((a) => <option key={a} value={a}>{a || t('visibility.any')}</option>)}
          </select>
        </label>
        <label>
          {t('audit.actor')}
          <input value={draft.actor} onChange={set('actor')} data-testid="audit-actor" />
        </label>
        <label>
          {t('audit.from')}
          <input type="date" value={draft.from} onChange={set('from')} data-testid="audit-from" />
        </label>
        <label>
          {t('audit.to')}
          <input type="date" value={draft.to} onChange={set('to')} data-testid="audit-to" />
        </label>
        <button type="submit" className="primary" data-testid="audit-apply">{t('action.search')}</button>
      </form>
      {res.error !== undefined && <ErrorMessage error={res.error} onRetry={res.reload} />}
      {res.loading && !res.data && <Loading />}
      {res.data && res.data.total === 0 && <Empty message={t('audit.none')} />}
      {res.data && res.data.total > 0 && (
        <>
          <table className="plain-table" data-testid="audit-table" aria-busy={res.loading}>
            <thead>
              <tr><th>{t('audit.at')}</th><th>{t('audit.action')}</th><th>{t('audit.actor')}</th><th>{t('audit.target')}</th><th>{t('audit.outcome')}</th><th>{t('audit.client')}</th><th>{t('audit.detail')}</th></tr>
            </thead>
            <tbody>
              {res.data.items.map((a) => (
                <tr key={a.id} data-testid="audit-row" data-action={a.action} data-outcome={a.outcome}>
                  <td>{formatTime(a.at)}</td>
                  <td>{a.action}</td>
                  <td>{a.actor ?? ''}</td>
                  <td>{a.target ?? ''}</td>
                  <td>{a.outcome}</td>
                  <td>{a.client ?? ''}</td>
                  <td className="mono small">{a.detail ? JSON.stringify(a.detail) : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager page={page} pageSize={PAGE_SIZE} total={res.data.total} onPage={setPage} testId="audit-pager" />
        </>
      )}
    </section>
  );
}
