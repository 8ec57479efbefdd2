-- Kiseki store, schema 5 (cluster mode): the scheduler's job record in
-- columns. Slurm and PBS hooks send account, partition (PBS: queue), QOS,
-- comment, the allocated node list and the submit time in `job.info`; until
-- now they stayed in the raw events only. Submit arguments and directory
-- already have columns (argv, cwd).
alter table job add column account text;
alter table job add column partition text;
alter table job add column qos text;
alter table job add column comment text;
-- the nodes the scheduler allocated: JSON text, like argv (host stays the
-- comma-joined list, as before)
alter table job add column node_list text;
alter table job add column submit_ts bigint;
-- sha256 of the job script's text, which is kept once in job_script: many
-- jobs submit the same script (job arrays, parameter sweeps).
alter table job add column script_sha256 text;
create index job_script_sha256 on job (script_sha256);

create table job_script (
  -- sha256 of text (UTF-8), computed by the server, never taken from the event
  sha256   text collate "C" primary key,
  text     text not null,
  -- when the first job with this script was recorded (µs)
  first_ts bigint
);
