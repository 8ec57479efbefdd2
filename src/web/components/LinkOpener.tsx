// /l/:id — a permanent link: load what it stores and reopen that view.
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { useApi } from '../state/use-api';
import { ErrorMessage, Loading } from './Status';

export function LinkOpener(p: { id: string; navigate: (to: string, o?: { replace?: boolean }) => void }) {
  const { t } = useTranslation();
  const res = useApi((signal) => {
    void signal;
    return api.link(p.id);
  }, [p.id]);
  useEffect(() => {
    if (!res.data) return;
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(res.data.search ?? {})) if (v !== null && v !== undefined && v !== '') q.set(k, String(v));
    if (!q.has('sel') && res.data.selection && /^\d+$/.test(res.data.selection)) q.set('sel', res.data.selection);
    const s = q.toString();
    p.navigate(s ? `/?${s}` : '/', { replace: true });
  }, [res.data, p]);
  return (
    <main className="link-opener">
      {res.error !== undefined ? (
        <>
          <ErrorMessage error={res.error} />
          <p>
            <a href="/">{t('link.home')}</a>
          </p>
        </>
      ) : (
        <Loading what={t('link.opening')} />
      )}
    </main>
  );
}
