// What a sign-in method (LDAP bind, OpenID Connect, an API token) learns
// about a person, before it becomes a user row and a Viewer.
import { KisekiError } from '../../core/errors.js';

export interface GroupClaim {
  name: string;
  /** POSIX gid, when the identity source knows it (LDAP posixGroup, an OIDC claim). */
  gid?: number;
}

export interface Identity {
  /** How this person signed in. */
  source: 'ldap' | 'oidc' | 'local';
  /** Stable id at the source: LDAP DN, OIDC `iss|sub`. */
  subject: string;
  /** Login name; matches the scheduler's user name (job.user_name). */
  username: string;
  displayName?: string;
  email?: string;
  /** POSIX uid and primary gid: they tie the person to the jobs they ran. */
  uid?: number;
  gid?: number;
  groups: GroupClaim[];
}

/** Sign-in failed. Codes: E_AUTH_BAD_CREDENTIALS (401), E_AUTH_UNAVAILABLE (503: the directory or provider is down), E_AUTH_CONFIG (500), E_AUTH_THROTTLED (429). */
export class AuthError extends KisekiError {
  constructor(code: 'E_AUTH_BAD_CREDENTIALS' | 'E_AUTH_UNAVAILABLE' | 'E_AUTH_CONFIG' | 'E_AUTH_THROTTLED' | 'E_AUTH_REQUIRED' | 'E_AUTH_SESSION' | 'E_AUTH_CSRF', message: string) {
    super(code, message);
  }
}
