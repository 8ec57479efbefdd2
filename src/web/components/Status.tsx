// Loading, empty and error states, the same everywhere.
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';

export function Loading(props: { what?: string }) {
  const { t } = useTranslation();
  return (
    <div className="status loading" role="status" data-testid="loading">
      <span className="spinner" aria-hidden="true" />
      {props.what ?? t('status.loading')}
    </div>
  );
}

export function Empty(props: { message: string }) {
  return (
    <div className="status empty" data-testid="empty">
      {props.message}
    </div>
  );
}

export function ErrorMessage(props: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  const e = props.error;
  const text = e instanceof ApiError
    ? e.status === 0
      ? t('error.network', { message: e.message })
      : t('error.api', { status: e.status, code: e.code, message: e.message })
    : e instanceof Error
      ? e.message
      : String(e);
  return (
    <div className="status error" role="alert" data-testid="error">
      <strong>{t('error.title')}</strong> <span className="error-text">{text}</span>
      {props.onRetry && (
        <button type="button" className="link-button" onClick={props.onRetry}>
          {t('action.retry')}
        </button>
      )}
    </div>
  );
}
