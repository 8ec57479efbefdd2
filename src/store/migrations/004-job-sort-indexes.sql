-- Kiseki store, schema 4 (kiseki serve): the job list sorts by job id and by
-- end time with an index, so a page of a large store (sort=jobId, page 50)
-- reads a page of the index instead of sorting every job.
create index job_ref_order on job (job_ref, node_id);
create index job_end on job (end_ts);
