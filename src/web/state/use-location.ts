// A tiny router: the current path and query, pushState navigation, and the
// back/forward buttons. The UI has two routes: / (everything, state in the
// query) and /l/:id (a permanent link, which reopens its view).
import { useCallback, useEffect, useState } from 'react';

export interface Loc {
  pathname: string;
  search: string;
}

const current = (): Loc => ({ pathname: window.location.pathname, search: window.location.search });
const listeners = new Set<() => void>();

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === window.location.pathname + window.location.search) return;
  if (opts.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  for (const l of listeners) l();
}

export function useLocation(): [Loc, typeof navigate] {
  const [loc, setLoc] = useState<Loc>(current);
  const update = useCallback(() => setLoc(current()), []);
  useEffect(() => {
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, [update]);
  return [loc, navigate];
}
