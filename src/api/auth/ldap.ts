// LDAP simple-bind sign-in: proves a password by binding as the person's DN,
// then reads who they are (uid, gid, groups) from the directory.
//
// Two ways to find the DN:
//  - direct: `userDn` is a template such as "uid={username},ou=people,dc=x";
//  - search: bind as the service account `bindDn` (or anonymously), search
//    `userBase` with `userFilter`, and bind as the one entry found.
//
// Nothing here logs, and no error message carries the password.
import { readFile } from 'node:fs/promises';
import {
  AndFilter,
  BusyError,
  Client,
  EqualityFilter,
  Filter,
  InvalidCredentialsError,
  InvalidDNSyntaxError,
  NoSuchObjectError,
  OrFilter,
  ResultCodeError,
  SizeLimitExceededError,
  TimeLimitExceededError,
  UnavailableError,
  type Entry,
} from 'ldapts';
import type { LdapConfig } from '../../core/config.js';
import { AuthError, type GroupClaim, type Identity } from './identity.js';

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_USER_FILTER = '(uid={username})';
const USER_ATTRIBUTES = ['uid', 'cn', 'displayName', 'mail', 'uidNumber', 'gidNumber'];
/** Longer than any real login name; keeps absurd input away from the server. */
const MAX_USERNAME_LENGTH = 256;

const badCredentials = (): AuthError =>
  // One message for a wrong password and an unknown user, so a caller cannot probe which names exist.
  new AuthError('E_AUTH_BAD_CREDENTIALS', 'wrong user name or password');

/**
 * Checks `password` for `username` against the directory in `cfg` and returns who they are.
 * Throws AuthError: E_AUTH_BAD_CREDENTIALS, E_AUTH_UNAVAILABLE (server down or slow), E_AUTH_CONFIG.
 */
export async function ldapAuthenticate(cfg: LdapConfig, username: string, password: string): Promise<Identity> {
  // An empty password makes a simple bind "unauthenticated" (RFC 4513 5.1.2), which many
  // servers accept as success: it must never reach the server as a sign-in.
  if (!password || !username || username.length > MAX_USERNAME_LENGTH) throw badCredentials();
  // Control characters are never part of a login name (and some servers stop at a NUL).
  // Surrounding spaces are insignificant to LDAP matching, so " alice" would sign in as
  // alice: refuse it, so that one person has one spelling up to letter case.
  if (/[\x00-\x1f\x7f]/.test(username) || username.trim() !== username) throw badCredentials();
  if (!cfg.userDn && !cfg.userBase) {
    throw new AuthError('E_AUTH_CONFIG', 'LDAP sign-in needs either userDn (a DN template) or userBase (where to search for users)');
  }
  if (cfg.userDn && !cfg.userDn.includes('{username}')) {
    throw new AuthError('E_AUTH_CONFIG', `LDAP userDn "${cfg.userDn}" has no {username} placeholder`);
  }
  const serviceBind = cfg.bindDn ? { dn: cfg.bindDn, password: await readBindPassword(cfg) } : undefined;

  const timeout = cfg.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let client: Client;
  try {
    client = new Client({ url: cfg.url, timeout, connectTimeout: timeout });
  } catch (err) {
    throw new AuthError('E_AUTH_CONFIG', `LDAP url "${cfg.url}" is not usable: ${reason(err)}`);
  }
  try {
    if (cfg.startTls) await step(cfg, 'StartTLS', () => client.startTLS());

    let entry: Entry;
    if (cfg.userDn) {
      const dn = cfg.userDn.replaceAll('{username}', () => escapeDnValue(username));
      await bindAsUser(cfg, client, dn, password);
      entry = await readOwnEntry(cfg, client, dn);
    } else {
      if (serviceBind) await bindAsService(cfg, client, serviceBind);
      entry = await findUser(cfg, client, username);
      await bindAsUser(cfg, client, entry.dn, password);
    }

    // The directory's spelling of the login name: "Alice" may bind, but jobs run as "alice".
    // An entry may carry several uid values; prefer the one that was typed.
    const uids = allStrings(entry, 'uid');
    const canonical = uids.find((u) => u.toLowerCase() === username.toLowerCase()) ?? uids[0] ?? username;
    const gid = firstNumber(entry, 'gidNumber');
    let groups: GroupClaim[] = [];
    if (cfg.groupBase) {
      // Read groups with the service account when there is one: sites often hide group
      // entries from ordinary users.
      if (serviceBind) await bindAsService(cfg, client, serviceBind);
      groups = await findGroups(cfg, client, entry.dn, canonical, gid);
    }
    return {
      source: 'ldap',
      subject: entry.dn,
      username: canonical,
      displayName: firstString(entry, 'displayName') ?? firstString(entry, 'cn'),
      email: firstString(entry, 'mail'),
      uid: firstNumber(entry, 'uidNumber'),
      gid,
      groups,
    };
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

async function readBindPassword(cfg: LdapConfig): Promise<string> {
  if (!cfg.bindPasswordFile) {
    throw new AuthError('E_AUTH_CONFIG', `LDAP bindDn is set but bindPasswordFile is not`);
  }
  try {
    // A trailing newline is how editors and `echo` leave the file; it is never part of the password.
    return (await readFile(cfg.bindPasswordFile, 'utf8')).replace(/\r?\n$/, '');
  } catch (err) {
    throw new AuthError('E_AUTH_CONFIG', `cannot read LDAP bindPasswordFile ${cfg.bindPasswordFile}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

async function bindAsUser(cfg: LdapConfig, client: Client, dn: string, password: string): Promise<void> {
  try {
    await client.bind(dn, password);
  } catch (err) {
    // Unknown DNs also answer invalidCredentials on OpenLDAP and AD; a DN the server cannot
    // parse can only come from odd input, so it gets the same answer.
    if (err instanceof InvalidCredentialsError || err instanceof InvalidDNSyntaxError) throw badCredentials();
    throw failure(cfg, 'the sign-in bind', err);
  }
}

async function bindAsService(cfg: LdapConfig, client: Client, service: { dn: string; password: string }): Promise<void> {
  try {
    await client.bind(service.dn, service.password);
  } catch (err) {
    // The person's password is fine or not; the site's own account is broken.
    if (err instanceof InvalidCredentialsError) {
      throw new AuthError('E_AUTH_CONFIG', `the LDAP server at ${cfg.url} refused the service account ${service.dn} (check bindDn and bindPasswordFile)`);
    }
    throw failure(cfg, 'the service account bind', err);
  }
}

async function findUser(cfg: LdapConfig, client: Client, username: string): Promise<Entry> {
  const template = cfg.userFilter ?? DEFAULT_USER_FILTER;
  if (!template.includes('{username}')) {
    throw new AuthError('E_AUTH_CONFIG', `LDAP userFilter "${template}" has no {username} placeholder`);
  }
  // RFC 4515 escaping: "*)(uid=*" becomes a literal value, not more filter. A replacer
  // function, because a string replacement would expand "$&" or "$`" in the name.
  const filter = template.replaceAll('{username}', () => Filter.escape(username));
  let entries: Entry[];
  try {
    entries = (await client.search(cfg.userBase!, { scope: 'sub', filter, attributes: USER_ATTRIBUTES, sizeLimit: 2 })).searchEntries;
  } catch (err) {
    // sizeLimit 2 stops the server at a second hit: the "not unique" case below.
    if (!(err instanceof SizeLimitExceededError)) throw failure(cfg, 'the user search', err);
    entries = [{ dn: '' }, { dn: '' }];
  }
  if (entries.length === 0) throw badCredentials();
  if (entries.length > 1) {
    // Binding as either would be a guess; this is a directory or filter problem for the admin.
    throw new AuthError('E_AUTH_CONFIG', `LDAP userFilter "${template}" matches more than one entry under ${cfg.userBase}; it must identify one user`);
  }
  return entries[0]!;
}

async function readOwnEntry(cfg: LdapConfig, client: Client, dn: string): Promise<Entry> {
  const entries = await step(cfg, 'reading the user entry', async () =>
    (await client.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes: USER_ATTRIBUTES })).searchEntries,
  );
  // Bound fine but cannot read itself: sign in with what we know rather than fail.
  return entries[0] ?? ({ dn } as Entry);
}

async function findGroups(cfg: LdapConfig, client: Client, dn: string, username: string, gid: number | undefined): Promise<GroupClaim[]> {
  // The filter classes escape their values, so neither the name nor the DN can add clauses.
  const posixMember: Filter[] = [new EqualityFilter({ attribute: 'memberUid', value: username })];
  // The primary group (the user's gidNumber) rarely lists its members in memberUid.
  if (gid !== undefined) posixMember.push(new EqualityFilter({ attribute: 'gidNumber', value: String(gid) }));
  const filter = new OrFilter({
    filters: [
      new AndFilter({ filters: [new EqualityFilter({ attribute: 'objectClass', value: 'posixGroup' }), new OrFilter({ filters: posixMember })] }),
      new AndFilter({ filters: [new EqualityFilter({ attribute: 'objectClass', value: 'groupOfNames' }), new EqualityFilter({ attribute: 'member', value: dn })] }),
      new AndFilter({ filters: [new EqualityFilter({ attribute: 'objectClass', value: 'groupOfUniqueNames' }), new EqualityFilter({ attribute: 'uniqueMember', value: dn })] }),
    ],
  });
  const entries = await step(cfg, 'the group search', async () =>
    (await client.search(cfg.groupBase!, { scope: 'sub', filter, attributes: ['cn', 'gidNumber'] })).searchEntries,
  );
  const byName = new Map<string, GroupClaim>();
  for (const e of entries) {
    const name = firstString(e, 'cn');
    if (!name || byName.has(name)) continue;
    const groupGid = firstNumber(e, 'gidNumber');
    byName.set(name, groupGid === undefined ? { name } : { name, gid: groupGid });
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Runs one LDAP operation, turning its failure into an AuthError. */
async function step<T>(cfg: LdapConfig, what: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    throw failure(cfg, what, err);
  }
}

function failure(cfg: LdapConfig, what: string, err: unknown): AuthError {
  if (err instanceof AuthError) return err;
  // A base DN that does not exist is a setting to fix, not an outage.
  if (err instanceof NoSuchObjectError) {
    return new AuthError('E_AUTH_CONFIG', `the LDAP server at ${cfg.url} has no such entry for ${what}: ${reason(err)}`);
  }
  // Any other answer from the server (access rules, TLS required, size limits) is a
  // setting to fix; only a busy or shutting-down server counts as unavailable.
  if (err instanceof ResultCodeError && !(err instanceof BusyError || err instanceof UnavailableError || err instanceof TimeLimitExceededError)) {
    return new AuthError('E_AUTH_CONFIG', `the LDAP server at ${cfg.url} refused ${what}: ${reason(err)}`);
  }
  // Refused connections, DNS failures, TLS handshake errors, timeouts, a dropped socket.
  return new AuthError('E_AUTH_UNAVAILABLE', `the LDAP server at ${cfg.url} did not answer: ${reason(err)}`);
}

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  // ldapts puts multi-line socket details in messages; the first line says enough.
  const text = (e?.message ?? String(err)).split('\n').filter(Boolean).join(' / ');
  return e?.code && !text.includes(e.code) ? `${e.code} ${text}` : text || 'unknown error';
}

/**
 * Escapes a value for one RDN (RFC 4514 section 2.4), so "a,ou=x" stays one attribute value
 * instead of adding RDNs. Every special character is hex-escaped, which every server parses.
 */
export function escapeDnValue(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    const edge = (i === 0 && (c === ' ' || c === '#')) || (i === value.length - 1 && c === ' ');
    if (edge || '"+,;<=>\\'.includes(c) || c === '\0') {
      out += '\\' + c.charCodeAt(0).toString(16).padStart(2, '0');
    } else {
      out += c;
    }
  }
  return out;
}

function allStrings(entry: Entry, attribute: string): string[] {
  // Attribute names are case-insensitive; servers echo them in their own case.
  const key = Object.keys(entry).find((k) => k.toLowerCase() === attribute.toLowerCase());
  const raw = key === undefined ? [] : entry[key];
  const values = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return values.map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v))).filter((v) => v !== '');
}

function firstValue(entry: Entry, attribute: string): string | undefined {
  return allStrings(entry, attribute)[0];
}

function firstString(entry: Entry, attribute: string): string | undefined {
  const v = firstValue(entry, attribute);
  return v === undefined || v === '' ? undefined : v;
}

function firstNumber(entry: Entry, attribute: string): number | undefined {
  const v = firstValue(entry, attribute);
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : undefined;
}
