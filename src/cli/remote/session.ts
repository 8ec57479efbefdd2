// The answer of GET /api/v1/auth/session (access-schemas.ts SessionResult),
// as far as the CLI uses it.
import type { ApiClient } from './api-client.js';

export interface ApiUser {
  id: number; username: string; displayName: string | null; role: 'admin' | 'group_admin' | 'member';
  uid: number | null; gid: number | null; groups: { gid: number; name: string | null }[]; source: string; disabled: boolean; lastLoginAt: string | null;
}

export interface ApiSession {
  signedIn: boolean;
  via: 'token' | 'local' | 'share' | 'session' | 'loopback' | 'anonymous';
  user: ApiUser | null;
  role: string;
  tokenId?: number | null;
  methods: { password: boolean; oidc: { label: string } | null };
}

export function getSession(api: ApiClient, token?: string): Promise<ApiSession> {
  return api.call<ApiSession>('GET', '/api/v1/auth/session', token !== undefined ? { token } : {});
}
