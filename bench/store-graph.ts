// Synthetic provenance graphs generated directly in SQL (generate_series),
// for the query-latency part of bench/store.ts: building 10M edges through
// the aggregator would take hours on 2 cores. Same tables, same indexes as
// the aggregator's output; the shape is that of batch jobs:
//
// - jobs of 20 program runs each, one user; run 0 is started by the job
//   (`wasStartedBy`), run s by run s-1 (`wasInformedBy`, as a fork chain);
// - every run executes one of 100 system programs (`used`, role exec;
//   software files nothing generated: fan-in of ~N/100 each), reads one of
//   1,000 shared reference files (fan-out ~N/1,000 readers each), reads the
//   first output of the previous run of its job (a chain across the job) and
//   the second output of the run before that; the first two runs of a job
//   read outputs of random earlier jobs instead (long chains across jobs);
// - every run writes two new file versions (`wasGeneratedBy`), each its own
//   path `/scratch/<user>/proj<P>/run<job>/s<step>_<hex>.{dat,h5}`.
//
// So 7 edges and 3 nodes per run: P runs give 7P edges, 2P data files.
import type { Db } from '../src/store/db.js';

export interface GraphShape {
  processes: number;
  jobs: number;
  files: number;
  edges: number;
}

export const SW = 1000; // 100 software files: ids 1000..1099
export const REF = 2000; // 1,000 shared inputs: ids 2000..2999
export const JOB0 = 10_000; // jobs from here
export const PROC0 = 100_000_000; // runs from here
export const FILE0 = 200_000_000; // file version 2p+k of run p

/** A bigint hash of p (deterministic pseudo-random choice) in SQL. */
const h = (p: string, salt: number) => `(((${p})::bigint * 2654435761 + ${salt}) % 4294967296)`;

/** Bumped when the generator changes (a stored graph of another version is rebuilt). */
export const GENERATOR = 1;

export function shapeFor(edges: number): GraphShape {
  const processes = Math.ceil(edges / 7);
  return { processes, jobs: Math.ceil(processes / 20), files: 2 * processes + 1100, edges: 7 * processes };
}

/** Fills the (empty, migrated) graph tables with a graph of ~`edges` edges. */
export async function buildSyntheticGraph(db: Db, edges: number, log: (s: string) => void = () => {}): Promise<GraphShape> {
  const shape = shapeFor(edges);
  const N = shape.processes;
  const J = shape.jobs;
  const T0 = 1_700_000_000_000_000;
  // Indexes are dropped during the load and rebuilt after (much faster than
  // maintaining them row by row); their definitions are read back first.
  const { rows: idx } = await db.query<{ indexdef: string; indexname: string }>(
    `select indexname, indexdef from pg_indexes where schemaname = current_schema()
       and tablename in ('node', 'edge', 'path', 'file_version', 'process', 'job')
       and indexdef not like '%UNIQUE%'`,
  );
  for (const r of idx) await db.exec(`drop index ${r.indexname}`);
  const step = async (what: string, sql: string) => {
    const t = performance.now();
    await db.exec(sql);
    log(`  ${what}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
  };
  // Constraint-backed indexes (primary keys, unique) stay: drop them too.
  const { rows: cons } = await db.query<{ conname: string; relname: string; def: string }>(
    `select c.conname, t.relname, pg_get_constraintdef(c.oid) as def from pg_constraint c join pg_class t on t.oid = c.conrelid
     where t.relnamespace = current_schema()::regnamespace and c.contype in ('p', 'u')
       and t.relname in ('node', 'edge', 'path', 'file_version', 'process', 'job')
       and not (t.relname = 'node' and c.contype = 'p')`, // annotation, share_link refer to it
  );
  for (const c of cons) await db.exec(`alter table ${c.relname} drop constraint ${c.conname}`);

  await step('users, software, shared inputs, jobs', `
    insert into node (id, key, kind, label, ts, owner_uid, owner_gid) overriding system value values (1, 'u:1000', 'user', 'alice', null, 1000, 1000);
    insert into user_agent (node_id, uid, name) values (1, 1000, 'alice');
    insert into path (id, key, path, head_version, head_key, head_exists) overriding system value
      select i, '/usr/lib/x86_64-linux-gnu/libprog' || i || '.so', '/usr/lib/x86_64-linux-gnu/libprog' || i || '.so', 1, 'f:/usr/lib/x86_64-linux-gnu/libprog' || i || '.so#1', true
      from generate_series(0, 99) i;
    insert into path (id, key, path, head_version, head_key, head_exists) overriding system value
      select 100 + i, '/data/ref/genome' || i || '.fa', '/data/ref/genome' || i || '.fa', 1, 'f:/data/ref/genome' || i || '.fa#1', true
      from generate_series(0, 999) i;
    insert into node (id, key, kind, label, ts, owner_uid, owner_gid) overriding system value
      select ${SW} + i, 'f:/usr/lib/x86_64-linux-gnu/libprog' || i || '.so#1', 'file', 'libprog' || i || '.so', ${T0}, 0, 0 from generate_series(0, 99) i;
    insert into node (id, key, kind, label, ts, owner_uid, owner_gid) overriding system value
      select ${REF} + i, 'f:/data/ref/genome' || i || '.fa#1', 'file', 'genome' || i || '.fa', ${T0}, 1000, 1000 from generate_series(0, 999) i;
    insert into file_version (node_id, path_id, version, file_class, software, observed, exists_now)
      select ${SW} + i, i, 1, 'software', true, true, true from generate_series(0, 99) i;
    insert into file_version (node_id, path_id, version, file_class, software, observed, exists_now)
      select ${REF} + i, 100 + i, 1, 'data', false, true, true from generate_series(0, 999) i;
    insert into node (id, key, kind, label, ts, owner_uid, owner_gid) overriding system value
      select ${JOB0} + j, 'j:slurm:' || (100000 + j), 'job', 'job ' || (100000 + j), ${T0} + j * 1000000::bigint, 1000, 1000 from generate_series(0, ${J - 1}) j;
    insert into job (node_id, scheduler, job_ref, name, script, uid, gid, user_name, backend, start_ts, end_ts, exit_code, state, complete)
      select ${JOB0} + j, 'slurm', (100000 + j)::text, 'pipeline', '/home/alice/proj' || (j % 50) || '/job.sh', 1000, 1000, 'alice', 'ebpf',
        ${T0} + j * 1000000::bigint, ${T0} + j * 1000000::bigint + 900000, 0, 'completed', true from generate_series(0, ${J - 1}) j;
    insert into edge (from_id, kind, to_id, role, ts_first, ts_last, job_id)
      select ${JOB0} + j, 'wasAssociatedWith', 1, 'owner', null, null, ${JOB0} + j from generate_series(0, ${J - 1}) j;`);
  await step(`${N} runs`, `
    insert into node (id, key, kind, label, job_id, ts, owner_uid, owner_gid) overriding system value
      select ${PROC0} + p, 'p:node' || (p % 64) || ':boot:' || p || ':' || (p * 7) || '#1', 'process', 'prog' || (p % 100),
        ${JOB0} + p / 20, ${T0} + p * 50000::bigint, 1000, 1000 from generate_series(0, ${N - 1}) p;
    insert into process (node_id, proc, exec_seq, host, pid, ppid, exe, argv, cwd, uid, gid, euid, egid, start_ts, end_ts, exit_code)
      select ${PROC0} + p, 'node' || (p % 64) || ':boot:' || p || ':' || (p * 7), 1, 'node' || (p % 64), 1000 + p % 30000, 999,
        '/usr/lib/x86_64-linux-gnu/libprog' || (p % 100) || '.so', '["prog","-i","in"]', '/scratch/alice', 1000, 1000, 1000, 1000,
        ${T0} + p * 50000::bigint, ${T0} + p * 50000::bigint + 40000, 0 from generate_series(0, ${N - 1}) p;`);
  await step(`${2 * N} file versions and paths`, `
    insert into path (id, key, path, head_version, head_key, head_exists, head_gen_key) overriding system value
      select 10000 + f, x.path, x.path, 1, 'f:' || x.path || '#1', true, 'p:node' || ((f / 2) % 64) || ':boot:' || (f / 2) || ':' || ((f / 2) * 7) || '#1'
      from generate_series(0, ${2 * N - 1}) f,
        lateral (select '/scratch/alice/proj' || ((f / 40) % 50) || '/run' || (100000 + f / 40) || '/s' || ((f / 2) % 20) || '_'
          || lpad(to_hex(${h('f', 17)}::bigint), 8, '0') || case when f % 2 = 0 then '.dat' else '.h5' end as path) x;
    insert into node (id, key, kind, label, job_id, ts, owner_uid, owner_gid) overriding system value
      select ${FILE0} + f, p.head_key, 'file', regexp_replace(p.path, '^.*/', ''), ${JOB0} + f / 40, ${T0} + (f / 2) * 50000::bigint + 30000, 1000, 1000
      from generate_series(0, ${2 * N - 1}) f join path p on p.id = 10000 + f;
    insert into file_version (node_id, path_id, version, file_class, software, observed, exists_now, size)
      select ${FILE0} + f, 10000 + f, 1, 'data', false, false, true, 1000 + f % 100000 from generate_series(0, ${2 * N - 1}) f;`);
  // Edges, 7 per run (fewer for the very first runs).
  await step(`${7 * N} edges`, `
    insert into edge (from_id, kind, to_id, role, ts_first, ts_last, job_id)
    select e.* from generate_series(0, ${N - 1}) p, lateral (values
      (${PROC0} + p, 'used', ${SW} + p % 100, 'exec', ${T0} + p * 50000::bigint, ${T0} + p * 50000::bigint, ${JOB0} + p / 20),
      (${PROC0} + p, 'used', ${REF} + ${h('p', 3)} % 1000, null, ${T0} + p * 50000::bigint + 10, ${T0} + p * 50000::bigint + 20, ${JOB0} + p / 20),
      (case when p % 20 = 0 then ${PROC0} + p else null end, 'wasStartedBy', ${JOB0} + p / 20, 'root', ${T0} + p * 50000::bigint, ${T0} + p * 50000::bigint, ${JOB0} + p / 20),
      (case when p % 20 > 0 then ${PROC0} + p else null end, 'wasInformedBy', ${PROC0} + p - 1, 'fork', ${T0} + p * 50000::bigint, ${T0} + p * 50000::bigint, ${JOB0} + p / 20),
      (case when p > 0 then ${PROC0} + p else null end, 'used',
        case when p % 20 > 0 then ${FILE0} + 2 * (p - 1) else ${FILE0} + 2 * (${h('p', 5)} % greatest(p, 1)) end,
        null, ${T0} + p * 50000::bigint + 11, ${T0} + p * 50000::bigint + 21, ${JOB0} + p / 20),
      (case when p > 1 then ${PROC0} + p else null end, 'used',
        case when p % 20 >= 2 then ${FILE0} + 2 * (p - 2) + 1 else ${FILE0} + 2 * (${h('p', 7)} % greatest(p, 1)) + 1 end,
        null, ${T0} + p * 50000::bigint + 12, ${T0} + p * 50000::bigint + 22, ${JOB0} + p / 20),
      (${FILE0} + 2 * p, 'wasGeneratedBy', ${PROC0} + p, 'truncate', ${T0} + p * 50000::bigint + 30, ${T0} + p * 50000::bigint + 30, ${JOB0} + p / 20),
      (${FILE0} + 2 * p + 1, 'wasGeneratedBy', ${PROC0} + p, 'truncate', ${T0} + p * 50000::bigint + 31, ${T0} + p * 50000::bigint + 31, ${JOB0} + p / 20)
    ) e(from_id, kind, to_id, role, ts_first, ts_last, job_id) where e.from_id is not null;`);
  const mem = db.kind === 'postgres' ? `set maintenance_work_mem = '1GB'; ` : '';
  for (const c of cons) await step(`constraint ${c.relname}.${c.conname}`, `${mem}alter table ${c.relname} add constraint ${c.conname} ${c.def}`);
  for (const r of idx) await step(`index ${r.indexname}`, `${mem}${r.indexdef}`);
  await step('identity sequences, analyze', `
    select setval(pg_get_serial_sequence('node', 'id'), ${FILE0 + 2 * N + 1});
    select setval(pg_get_serial_sequence('path', 'id'), ${10000 + 2 * N + 1});
    analyze;`);
  await db.exec(`create table if not exists bench_graph (edges bigint, generator int, processes bigint, built_at timestamptz default now());
    insert into bench_graph (edges, generator, processes) values (${shape.edges}, ${GENERATOR}, ${N})`);
  return shape;
}
