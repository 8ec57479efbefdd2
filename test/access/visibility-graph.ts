// A small graph of four jobs with different owners, groups and visibility,
// for the visibility and redaction tests. Every name a viewer may not see
// carries a marker (SECRETA, SECRETC, SECRETD, GROUPB, the user names), so
// an answer can be searched for what must not be in it.
//
//   job A  alice (uid 1000, gid 100)  private  reads SECRETA-raw.csv, writes SECRETA-mid.csv
//   job B  bob   (uid 1001, gid 100)  group    reads SECRETA-mid.csv, writes GROUPB-out.csv
//   job C  carol (uid 1002, gid 200)  public   reads SECRETA-mid.csv and PUBLICC-params.txt,
//                                               writes PUBLICC-result.dat (public) and
//                                               SECRETC-scratch.tmp (private)
//   job D  carol                      private  reads PUBLICC-result.dat, writes SECRETD-out.dat
//                                               and DPUBLIC-out.dat (public: a public file
//                                               a private job made)
// User nodes: alice private, bob group, carol public.
import { ingest } from '../../src/ingest/index.js';
import type { Store } from '../../src/store/index.js';
import { SyntheticTrace } from '../store/synthetic-trace.js';

export const USERS = {
  alice: { uid: 1000, gid: 100, name: 'alice' },
  bob: { uid: 1001, gid: 100, name: 'bob' },
  carol: { uid: 1002, gid: 200, name: 'carol' },
} as const;

export const P = {
  aRaw: '/data/a/SECRETA-raw.csv',
  aMid: '/data/a/SECRETA-mid.csv',
  bOut: '/data/b/GROUPB-out.csv',
  cParams: '/data/c/PUBLICC-params.txt',
  cResult: '/data/c/PUBLICC-result.dat',
  cScratch: '/data/c/SECRETC-scratch.tmp',
  dOut: '/data/d/SECRETD-out.dat',
  dPublic: '/data/d/DPUBLIC-out.dat',
} as const;

export interface VisGraph {
  job: { A: number; B: number; C: number; D: number };
  runId: { A: string; B: string; C: string; D: string };
  /** The scheduler's job ids (random UUIDs: the markers of the jobs' ids). */
  /** Latest version node of each path. */
  file: Record<keyof typeof P, number>;
  proc: { A: number; B: number; C: number; D: number };
  user: { alice: number; bob: number; carol: number };
}

function trace(user: { uid: number; gid: number; name: string }, cwd: string, exe: string,
  reads: string[], writes: string[]): SyntheticTrace {
  const t = new SyntheticTrace(undefined, user);
  t.runStart([exe], cwd);
  // (argv names no files: a visible run's own command line is shown as recorded, whatever it names)
  const p = t.spawn(null, exe, [exe], cwd);
  for (const r of reads) t.read(p, r);
  for (const w of writes) t.write(p, w);
  t.exit(p);
  t.runEnd();
  return t;
}

export async function buildVisGraph(store: Store): Promise<VisGraph> {
  const traces = [
    trace(USERS.alice, '/w/SECRETA', '/opt/SECRETA/tool', [P.aRaw], [P.aMid]),
    trace(USERS.bob, '/w/GROUPB', '/opt/GROUPB/tool', [P.aMid], [P.bOut]),
    trace(USERS.carol, '/w/PUBLICC', '/opt/PUBLICC/tool', [P.aMid, P.cParams], [P.cResult, P.cScratch]),
    trace(USERS.carol, '/w/SECRETD', '/opt/SECRETD/tool', [P.cResult], [P.dOut, P.dPublic]),
  ];
  for (const [i, t] of traces.entries()) await ingest(store, { source: `vis${i}`, seq: 0, events: t.events });
  const [A, B, C, D] = traces.map((t) => t.runId) as [string, string, string, string];
  const db = store.db;
  const one = async (sql: string, params: unknown[]) => Number((await db.query<{ id: number }>(sql, params)).rows[0]!.id);
  const jobOf = (runId: string) => one('select node_id as id from job where job_ref = $1', [runId]);
  const job = { A: await jobOf(A), B: await jobOf(B), C: await jobOf(C), D: await jobOf(D) };
  const procOf = (j: number) => one(`select id from node where job_id = $1 and kind = 'process'`, [j]);
  const proc = { A: await procOf(job.A), B: await procOf(job.B), C: await procOf(job.C), D: await procOf(job.D) };
  const file = {} as Record<keyof typeof P, number>;
  for (const [k, path] of Object.entries(P)) {
    file[k as keyof typeof P] = await one(
      `select fv.node_id as id from file_version fv join path p on p.id = fv.path_id where p.path = $1 order by fv.version desc limit 1`, [path]);
  }
  const userOf = (uid: number) => one(`select node_id as id from user_agent where uid = $1`, [uid]);
  const user = { alice: await userOf(1000), bob: await userOf(1001), carol: await userOf(1002) };
  // Owners and visibility, set as the access rules would have them.
  const set = (ids: number[], o: { uid: number; gid: number }, visibility: string) =>
    db.query('update node set owner_uid = $2, owner_gid = $3, visibility = $4 where id = any($1::bigint[])', [ids, o.uid, o.gid, visibility]);
  await set([job.A, proc.A, file.aRaw, file.aMid, user.alice], USERS.alice, 'private');
  await set([job.B, proc.B, file.bOut, user.bob], USERS.bob, 'group');
  await set([job.C, proc.C, file.cResult, file.cParams, user.carol], USERS.carol, 'public');
  await set([file.cScratch], USERS.carol, 'private');
  await set([job.D, proc.D, file.dOut], USERS.carol, 'private');
  await set([file.dPublic], USERS.carol, 'public');
  const note = (node: number, value: string) =>
    db.query(`insert into annotation (node_id, key, value, author_name) values ($1, 'note', $2, 'admin')`, [node, value]);
  await note(file.aMid, 'SECRETA-note');
  await note(file.cScratch, 'SECRETC-note');
  await note(job.D, 'SECRETD-note');
  await note(file.cResult, 'PUBLICC-note');
  return { job, runId: { A, B, C, D }, file, proc, user };
}
