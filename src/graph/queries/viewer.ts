// Who is asking. Every query takes a Viewer so visibility rules apply in one
// place: today `kiseki` runs as LOCAL_ADMIN (sees everything); the web API
// will pass real users (issue: users/groups/visibility).
export type Viewer =
  | { kind: 'admin'; name?: string }
  | { kind: 'user'; uid: number; gids: number[]; name?: string };

export const LOCAL_ADMIN: Viewer = { kind: 'admin', name: 'local' };

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
  return `(${n}.visibility = 'public' or ${n}.owner_uid = ${sql.p(viewer.uid)}
    or (${n}.visibility = 'group' and ${n}.owner_gid = any(${sql.p(viewer.gids)}::int[])))`;
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
