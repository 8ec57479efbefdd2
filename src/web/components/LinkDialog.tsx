// Generate Link: a permanent link to the current search and selection.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { Dialog } from './Dialog';
import { ErrorMessage, Loading } from './Status';

export function LinkDialog(p: { search: Record<string, string>; selection: string | null; onClose: () => void }) {
  const { t } = useTranslation();
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [copied, setCopied] = useState(false);
  const key = JSON.stringify([p.search, p.selection]);
  useEffect(() => {
    let live = true;
    api.createLink(p.search, p.selection).then(
      (r) => live && setUrl(new URL(r.url || `/l/${r.id}`, window.location.origin).toString()),
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  const copy = async () => {
    if (!url) return;
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <Dialog
      title={t('link.title')}
      onClose={p.onClose}
      testId="link-dialog"
      footer={
        <button type="button" className="secondary" onClick={p.onClose} data-testid="link-close">
          {t('action.close')}
        </button>
      }
    >
      {error !== undefined && <ErrorMessage error={error} />}
      {!url && error === undefined && <Loading what={t('link.creating')} />}
      {url && (
        <>
          <p>{t('link.explain')}</p>
          <div className="link-row">
            <input readOnly value={url} aria-label={t('link.title')} data-testid="link-url" onFocus={(e) => e.target.select()} />
            <button type="button" className="primary" onClick={() => void copy()}>
              {copied ? t('link.copied') : t('link.copy')}
            </button>
          </div>
        </>
      )}
    </Dialog>
  );
}
