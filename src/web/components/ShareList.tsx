// My share links: what each opens, until when, how often it was used, and
// Revoke. Shown in the share dialog (for one node) and in Settings (all).
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import type { ShareInfo } from '../api/types';
import { useApi } from '../state/use-api';
import { formatTime } from '../util/format';
import { Empty, ErrorMessage, Loading } from './Status';

export function shareState(s: ShareInfo, now = Date.now()): 'revoked' | 'expired' | 'active' {
  if (s.revokedAt) return 'revoked';
  return Date.parse(s.expiresAt) <= now ? 'expired' : 'active';
}

export function ShareList(p: { node?: number; refreshKey?: number }) {
  const { t } = useTranslation();
  const res = useApi((signal) => api.shares(signal), [p.refreshKey]);
  const [error, setError] = useState<unknown>(undefined);
  const revoke = async (id: string) => {
    setError(undefined);
    try {
      await api.revokeShare(id);
      res.reload();
    } catch (e) {
      setError(e);
    }
  };
  const items = (res.data?.items ?? []).filter((s) => p.node === undefined || s.node === p.node);
  return (
    <section className="share-list" data-testid="share-list">
      <h3>{p.node === undefined ? t('share.myLinks') : t('share.linksHere')}</h3>
      {res.error !== undefined && <ErrorMessage error={res.error} onRetry={res.reload} />}
      {error !== undefined && <ErrorMessage error={error} />}
      {res.loading && !res.data && <Loading />}
      {res.data && items.length === 0 && <Empty message={t('share.none')} />}
      {items.length > 0 && (
        <table className="plain-table">
          <thead>
            <tr>
              <th>{t('share.label')}</th>
              {p.node === undefined && <th>{t('share.node')}</th>}
              <th>{t('share.expires')}</th>
              <th>{t('share.uses')}</th>
              <th>{t('share.state')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {items.map((s) => {
              const state = shareState(s);
              return (
                <tr key={s.id} data-testid="share-row" data-share-id={s.id} data-state={state}>
                  <td>{s.label ?? ''}</td>
                  {p.node === undefined && <td>{t(`share.scope.${s.scope}`)} {s.node}</td>}
                  <td>{formatTime(s.expiresAt)}</td>
                  <td>{s.uses}{s.lastUsedAt ? ` (${formatTime(s.lastUsedAt)})` : ''}</td>
                  <td>{t(`share.states.${state}`)}</td>
                  <td>
                    {state === 'active' && (
                      <button type="button" className="danger" onClick={() => void revoke(s.id)} data-testid="share-revoke">
                        {t('share.revoke')}
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
