// A big synthetic store for the API benchmark, generated directly in SQL
// (generate_series): building a million file versions through the aggregator
// would take far longer than the measurement. Same tables and indexes as
// the aggregator's output; the shape is that of batch jobs:
//
// - J jobs (Slurm job ids 100000..), 50 users, scripts run_<n>.sh /
//   analysis_<n>.sh, spread over a year, 5 % failed, 1 % annotated
//   ("experiment: calib-<n>");
// - each job: 4 program runs (bash started by the job, three steps informed
//   by it), all using libc (a 4J-edge hub, hidden as system software);
// - each job: F file versions, each its own path
//   /scratch/<user>/proj<p>/job<id>/{in,out}_<k>.{dat,h5,csv,txt,log}:
//   half read by a step (observed inputs), half written by one.
import type { Db } from '../src/store/db.js';

/** Bumped when the data changes (a stored store of another version is rebuilt). */
export const API_DATA_VERSION = 1;

export interface ApiDataShape {
  jobs: number;
  filesPerJob: number;
  files: number;
  processes: number;
  edges: number;
}

export function apiShape(files: number, filesPerJob = 100): ApiDataShape {
  const jobs = Math.ceil(files / filesPerJob);
  return { jobs, filesPerJob, files: jobs * filesPerJob, processes: jobs * 4, edges: jobs * filesPerJob + jobs * 4 * 2 + jobs * 2 };
}

export const T0 = 1_735_689_600_000_000; // 2025-01-01T00:00:00Z in µs
const YEAR_US = 365 * 86_400 * 1_000_000;
const EXT = `(array['dat','h5','csv','txt','log'])`;

export async function buildApiData(db: Db, shape: ApiDataShape, log: (s: string) => void = () => {}): Promise<void> {
  const { jobs: J, filesPerJob: F } = shape;
  const half = Math.floor(F / 2);
  const step = async (what: string, sql: string) => {
    const t = performance.now();
    await db.exec(sql);
    log(`  ${what}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
  };
  // Secondary indexes are dropped during the load and made again after (much faster).
  const { rows: idx } = await db.query<{ indexdef: string; indexname: string }>(
    `select indexname, indexdef from pg_indexes where schemaname = current_schema()
       and tablename in ('node', 'edge', 'path', 'file_version', 'process', 'job', 'annotation') and indexdef not like '%UNIQUE%'`);
  for (const r of idx) await db.exec(`drop index ${r.indexname}`);
  const user = (j: string) => `(${j} % 50)`;
  const jobNode = (j: string) => `(100 + ${j})`;
  const procNode = (j: string, s: string) => `(1000000 + ${j} * 4 + ${s})`;
  const fileNode = (pathId: string) => `(10000000 + ${pathId})`;
  const start = (j: string) => `(${T0}::bigint + (${j})::bigint * ${Math.floor(YEAR_US / J)}::bigint)`;
  const pathOf = (j: string, k: string) =>
    `'/scratch/user' || ${user(j)} || '/proj' || (${j} % 37) || '/job' || (100000 + ${j}) || '/' || case when ${k} < ${half} then 'in_' || ${k} else 'out_' || (${k} - ${half}) end || '.' || ${EXT}[(${k} % 5) + 1]`;
  await step('users, libc', `
    insert into node (id, key, kind, label, owner_uid, owner_gid, visibility) overriding system value
      select 1 + u, 'u:' || (1000 + u), 'user', 'user' || u, 1000 + u, 1000 + u, 'private' from generate_series(0, 49) u;
    insert into user_agent (node_id, uid, name) select 1 + u, 1000 + u, 'user' || u from generate_series(0, 49) u;
    insert into path (id, key, path, head_version, head_key, head_exists) overriding system value
      values (9999999, '/usr/lib/x86_64-linux-gnu/libc.so.6', '/usr/lib/x86_64-linux-gnu/libc.so.6', 1, 'f:/usr/lib/x86_64-linux-gnu/libc.so.6#1', true);
    insert into node (id, key, kind, label) overriding system value values (99, 'f:/usr/lib/x86_64-linux-gnu/libc.so.6#1', 'file', '/usr/lib/x86_64-linux-gnu/libc.so.6');
    insert into file_version (node_id, path_id, version, file_class, software, observed) values (99, 9999999, 1, 'software', true, true);`);
  await step(`${J} jobs`, `
    insert into node (id, key, kind, label, ts, owner_uid, owner_gid, visibility) overriding system value
      select ${jobNode('j')}, 'j:slurm:' || (100000 + j), 'job', (100000 + j)::text, ${start('j')}, 1000 + ${user('j')}, 1000 + ${user('j')},
        case when j % 20 = 0 then 'public' when j % 7 = 0 then 'group' else 'private' end
      from generate_series(0, ${J - 1}) j;
    insert into job (node_id, scheduler, job_ref, cluster, name, script, argv, cwd, host, uid, gid, user_name, backend, start_ts, end_ts, exit_code, state, complete, lost_events)
      select ${jobNode('j')}, 'slurm', (100000 + j)::text, 'octopus', s.name, '/home/user' || ${user('j')} || '/jobs/' || s.name,
        '["bash","' || s.name || '"]', '/home/user' || ${user('j')}, 'node' || (j % 64), 1000 + ${user('j')}, 1000 + ${user('j')}, 'user' || ${user('j')}, 'ebpf',
        ${start('j')}, ${start('j')} + (600 + j % 3600)::bigint * 1000000, case when j % 20 = 7 then 1 else 0 end,
        case when j % 20 = 7 then 'failed' else 'completed' end, true, 0
      from generate_series(0, ${J - 1}) j
      cross join lateral (select case when j % 3 = 0 then 'analysis_' || (j % 40) || '.sh' else 'run_' || (j % 50) || '.sh' end as name) s;
    insert into annotation (node_id, key, value, author_name)
      select ${jobNode('j')}, 'experiment', 'calib-' || ((j / 100) % 20), 'user' || ${user('j')} from generate_series(0, ${J - 1}, 100) j;`);
  await step(`${J * 4} program runs`, `
    insert into node (id, key, kind, label, job_id, ts, owner_uid, owner_gid) overriding system value
      select ${procNode('j', 's')}, 'p:node' || (j % 64) || ':boot:' || (10000 + j * 4 + s) || ':' || j || '#1', 'process',
        (array['bash','prep','simulate','post'])[s + 1], ${jobNode('j')}, ${start('j')} + s * 1000000, 1000 + ${user('j')}, 1000 + ${user('j')}
      from generate_series(0, ${J - 1}) j, generate_series(0, 3) s;
    insert into process (node_id, proc, exec_seq, host, pid, ppid, exe, argv, cwd, env, uid, gid, euid, egid, start_ts, end_ts, exit_code)
      select ${procNode('j', 's')}, 'node' || (j % 64) || ':boot:' || (10000 + j * 4 + s) || ':' || j, 1, 'node' || (j % 64), 10000 + j * 4 + s,
        case when s = 0 then 9999 else 10000 + j * 4 end, '/opt/app/bin/' || (array['bash','prep','simulate','post'])[s + 1],
        '["' || (array['bash','prep','simulate','post'])[s + 1] || '","--step","' || s || '"]', '/home/user' || ${user('j')}, '{"PATH":"/usr/bin"}',
        1000 + ${user('j')}, 1000 + ${user('j')}, 1000 + ${user('j')}, 1000 + ${user('j')}, ${start('j')} + s * 1000000, ${start('j')} + (s + 1) * 1000000, 0
      from generate_series(0, ${J - 1}) j, generate_series(0, 3) s;
    insert into edge (from_id, kind, to_id, role, job_id)
      select ${procNode('j', '0')}, 'wasStartedBy', ${jobNode('j')}, 'root', ${jobNode('j')} from generate_series(0, ${J - 1}) j
      union all select ${jobNode('j')}, 'wasAssociatedWith', 1 + ${user('j')}, 'owner', ${jobNode('j')} from generate_series(0, ${J - 1}) j
      union all select ${procNode('j', 's')}, 'wasInformedBy', ${procNode('j', '0')}, 'fork', ${jobNode('j')} from generate_series(0, ${J - 1}) j, generate_series(1, 3) s
      union all select ${procNode('j', 's')}, 'used', 99, 'exec', ${jobNode('j')} from generate_series(0, ${J - 1}) j, generate_series(0, 3) s;`);
  await step(`${J * F} paths`, `
    insert into path (id, key, path, head_version, head_key, head_exists) overriding system value
      select 1 + j * ${F} + k, ${pathOf('j', 'k')}, ${pathOf('j', 'k')}, 1, 'f:' || ${pathOf('j', 'k')} || '#1', true
      from generate_series(0, ${J - 1}) j, generate_series(0, ${F - 1}) k;`);
  await step(`${J * F} file versions`, `
    insert into node (id, key, kind, label, job_id, ts, owner_uid, owner_gid) overriding system value
      select ${fileNode('p.id')}, p.head_key, 'file', p.path, case when k >= ${half} then ${jobNode('j')} end,
        case when k >= ${half} then ${start('j')} + k * 1000 end,
        case when k >= ${half} then 1000 + ${user('j')} end, case when k >= ${half} then 1000 + ${user('j')} end
      from generate_series(0, ${J - 1}) j cross join generate_series(0, ${F - 1}) k join path p on p.id = 1 + j * ${F} + k;
    insert into file_version (node_id, path_id, version, file_class, software, observed, exists_now, dev, ino, size, mtime)
      select ${fileNode('(1 + j * ' + F + ' + k)')}, 1 + j * ${F} + k, 1, 'data', false, k < ${half}, true, 2049, 5000000 + j * ${F} + k,
        (j * 7919 + k * 104729) % 10000000, ${start('j')} + k * 1000
      from generate_series(0, ${J - 1}) j, generate_series(0, ${F - 1}) k;
    insert into edge (from_id, kind, to_id, role, bytes, job_id)
      select case when k < ${half} then ${procNode('j', '1 + k % 3')} else ${fileNode('(1 + j * ' + F + ' + k)')} end,
        case when k < ${half} then 'used' else 'wasGeneratedBy' end,
        case when k < ${half} then ${fileNode('(1 + j * ' + F + ' + k)')} else ${procNode('j', '1 + k % 3')} end,
        case when k < ${half} then null else 'write' end, 4096, ${jobNode('j')}
      from generate_series(0, ${J - 1}) j, generate_series(0, ${F - 1}) k;`);
  for (const r of idx) await step(`index ${r.indexname}`, r.indexdef);
  await step('identity sequences', `
    select setval(pg_get_serial_sequence('node', 'id'), (select max(id) from node));
    select setval(pg_get_serial_sequence('path', 'id'), (select max(id) from path));
    select setval(pg_get_serial_sequence('annotation', 'id'), greatest(1, (select max(id) from annotation)));`);
  await step('analyze', 'analyze');
}
