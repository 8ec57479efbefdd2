// The page: search conditions, the jobs found, and the provenance of the
// chosen job (graph or list); details, visibility and link dialogs on top.
// Everything that defines the view is in the URL (state/url-state.ts).
// Other routes: /l/:id (a permanent link), /s/:token (a share link's
// read-only view), /settings (tokens, share links, users, audit log).
import { useCallback, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, setShareToken } from './api/client';
import type { JobHit, Paged } from './api/types';
import { DetailsDialog } from './components/DetailsDialog';
import { JobResults, JOB_PAGE_SIZE } from './components/JobResults';
import { LanguageSwitch } from './components/LanguageSwitch';
import { LinkDialog } from './components/LinkDialog';
import { LinkOpener } from './components/LinkOpener';
import { ProvenancePanel, type PanelPatch } from './components/ProvenancePanel';
import { SearchForm } from './components/SearchForm';
import { SettingsPage } from './components/SettingsPage';
import { SharedView } from './components/SharedView';
import { Loading } from './components/Status';
import { UserMenu } from './components/UserMenu';
import { VisibilityDialog } from './components/VisibilityDialog';
import { criteriaQuery, DEFAULT_STATE, parseState, serializeState, stateRecord, type Criteria, type ViewState } from './state/url-state';
import { SessionProvider, useSession, viewerKey } from './state/session';
import { useApi } from './state/use-api';
import { useLocation } from './state/use-location';

/** The token of a /s/<token> page (a JWT: letters, digits, - _ and dots). */
export function shareTokenOf(pathname: string): string | null {
  const m = /^\/s\/([A-Za-z0-9_.~-]{1,4096})\/?$/.exec(pathname);
  return m ? m[1]! : null;
}

// Set before the first request: every call of a share page carries it.
setShareToken(shareTokenOf(window.location.pathname));

export function App() {
  return (
    <SessionProvider>
      <Routes />
    </SessionProvider>
  );
}

function Routes() {
  const [loc, navigate] = useLocation();
  const { session, error } = useSession();
  if (shareTokenOf(loc.pathname) !== null) return <Shell share><SharedView /></Shell>;
  // Who is asking decides what the data views show: they wait for it (once), rather than load twice.
  if (session === undefined && error === undefined) return <Shell navigate={navigate}><main className="main"><Loading /></main></Shell>;
  const link = /^\/l\/([A-Za-z0-9_-]{1,64})\/?$/.exec(loc.pathname);
  if (link) return <Shell navigate={navigate}><LinkOpener id={link[1]!} navigate={navigate} /></Shell>;
  if (/^\/settings\/?$/.test(loc.pathname)) return <Shell navigate={navigate}><SettingsPage key={viewerKey(session)} /></Shell>;
  return (
    <Shell navigate={navigate}>
      {/* A new viewer (signed in or out) sees other jobs: everything is fetched again. */}
      <Main key={viewerKey(session)} search={loc.search} navigate={navigate} />
    </Shell>
  );
}

function Shell(props: { children: React.ReactNode; share?: boolean; navigate?: (to: string) => void }) {
  const { t } = useTranslation();
  const { navigate } = props;
  return (
    <div className="app">
      <header className="app-header">
        <a className="brand" href={props.share ? undefined : '/'}>
          <span className="brand-mark" aria-hidden="true">軌跡</span> {t('app.title')}
        </a>
        <div className="header-right">
          {/* A share page is for people without an account: no sign-in there. */}
          {!props.share && navigate && <UserMenu onSettings={() => navigate('/settings')} />}
          <LanguageSwitch />
        </div>
      </header>
      {props.children}
    </div>
  );
}

function Main(props: { search: string; navigate: (to: string, o?: { replace?: boolean }) => void }) {
  const { t } = useTranslation();
  const state = useMemo(() => parseState(props.search), [props.search]);
  const { navigate } = props;
  const [refreshKey, setRefreshKey] = useState(0);
  const [visibilityFor, setVisibilityFor] = useState<number | null>(null);
  const [linkOpen, setLinkOpen] = useState(false);

  /** Change the view: always from the URL as it is now, so two updates in a row both count. */
  const update = useCallback((patch: Partial<ViewState>, opts?: { replace?: boolean }) => {
    const next = { ...parseState(window.location.search), ...patch };
    const q = serializeState(next);
    navigate(q ? `/?${q}` : '/', opts);
  }, [navigate]);

  const query = useMemo(() => criteriaQuery(state.criteria), [state.criteria]);
  const queryKey = JSON.stringify(query);
  const search = useApi<Paged<JobHit>>(
    (signal) => api.search({ ...query, page: state.jobPage, pageSize: JOB_PAGE_SIZE }, signal),
    [queryKey, state.jobPage, refreshKey],
  );

  // Without a chosen job, the first one found is shown (the URL stays as it is).
  const job = state.job ?? search.data?.items[0]?.id ?? null;

  const onSearch = (criteria: Criteria, advanced: boolean) =>
    update({ ...DEFAULT_STATE, criteria, advanced, view: state.view, software: state.software });
  const onClear = () => navigate('/');
  const panelChange = (patch: PanelPatch, opts?: { replace?: boolean }) => update(patch, opts);
  const hits = search.data;

  return (
    <main className="main">
      <SearchForm criteria={state.criteria} advanced={state.advanced} onSearch={onSearch} onClear={onClear} />
      <JobResults
        result={search}
        page={state.jobPage}
        selected={job}
        onSelect={(job) => update({ job, sel: null, node: null })}
        onPage={(jobPage) => update({ jobPage, job: null, sel: null })}
      />
      {(state.job !== null || (hits && hits.total > 0)) && (
        <ProvenancePanel
          jobNode={job}
          view={state.view}
          software={state.software}
          criteria={query}
          tab={state.tab}
          entityType={state.entityType}
          sort={state.sort}
          order={state.order}
          page={state.page}
          sel={state.sel}
          refreshKey={refreshKey}
          onChange={panelChange}
          onDetails={(node) => update({ node })}
          onGenerateLink={() => setLinkOpen(true)}
          onVisibility={setVisibilityFor}
        />
      )}
      {state.node !== null && (
        <DetailsDialog nodeId={state.node} refreshKey={refreshKey} onClose={() => update({ node: null })} onVisibility={setVisibilityFor} />
      )}
      {visibilityFor !== null && (
        <VisibilityDialog target={{ nodeId: visibilityFor }} onClose={() => setVisibilityFor(null)} onSaved={() => setRefreshKey((k) => k + 1)} />
      )}
      {linkOpen && (
        <LinkDialog search={stateRecord(state)} selection={state.sel !== null ? String(state.sel) : null} onClose={() => setLinkOpen(false)} />
      )}
      <footer className="app-footer">{t('app.footer')}</footer>
    </main>
  );
}
