// A visible node's kind and owner, for the manage checks (visibility,
// annotations, share links): one small query, no joins.
import { Sql, visibleTo, type Owned, type Viewer } from '../../graph/index.js';
import type { Queryable } from '../../store/index.js';

export interface OwnedNode extends Owned {
  id: number;
  kind: string;
}

export async function loadOwned(db: Queryable, viewer: Viewer, id: number): Promise<OwnedNode | undefined> {
  const q = new Sql();
  const { rows } = await db.query<{ id: number | string; kind: string; owner_uid: number | null; owner_gid: number | null }>(
    `select n.id, n.kind, n.owner_uid, n.owner_gid from node n where n.id = ${q.p(id)} and ${visibleTo(viewer, 'n', q)}`, q.params);
  const r = rows[0];
  return r ? { id: Number(r.id), kind: r.kind, owner_uid: r.owner_uid, owner_gid: r.owner_gid } : undefined;
}
