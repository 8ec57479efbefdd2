import { describe, expect, it } from 'vitest';
import { criteriaQuery, DEFAULT_STATE, localToIso, parseState, serializeState } from './url-state';

describe('URL state', () => {
  it('round-trips a view through the query string', () => {
    const s = {
      ...DEFAULT_STATE,
      criteria: { ...DEFAULT_STATE.criteria, jobId: '1001', filename: '<img src=x>', user: 'alice', from: '2025-04-10T14:00' },
      advanced: true, job: 42, view: 'list' as const, tab: 'relations' as const, entityType: 'process' as const,
      sort: 'path', order: 'desc' as const, page: 3, software: true, sel: 7, node: 9,
    };
    expect(parseState(serializeState(s))).toEqual(s);
  });

  it('writes nothing for the defaults and ignores junk', () => {
    expect(serializeState(DEFAULT_STATE)).toBe('');
    const s = parseState('page=-1&job=abc&view=weird&visibility=everyone&order=sideways&etype=x');
    expect(s).toEqual({ ...DEFAULT_STATE });
  });

  it('opens the advanced options when an advanced criterion is set', () => {
    expect(parseState('script=run.sh').advanced).toBe(true);
  });

  it('turns local dates into UTC ISO times for the API (a day alone is all of it)', () => {
    const from = localToIso('2025-04-10', false)!;
    const to = localToIso('2025-04-10', true)!;
    expect(new Date(to).getTime() - new Date(from).getTime()).toBe(86_400_000 - 1);
    expect(new Date(localToIso('2025-04-10T14:30', false)!).getHours()).toBe(14);
    expect(localToIso('10/04/2025', false)).toBeUndefined();
    expect(criteriaQuery({ ...DEFAULT_STATE.criteria, jobId: ' 1001 ', from: '2025-04-10' })).toEqual({ jobId: '1001', from });
  });
});
