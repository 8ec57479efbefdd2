// Share a job or a file's lineage with people who have no account (a
// paper's reviewers): an expiring, read-only link. The link is shown once;
// the links already made for this node are listed below with Revoke.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import type { ShareCreated } from '../api/types';
import { formatTime } from '../util/format';
import { CopyField } from './CopyField';
import { Dialog } from './Dialog';
import { ShareList } from './ShareList';
import { ErrorMessage } from './Status';

export function ShareDialog(p: { node: { id: number; kind: string; label: string }; onClose: () => void }) {
  const { t } = useTranslation();
  const [days, setDays] = useState('7');
  const [label, setLabel] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [made, setMade] = useState<ShareCreated | null>(null);
  // Bumped after each new link, so the list below shows it.
  const [listKey, setListKey] = useState(0);
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const d = Number(days);
      setMade(await api.createShare({ node: p.node.id, ...(d > 0 ? { days: d } : {}), ...(label.trim() ? { label: label.trim() } : {}) }));
      setListKey((k) => k + 1);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={t('share.title')}
      onClose={p.onClose}
      testId="share-dialog"
      wide
      footer={
        <button type="button" className="secondary" onClick={p.onClose} data-testid="share-close">
          {t('action.close')}
        </button>
      }
    >
      <p className="target">
        {t(`kind.${p.node.kind}`, { defaultValue: p.node.kind })}: <span className="mono">{p.node.label}</span>
      </p>
      <p className="muted">{t(p.node.kind === 'job' ? 'share.explainJob' : 'share.explainLineage')}</p>
      <form className="share-form" onSubmit={(e) => void create(e)}>
        <label>
          {t('share.days')}
          <input type="number" min={1} max={365} value={days} onChange={(e) => setDays(e.target.value)} data-testid="share-days" />
        </label>
        <label>
          {t('share.label')}
          <input value={label} maxLength={200} placeholder={t('share.labelHint')} onChange={(e) => setLabel(e.target.value)} data-testid="share-label" />
        </label>
        <button type="submit" className="primary" disabled={busy} data-testid="share-create">
          {t('share.create')}
        </button>
      </form>
      {error !== undefined && <ErrorMessage error={error} />}
      {made && (
        <div className="share-made" data-testid="share-made">
          <p>{t('share.made', { date: formatTime(made.info.expiresAt) })}</p>
          <CopyField value={made.url} label={t('share.url')} testId="share-url" />
        </div>
      )}
      <ShareList node={p.node.id} refreshKey={listKey} />
    </Dialog>
  );
}
