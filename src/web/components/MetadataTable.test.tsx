// @vitest-environment happy-dom
import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import i18n from '../i18n';
import { MetadataTable } from './MetadataTable';
import { SearchForm } from './SearchForm';
import { EMPTY_CRITERIA } from '../state/url-state';

afterEach(cleanup);

describe('components', () => {
  it('shows every field of a node as text, markup included', () => {
    const name = '<img src=x onerror=alert(1)>';
    const { container } = render(
      <MetadataTable node={{ id: 5, kind: 'file', label: name, path: `/d/${name}`, argv: ['cat', name], inode: 1000, attrs: { size: 3 } }} />,
    );
    expect(container.querySelector('img')).toBeNull();
    const cells = [...container.querySelectorAll('tr[data-field]')].map((r) => [r.getAttribute('data-field'), r.querySelector('td')!.textContent]);
    expect(cells).toEqual([['id', '5'], ['kind', 'file'], ['label', name], ['path', `/d/${name}`], ['argv', `cat ${name}`], ['inode', '1000'], ['size', '3']]);
  });

  it('shows a job script with its lines, as text', () => {
    const script = '#!/bin/sh\necho "<b>x</b>" > out.txt\n';
    const { container } = render(<MetadataTable node={{ id: 7, kind: 'job', label: '42', scriptText: script, nodeList: ['n1', 'n2'] }} />);
    const pre = container.querySelector('tr[data-field="scriptText"] pre');
    expect(pre?.textContent).toBe(script);
    expect(container.querySelector('b')).toBeNull();
    expect(container.querySelector('tr[data-field="nodeList"] td')?.textContent).toBe('n1, n2');
  });

  it('labels the search form in Japanese as the reference does', async () => {
    await i18n.changeLanguage('ja');
    const { container } = render(<SearchForm criteria={EMPTY_CRITERIA} advanced={false} onSearch={() => {}} onClear={() => {}} />);
    const text = container.textContent ?? '';
    for (const label of ['検索条件', 'ジョブID', 'ファイル名', '追加情報', '詳細条件を開く', 'クリア', '検索']) expect(text).toContain(label);
    await i18n.changeLanguage('en');
  });
});
