// Which files may go: in a scope (a job's files, a folder, or everything),
// the current file versions that no kept file depends on.
// Kept = the versions the caller names, or by default the scope's "final
// products": current, existing versions nothing reads or derives from.
// A version is needed when it is kept or an ancestor of a kept version;
// deletable = in scope and not needed. Pipes and system software never count.
import type { Store } from '../../store/open-store.js';
import { likeEscape } from './glob.js';
import { ancestorIds, FILE_REF_SQL, fileRef, type FileRef } from './keep-set.js';
import { resolveNodes, type NodeRef } from './resolve.js';
import { Sql, visibleTo, type Viewer } from './viewer.js';

export interface DeletableScope {
  /** Files a job read or wrote. */
  job?: NodeRef;
  /** Files under this folder. */
  pathPrefix?: string;
  /** What to keep; default: the scope's final products. */
  keep?: NodeRef[];
}

export interface Deletable {
  kept: FileRef[];
  needed: FileRef[];
  deletable: FileRef[];
}

export async function deletable(store: Store, viewer: Viewer, scope: DeletableScope): Promise<Deletable> {
  const db = store.db;
  const q = new Sql();
  const conds = [
    `p.head_key = n.key`, `p.head_exists`, `fv.exists_now is not false`, `coalesce(fv.file_class, 'data') <> 'pipe'`,
    `not coalesce(fv.software, false)`, visibleTo(viewer, 'n', q),
  ];
  if (scope.job !== undefined) {
    const [job] = await resolveNodes(db, scope.job, viewer);
    const jp = q.p(job);
    conds.push(`(exists (select 1 from edge e where e.to_id = fv.node_id and e.kind = 'used' and e.job_id = ${jp})
      or exists (select 1 from edge e where e.from_id = fv.node_id and e.kind in ('wasGeneratedBy', 'wasDerivedFrom') and e.job_id = ${jp}))`);
  }
  if (scope.pathPrefix) conds.push(`p.path like ${q.p(likeEscape(scope.pathPrefix.replace(/\/?$/, '/')) + '%')}`);
  const { rows } = await db.query<Record<string, unknown>>(`${FILE_REF_SQL} where ${conds.join(' and ')} order by p.path`, q.params);
  const inScope = rows.map(fileRef);
  let kept: number[];
  if (scope.keep) {
    kept = [];
    for (const r of scope.keep) kept.push(...(await resolveNodes(db, r, viewer)));
  } else {
    const { rows: sinks } = await db.query<{ id: number }>(
      `select s.id from unnest($1::bigint[]) s(id)
       where not exists (select 1 from edge e where e.to_id = s.id and e.kind in ('used', 'wasDerivedFrom'))`,
      [inScope.map((f) => f.id)]);
    kept = sinks.map((r) => Number(r.id));
  }
  // Needed is walked through every node, seen or not: a file a hidden job
  // still needs is not deletable (the answer lists only visible files).
  const needed = new Set(await ancestorIds(db, kept));
  for (const k of kept) needed.add(k);
  const kq = new Sql();
  const { rows: keptRows } = await db.query<Record<string, unknown>>(
    `${FILE_REF_SQL} where fv.node_id = any(${kq.p(kept)}::bigint[]) and ${visibleTo(viewer, 'n', kq)} order by p.path`, kq.params);
  const keptSet = new Set(kept);
  return {
    kept: keptRows.map(fileRef),
    needed: inScope.filter((f) => needed.has(f.id) && !keptSet.has(f.id)),
    deletable: inScope.filter((f) => !needed.has(f.id)),
  };
}
