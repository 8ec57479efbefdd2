// A canonical, id-free text dump of the graph (tests compare graphs with it;
// handy for debugging). Node ids differ between runs; keys do not.
import type { Queryable } from '../../store/db.js';

export async function dumpGraph(db: Queryable): Promise<string[]> {
  const { rows: nodes } = await db.query<{ line: string }>(
    `select concat_ws(' ', 'node', n.key, n.kind, n.label, j.key, n.ts, n.owner_uid, n.owner_gid, n.visibility,
       (select row(x.scheduler, x.job_ref, x.cluster, x.name, x.script, x.argv, x.cwd, x.host, x.uid, x.gid, x.user_name, x.backend, x.start_ts, x.end_ts, x.exit_code, x.signal, x.state, x.complete, x.lost_events, x.account, x.partition, x.qos, x.comment, x.node_list, x.submit_ts, x.script_sha256)::text from job x where x.node_id = n.id),
       (select row(x.proc, x.exec_seq, x.host, x.pid, x.ppid, x.exe, x.argv, x.cwd, x.env, x.uid, x.gid, x.euid, x.egid, x.start_ts, x.end_ts, x.exit_code, x.signal, x.truncated)::text from process x where x.node_id = n.id),
       (select row(p.key, p.path, p.path_bytes, x.version, x.file_class, x.software, x.observed, x.exists_now, x.dev, x.ino, x.size, x.mtime, x.sha256, x.hash_skipped)::text
          from file_version x join path p on p.id = x.path_id where x.node_id = n.id),
       (select row(x.uid, x.name)::text from user_agent x where x.node_id = n.id)) as line
     from node n left join node j on j.id = n.job_id`);
  const { rows: edges } = await db.query<{ line: string }>(
    `select concat_ws(' ', 'edge', a.key, e.kind, b.key, e.role, e.bytes, e.ts_first, e.ts_last, j.key) as line
     from edge e join node a on a.id = e.from_id join node b on b.id = e.to_id left join node j on j.id = e.job_id`);
  const { rows: paths } = await db.query<{ line: string }>(
    `select concat_ws(' ', 'path', key, path, path_bytes, head_version, head_key, head_exists, head_gen_key, head_read_other) as line from path`);
  const { rows: procs } = await db.query<{ line: string }>(`select concat_ws(' ', 'proc', row(p.*)::text) as line from proc_state p`);
  const { rows: scripts } = await db.query<{ line: string }>(`select concat_ws(' ', 'script', sha256, text, first_ts) as line from job_script`);
  return [...nodes, ...edges, ...paths, ...procs, ...scripts].map((r) => r.line).sort();
}
