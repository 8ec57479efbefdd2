// People: a sign-in (LDAP, OIDC) becomes an app_user row with its POSIX uid,
// gid and groups, and the row becomes the Viewer every query filters by.
// Roles come from group membership (auth.adminGroups, auth.groupAdminGroups)
// unless an admin fixed them with `kiseki users role`.
import type { AuthConfig } from '../../core/config.js';
import type { Viewer } from '../../graph/index.js';
import type { Db, Queryable } from '../../store/index.js';
import type { Identity } from './identity.js';

export type Role = 'admin' | 'group_admin' | 'member';
export const ROLES: readonly Role[] = ['admin', 'group_admin', 'member'];

export interface User {
  id: number;
  username: string;
  source: 'ldap' | 'oidc' | 'local';
  displayName: string | null;
  email: string | null;
  uid: number | null;
  gid: number | null;
  role: Role;
  roleFixed: boolean;
  disabled: boolean;
  groups: { gid: number; name: string | null }[];
  lastLoginAt: string | null;
}

interface UserRowDb {
  id: number | string; username: string; source: User['source']; display_name: string | null; email: string | null;
  uid: number | null; gid: number | null; role: Role; role_fixed: boolean; disabled: boolean; last_login_at: Date | string | null;
}

function roleFrom(identity: Identity, auth: Pick<AuthConfig, 'adminGroups' | 'groupAdminGroups'>): Role {
  const names = new Set(identity.groups.map((g) => g.name));
  if (auth.adminGroups.some((g) => names.has(g))) return 'admin';
  if (auth.groupAdminGroups.some((g) => names.has(g))) return 'group_admin';
  return 'member';
}

/** Creates or updates the user a sign-in names; returns it. */
export async function upsertUser(db: Db, identity: Identity, auth: Pick<AuthConfig, 'adminGroups' | 'groupAdminGroups'>): Promise<User> {
  const role = roleFrom(identity, auth);
  return db.transaction(async (tx) => {
    // A uid belongs to one person: a new user name with a known uid takes it over (renamed account).
    if (identity.uid !== undefined) {
      await tx.query('update app_user set uid = null where uid = $1 and username <> $2', [identity.uid, identity.username]);
    }
    const { rows } = await tx.query<{ id: number | string }>(
      `insert into app_user (username, source, subject, display_name, email, uid, gid, role, last_login_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, now())
       on conflict (username) do update set source = excluded.source, subject = excluded.subject,
         display_name = excluded.display_name, email = excluded.email, uid = excluded.uid, gid = excluded.gid,
         role = case when app_user.role_fixed then app_user.role else excluded.role end, last_login_at = now()
       returning id`,
      [identity.username, identity.source, identity.subject, identity.displayName ?? null, identity.email ?? null,
        identity.uid ?? null, identity.gid ?? null, role]);
    const id = Number(rows[0]!.id);
    await tx.query('delete from app_user_group where user_id = $1', [id]);
    const groups = new Map<number, string | null>();
    if (identity.gid !== undefined) groups.set(identity.gid, null);
    for (const g of identity.groups) if (g.gid !== undefined) groups.set(g.gid, g.name);
    if (groups.size > 0) {
      await tx.query(
        'insert into app_user_group (user_id, gid, name) select $1, g, n from unnest($2::int[], $3::text[]) as t(g, n)',
        [id, [...groups.keys()], [...groups.values()]]);
    }
    return (await getUser(tx, id))!;
  });
}

/** The local admin (loopback, no sign-in configured) as a user row, so share links and tokens have an owner. */
export async function ensureLocalUser(db: Queryable, name: string): Promise<User> {
  const { rows } = await db.query<{ id: number | string }>(
    `insert into app_user (username, source, role, role_fixed) values ($1, 'local', 'admin', true)
     on conflict (username) do update set username = excluded.username returning id`, [name]);
  return (await getUser(db, Number(rows[0]!.id)))!;
}

export async function getUser(db: Queryable, id: number): Promise<User | undefined> {
  const { rows } = await db.query<UserRowDb>('select * from app_user where id = $1', [id]);
  const r = rows[0];
  if (!r) return undefined;
  const g = await db.query<{ gid: number; name: string | null }>('select gid, name from app_user_group where user_id = $1 order by gid', [id]);
  return rowToUser(r, g.rows);
}

export async function findUser(db: Queryable, username: string): Promise<User | undefined> {
  const { rows } = await db.query<{ id: number | string }>('select id from app_user where username = $1', [username]);
  return rows[0] ? getUser(db, Number(rows[0].id)) : undefined;
}

export async function listUsers(db: Queryable): Promise<User[]> {
  const { rows } = await db.query<UserRowDb>('select * from app_user order by username');
  const g = await db.query<{ user_id: number | string; gid: number; name: string | null }>('select user_id, gid, name from app_user_group order by gid');
  return rows.map((r) => rowToUser(r, g.rows.filter((x) => Number(x.user_id) === Number(r.id))));
}

/** An admin fixes a user's role (sign-in no longer derives it from groups). */
export async function setRole(db: Queryable, username: string, role: Role): Promise<User | undefined> {
  const { rows } = await db.query<{ id: number | string }>('update app_user set role = $2, role_fixed = true where username = $1 returning id', [username, role]);
  return rows[0] ? getUser(db, Number(rows[0].id)) : undefined;
}

export async function setDisabled(db: Queryable, username: string, disabled: boolean): Promise<boolean> {
  const r = await db.query('update app_user set disabled = $2 where username = $1', [username, disabled]);
  if (disabled) await db.query('delete from app_session where user_id = (select id from app_user where username = $1)', [username]);
  return r.affected > 0;
}

function rowToUser(r: UserRowDb, groups: { gid: number; name: string | null }[]): User {
  return {
    id: Number(r.id), username: r.username, source: r.source, displayName: r.display_name, email: r.email,
    uid: r.uid, gid: r.gid, role: r.role, roleFixed: r.role_fixed, disabled: r.disabled,
    groups: groups.map((g) => ({ gid: Number(g.gid), name: g.name })),
    lastLoginAt: r.last_login_at === null ? null : new Date(r.last_login_at).toISOString(),
  };
}

/** What the queries see of a user: admins see all; others their uid, their groups, and (group admins) the groups they run. */
export function viewerOfUser(u: User): Viewer {
  if (u.role === 'admin') return { kind: 'admin', name: u.username, userId: u.id };
  const gids = [...new Set([...(u.gid !== null ? [u.gid] : []), ...u.groups.map((g) => g.gid)])];
  return {
    kind: 'user', uid: u.uid ?? -1, gids, name: u.username, userId: u.id,
    ...(u.role === 'group_admin' ? { adminGids: gids } : {}),
  };
}
