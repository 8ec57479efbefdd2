// Every field of a node, as "field | value" rows (as in the reference's
// Detailed Information). Nested facts (attrs) are listed too.
import { useTranslation } from 'react-i18next';
import type { NodeDetail } from '../api/types';
import { cellText } from '../util/format';

const SKIP = new Set(['attrs']);
const FIRST = ['id', 'kind', 'label', 'key'];

export function metadataRows(node: NodeDetail): [string, string][] {
  const rows: [string, string][] = [];
  const seen = new Set<string>();
  const add = (k: string, v: unknown) => {
    if (seen.has(k)) return;
    seen.add(k);
    rows.push([k, k === 'env' && v && typeof v === 'object' ? JSON.stringify(v) : k === 'argv' && Array.isArray(v) ? v.map(String).join(' ') : cellText(v, k)]);
  };
  for (const k of FIRST) if (k in node) add(k, node[k]);
  for (const [k, v] of Object.entries(node)) if (!SKIP.has(k)) add(k, v);
  const attrs = node.attrs;
  if (attrs && typeof attrs === 'object') for (const [k, v] of Object.entries(attrs)) add(k, v);
  return rows;
}

export function MetadataTable(props: { node: NodeDetail }) {
  const { t } = useTranslation();
  return (
    <table className="table metadata" data-testid="metadata">
      <thead>
        <tr>
          <th>{t('details.field')}</th>
          <th>{t('details.value')}</th>
        </tr>
      </thead>
      <tbody>
        {metadataRows(props.node).map(([k, v]) => (
          <tr key={k} data-field={k}>
            <th scope="row">{k}</th>
            {/* a job script keeps its lines (React escapes the text) */}
            <td className="wrap">{k === 'scriptText' ? <pre className="script-text">{v}</pre> : v}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
