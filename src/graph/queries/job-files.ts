// A file name searched within the jobs the other criteria leave, through
// job_file (migration: the files each job touched, with their path text):
// `filename=out.h5&user=alice` reads alice's jobs' rows in one index range
// and checks the pattern on their text, instead of finding every path named
// out.h5 in the store (10,000s) and each one's job through its edges.
import type { Queryable } from '../../store/db.js';
import { toStoredPath } from '../../store/path-text.js';
import { globToRegex, isGlob, substringLike } from './glob.js';
import { Sql } from './viewer.js';

/** Up to this many candidate jobs, their files are searched rather than the whole path index. */
export const JOB_FIRST_MAX_JOBS = 1000;
/**
 * ... and up to this many of their files (~0.5-1 µs each to read and match;
 * a path search costs ~5 buffer reads per matching path, so this is about
 * the cost of a path search finding 5,000-10,000 paths).
 */
export const JOB_FIRST_MAX_FILES = 50_000;

export interface JobFileOptions {
  includeSoftware: boolean;
  /**
   * A condition on the file version's node `fn`, '' or starting with ' and '
   * (visibleAnd): only files the viewer may see match; '' reads no node.
   */
  fileVisible?: (n: string, q: Sql) => string;
}

/**
 * `filename` as a condition on job_file `jf`, with pathMatch's meaning: a
 * glob is a regular expression on the path; anything else a case-insensitive
 * substring, compared as lower(path) like lower(pattern) (what `ilike` does
 * on a multi-byte database), lower() only for the paths it changes
 * (path_folds, migration 009).
 */
export function jobFilePathMatch(filename: string, q: Sql): string {
  const v = toStoredPath(filename).path;
  if (isGlob(v)) return `jf.path ~ ${q.p(globToRegex(v))}`;
  return `(case when jf.path_folds then lower(jf.path) else jf.path end) like lower(${q.p(substringLike(v))})`;
}

/**
 * Jobs among `jobIds` that read, wrote or removed a file whose path matches
 * `filename` (jobFilePathMatch), with how many such paths each; undefined when the jobs have more than
 * JOB_FIRST_MAX_FILES files (the path index is then the cheaper search).
 * Same jobs and counts as the path search: job_file holds exactly the
 * (job, file version) pairs of the jobs' used / wasGeneratedBy /
 * wasInvalidatedBy edges.
 */
export async function jobFileMatches(db: Queryable, jobIds: number[], filename: string, opts: JobFileOptions): Promise<Map<number, number> | undefined> {
  if (jobIds.length === 0) return new Map();
  const q = new Sql();
  const ids = q.p(jobIds);
  // The software flag is the file version's (it may be set after the row was
  // made): read for the matching rows only (AND stops at a failed match; a
  // scalar subquery, as `not exists` would be planned as one scan of every
  // file version).
  const sw = opts.includeSoftware ? '' : 'and not coalesce((select fv.software from file_version fv where fv.node_id = jf.node_id), false)';
  const vis = opts.fileVisible?.('fn', q) ?? '';
  const visible = vis ? `and coalesce((select true from node fn where fn.id = jf.node_id${vis}), false)` : '';
  // One pass that also counts the rows read: past the limit, the jobs have
  // too many files and the path index is the better search (no separate
  // probe: a count of a job's rows reads the same pages as the search). The
  // hits come back as arrays (no sort, no grouping in the database).
  const { rows } = await db.query<{ scanned: number; jobs: (number | string)[] | null; paths: (number | string)[] | null }>(
    `select count(*)::int as scanned, array_agg(x.job_id) filter (where x.hit) as jobs, array_agg(x.path_id) filter (where x.hit) as paths
     from (select jf.job_id, jf.path_id, (${jobFilePathMatch(filename, q)} ${sw} ${visible}) as hit
       from job_file jf where jf.job_id = any(${ids}::bigint[]) limit ${JOB_FIRST_MAX_FILES + 1}) x`, q.params);
  const r = rows[0]!;
  if (Number(r.scanned) > JOB_FIRST_MAX_FILES) return undefined;
  // Paths per job (a path's versions are one file).
  const paths = new Map<number, Set<number>>();
  (r.jobs ?? []).forEach((j, i) => {
    const job = Number(j);
    let set = paths.get(job);
    if (!set) paths.set(job, (set = new Set()));
    set.add(Number(r.paths![i]));
  });
  return new Map([...paths].map(([job, set]) => [job, set.size]));
}
