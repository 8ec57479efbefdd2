-- Per-node ingest tokens (cluster mode): each compute node's agent sends
-- `Authorization: Bearer <token>`; only the token's sha256 is stored.
create table node_token (
  token_sha256 text primary key,
  node         text not null,
  created_ts   bigint not null,
  revoked_ts   bigint,
  last_used_ts bigint
);
create index node_token_node on node_token (node);
