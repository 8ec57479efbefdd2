// /settings: my API tokens and share links; for admins also the users and
// the audit log. Anonymous visitors are asked to sign in first.
import { useTranslation } from 'react-i18next';
import { useSession } from '../state/session';
import { AuditPanel } from './AuditPanel';
import { ShareList } from './ShareList';
import { Loading } from './Status';
import { TokensPanel } from './TokensPanel';
import { UsersPanel } from './UsersPanel';

export function SettingsPage() {
  const { t } = useTranslation();
  const { session } = useSession();
  if (!session) return <main className="main"><Loading /></main>;
  if (session.role === 'anonymous' || session.role === 'share') {
    return <main className="main"><section className="full-message" data-testid="settings-signin"><p>{t('settings.signInFirst')}</p></section></main>;
  }
  return (
    <main className="main settings" data-testid="settings">
      <h1>{t('settings.title')}</h1>
      <TokensPanel />
      <section className="settings-panel">
        <ShareList />
      </section>
      {session.role === 'admin' && (
        <>
          <UsersPanel />
          <AuditPanel />
        </>
      )}
    </main>
  );
}
