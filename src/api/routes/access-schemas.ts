// Schemas of the sign-in, token, share link, user and audit routes.
import { z } from '@hono/zod-openapi';
import { intParam } from '../schemas.js';

export const LoginBody = z.strictObject({
  username: z.string().min(1).max(256),
  password: z.string().min(1).max(1024),
  /** For the CLI and scripts: an API token instead of a cookie session. */
  token: z.strictObject({
    name: z.string().min(1).max(200),
    expiresDays: z.number().positive().max(3650).optional(),
  }).optional(),
}).openapi('LoginInput');

export const UserSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  displayName: z.string().nullable(),
  role: z.enum(['admin', 'group_admin', 'member']),
  uid: z.number().int().nullable(),
  gid: z.number().int().nullable(),
  groups: z.array(z.object({ gid: z.number().int(), name: z.string().nullable() })),
  source: z.enum(['ldap', 'oidc', 'local']),
  disabled: z.boolean(),
  lastLoginAt: z.string().nullable(),
}).openapi('User');

export const SessionResult = z.object({
  signedIn: z.boolean(),
  via: z.enum(['token', 'local', 'share', 'session', 'loopback', 'anonymous']),
  user: UserSchema.nullable(),
  role: z.enum(['admin', 'group_admin', 'member', 'anonymous', 'share']),
  csrf: z.string().nullable().openapi({ description: 'Cookie sessions: send it back in X-CSRF-Token with every change.' }),
  share: z.object({ id: z.string(), scope: z.enum(['job', 'lineage']), node: z.number().int(), expiresAt: z.string(), createdBy: z.string().nullable() }).nullable(),
  methods: z.object({ password: z.boolean(), oidc: z.object({ label: z.string() }).nullable() }),
  idleTimeoutMinutes: z.number().int(),
  tokenId: z.number().int().nullable().openapi({ description: 'Signed in with an API token: its id (what DELETE /tokens/{id} takes; `kiseki logout` revokes its own token so).' }),
}).openapi('Session');

export const LoginResult = z.object({
  user: UserSchema,
  csrf: z.string().nullable(),
  token: z.string().nullable().openapi({ description: 'The API token (token logins only): shown once.' }),
}).openapi('LoginResult');

export const TokenBody = z.strictObject({
  name: z.string().min(1).max(200),
  expiresDays: z.number().positive().max(3650).optional(),
}).openapi('TokenInput');
export const TokenInfo = z.object({
  id: z.number().int(), name: z.string(), createdAt: z.string(), expiresAt: z.string().nullable(), lastUsedAt: z.string().nullable(), revokedAt: z.string().nullable(),
}).openapi('ApiToken');
export const TokenCreated = z.object({ token: z.string(), info: TokenInfo }).openapi('ApiTokenCreated');
export const TokenList = z.object({ items: z.array(TokenInfo) });
export const TokenIdParam = z.strictObject({
  id: z.string().regex(/^\d{1,15}$/, 'expected a token id').transform(Number).openapi({ param: { name: 'id', in: 'path' }, type: 'integer' }),
});

export const ShareBody = z.strictObject({
  node: z.number().int().positive().openapi({ description: 'A job (scope job) or a file version (scope lineage: it and everything it came from).' }),
  days: z.number().positive().optional().openapi({ description: 'Lifetime in days (default and maximum: the server config).' }),
  label: z.string().max(200).optional().openapi({ description: 'A note for yourself ("reviewers of paper X").' }),
}).openapi('ShareInput');
export const ShareInfo = z.object({
  id: z.string(), scope: z.enum(['job', 'lineage']), node: z.number().int(), label: z.string().nullable(), createdBy: z.string().nullable(),
  createdAt: z.string(), expiresAt: z.string(), revokedAt: z.string().nullable(), lastUsedAt: z.string().nullable(), uses: z.number().int(),
}).openapi('ShareLink');
export const ShareCreated = z.object({ token: z.string(), url: z.string(), info: ShareInfo }).openapi('ShareLinkCreated');
export const ShareList = z.object({ items: z.array(ShareInfo) });
export const ShareIdParam = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected a share link id').openapi({ param: { name: 'id', in: 'path' } }),
});
export const ShareListQuery = z.strictObject({
  all: z.enum(['true', 'false']).optional().openapi({ description: 'Admins: every user\'s links.' }),
});

export const AuditQuery = z.strictObject({
  action: z.string().max(64).optional(),
  actor: z.string().max(256).optional(),
  from: z.string().max(64).optional(),
  to: z.string().max(64).optional(),
  page: intParam(1, 1_000_000, 1),
  pageSize: intParam(1, 200, 50),
});
export const AuditItem = z.object({
  id: z.number().int(), at: z.string(), action: z.string(), actor: z.string().nullable(), target: z.string().nullable(),
  outcome: z.string(), client: z.string().nullable(), detail: z.record(z.string(), z.unknown()).nullable(),
}).openapi('AuditEvent');
export const AuditResult = z.object({ total: z.number().int(), page: z.number().int(), pageSize: z.number().int(), items: z.array(AuditItem) });

export const UserList = z.object({ items: z.array(UserSchema) });
export const UserNameParam = z.strictObject({
  name: z.string().min(1).max(256).openapi({ param: { name: 'name', in: 'path' } }),
});
export const UserUpdateBody = z.strictObject({
  role: z.enum(['admin', 'group_admin', 'member']).optional(),
  disabled: z.boolean().optional(),
}).openapi('UserUpdate');

export const OidcStartQuery = z.strictObject({
  returnTo: z.string().max(2000).optional().openapi({ description: 'A path of this site to go back to after sign-in.' }),
});
export const OidcCallbackQuery = z.record(z.string(), z.string());
