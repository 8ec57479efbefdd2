-- Kiseki store, schema 6: users and access (sign-in, sessions, API tokens,
-- share links for reviewers, audit log). Secrets are stored hashed (sha256);
-- share links are signed with server_secret and listed here so that they can
-- be revoked.

-- People who signed in (LDAP, OpenID Connect) or were named by an admin.
-- uid/gid tie a person to the jobs they ran (node.owner_uid / owner_gid).
create table app_user (
  id            bigint generated always as identity primary key,
  username      text collate "C" not null unique,
  source        text not null check (source in ('ldap', 'oidc', 'local')),
  subject       text,
  display_name  text,
  email         text,
  uid           integer,
  gid           integer,
  role          text not null default 'member' check (role in ('admin', 'group_admin', 'member')),
  -- set by `kiseki users role`: sign-in no longer recomputes the role from groups
  role_fixed    boolean not null default false,
  disabled      boolean not null default false,
  created_at    timestamptz not null default now(),
  last_login_at timestamptz
);
create unique index app_user_uid on app_user (uid) where uid is not null;

-- The POSIX groups a user belongs to, as the identity source said at last sign-in.
create table app_user_group (
  user_id  bigint not null references app_user (id) on delete cascade,
  gid      integer not null,
  name     text,
  primary key (user_id, gid)
);

create table app_session (
  id_sha256     text primary key,
  user_id       bigint not null references app_user (id) on delete cascade,
  -- double-submit CSRF token for cookie sessions (sent back in X-CSRF-Token)
  csrf          text not null,
  created_at    timestamptz not null default now(),
  last_seen_at  timestamptz not null default now(),
  expires_at    timestamptz not null,
  client        text
);
create index app_session_user on app_session (user_id);

create table api_token (
  id            bigint generated always as identity primary key,
  token_sha256  text not null unique,
  user_id       bigint not null references app_user (id) on delete cascade,
  name          text not null,
  created_at    timestamptz not null default now(),
  expires_at    timestamptz,
  last_used_at  timestamptz,
  revoked_at    timestamptz
);
create index api_token_user on api_token (user_id);

-- Share links: the signed token names id; this row says what it opens and whether it still does.
create table share_grant (
  id          text collate "C" primary key,
  scope_kind  text not null check (scope_kind in ('job', 'lineage')),
  node_id     bigint not null,
  created_by  bigint not null references app_user (id) on delete cascade,
  label       text,
  created_at  timestamptz not null default now(),
  expires_at  timestamptz not null,
  revoked_at  timestamptz,
  last_used_at timestamptz,
  uses        bigint not null default 0
);
create index share_grant_creator on share_grant (created_by);

create table audit_event (
  id        bigint generated always as identity primary key,
  at        timestamptz not null default now(),
  action    text not null,
  actor     text,
  actor_id  bigint,
  target    text,
  outcome   text not null default 'ok' check (outcome in ('ok', 'denied', 'failed')),
  client    text,
  -- JSON text: what else is worth knowing (never a secret)
  detail    text
);
create index audit_event_at on audit_event (at);
create index audit_event_action on audit_event (action, at);

-- One row: the key share links are signed with (HMAC), made on first use.
create table server_secret (
  name   text primary key,
  value  text not null,
  created_at timestamptz not null default now()
);

-- The owner of a process or file version is the job's user; search by owner.
create index node_owner on node (owner_uid);
