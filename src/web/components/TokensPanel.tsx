// My API tokens (for the CLI and scripts): make one — its secret is shown
// this once, with Copy —, see them, revoke them.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import type { TokenCreated } from '../api/types';
import { useApi } from '../state/use-api';
import { formatTime } from '../util/format';
import { CopyField } from './CopyField';
import { Empty, ErrorMessage, Loading } from './Status';

export function TokensPanel() {
  const { t } = useTranslation();
  const list = useApi((signal) => api.tokens(signal), []);
  const [name, setName] = useState('');
  const [days, setDays] = useState('');
  const [made, setMade] = useState<TokenCreated | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const run = async (f: () => Promise<void>) => {
    setError(undefined);
    try {
      await f();
      list.reload();
    } catch (e) {
      setError(e);
    }
  };
  const create = (e: FormEvent) => {
    e.preventDefault();
    const d = Number(days);
    void run(async () => {
      setMade(await api.createToken(name.trim(), d > 0 ? d : undefined));
      setName('');
    });
  };
  const items = list.data?.items ?? [];
  return (
    <section className="settings-panel" data-testid="tokens-panel">
      <h2>{t('tokens.title')}</h2>
      <p className="muted">{t('tokens.explain')}</p>
      <form className="inline-form" onSubmit={create}>
        <label>
          {t('tokens.name')}
          <input value={name} maxLength={200} onChange={(e) => setName(e.target.value)} data-testid="token-name" />
        </label>
        <label>
          {t('tokens.days')}
          <input type="number" min={1} max={3650} value={days} placeholder={t('tokens.never')} onChange={(e) => setDays(e.target.value)} data-testid="token-days" />
        </label>
        <button type="submit" className="primary" disabled={!name.trim()} data-testid="token-create">{t('tokens.create')}</button>
      </form>
      {made && (
        <div className="share-made" data-testid="token-made">
          <p><strong>{t('tokens.once')}</strong></p>
          <CopyField value={made.token} label={t('tokens.secret')} testId="token-secret" />
        </div>
      )}
      {error !== undefined && <ErrorMessage error={error} />}
      {list.error !== undefined && <ErrorMessage error={list.error} onRetry={list.reload} />}
      {list.loading && !list.data && <Loading />}
      {list.data && items.length === 0 && <Empty message={t('tokens.none')} />}
      {items.length > 0 && (
        <table className="plain-table">
          <thead>
            <tr><th>{t('tokens.name')}</th><th>{t('tokens.created')}</th><th>{t('tokens.expires')}</th><th>{t('tokens.lastUsed')}</th><th /></tr>
          </thead>
          <tbody>
            {items.map((k) => (
              <tr key={k.id} data-testid="token-row" data-revoked={k.revokedAt ? 'yes' : 'no'}>
                <td>{k.name}</td>
                <td>{formatTime(k.createdAt)}</td>
                <td>{k.expiresAt ? formatTime(k.expiresAt) : t('tokens.never')}</td>
                <td>{formatTime(k.lastUsedAt)}</td>
                <td>
                  {k.revokedAt
                    ? <span className="muted">{t('tokens.revoked')}</span>
                    : <button type="button" className="danger" onClick={() => void run(async () => { await api.revokeToken(k.id); })} data-testid="token-revoke">{t('tokens.revoke')}</button>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
