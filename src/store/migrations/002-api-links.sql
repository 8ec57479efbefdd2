-- Kiseki store, schema 2 (kiseki serve): share links, annotation edit times.

-- When an annotation was last changed (the API's PUT); rows made before this
-- migration take their creation time.
alter table annotation add column updated_at timestamptz;
update annotation set updated_at = created_at;
alter table annotation alter column updated_at set default now();
alter table annotation alter column updated_at set not null;

-- Permanent links to a search and a selection in the web UI (POST /api/v1/links).
create table share_link (
  -- random, URL-safe, unguessable
  id          text collate "C" primary key,
  -- the search as the UI sent it: JSON text (not jsonb, which rejects \udcXX escapes)
  search      text not null,
  -- what was selected (a node id, a tab, ...), as the UI sent it
  selection   text,
  created_by  text,
  created_at  timestamptz not null default now()
);
