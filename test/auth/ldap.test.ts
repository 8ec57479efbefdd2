// LDAP simple-bind sign-in against a real slapd (Debian's), in both modes:
// direct bind with a DN template, and search-then-bind with a service account.
import { createServer, type Server, type Socket } from 'node:net';
import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError } from '../../src/api/auth/identity.js';
import { escapeDnValue, ldapAuthenticate } from '../../src/api/auth/ldap.js';
import type { LdapConfig } from '../../src/core/config.js';
import { freePort, slapdAvailable, startSlapd, type Slapd } from './slapd-harness.js';

async function authError(p: Promise<unknown>): Promise<AuthError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(AuthError);
  return err as AuthError;
}

/** A TCP server that counts connections and never says a word. */
async function silentServer(): Promise<{ url: string; connections: () => number; close(): Promise<void> }> {
  let count = 0;
  const sockets = new Set<Socket>();
  const srv: Server = createServer((s) => { count++; sockets.add(s); s.on('error', () => undefined); });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  return {
    url: `ldap://127.0.0.1:${port}/`,
    connections: () => count,
    close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); srv.close(() => r()); }),
  };
}

describe('escapeDnValue', () => {
  it('hex-escapes RFC 4514 specials so a name stays one RDN value', () => {
    expect(escapeDnValue('alice')).toBe('alice');
    expect(escapeDnValue('a,ou=x')).toBe('a\\2cou\\3dx');
    expect(escapeDnValue('a+cn=b')).toBe('a\\2bcn\\3db');
    expect(escapeDnValue('#x y ')).toBe('\\23x y\\20');
    expect(escapeDnValue(' a\\"<>;')).toBe('\\20a\\5c\\22\\3c\\3e\\3b');
  });
});

describe('ldapAuthenticate: refused before any connection', () => {
  it('an empty password (an unauthenticated bind, which many servers accept) never reaches the server', async () => {
    const srv = await silentServer();
    try {
      for (const cfg of [
        { url: srv.url, userDn: 'uid={username},ou=people,dc=x' },
        { url: srv.url, userBase: 'ou=people,dc=x', bindDn: 'cn=r,dc=x', bindPasswordFile: '/nonexistent' },
      ] satisfies LdapConfig[]) {
        const err = await authError(ldapAuthenticate(cfg, 'alice', ''));
        expect(err.code).toBe('E_AUTH_BAD_CREDENTIALS');
        expect(err.message).toBe('wrong user name or password');
      }
      expect(await authError(ldapAuthenticate({ url: srv.url, userDn: 'uid={username},dc=x' }, '', 'pw'))).toMatchObject({ code: 'E_AUTH_BAD_CREDENTIALS' });
      expect(srv.connections()).toBe(0);
    } finally {
      await srv.close();
    }
  });

  it('a config with neither userDn nor userBase is a config error', async () => {
    expect(await authError(ldapAuthenticate({ url: 'ldap://127.0.0.1:1/' }, 'alice', 'pw'))).toMatchObject({ code: 'E_AUTH_CONFIG' });
  });
});

describe('ldapAuthenticate: server unreachable', () => {
  it('a server that does not answer in timeoutMs is E_AUTH_UNAVAILABLE, naming the URL', async () => {
    const srv = await silentServer();
    try {
      const started = Date.now();
      const err = await authError(ldapAuthenticate({ url: srv.url, userDn: 'uid={username},dc=x', timeoutMs: 300 }, 'alice', 'secret-pw'));
      expect(err.code).toBe('E_AUTH_UNAVAILABLE');
      expect(err.message).toContain(`the LDAP server at ${srv.url} did not answer`);
      expect(err.message).not.toContain('secret-pw');
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await srv.close();
    }
  });

  it('a refused connection is E_AUTH_UNAVAILABLE', async () => {
    const url = `ldap://127.0.0.1:${await freePort()}/`;
    const err = await authError(ldapAuthenticate({ url, userDn: 'uid={username},dc=x', timeoutMs: 2000 }, 'alice', 'secret-pw'));
    expect(err.code).toBe('E_AUTH_UNAVAILABLE');
    expect(err.message).toMatch(/did not answer: .*ECONNREFUSED/);
    expect(err.message).not.toContain('secret-pw');
  });
});

describe.skipIf(!slapdAvailable())('ldapAuthenticate against slapd', () => {
  let ldap: Slapd;
  beforeAll(async () => { ldap = await startSlapd(); });
  afterAll(async () => { await ldap?.stop(); });
  const user = (name: string) => ldap.users.find((u) => u.name === name)!;
  const modes = [['direct bind', () => ldap.config], ['search then bind', () => ldap.searchConfig]] as const;

  describe.each(modes)('%s', (_mode, cfg) => {
    it('the right password gives the Identity: DN, names, mail, uid, gid and groups', async () => {
      const alice = user('alice');
      expect(await ldapAuthenticate(cfg(), 'alice', alice.password)).toEqual({
        source: 'ldap',
        subject: 'uid=alice,ou=people,dc=kiseki,dc=test',
        username: 'alice',
        displayName: 'Alice Example',
        email: 'alice@kiseki.test',
        uid: 2001,
        gid: 3001,
        // proj-a through the primary gidNumber only; paper-reviewers is a groupOfNames.
        groups: [{ name: 'paper-reviewers' }, { name: 'proj-a', gid: 3001 }],
      });
    });

    it('every test user gets their uid, gid and POSIX groups', async () => {
      const groupsOf = async (name: string) => {
        const id = await ldapAuthenticate(cfg(), name, user(name).password);
        expect(id).toMatchObject({ uid: user(name).uid, gid: user(name).gid });
        return id.groups.filter((g) => g.gid !== undefined);
      };
      expect(await groupsOf('bob')).toEqual([{ name: 'proj-b', gid: 3002 }]);
      expect(await groupsOf('carol')).toEqual([{ name: 'kiseki-admins', gid: 3100 }, { name: 'proj-a', gid: 3001 }]);
      expect(await groupsOf('dave')).toEqual([{ name: 'kiseki-group-admins', gid: 3101 }, { name: 'proj-a', gid: 3001 }]);
    });

    it('a differently cased login gives the directory spelling of the name and DN', async () => {
      const id = await ldapAuthenticate(cfg(), 'ALICE', user('alice').password);
      expect(id.username).toBe('alice');
      expect(id.subject).toBe('uid=alice,ou=people,dc=kiseki,dc=test');
    });

    it('a wrong password and an unknown user get the same answer, without the password', async () => {
      const wrong = await authError(ldapAuthenticate(cfg(), 'alice', 'not-alices-pw'));
      const unknown = await authError(ldapAuthenticate(cfg(), 'mallory', 'not-alices-pw'));
      const otherUsersPw = await authError(ldapAuthenticate(cfg(), 'alice', user('bob').password));
      for (const err of [wrong, unknown, otherUsersPw]) {
        expect(err.code).toBe('E_AUTH_BAD_CREDENTIALS');
        expect(err.message).toBe('wrong user name or password');
      }
    });

    it('an empty password is refused even for a real user', async () => {
      expect(await authError(ldapAuthenticate(cfg(), 'alice', ''))).toMatchObject({ code: 'E_AUTH_BAD_CREDENTIALS' });
    });

    it('filter and DN metacharacters, control characters and surrounding spaces in the user name are refused, even with the right password', async () => {
      const pw = user('alice').password;
      for (const name of [
        'al*', '*', 'a*e', '*)(uid=*', 'alice)(uid=*', 'x)(|(uid=*', 'alice)', '(alice', 'alice\\2a',
        'alice,ou=people', 'alice+cn=Alice Example', 'uid=alice', ' alice', 'alice ', '#alice', 'alice\0', 'alice\t', '\talice', '$&', '$`alice',
      ]) {
        const err = await authError(ldapAuthenticate(cfg(), name, pw));
        expect(err.code, JSON.stringify(name)).toBe('E_AUTH_BAD_CREDENTIALS');
      }
    });
  });

  it('unescaped, "al*" would have matched alice: the injection test above means something', async () => {
    const client = new Client({ url: ldap.url });
    try {
      await client.bind(ldap.serviceDn, ldap.servicePassword);
      const { searchEntries } = await client.search(ldap.searchConfig.userBase!, { filter: '(uid=al*)', attributes: ['uid'] });
      expect(searchEntries.map((e) => e.uid)).toEqual(['alice']);
    } finally {
      await client.unbind();
    }
  });

  it('search mode: a wrong service account password is a config error, not the user\'s fault', async () => {
    const { writeFileSync } = await import('node:fs');
    const file = `${ldap.dir}/wrong-bind-password`;
    writeFileSync(file, 'nope\n');
    const err = await authError(ldapAuthenticate({ ...ldap.searchConfig, bindPasswordFile: file }, 'alice', user('alice').password));
    expect(err.code).toBe('E_AUTH_CONFIG');
    expect(err.message).toContain(ldap.serviceDn);
    expect(err.message).not.toContain('nope');
    expect(err.message).not.toContain(user('alice').password);
  });

  it('search mode: a filter that matches several people is a config error, not a guess', async () => {
    const err = await authError(ldapAuthenticate({ ...ldap.searchConfig, userFilter: '(|(uid={username})(uid=bob))' }, 'alice', user('alice').password));
    expect(err.code).toBe('E_AUTH_CONFIG');
    expect(err.message).toMatch(/more than one entry/);
  });

  it('search mode: a user base that does not exist is a config error', async () => {
    const err = await authError(ldapAuthenticate({ ...ldap.searchConfig, userBase: 'ou=nobody,dc=kiseki,dc=test' }, 'alice', user('alice').password));
    expect(err.code).toBe('E_AUTH_CONFIG');
  });

  it('direct bind with a service account reads the groups as that account', async () => {
    const { url, bindDn, bindPasswordFile, groupBase } = ldap.searchConfig;
    const id = await ldapAuthenticate({ url, userDn: ldap.config.userDn, bindDn, bindPasswordFile, groupBase }, 'dave', user('dave').password);
    expect(id.groups).toEqual([{ name: 'kiseki-group-admins', gid: 3101 }, { name: 'proj-a', gid: 3001 }]);
  });

  it('without groupBase the Identity has no groups, and still its uid and gid', async () => {
    const { groupBase: _unused, ...cfg } = ldap.config;
    expect(await ldapAuthenticate(cfg, 'carol', user('carol').password)).toMatchObject({ uid: 2003, gid: 3001, groups: [] });
  });

  it('a slapd that was stopped is E_AUTH_UNAVAILABLE', async () => {
    const other = await startSlapd();
    const cfg = other.config;
    expect((await ldapAuthenticate(cfg, 'bob', user('bob').password)).uid).toBe(2002);
    await other.stop();
    const err = await authError(ldapAuthenticate(cfg, 'bob', user('bob').password));
    expect(err.code).toBe('E_AUTH_UNAVAILABLE');
    expect(err.message).toContain(other.url);
    expect(err.message).not.toContain(user('bob').password);
  });
});
