// Additional items (annotations) of a node: add, edit, remove; each change
// is saved at once, and search finds the node's job by them. Read-only (a
// plain list) for who may not change the node.
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import type { Annotation } from '../api/types';
import { formatTime } from '../util/format';
import { ErrorMessage } from './Status';

interface Props {
  nodeId: number;
  annotations: Annotation[];
  onChanged: () => void;
  readOnly?: boolean;
}

export function AnnotationsEditor(p: Props) {
  const { t } = useTranslation();
  const [error, setError] = useState<unknown>(undefined);
  const [saving, setSaving] = useState(false);
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const run = async (f: () => Promise<unknown>) => {
    setSaving(true);
    setError(undefined);
    try {
      await f();
      p.onChanged();
      return true;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setSaving(false);
    }
  };
  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (!value.trim()) return;
    if (await run(() => api.addAnnotation(p.nodeId, { key: key.trim(), value }))) {
      setKey('');
      setValue('');
    }
  };
  if (p.readOnly) return <AnnotationsList annotations={p.annotations} />;
  return (
    <section className="annotations" aria-label={t('details.additem')} data-testid="annotations">
      <h3>{t('details.additem')}</h3>
      {p.annotations.length === 0 && <p className="muted">{t('details.noAdditem')}</p>}
      <ul className="annotation-list">
        {p.annotations.map((a) => (
          <AnnotationRow key={a.id} a={a} saving={saving} onSave={(k, v) => run(() => api.updateAnnotation(p.nodeId, a.id, { key: k, value: v }))} onRemove={() => run(() => api.deleteAnnotation(p.nodeId, a.id))} />
        ))}
      </ul>
      <form className="annotation-new" onSubmit={(e) => void add(e)}>
        <input aria-label={t('details.itemKey')} placeholder={t('details.itemKey')} value={key} onChange={(e) => setKey(e.target.value)} data-testid="new-key" maxLength={200} />
        <input aria-label={t('details.itemValue')} placeholder={t('details.itemValue')} value={value} onChange={(e) => setValue(e.target.value)} data-testid="new-value" maxLength={10000} />
        <button type="submit" className="primary" disabled={saving || !value.trim()} data-testid="add-item">
          {t('action.add')}
        </button>
      </form>
      {error !== undefined && <ErrorMessage error={error} />}
    </section>
  );
}

function AnnotationRow(props: { a: Annotation; saving: boolean; onSave: (k: string, v: string) => Promise<boolean>; onRemove: () => Promise<boolean> }) {
  const { t } = useTranslation();
  const { a } = props;
  const [k, setK] = useState(a.key);
  const [v, setV] = useState(a.value);
  useEffect(() => {
    setK(a.key);
    setV(a.value);
  }, [a.key, a.value]);
  const changed = k !== a.key || v !== a.value;
  return (
    <li className="annotation" data-testid="annotation">
      <input aria-label={t('details.itemKey')} value={k} onChange={(e) => setK(e.target.value)} maxLength={200} data-testid="item-key" />
      <input aria-label={t('details.itemValue')} value={v} onChange={(e) => setV(e.target.value)} maxLength={10000} data-testid="item-value" />
      <button type="button" className="primary" disabled={props.saving || !changed || !v.trim()} onClick={() => void props.onSave(k.trim(), v)} data-testid="update-item">
        {t('action.update')}
      </button>
      <button type="button" className="danger" disabled={props.saving} onClick={() => void props.onRemove()} data-testid="remove-item">
        {t('action.remove')}
      </button>
      <span className="muted small">
        {a.author ? `${a.author} · ` : ''}
        {formatTime(a.updatedAt || a.createdAt)}
      </span>
    </li>
  );
}

function AnnotationsList(p: { annotations: Annotation[] }) {
  const { t } = useTranslation();
  return (
    <section className="annotations" aria-label={t('details.additem')} data-testid="annotations" data-readonly="true">
      <h3>{t('details.additem')}</h3>
      {p.annotations.length === 0 && <p className="muted">{t('details.noAdditem')}</p>}
      <ul className="annotation-list">
        {p.annotations.map((a) => (
          <li key={a.id} className="annotation" data-testid="annotation">
            <span className="mono">{a.key}</span>: <span>{a.value}</span>{' '}
            <span className="muted small">
              {a.author ? `${a.author} · ` : ''}
              {formatTime(a.updatedAt || a.createdAt)}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
