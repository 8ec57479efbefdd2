// A throwaway OpenLDAP server for sign-in tests: Debian's slapd on a random
// loopback port with its own config and database in a temp dir, loaded with
// four people and their POSIX groups. No system slapd, no root, no port 389.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'ldapts';
import type { LdapConfig } from '../../src/core/config.js';

export const SLAPD = '/usr/sbin/slapd';
const SCHEMAS = ['core', 'cosine', 'nis', 'inetorgperson'].map((s) => `/etc/ldap/schema/${s}.schema`);
const BASE = 'dc=kiseki,dc=test';
const PEOPLE = `ou=people,${BASE}`;
const GROUPS = `ou=groups,${BASE}`;

export interface TestUser { name: string; password: string; uid: number; gid: number; dn: string; displayName: string; email: string }
export interface TestGroup { name: string; gid?: number; members: string[] }

export const USERS: TestUser[] = [
  { name: 'alice', password: 'alice-pw-1', uid: 2001, gid: 3001 },
  { name: 'bob', password: 'bob-pw-2', uid: 2002, gid: 3002 },
  { name: 'carol', password: 'carol-pw-3', uid: 2003, gid: 3001 },
  { name: 'dave', password: 'dave-pw-4', uid: 2004, gid: 3001 },
  // A plain member of alice's group (the access tests' "same group, not admin").
  { name: 'eve', password: 'eve-pw-5', uid: 2005, gid: 3001 },
].map((u) => ({
  ...u,
  dn: `uid=${u.name},${PEOPLE}`,
  displayName: u.name[0]!.toUpperCase() + u.name.slice(1) + ' Example',
  email: `${u.name}@kiseki.test`,
}));

/**
 * memberUid lists supplementary members only, as real directories do: alice and bob are in
 * proj-a / proj-b through their primary gidNumber alone. paper-reviewers is a groupOfNames
 * (no gid) so the groupOfNames lookup is exercised too.
 */
export const GROUP_ENTRIES: TestGroup[] = [
  { name: 'proj-a', gid: 3001, members: ['carol', 'dave'] },
  { name: 'proj-b', gid: 3002, members: [] },
  { name: 'kiseki-admins', gid: 3100, members: ['carol'] },
  { name: 'kiseki-group-admins', gid: 3101, members: ['dave'] },
  { name: 'paper-reviewers', members: ['alice'] },
];

export interface Slapd {
  url: string;
  /** Direct bind: userDn template, plus groupBase. */
  config: LdapConfig;
  /** Search-then-bind: service account (password in a file), userBase and userFilter, plus groupBase. */
  searchConfig: LdapConfig;
  users: TestUser[];
  groups: TestGroup[];
  baseDn: string;
  rootDn: string;
  rootPassword: string;
  serviceDn: string;
  servicePassword: string;
  dir: string;
  stop(): Promise<void>;
}

export function slapdAvailable(): boolean {
  return spawnSync(SLAPD, ['-VV'], { stdio: 'ignore' }).error === undefined;
}

/** A loopback port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

const running = new Set<ChildProcess>();
// The last line of defence; stop() is the normal way out.
process.once('exit', () => { for (const c of running) c.kill('SIGKILL'); });

export async function startSlapd(): Promise<Slapd> {
  const dir = mkdtempSync(join(tmpdir(), 'kiseki-slapd-'));
  const rootDn = `cn=admin,${BASE}`;
  const rootPassword = 'root-secret';
  const serviceDn = `cn=kiseki-reader,${BASE}`;
  const servicePassword = 'reader-secret';
  mkdirSync(join(dir, 'db'));
  writeFileSync(join(dir, 'slapd.conf'), [
    ...SCHEMAS.map((s) => `include ${s}`),
    `pidfile ${join(dir, 'slapd.pid')}`,
    `argsfile ${join(dir, 'slapd.args')}`,
    'modulepath /usr/lib/ldap',
    'moduleload back_mdb',
    'database mdb',
    'maxsize 16777216',
    `suffix "${BASE}"`,
    `rootdn "${rootDn}"`,
    `rootpw ${rootPassword}`,
    `directory ${join(dir, 'db')}`,
    // Passwords are only usable for binding; everything else readable after sign-in,
    // but not anonymously, so search mode really needs its service account.
    'access to attrs=userPassword by self write by anonymous auth by * none',
    'access to * by users read by * none',
    '',
  ].join('\n'));
  const bindPasswordFile = join(dir, 'bind-password');
  writeFileSync(bindPasswordFile, servicePassword + '\n', { mode: 0o600 });

  let port = 0;
  let child: ChildProcess | undefined;
  let log = '';
  // A port found free can be taken before slapd binds it; try a few.
  for (let attempt = 0; attempt < 5 && !child; attempt++) {
    port = await freePort();
    const url = `ldap://127.0.0.1:${port}/`;
    // slapd -d 0 stays in the foreground. The sh wrapper kills it when our end of its
    // stdin closes, so a test worker that dies without cleanup does not leave it running.
    const c = spawn('sh', ['-c', `"$0" -d 0 -h "$1" -f "$2" & p=$!; cat >/dev/null; kill $p 2>/dev/null; wait $p`,
      SLAPD, url, join(dir, 'slapd.conf')], { stdio: ['pipe', 'pipe', 'pipe'] });
    c.stdout!.on('data', (d: Buffer) => { log += d.toString(); });
    c.stderr!.on('data', (d: Buffer) => { log += d.toString(); });
    running.add(c);
    if (await waitForLdap(url, rootDn, rootPassword, 10_000)) {
      child = c;
    } else {
      await endWrapper(c);
    }
  }
  if (!child) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`slapd did not start:\n${log}`);
  }
  const url = `ldap://127.0.0.1:${port}/`;
  await load(url, rootDn, rootPassword, serviceDn, servicePassword);

  const proc = child;
  return {
    url,
    config: { url, userDn: `uid={username},${PEOPLE}`, groupBase: GROUPS, timeoutMs: 5000 },
    searchConfig: {
      url, bindDn: serviceDn, bindPasswordFile, userBase: PEOPLE,
      userFilter: '(&(objectClass=posixAccount)(uid={username}))', groupBase: GROUPS, timeoutMs: 5000,
    },
    users: USERS,
    groups: GROUP_ENTRIES,
    baseDn: BASE,
    rootDn,
    rootPassword,
    serviceDn,
    servicePassword,
    dir,
    async stop() {
      await endWrapper(proc);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function endWrapper(c: ChildProcess): Promise<void> {
  if (c.exitCode === null && c.signalCode === null) {
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.stdin!.end();
    const timer = setTimeout(() => c.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
  running.delete(c);
}

async function waitForLdap(url: string, dn: string, password: string, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const client = new Client({ url, timeout: 1000, connectTimeout: 1000 });
    try {
      await client.bind(dn, password);
      return true;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }
  return false;
}

async function load(url: string, rootDn: string, rootPassword: string, serviceDn: string, servicePassword: string): Promise<void> {
  const client = new Client({ url, timeout: 5000 });
  try {
    await client.bind(rootDn, rootPassword);
    await client.add(BASE, { objectClass: ['top', 'dcObject', 'organization'], dc: 'kiseki', o: 'Kiseki tests' });
    await client.add(PEOPLE, { objectClass: ['top', 'organizationalUnit'], ou: 'people' });
    await client.add(GROUPS, { objectClass: ['top', 'organizationalUnit'], ou: 'groups' });
    await client.add(serviceDn, {
      objectClass: ['top', 'organizationalRole', 'simpleSecurityObject'], cn: 'kiseki-reader', userPassword: servicePassword,
    });
    for (const u of USERS) {
      await client.add(u.dn, {
        objectClass: ['top', 'inetOrgPerson', 'posixAccount'],
        uid: u.name, cn: u.displayName, sn: 'Example', displayName: u.displayName, mail: u.email,
        uidNumber: String(u.uid), gidNumber: String(u.gid), homeDirectory: `/home/${u.name}`, loginShell: '/bin/bash',
        // Cleartext is fine for a throwaway directory; slapd compares it as is.
        userPassword: u.password,
      });
    }
    for (const g of GROUP_ENTRIES) {
      const dn = `cn=${g.name},${GROUPS}`;
      if (g.gid !== undefined) {
        await client.add(dn, {
          objectClass: ['top', 'posixGroup'], cn: g.name, gidNumber: String(g.gid),
          ...(g.members.length ? { memberUid: g.members } : {}),
        });
      } else {
        await client.add(dn, {
          objectClass: ['top', 'groupOfNames'], cn: g.name,
          member: g.members.map((m) => USERS.find((u) => u.name === m)!.dn),
        });
      }
    }
  } finally {
    await client.unbind().catch(() => undefined);
  }
}
