// /s/<token>: what a share link shows to someone without an account (a
// paper's reviewer): exactly the link's scope — one job's graph, or one
// file's lineage — read-only, under a banner that says who shared it and
// until when. A bad, expired or revoked link gets a full-page message.
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api/client';
import { useSession } from '../state/session';
import { formatTime } from '../util/format';
import { DetailsDialog } from './DetailsDialog';
import { GraphView, GROUP_THRESHOLD } from './GraphView';
import { ErrorMessage, Loading } from './Status';

const SHARE_ERRORS: Record<string, string> = {
  E_SHARE_INVALID: 'shared.invalid',
  E_SHARE_EXPIRED: 'shared.expired',
  E_SHARE_REVOKED: 'shared.revoked',
};

export function SharedView() {
  const { t } = useTranslation();
  const { session, error } = useSession();
  const [software, setSoftware] = useState(false);
  const [sel, setSel] = useState<number | null>(null);
  const [details, setDetails] = useState<number | null>(null);
  const share = session?.share;
  const loadLineage = useCallback(
    (includeSoftware: boolean, signal: AbortSignal) =>
      api.lineage({ node: share!.node, direction: 'up', includeSoftware, groupThreshold: GROUP_THRESHOLD }, signal),
    [share],
  );
  if (error !== undefined) {
    const key = error instanceof ApiError ? SHARE_ERRORS[error.code] : undefined;
    if (!key) return <main className="main"><ErrorMessage error={error} /></main>;
    return (
      <main className="main">
        <section className="full-message" role="alert" data-testid="share-error" data-code={(error as ApiError).code}>
          <h2>{t(`${key}Title`)}</h2>
          <p>{t(key)}</p>
          <p className="muted">{t('shared.askOwner')}</p>
        </section>
      </main>
    );
  }
  if (!share) return <main className="main"><Loading /></main>;
  return (
    <main className="main">
      <div className="share-banner" role="note" data-testid="share-banner">
        {t('shared.banner', { name: share.createdBy ?? '?', date: formatTime(share.expiresAt) })}
      </div>
      <section className="provenance" data-testid="provenance" data-scope={share.scope}>
        <div className="provenance-head">
          <h2>{t(share.scope === 'job' ? 'shared.jobTitle' : 'shared.lineageTitle')}</h2>
        </div>
        <GraphView
          job={share.node}
          {...(share.scope === 'lineage' ? { load: loadLineage } : {})}
          software={software}
          onSoftware={setSoftware}
          selected={sel}
          onSelect={setSel}
          onDetails={setDetails}
        />
      </section>
      {details !== null && (
        <DetailsDialog nodeId={details} refreshKey={0} readOnly onClose={() => setDetails(null)} onVisibility={() => {}} />
      )}
    </main>
  );
}
