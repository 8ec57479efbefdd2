-- Kiseki store, schema 1: ingest (raw events) and the provenance graph.
-- Times are microseconds since the Unix epoch (bigint), as in TraceEvent.
-- Identity keys use the "C" collation: byte order, fast, locale-independent.
-- Paths: `path` is readable text (exactly the path when it is valid UTF-8;
-- otherwise invalid bytes shown as \xNN) and `path_bytes` holds the exact
-- bytes only for paths that are not valid UTF-8 (NULL otherwise).

create extension if not exists pg_trgm with schema public;

-- ── ingest ─────────────────────────────────────────────────────────────
create table ingest_source (
  source      text collate "C" primary key,
  -- aggregation cursor: the next (seq, idx) to turn into graph rows
  next_seq    bigint not null default 0,
  next_idx    integer not null default 0,
  -- the job that events of this source belong to (last run.start seen)
  job_key     text,
  job_uid     integer,
  job_gid     integer,
  updated_at  timestamptz not null default now()
);

create table ingest_batch (
  source       text collate "C" not null,
  seq          bigint not null,
  event_count  integer not null,
  sha256       text not null,
  received_at  timestamptz not null default now(),
  primary key (source, seq)
);

create table raw_event (
  source  text collate "C" not null,
  seq     bigint not null,
  idx     integer not null,
  type    text not null,
  ts      bigint not null,
  -- the validated event as JSON text (lone surrogates stay \udcXX escapes)
  body    text not null,
  primary key (source, seq, idx)
);
create index raw_event_ts on raw_event (ts);

-- ── graph: nodes ───────────────────────────────────────────────────────
-- Graph tables have no foreign keys: only the aggregator writes them, and it
-- resolves every reference inside the same transaction (FK checks cost about
-- half of the insert rate). annotation, written by people, keeps its FK.
create table node (
  id          bigint generated always as identity primary key,
  -- deterministic key: j:<scheduler>:<id>, p:<proc>#<execSeq>, f:<path key>#<version>, u:<uid>
  key         text collate "C" not null unique,
  kind        text not null check (kind in ('job', 'process', 'file', 'user')),
  label       text not null default '',
  -- the job a process/file version belongs to (generated or first seen in)
  job_id      bigint,
  ts          bigint,
  -- visibility (enforced by the query layer for non-admin viewers)
  owner_uid   integer,
  owner_gid   integer,
  visibility  text not null default 'private' check (visibility in ('private', 'group', 'public')),
  created_at  timestamptz not null default now()
);
create index node_job on node (job_id);

create table job (
  node_id      bigint primary key,
  scheduler    text not null,
  job_ref      text not null,
  cluster      text,
  name         text,
  script       text,
  argv         text,   -- JSON text (jsonb cannot hold \udcXX escapes)
  cwd          text,
  host         text,
  uid          integer,
  gid          integer,
  user_name    text,
  backend      text,
  start_ts     bigint,
  end_ts       bigint,
  exit_code    integer,
  signal       integer,
  state        text,
  complete     boolean,
  lost_events  bigint,
  unique (scheduler, job_ref)
);
create index job_ref_trgm on job using gin (job_ref gin_trgm_ops);
create index job_script_trgm on job using gin (script gin_trgm_ops);
create index job_start on job (start_ts);
create index job_user on job (user_name);

create table process (
  node_id      bigint primary key,
  proc         text not null,
  exec_seq     integer not null,
  host         text,
  pid          integer,
  ppid         integer,
  exe          text,
  argv         text,   -- JSON text
  cwd          text,
  env          text,   -- JSON text
  uid          integer,
  gid          integer,
  euid         integer,
  egid         integer,
  start_ts     bigint,
  end_ts       bigint,
  exit_code    integer,
  signal       integer,
  truncated    boolean
);

create table path (
  id           bigint generated always as identity primary key,
  -- lossless escaped path (\\ and \xNN), namespaced for pipes; hashed when long
  key          text collate "C" not null unique,
  path         text not null,
  path_bytes   bytea,
  -- aggregator state: the current version of this path
  head_version integer not null default 0,
  head_key     text,
  head_exists  boolean not null default false,
  head_gen_key text,
  -- another run read the current version (so its writer's next write is a new version)
  head_read_other boolean not null default false
);
create index path_trgm on path using gin (path gin_trgm_ops);

create table file_version (
  node_id      bigint primary key,
  path_id      bigint not null,
  version      integer not null,
  -- null = not known (the aggregator writes partial rows; null reads as data/false)
  file_class   text check (file_class in ('data', 'software', 'pipe')),
  software     boolean,
  -- true when first seen being read (existed before anything recorded wrote it)
  observed     boolean,
  exists_now   boolean,
  dev          bigint,
  ino          bigint,
  size         bigint,
  mtime        bigint,
  sha256       text,
  hash_skipped text,
  unique (path_id, version)
);

create table user_agent (
  node_id  bigint primary key,
  uid      integer not null unique,
  name     text
);

-- ── graph: edges (kinds declared once in src/graph/edge-kinds.ts) ──────
-- No foreign keys here: the aggregator resolves both ends to existing nodes
-- in the same transaction, and FK checks would halve the insert rate.
create table edge (
  from_id   bigint not null,
  kind      text not null,
  to_id     bigint not null,
  role      text,
  bytes     bigint,
  ts_first  bigint,
  ts_last   bigint,
  job_id    bigint,
  primary key (from_id, kind, to_id)
);
create index edge_to on edge (to_id, kind, from_id);

-- aggregator state per process instance (host:boot:pid:start)
create table proc_state (
  proc             text collate "C" primary key,
  job_key          text,
  parent           text,
  parent_exec_seq  integer,
  started          boolean not null default false,
  root             boolean not null default false,
  exec_seqs        integer[] not null default '{}',
  start_ts         bigint,
  host             text,
  pid              integer,
  ppid             integer,
  cwd              text
);

-- ── around the graph (later issues fill these in) ─────────────────────
create table annotation (
  id          bigint generated always as identity primary key,
  node_id     bigint not null references node (id),
  key         text not null default '',
  value       text not null,
  author_uid  integer,
  author_name text,
  created_at  timestamptz not null default now()
);
create index annotation_node on annotation (node_id);
create index annotation_value_trgm on annotation using gin (value gin_trgm_ops);
