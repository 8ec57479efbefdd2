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

/**
 * SQL condition: may `viewer` see node alias `n` (a `node` row)?
 * Nodes without an owner (files that existed before anything recorded wrote
 * them, users) are as visible as what uses them: you may see the inputs of
 * the runs you may see, and nobody else's inputs are named to you.
 */
export function visibleTo(viewer: Viewer, n: string, sql: Sql): string {
  if (viewer.kind === 'admin') return 'true';
  if (viewer.kind === 'share') {
    const s = viewer.scope;
    let inScope: string;
    if (s.kind === 'job') {
      const j = sql.p(s.jobId);
      inScope = `(${n}.id = ${j} or ${n}.job_id = ${j} or (${n}.owner_uid is null and coalesce((
        select true from edge ue join node um on um.id = ue.from_id where ue.to_id = ${n}.id and um.job_id = ${j} limit 1), false)))`;
    } else {
      inScope = `${n}.id = any(${sql.p(s.nodeIds)}::bigint[])`;
    }
    return `(${inScope} and ${visibleTo(viewer.within, n, sql)})`;
  }
  const alias = `${n.replace(/\W/g, '')}_u`;
  // A scalar subquery, not EXISTS: PostgreSQL may turn an EXISTS under OR
  // into one hashed scan of every node and edge (100 ms a query on 1M
  // files); this one runs only for the rare node without an owner.
  return `(${owned(viewer, n, sql)} or (${n}.owner_uid is null and coalesce((
    select true from edge ${alias}e join node ${alias} on ${alias}.id = ${alias}e.from_id
    where ${alias}e.to_id = ${n}.id and ${alias}.owner_uid is not null and ${owned(viewer, alias, sql)} limit 1), false)))`;
}

/** The rule for owned nodes: public, yours, your group's group-visible, or a group you administer. */
function owned(viewer: UserViewer, n: string, sql: Sql): string {
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

/**
 * A string that is equal for two viewers exactly when they see the same
 * nodes: the key for anything cached per viewer (a count of a job's files
 * counts only the files the viewer may see).
 */
export function viewerKey(viewer: Viewer): string {
  if (viewer.kind === 'admin') return 'admin';
  if (viewer.kind === 'share') {
    const s = viewer.scope;
    const scope = s.kind === 'job' ? `job:${s.jobId}` : `nodes:${[...s.nodeIds].sort((a, b) => a - b).join(',')}`;
    return `share(${scope})(${viewerKey(viewer.within)})`;
  }
  const sorted = (a: number[] | undefined) => [...(a ?? [])].sort((x, y) => x - y).join(',');
  return `user:${viewer.uid}:${sorted(viewer.gids)}:${sorted(viewer.adminGids)}`;
}

/** SQL condition like visibleTo, or '' when the viewer sees everything (the admin's queries stay as they were). */
export function visibleAnd(viewer: Viewer, n: string, sql: Sql): string {
  return viewer.kind === 'admin' ? '' : ` and ${visibleTo(viewer, n, sql)}`;
}
