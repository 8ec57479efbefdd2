// Visibility settings of a job or file: private, group or public; saved
// through the API and shown wherever the node appears.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { VISIBILITIES, type Visibility } from '../api/types';
import { useApi } from '../state/use-api';
import { Dialog } from './Dialog';
import { ErrorMessage } from './Status';

export interface VisibilityTarget {
  nodeId: number;
}

export function VisibilityDialog(p: { target: VisibilityTarget; onClose: () => void; onSaved: (v: Visibility) => void }) {
  const { t } = useTranslation();
  // The node's visibility as stored now.
  const node = useApi((signal) => api.node(p.target.nodeId, signal), [p.target.nodeId]);
  const stored = node.data?.node.visibility;
  const initial: Visibility | undefined = VISIBILITIES.includes(stored as Visibility) ? (stored as Visibility) : undefined;
  const [value, setValue] = useState<Visibility>('private');
  useEffect(() => {
    if (initial) setValue(initial);
  }, [initial]);
  const [applyToFiles, setApplyToFiles] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState<Visibility | null>(null);
  const kind = node.data?.node.kind ?? '';
  const isJob = kind === 'job';
  const save = async () => {
    setSaving(true);
    setError(undefined);
    try {
      const r = await api.setVisibility(p.target.nodeId, value, isJob ? applyToFiles : undefined);
      const v = (r.visibility ?? value) as Visibility;
      setSaved(v);
      p.onSaved(v);
    } catch (e) {
      setError(e);
    } finally {
      setSaving(false);
    }
  };
  return (
    <Dialog
      title={t('visibility.title')}
      onClose={p.onClose}
      testId="visibility-dialog"
      footer={
        <>
          <button type="button" className="secondary" onClick={p.onClose} data-testid="visibility-cancel">
            {t('action.cancel')}
          </button>
          <button type="button" className="primary" onClick={() => void save()} disabled={saving || !initial} data-testid="visibility-save">
            {t('action.update')}
          </button>
        </>
      }
    >
      <p className="target" data-testid="visibility-target">
        {kind ? `${t(`kind.${kind}`, { defaultValue: kind })}: ` : ''}<span className="mono">{node.data?.node.label ?? ''}</span>
      </p>
      <p>
        {t('visibility.current')}: <strong data-testid="visibility-current">{saved ?? initial ? t(`visibility.${saved ?? initial}`) : '…'}</strong>
      </p>
      <fieldset className="visibility-choices">
        <legend>{t('search.visibility')}</legend>
        {VISIBILITIES.map((v) => (
          <label key={v}>
            <input type="radio" name="visibility-choice" value={v} checked={value === v} onChange={() => setValue(v)} data-testid={`visibility-${v}`} />
            {t(`visibility.${v}`)} <span className="muted small">{t(`visibility.${v}Hint`)}</span>
          </label>
        ))}
      </fieldset>
      {isJob && (
        <label className="apply-files">
          <input type="checkbox" checked={applyToFiles} onChange={(e) => setApplyToFiles(e.target.checked)} data-testid="visibility-apply-files" />
          {t('visibility.applyToFiles')}
        </label>
      )}
      {saved && <p className="ok" role="status" data-testid="visibility-saved">{t('visibility.saved', { value: t(`visibility.${saved}`) })}</p>}
      {node.error !== undefined && <ErrorMessage error={node.error} onRetry={node.reload} />}
      {error !== undefined && <ErrorMessage error={error} />}
    </Dialog>
  );
}
