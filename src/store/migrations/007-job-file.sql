-- Kiseki store, schema 7: job_file, the files each job read, wrote or removed, with
-- the path text, for searches that combine a file name with criteria that
-- leave few jobs (`filename=out.h5&user=alice`). A file name that every job
-- has matches 10,000s of paths in the trigram index, and finding each one's
-- job through file_version and edge is ~5 buffer reads per path (273 ms p50
-- on 1M files); the few jobs' own rows here are read in one index range and
-- the pattern checked on their text (~15 ms for 200 jobs of 100 files).
--
-- One row per (job, file version) the job has a used / wasGeneratedBy /
-- wasInvalidatedBy edge with (edge.job_id): exactly the pairs the path
-- search finds through the edges, so either way gives the same jobs. The
-- path text is copied because a path never changes (its key is unique).
create table job_file (
  job_id   bigint not null,
  node_id  bigint not null,  -- the file version
  path_id  bigint not null,
  path     text not null,
  primary key (job_id, node_id)
);

-- Kept by triggers on edge, so every writer (the aggregator, bulk loads)
-- keeps it exact without code of its own: one statement per edge statement
-- (transition tables), not one per row.
create function job_file_add() returns trigger language plpgsql as $$
begin
  insert into job_file (job_id, node_id, path_id, path)
    select e.job_id, fv.node_id, fv.path_id, p.path
    from job_file_new e
    join file_version fv on fv.node_id = case when e.kind = 'used' then e.to_id else e.from_id end
    join path p on p.id = fv.path_id
    where e.job_id is not null and e.kind in ('used', 'wasGeneratedBy', 'wasInvalidatedBy')
    on conflict do nothing;
  return null;
end $$;

-- An upsert sets an edge's job when it had none (coalesce(edge.job_id, …));
-- only those rows can add pairs, found by joining the old and new rows in
-- memory (an upsert updates every edge it meets again).
create function job_file_add_updated() returns trigger language plpgsql as $$
begin
  insert into job_file (job_id, node_id, path_id, path)
    select e.job_id, fv.node_id, fv.path_id, p.path
    from job_file_new e
    join job_file_old o on o.from_id = e.from_id and o.kind = e.kind and o.to_id = e.to_id
    join file_version fv on fv.node_id = case when e.kind = 'used' then e.to_id else e.from_id end
    join path p on p.id = fv.path_id
    where e.job_id is not null and o.job_id is distinct from e.job_id
      and e.kind in ('used', 'wasGeneratedBy', 'wasInvalidatedBy')
    on conflict do nothing;
  return null;
end $$;

create trigger edge_job_file_insert after insert on edge
  referencing new table as job_file_new for each statement execute function job_file_add();
create trigger edge_job_file_update after update on edge
  referencing old table as job_file_old new table as job_file_new for each statement execute function job_file_add_updated();

-- Existing stores: every pair from the edges already there, in job order
-- so that a job's rows share pages (in edge order they would be spread over
-- as many pages as rows; the aggregator writes them a job's chunk at once).
insert into job_file (job_id, node_id, path_id, path)
  select distinct e.job_id, fv.node_id, fv.path_id, p.path
  from edge e
  join file_version fv on fv.node_id = case when e.kind = 'used' then e.to_id else e.from_id end
  join path p on p.id = fv.path_id
  where e.job_id is not null and e.kind in ('used', 'wasGeneratedBy', 'wasInvalidatedBy')
  order by e.job_id, fv.node_id
  on conflict do nothing;

-- Emptied with edge (tests reset the store with truncate, which fires no
-- row triggers): job_file holds nothing edge does not.
create function job_file_clear() returns trigger language plpgsql as $$
begin
  truncate job_file;
  return null;
end $$;
create trigger edge_job_file_truncate after truncate on edge
  for each statement execute function job_file_clear();

-- The planner's statistics for the rows just copied.
analyze job_file;
