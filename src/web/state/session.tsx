// Who is using the page: the answer of GET /auth/session, kept in a context
// so the header, the dialogs and the settings agree. The CSRF token goes to
// the API client as soon as it is known. When the server says the session
// has ended, the page turns anonymous and asks to sign in again.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, SESSION_ENDED, setCsrfToken } from '../api/client';
import type { Session } from '../api/types';

export interface SessionState {
  /** undefined while the first answer is on its way. */
  session: Session | undefined;
  error: unknown;
  /** The session ended under the page (idle timeout, signed out elsewhere). */
  ended: boolean;
  reload: () => Promise<void>;
  signIn: (username: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
  dismissEnded: () => void;
}

const Ctx = createContext<SessionState | null>(null);

export function SessionProvider(props: { children: ReactNode }) {
  const [session, setSession] = useState<Session | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [ended, setEnded] = useState(false);

  const reload = useCallback(async () => {
    try {
      const s = await api.session();
      setCsrfToken(s.csrf);
      setSession(s);
      setError(undefined);
    } catch (e) {
      setError(e);
    }
  }, []);

  useEffect(() => {
    void reload();
    const onEnded = () => {
      setEnded(true);
      void reload();
    };
    window.addEventListener(SESSION_ENDED, onEnded);
    return () => window.removeEventListener(SESSION_ENDED, onEnded);
  }, [reload]);

  const signIn = useCallback(async (username: string, password: string) => {
    const r = await api.login(username, password);
    setCsrfToken(r.csrf);
    setEnded(false);
    await reload();
  }, [reload]);

  const signOut = useCallback(async () => {
    try {
      await api.logout();
    } finally {
      setCsrfToken(null);
      await reload();
    }
  }, [reload]);

  const value = useMemo<SessionState>(() => ({
    session, error, ended, reload, signIn, signOut, dismissEnded: () => setEnded(false),
  }), [session, error, ended, reload, signIn, signOut]);
  return <Ctx.Provider value={value}>{props.children}</Ctx.Provider>;
}

export function useSession(): SessionState {
  const s = useContext(Ctx);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** Changes exactly when what the viewer may see changes: the key that remounts the data views. */
export function viewerKey(s: Session | undefined): string {
  if (!s) return 'loading';
  return `${s.via}:${s.user?.id ?? ''}:${s.role}`;
}

/** The owner of a node as the details give it. */
export interface Owned {
  ownerUid?: unknown;
  ownerGid?: unknown;
  [field: string]: unknown;
}

/**
 * May this person change the node (annotations, visibility) and share it?
 * The same rule as the server's mayManage (src/graph/queries/viewer.ts),
 * only to hide controls that would be refused: the server decides.
 */
export function mayManage(s: Session | undefined, node: Owned | undefined): boolean {
  if (!s || !node || s.via === 'share') return false;
  if (s.role === 'admin') return true;
  const u = s.user;
  if (!u || u.uid === null) return false;
  if (typeof node.ownerUid === 'number' && node.ownerUid === u.uid) return true;
  if (s.role !== 'group_admin' || typeof node.ownerGid !== 'number') return false;
  const gids = new Set([...(u.gid !== null ? [u.gid] : []), ...u.groups.map((g) => g.gid)]);
  return gids.has(node.ownerGid);
}

/**
 * mayManage for a node known only by id: admins need no look-up, anonymous
 * visitors and share links never manage; anyone else asks for the owner.
 */
export function useMayManage(nodeId: number | null): boolean {
  const { session } = useSession();
  const role = session?.role;
  const needsOwner = nodeId !== null && session !== undefined && role !== 'admin' && role !== 'anonymous' && role !== 'share';
  const [owner, setOwner] = useState<{ id: number; node: Owned } | null>(null);
  useEffect(() => {
    if (!needsOwner || nodeId === null) return;
    const ctl = new AbortController();
    api.node(nodeId, ctl.signal).then((r) => setOwner({ id: nodeId, node: r.node }), () => setOwner(null));
    return () => ctl.abort();
  }, [needsOwner, nodeId]);
  if (nodeId === null || !session) return false;
  if (role === 'admin') return true;
  if (!needsOwner) return false;
  return owner !== null && owner.id === nodeId && mayManage(session, owner.node);
}
