// The UI's mayManage (which controls to show) must agree with the server's
// (which changes to allow): every role × owner case through both.
import { describe, expect, it } from 'vitest';
import { viewerOfUser, type User } from '../../api/auth/users';
import { mayManage as serverMayManage } from '../../graph/queries/viewer';
import type { Session } from '../api/types';
import { mayManage } from './session';

function user(role: User['role'], uid: number | null, gid: number | null, groups: number[] = []): User {
  return {
    id: 1, username: 'u', source: 'ldap', displayName: null, email: null, uid, gid, role, roleFixed: false, disabled: false,
    groups: groups.map((g) => ({ gid: g, name: null })), lastLoginAt: null,
  };
}

function sessionOf(u: User): Session {
  return {
    signedIn: true, via: 'session', user: { ...u }, role: u.role, csrf: 'x', share: null,
    methods: { password: true, oidc: null }, idleTimeoutMinutes: 30,
  };
}

describe('mayManage in the UI', () => {
  const users = [
    user('member', 2001, 3001), user('member', 2005, 3001), user('member', 2002, 3002, [3001]),
    user('group_admin', 2004, 3001), user('group_admin', 2004, 3009, [3001]), user('group_admin', 2006, 3002),
    user('admin', 2003, 3001), user('member', null, null),
  ];
  const nodes = [
    { owner_uid: 2001, owner_gid: 3001 }, { owner_uid: 2002, owner_gid: 3002 }, { owner_uid: null, owner_gid: 3001 },
    { owner_uid: 2001, owner_gid: null }, { owner_uid: null, owner_gid: null },
  ];

  it('agrees with the server for every role and owner', () => {
    for (const u of users) {
      for (const n of nodes) {
        const ui = mayManage(sessionOf(u), { ownerUid: n.owner_uid, ownerGid: n.owner_gid });
        expect(ui, `${u.role} ${u.uid}/${u.gid}+${u.groups.map((g) => g.gid).join(',')} on ${n.owner_uid}/${n.owner_gid}`).toBe(serverMayManage(viewerOfUser(u), n));
      }
    }
  });

  it('never for anonymous visitors or share links', () => {
    const anon: Session = { ...sessionOf(user('member', 2001, 3001)), signedIn: false, via: 'anonymous', user: null, role: 'anonymous' };
    const share: Session = { ...anon, via: 'share', role: 'share' };
    for (const s of [anon, share, undefined]) expect(mayManage(s, { ownerUid: 2001, ownerGid: 3001 })).toBe(false);
  });
});
