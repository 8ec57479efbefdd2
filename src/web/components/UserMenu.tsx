// The header's user menu: who is signed in and their role, Settings and
// Sign out; "Sign in" for anonymous visitors. It also opens the sign-in
// form by itself when an OIDC sign-in failed (?signin_error=) or the
// session ended under the page.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../state/session';
import { SignInDialog } from './SignInDialog';

/** ?signin_error= from the OIDC callback, taken out of the address so a reload does not show it again. */
function takeSigninError(): string | null {
  const q = new URLSearchParams(window.location.search);
  const err = q.get('signin_error');
  if (err === null) return null;
  q.delete('signin_error');
  const s = q.toString();
  window.history.replaceState(null, '', `${window.location.pathname}${s ? `?${s}` : ''}`);
  return err;
}

// Read once, when the page loads (before the first render reads the address).
const SIGNIN_ERROR = takeSigninError();

export function UserMenu(p: { onSettings: () => void }) {
  const { t } = useTranslation();
  const { session, ended, signOut, dismissEnded } = useSession();
  const signinError = SIGNIN_ERROR;
  const [open, setOpen] = useState(signinError !== null);
  useEffect(() => {
    if (ended) setOpen(true);
  }, [ended]);
  if (!session) return null;
  const close = () => {
    setOpen(false);
    dismissEnded();
  };
  const u = session.user;
  const anonymous = session.role === 'anonymous';
  return (
    <div className="user-menu" data-testid="user-menu" data-role={session.role}>
      {u && !anonymous && (
        <>
          <span className="user-name" data-testid="user-name" title={u.displayName ?? u.username}>{u.username}</span>
          <span className="user-role" data-testid="user-role">{t(`role.${session.role}`)}</span>
          <button type="button" className="header-button" onClick={p.onSettings} data-testid="open-settings">
            {t('settings.title')}
          </button>
          {session.via === 'session' && (
            <button type="button" className="header-button" onClick={() => void signOut()} data-testid="sign-out">
              {t('auth.signOut')}
            </button>
          )}
        </>
      )}
      {anonymous && (session.methods.password || session.methods.oidc) && (
        <button type="button" className="header-button" onClick={() => setOpen(true)} data-testid="sign-in">
          {t('auth.signIn')}
        </button>
      )}
      {anonymous && !session.methods.password && !session.methods.oidc && <span className="user-role">{t('role.anonymous')}</span>}
      {open && (
        <SignInDialog methods={session.methods} initialError={signinError} notice={ended ? t('auth.sessionEnded') : null} onClose={close} />
      )}
    </div>
  );
}
