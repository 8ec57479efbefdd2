// Who is asking. Every query takes a Viewer so visibility rules apply in one
// place. The rules (issue: users and access):
//   admin (system admin)   sees and manages everything;
//   user (member)          sees public nodes, nodes of a group they are in
//                          that are group-visible, and their own; manages
//                          their own;
//   user with adminGids    (group admin) also sees and manages every node
//                          owned by a group they administer;
//   share (a share link)   sees only its scope (one job, or one file's
//                          lineage), and within it only what the link's
//                          maker may see; manages nothing.
// An anonymous client is a user with uid -1 and no groups: public only.
export type Viewer =
  | { kind: 'admin'; name?: string; userId?: number }
  | UserViewer
  | ShareViewer;

export interface UserViewer {
  kind: 'user';
  uid: number;
  gids: number[];
  /** Groups this user administers (role group admin). */
  adminGids?: number[];
  name?: string;
  /** app_user.id when signed in. */
  userId?: number;
}

export interface ShareViewer {
  kind: 'share';
  linkId: string;
  /** One job (its nodes) or an explicit set of node ids (a file's lineage). */
  scope: { kind: 'job'; jobId: number } | { kind: 'nodes'; nodeIds: number[] };
  /** The link's maker: the link never shows more than they may see. */
  within: Exclude<Viewer, ShareViewer>;
  name?: string;
}

export const LOCAL_ADMIN: Viewer = { kind: 'admin', name: 'local' };

/** Remote clients that did not sign in: public nodes only, change nothing. */
export const ANONYMOUS: Viewer = { kind: 'user', uid: -1, gids: [], name: 'anonymous' };

/** Collects parameters; `p(v)` returns its `$n`. User input only ever goes through here. */
export class Sql {
  readonly params: unknown[] = [];
  p(v: unknown): string {
    this.params.push(v);
    return `$${this.params.length}`;
  }
}

/** SQL condition: may `viewer` see node alias `n` (a `node` row)? */
export function visibleTo(viewer: Viewer, n: string, sql: Sql): string {
  if (viewer.kind === 'admin') return 'true';
  if (viewer.kind === 'share') {
    const s = viewer.scope;
    const inScope = s.kind === 'job'
      ? `(${n}.id = ${sql.p(s.jobId)} or ${n}.job_id = ${sql.p(s.jobId)})`
      : `${n}.id = any(${sql.p(s.nodeIds)}::bigint[])`;
    return `(${inScope} and ${visibleTo(viewer.within, n, sql)})`;
  }
  const admin = viewer.adminGids && viewer.adminGids.length > 0 ? ` or ${n}.owner_gid = any(${sql.p(viewer.adminGids)}::int[])` : '';
  return `(${n}.visibility = 'public' or ${n}.owner_uid = ${sql.p(viewer.uid)}
    or (${n}.visibility = 'group' and ${n}.owner_gid = any(${sql.p(viewer.gids)}::int[]))${admin})`;
}

/** The owner of a node, for manage checks. */
export interface Owned {
  owner_uid: number | null;
  owner_gid: number | null;
}

/** May `viewer` change `node` (visibility, annotations) and share it? */
export function mayManage(viewer: Viewer, node: Owned): boolean {
  if (viewer.kind === 'admin') return true;
  if (viewer.kind === 'share' || viewer.uid < 0) return false;
  if (node.owner_uid !== null && node.owner_uid === viewer.uid) return true;
  return node.owner_gid !== null && (viewer.adminGids ?? []).includes(node.owner_gid);
}

/** A signed-in person or the local admin (not anonymous, not a share link). */
export function isSignedIn(viewer: Viewer): boolean {
  return viewer.kind === 'admin' || (viewer.kind === 'user' && (viewer.userId !== undefined || viewer.uid >= 0));
}

export interface Page {
  /** Default 20, at most 1000. */
  limit?: number;
  offset?: number;
}

export function pageOf(page: Page | undefined): { limit: number; offset: number } {
  const limit = Math.min(Math.max(Math.trunc(page?.limit ?? 20), 1), 1000);
  const offset = Math.max(Math.trunc(page?.offset ?? 0), 0);
  return { limit, offset };
}
