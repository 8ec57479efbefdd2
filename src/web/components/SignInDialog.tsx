// Sign in: user name and password (LDAP) and/or the OpenID Connect button,
// whichever the server offers. Wrong passwords and throttling get their own
// plain messages; an OIDC failure comes back as ?signin_error= and is shown here.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { API_BASE, ApiError } from '../api/client';
import type { Session } from '../api/types';
import { useSession } from '../state/session';
import { Dialog } from './Dialog';
import { ErrorMessage } from './Status';

/** Where the OIDC provider sends the browser back to: this page, without a stale sign-in error. */
export function oidcStartUrl(): string {
  const q = new URLSearchParams(window.location.search);
  q.delete('signin_error');
  const s = q.toString();
  const returnTo = `${window.location.pathname}${s ? `?${s}` : ''}`;
  return `${API_BASE}/auth/oidc/start?returnTo=${encodeURIComponent(returnTo)}`;
}

export function SignInDialog(p: { methods: Session['methods']; initialError?: string | null; notice?: string | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { signIn } = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(p.initialError ? new Error(p.initialError) : undefined);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signIn(username.trim(), password);
      p.onClose();
    } catch (err) {
      setError(err);
      setPassword('');
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={t('auth.signIn')} onClose={p.onClose} testId="signin-dialog">
      {p.notice && <p className="status notice" role="status" data-testid="signin-notice">{p.notice}</p>}
      {error !== undefined && <SignInError error={error} />}
      {p.methods.password && (
        <form className="signin-form" onSubmit={(e) => void submit(e)}>
          <label>
            {t('auth.username')}
            <input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required data-testid="signin-username" />
          </label>
          <label>
            {t('auth.password')}
            <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required data-testid="signin-password" />
          </label>
          <button type="submit" className="primary" disabled={busy || !username.trim() || !password} data-testid="signin-submit">
            {t('auth.signIn')}
          </button>
        </form>
      )}
      {p.methods.oidc && (
        <a className="button primary" href={oidcStartUrl()} data-testid="signin-oidc">
          {t('auth.signInWith', { label: p.methods.oidc.label })}
        </a>
      )}
      {!p.methods.password && !p.methods.oidc && <p className="muted">{t('auth.noMethods')}</p>}
    </Dialog>
  );
}

/** The reasons a person can act on, in their words; anything else as the server put it. */
function SignInError(p: { error: unknown }) {
  const { t } = useTranslation();
  const e = p.error;
  let text: string | null = null;
  if (e instanceof ApiError) {
    if (e.code === 'E_AUTH_BAD_CREDENTIALS') text = t('auth.badCredentials');
    else if (e.status === 429) text = t('auth.throttled', { seconds: e.retryAfter ?? '?' });
    else if (e.code === 'E_AUTH_DISABLED') text = t('auth.disabled');
  } else if (e instanceof Error) {
    text = t('auth.failed', { message: e.message });
  }
  if (text === null) return <ErrorMessage error={e} />;
  return (
    <div className="status error" role="alert" data-testid="signin-error">
      {text}
    </div>
  );
}
