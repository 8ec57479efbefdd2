// Detailed information of one node: every metadata field, its neighbours by
// relation, and the additional items editor. Visibility, Share and editing
// are offered only to who may manage the node (the server checks again);
// a share link's reviewer gets the dialog read-only.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import type { NodeResult } from '../api/types';
import { mayManage, useSession } from '../state/session';
import { useApi } from '../state/use-api';
import { AnnotationsEditor } from './AnnotationsEditor';
import { Dialog } from './Dialog';
import { MetadataTable } from './MetadataTable';
import { ShareDialog } from './ShareDialog';
import { ErrorMessage, Loading } from './Status';

interface Props {
  nodeId: number;
  onClose: () => void;
  onVisibility: (nodeId: number) => void;
  refreshKey: number;
  /** A share link's view: nothing can be changed. */
  readOnly?: boolean;
}

export function DetailsDialog(p: Props) {
  const { t } = useTranslation();
  const res = useApi<NodeResult>((signal) => api.node(p.nodeId, signal), [p.nodeId, p.refreshKey]);
  const n = res.data?.node;
  const { session } = useSession();
  const manage = !p.readOnly && mayManage(session, n);
  const [sharing, setSharing] = useState(false);
  const title = n ? `${t('details.title')} — ${t(`kind.${n.kind}`, { defaultValue: n.kind })}: ${n.label}` : t('details.title');
  return (
    <Dialog
      title={title}
      onClose={p.onClose}
      testId="details-dialog"
      wide
      footer={
        <>
          <button type="button" className="secondary" onClick={p.onClose} data-testid="details-cancel">
            {t('action.cancel')}
          </button>
          {n && manage && (
            <button type="button" className="secondary" onClick={() => p.onVisibility(n.id)} data-testid="details-visibility">
              {t('provenance.visibility')}
            </button>
          )}
          {n && manage && (n.kind === 'job' || n.kind === 'file') && (
            <button type="button" className="secondary" onClick={() => setSharing(true)} data-testid="details-share">
              {t('share.button')}
            </button>
          )}
        </>
      }
    >
      {res.error !== undefined && <ErrorMessage error={res.error} onRetry={res.reload} />}
      {!res.data && res.error === undefined && <Loading />}
      {res.data && (
        <>
          <MetadataTable node={res.data.node} />
          {res.data.neighbours.length > 0 && (
            <section className="neighbours" data-testid="neighbours">
              <h3>{t('details.neighbours')}</h3>
              <ul>
                {res.data.neighbours.map((nb) => (
                  <li key={`${nb.kind}-${nb.direction}-${nb.nodeKind ?? ''}`}>
                    {nb.direction === 'out' ? '→' : '←'} {nb.kind}
                    {nb.nodeKind ? ` (${t(`kind.${nb.nodeKind}`, { defaultValue: nb.nodeKind })})` : ''}: {nb.count}
                  </li>
                ))}
              </ul>
            </section>
          )}
          <AnnotationsEditor nodeId={p.nodeId} annotations={res.data.annotations} onChanged={res.reload} readOnly={!manage} />
        </>
      )}
      {sharing && n && <ShareDialog node={n} onClose={() => setSharing(false)} />}
    </Dialog>
  );
}
