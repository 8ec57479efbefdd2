// Search conditions as in the reference: Job ID, Filename, Additional Item;
// advanced: Job Script Name, User ID, Execution Day (From/To) with a time,
// Visibility. Search writes them into the URL; Clear resets everything.
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { VISIBILITIES } from '../api/types';
import { EMPTY_CRITERIA, type Criteria } from '../state/url-state';

interface Props {
  criteria: Criteria;
  advanced: boolean;
  onSearch: (c: Criteria, advanced: boolean) => void;
  onClear: () => void;
}

const splitDateTime = (v: string): [string, string] => {
  const [d = '', t = ''] = v.split('T');
  return [d, t];
};
const joinDateTime = (d: string, t: string) => (d ? (t ? `${d}T${t}` : d) : '');

export function SearchForm(props: Props) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<Criteria>(props.criteria);
  const [advanced, setAdvanced] = useState(props.advanced);
  // The URL is the truth: back/forward, a link or Clear change the form too.
  useEffect(() => setDraft(props.criteria), [props.criteria]);
  useEffect(() => setAdvanced(props.advanced), [props.advanced]);
  const set = (k: keyof Criteria) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [k]: e.target.value }));
  const [fromDate, fromTime] = splitDateTime(draft.from);
  const [toDate, toTime] = splitDateTime(draft.to);
  const setDT = (k: 'from' | 'to', part: 0 | 1) => (e: { target: { value: string } }) =>
    setDraft((d) => {
      const [dd, tt] = splitDateTime(d[k]);
      return { ...d, [k]: part === 0 ? joinDateTime(e.target.value, tt) : joinDateTime(dd, e.target.value) };
    });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    props.onSearch(draft, advanced);
  };
  const clear = () => {
    setDraft(EMPTY_CRITERIA);
    setAdvanced(false);
    props.onClear();
  };
  return (
    <form className="search-form" onSubmit={submit} aria-label={t('search.title')} data-testid="search-form">
      <h2>{t('search.title')}</h2>
      <div className="fields">
        <Field id="jobId" label={t('search.jobId')} value={draft.jobId} onChange={set('jobId')} />
        <Field id="filename" label={t('search.filename')} value={draft.filename} onChange={set('filename')} placeholder={t('search.filenameHint')} />
        <Field id="annotation" label={t('search.annotation')} value={draft.annotation} onChange={set('annotation')} />
      </div>
      <button type="button" className="link-button toggle-advanced" aria-expanded={advanced} onClick={() => setAdvanced((a) => !a)}>
        {advanced ? t('search.hideAdvanced') : t('search.showAdvanced')}
      </button>
      {advanced && (
        <div className="fields advanced" data-testid="advanced">
          <Field id="script" label={t('search.script')} value={draft.script} onChange={set('script')} />
          <Field id="user" label={t('search.user')} value={draft.user} onChange={set('user')} />
          <div className="field datetime">
            <label htmlFor="fromDate">{t('search.from')}</label>
            <div className="pair">
              <input id="fromDate" name="fromDate" type="date" value={fromDate} onChange={setDT('from', 0)} />
              <input id="fromTime" name="fromTime" type="time" aria-label={t('search.fromTime')} value={fromTime} disabled={!fromDate} onChange={setDT('from', 1)} />
            </div>
          </div>
          <div className="field datetime">
            <label htmlFor="toDate">{t('search.to')}</label>
            <div className="pair">
              <input id="toDate" name="toDate" type="date" value={toDate} onChange={setDT('to', 0)} />
              <input id="toTime" name="toTime" type="time" aria-label={t('search.toTime')} value={toTime} disabled={!toDate} onChange={setDT('to', 1)} />
            </div>
          </div>
          <div className="field">
            <label htmlFor="visibility">{t('search.visibility')}</label>
            <select id="visibility" name="visibility" value={draft.visibility} onChange={set('visibility')}>
              <option value="">{t('visibility.any')}</option>
              {VISIBILITIES.map((v) => (
                <option key={v} value={v}>
                  {t(`visibility.${v}`)}
                </option>
              ))}
            </select>
          </div>
        </div>
      )}
      <div className="buttons">
        <button type="button" className="secondary" onClick={clear} data-testid="clear">
          {t('action.clear')}
        </button>
        <button type="submit" className="primary" data-testid="search">
          {t('action.search')}
        </button>
      </div>
    </form>
  );
}

function Field(props: { id: string; label: string; value: string; onChange: (e: { target: { value: string } }) => void; placeholder?: string }) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <input id={props.id} name={props.id} type="text" value={props.value} onChange={props.onChange} placeholder={props.placeholder} autoComplete="off" />
    </div>
  );
}
