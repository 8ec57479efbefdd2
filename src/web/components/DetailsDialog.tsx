// Detailed information of one node: every metadata field, its neighbours by
// relation, and the additional items editor.
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import type { NodeResult } from '../api/types';
import { useApi } from '../state/use-api';
import { AnnotationsEditor } from './AnnotationsEditor';
import { Dialog } from './Dialog';
import { MetadataTable } from './MetadataTable';
import { ErrorMessage, Loading } from './Status';

interface Props {
  nodeId: number;
  onClose: () => void;
  onVisibility: (nodeId: number) => void;
  refreshKey: number;
}

export function DetailsDialog(p: Props) {
  const { t } = useTranslation();
  const res = useApi<NodeResult>((signal) => api.node(p.nodeId, signal), [p.nodeId, p.refreshKey]);
  const n = res.data?.node;
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
          {n && (
            <button type="button" className="secondary" onClick={() => p.onVisibility(n.id)} data-testid="details-visibility">
              {t('provenance.visibility')}
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
          <AnnotationsEditor nodeId={p.nodeId} annotations={res.data.annotations} onChanged={res.reload} />
        </>
      )}
    </Dialog>
  );
}
