// Admins: everyone who has signed in, with their role and a Disable switch.
// Roles a directory group gives are set again at the next sign-in (docs/access.md).
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import type { Role, UserInfo } from '../api/types';
import { useApi } from '../state/use-api';
import { formatTime } from '../util/format';
import { ErrorMessage, Loading } from './Status';

const ROLES: Role[] = ['admin', 'group_admin', 'member'];

export function UsersPanel() {
  const { t } = useTranslation();
  const list = useApi((signal) => api.users(signal), []);
  const [error, setError] = useState<unknown>(undefined);
  const change = async (u: UserInfo, b: { role?: Role; disabled?: boolean }) => {
    setError(undefined);
    try {
      await api.updateUser(u.username, b);
      list.reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <section className="settings-panel" data-testid="users-panel">
      <h2>{t('users.title')}</h2>
      {error !== undefined && <ErrorMessage error={error} />}
      {list.error !== undefined && <ErrorMessage error={list.error} onRetry={list.reload} />}
      {list.loading && !list.data && <Loading />}
      {list.data && (
        <table className="plain-table">
          <thead>
            <tr><th>{t('users.name')}</th><th>{t('users.source')}</th><th>uid / gid</th><th>{t('users.groups')}</th><th>{t('users.role')}</th><th>{t('users.lastLogin')}</th><th>{t('users.disabled')}</th></tr>
          </thead>
          <tbody>
            {list.data.items.map((u) => (
              <tr key={u.id} data-testid="user-row" data-user={u.username}>
                <td>{u.username}{u.displayName ? <span className="muted"> ({u.displayName})</span> : null}</td>
                <td>{u.source}</td>
                <td>{u.uid ?? ''} / {u.gid ?? ''}</td>
                <td>{u.groups.map((g) => g.name ?? String(g.gid)).join(', ')}</td>
                <td>
                  <select aria-label={t('users.role')} value={u.role} onChange={(e) => void change(u, { role: e.target.value as Role })} data-testid="user-role-select">
                    {ROLES.map((r) => <option key={r} value={r}>{t(`role.${r}`)}</option>)}
                  </select>
                </td>
                <td>{formatTime(u.lastLoginAt)}</td>
                <td>
                  <input type="checkbox" aria-label={t('users.disabled')} checked={u.disabled} onChange={(e) => void change(u, { disabled: e.target.checked })} data-testid="user-disabled" />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
