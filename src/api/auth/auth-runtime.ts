// What the server knows about sign-in while it runs: the [auth] config, the
// login throttle, the local secret that `kiseki run` on this machine uses
// (server.json), and the local admin's user row.
import { userInfo } from 'node:os';
import { authDefaults, type AuthConfig } from '../../core/config.js';
import type { Queryable } from '../../store/index.js';
import type { Identity } from './identity.js';
import { newSecret } from './secrets.js';
import { LoginThrottle } from './throttle.js';
import { ensureLocalUser, type User } from './users.js';

export const LOCAL_TOKEN_PREFIX = 'ksl_';

/** What the OIDC routes need of an OpenID Connect client (auth/oidc.ts). */
export interface OidcLike {
  begin(redirectUri: string, returnTo?: string): Promise<{ url: string; pending: string }>;
  complete(callbackUrl: string, pending: string): Promise<{ identity: Identity; returnTo?: string }>;
}

export class AuthRuntime {
  readonly throttle: LoginThrottle;
  /** Bearer secret for this machine's own clients (written to <dataDir>/server.json, mode 0600). */
  readonly localToken = newSecret(LOCAL_TOKEN_PREFIX);
  /** User name + password → Identity (LDAP bind), when configured. */
  password: ((username: string, password: string) => Promise<Identity>) | undefined;
  /** OpenID Connect, when configured (made on first use: discovery needs the provider up). */
  oidc: (() => Promise<OidcLike>) | undefined;

  constructor(readonly config: AuthConfig = authDefaults(), readonly localName: string = osUserName()) {
    this.throttle = new LoginThrottle(config.loginAttempts, config.loginWindowMinutes);
  }

  /** A sign-in method is configured: nobody is trusted for where they connect from. */
  get signInConfigured(): boolean {
    return this.config.ldap !== undefined || this.config.oidc !== undefined;
  }

  /** Loopback clients act as the local admin: one machine, nothing configured. */
  get loopbackIsAdmin(): boolean {
    return this.config.trustLoopback && !this.signInConfigured;
  }

  /** The local admin as a user row (owner of the share links and tokens they make); one upsert, not cached, so it survives the table being emptied. */
  localAdmin(db: Queryable): Promise<User> {
    return ensureLocalUser(db, this.localName);
  }
}

function osUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'local';
  }
}

/** The runtime for a config: LDAP and OIDC loaded only when configured (they pull in their libraries). */
export function createAuthRuntime(config: AuthConfig, localName?: string): AuthRuntime {
  const rt = new AuthRuntime(config, localName);
  const ldap = config.ldap;
  if (ldap) rt.password = async (username, password) => (await import('./ldap.js')).ldapAuthenticate(ldap, username, password);
  const oidcConfig = config.oidc;
  if (oidcConfig) {
    let client: Promise<OidcLike> | undefined;
    rt.oidc = () => {
      // Discovery once; again after a failure (the provider may have been down).
      client ??= import('./oidc.js').then((m) => m.createOidcClient(oidcConfig));
      client.catch(() => { client = undefined; });
      return client;
    };
  }
  return rt;
}
