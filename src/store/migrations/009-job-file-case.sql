-- Kiseki store, schema 9: job_file.path_folds, whether lower() changes the
-- path. A case-insensitive substring (`ilike`) lower-cases every path it
-- checks, ~0.5 µs each: two thirds of the time of a file name searched in
-- 200 jobs' 20,000 rows. Most paths are lower case already; for those the
-- search compares the path as it is (`like lower(pattern)`, the same
-- answer: on a multi-byte database `ilike` is lower(text) like
-- lower(pattern)), and lower-cases only the paths this flags.
-- Default true: a row not yet known is lower-cased (right, just slower).
alter table job_file add column path_folds boolean not null default true;
update job_file set path_folds = false where lower(path) = path;

create or replace function job_file_add() returns trigger language plpgsql as $$
begin
  insert into job_file (job_id, node_id, path_id, path, path_folds)
    select e.job_id, fv.node_id, fv.path_id, p.path, lower(p.path) <> p.path
    from job_file_new e
    join file_version fv on fv.node_id = case when e.kind = 'used' then e.to_id else e.from_id end
    join path p on p.id = fv.path_id
    where e.job_id is not null and e.kind in ('used', 'wasGeneratedBy', 'wasInvalidatedBy')
    on conflict do nothing;
  return null;
end $$;

create or replace function job_file_add_updated() returns trigger language plpgsql as $$
begin
  insert into job_file (job_id, node_id, path_id, path, path_folds)
    select e.job_id, fv.node_id, fv.path_id, p.path, lower(p.path) <> p.path
    from job_file_new e
    join job_file_old o on o.from_id = e.from_id and o.kind = e.kind and o.to_id = e.to_id
    join file_version fv on fv.node_id = case when e.kind = 'used' then e.to_id else e.from_id end
    join path p on p.id = fv.path_id
    where e.job_id is not null and o.job_id is distinct from e.job_id
      and e.kind in ('used', 'wasGeneratedBy', 'wasInvalidatedBy')
    on conflict do nothing;
  return null;
end $$;

analyze job_file;
