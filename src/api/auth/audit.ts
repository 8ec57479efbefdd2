// The audit log: sign-ins (good and bad), sign-outs, token and share link
// changes, share link use, visibility changes and exports. Admins read it
// (GET /api/v1/audit, `kiseki audit`). Never a secret in `detail`.
import type { Viewer } from '../../graph/index.js';
import type { Queryable } from '../../store/index.js';

export type AuditAction =
  | 'login' | 'logout' | 'token.create' | 'token.revoke'
  | 'share.create' | 'share.open' | 'share.revoke'
  | 'visibility.set' | 'export' | 'user.role' | 'user.disable';

export interface AuditEntry {
  action: AuditAction;
  actor?: string | null;
  actorId?: number | null;
  target?: string | null;
  outcome?: 'ok' | 'denied' | 'failed';
  client?: string | null;
  detail?: Record<string, unknown>;
}

export async function audit(db: Queryable, e: AuditEntry): Promise<void> {
  await db.query(
    'insert into audit_event (action, actor, actor_id, target, outcome, client, detail) values ($1, $2, $3, $4, $5, $6, $7)',
    [e.action, e.actor ?? null, e.actorId ?? null, e.target ?? null, e.outcome ?? 'ok', e.client ?? null, e.detail ? JSON.stringify(e.detail) : null]);
}

/** Who did it, as the audit log names them. */
export function actorOf(v: Viewer): { actor: string; actorId: number | null } {
  if (v.kind === 'share') return { actor: `share:${v.linkId}`, actorId: null };
  return { actor: v.name ?? (v.kind === 'admin' ? 'admin' : String(v.uid)), actorId: v.userId ?? null };
}

export interface AuditRecord {
  id: number;
  at: string;
  action: string;
  actor: string | null;
  target: string | null;
  outcome: string;
  client: string | null;
  detail: Record<string, unknown> | null;
}

export interface AuditQuery {
  action?: string;
  actor?: string;
  /** ISO times. */
  from?: string;
  to?: string;
  limit: number;
  offset: number;
}

export async function listAudit(db: Queryable, q: AuditQuery): Promise<{ total: number; items: AuditRecord[] }> {
  const w: string[] = [];
  const p: unknown[] = [];
  const add = (sql: string, v: unknown) => { p.push(v); w.push(sql.replace('?', `$${p.length}`)); };
  if (q.action) add('action = ?', q.action);
  if (q.actor) add('actor = ?', q.actor);
  if (q.from) add('at >= ?::timestamptz', q.from);
  if (q.to) add('at < ?::timestamptz', q.to);
  const where = w.length ? `where ${w.join(' and ')}` : '';
  const total = await db.query<{ n: number | string }>(`select count(*) as n from audit_event ${where}`, p);
  const { rows } = await db.query<{ id: number | string; at: Date | string; action: string; actor: string | null; target: string | null; outcome: string; client: string | null; detail: string | null }>(
    `select id, at, action, actor, target, outcome, client, detail from audit_event ${where} order by id desc limit $${p.length + 1} offset $${p.length + 2}`,
    [...p, q.limit, q.offset]);
  return {
    total: Number(total.rows[0]!.n),
    items: rows.map((r) => ({
      id: Number(r.id), at: new Date(r.at).toISOString(), action: r.action, actor: r.actor, target: r.target,
      outcome: r.outcome, client: r.client, detail: r.detail ? JSON.parse(r.detail) as Record<string, unknown> : null,
    })),
  };
}
