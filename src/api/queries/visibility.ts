// Setting who may see a node. Stored and shown now; the users issue makes the
// queries enforce it for non-admin viewers (graph/queries/viewer.ts).
import type { Queryable } from '../../store/index.js';
import type { VisibilityName } from './nodes.js';

/** Sets `node`'s visibility; for a job with applyToFiles, also its program runs and the file versions it made. Returns rows changed. */
export async function setVisibility(db: Queryable, node: number, kind: string, visibility: VisibilityName, applyToFiles: boolean): Promise<number> {
  const r = await db.query('update node set visibility = $2 where id = $1', [node, visibility]);
  let n = r.affected;
  if (kind === 'job' && applyToFiles) {
    const m = await db.query(`update node set visibility = $2 where job_id = $1 and kind in ('process', 'file')`, [node, visibility]);
    n += m.affected;
  }
  return n;
}
