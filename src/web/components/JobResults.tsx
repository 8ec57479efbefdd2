// The jobs a search found: one line each; the chosen one is shown below.
import { useTranslation } from 'react-i18next';
import type { JobHit, Paged } from '../api/types';
import { formatTime } from '../util/format';
import { Pager } from './Pager';
import { Empty, ErrorMessage, Loading } from './Status';

export const JOB_PAGE_SIZE = 10;

interface Props {
  result: { data: Paged<JobHit> | undefined; error: unknown; loading: boolean; reload: () => void };
  page: number;
  selected: number | null;
  onSelect: (id: number) => void;
  onPage: (p: number) => void;
}

export function JobResults(props: Props) {
  const { t } = useTranslation();
  const { data, error, loading } = props.result;
  if (error) return <ErrorMessage error={error} onRetry={props.result.reload} />;
  if (loading && !data) return <Loading what={t('status.searching')} />;
  if (!data || data.items.length === 0) return <Empty message={t('jobs.none')} />;
  return (
    <section className="job-results" aria-label={t('jobs.title')} aria-busy={loading} data-testid="job-results">
      <h3>{t('jobs.found', { count: data.total })}</h3>
      <table className="table jobs">
        <thead>
          <tr>
            <th>{t('jobs.jobId')}</th>
            <th>{t('jobs.name')}</th>
            <th>{t('jobs.user')}</th>
            <th>{t('jobs.script')}</th>
            <th>{t('jobs.start')}</th>
            <th>{t('jobs.state')}</th>
            <th>{t('jobs.files')}</th>
            <th>{t('jobs.visibility')}</th>
          </tr>
        </thead>
        <tbody>
          {data.items.map((j) => (
            <tr
              key={j.id}
              className={j.id === props.selected ? 'selected clickable' : 'clickable'}
              aria-selected={j.id === props.selected}
              data-testid="job-row"
              data-job-id={j.jobId}
              onClick={() => props.onSelect(j.id)}
            >
              <td>
                <button type="button" className="link-button" onClick={(e) => { e.stopPropagation(); props.onSelect(j.id); }}>
                  {j.scheduler === 'local' ? j.jobId : `${j.scheduler}:${j.jobId}`}
                </button>
              </td>
              <td className="wrap">{j.name ?? ''}</td>
              <td>{j.user ?? (j.uid !== null ? String(j.uid) : '')}</td>
              <td className="wrap">{j.script ?? ''}</td>
              <td>{formatTime(j.start)}</td>
              <td>{j.state ?? ''}{j.exitCode !== null && j.exitCode !== undefined ? ` (${j.exitCode})` : ''}</td>
              <td>{j.matchedFiles}</td>
              <td>{t(`visibility.${j.visibility}`, { defaultValue: j.visibility })}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {data.total > JOB_PAGE_SIZE && <Pager page={props.page} pageSize={JOB_PAGE_SIZE} total={data.total} onPage={props.onPage} testId="job-pager" />}
    </section>
  );
}
