// Values as the UI shows them: always plain text (React escapes it).

/** ISO 8601 (UTC, up to 9 fractional digits) → local "YYYY/MM/DD HH:MM:SS.ffffff" as in the reference. */
export function formatTime(iso: unknown): string {
  if (typeof iso !== 'string' || iso === '') return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const frac = /\.(\d+)/.exec(iso)?.[1] ?? '';
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const base = `${d.getFullYear()}/${p(d.getMonth() + 1)}/${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  return frac ? `${base}.${frac}` : base;
}

const TIME_FIELDS = /^(start|end|ts|mtime|submit|createdAt|updatedAt|created_at|updated_at)$/;

/** Any API value as one line of text. */
export function cellText(v: unknown, field?: string): string {
  if (v === null || v === undefined) return '';
  if (field && TIME_FIELDS.test(field) && typeof v === 'string') return formatTime(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' && x !== null ? annotationText(x as Record<string, unknown>) : cellText(x))).join(', ');
  if (typeof v === 'object') return annotationText(v as Record<string, unknown>);
  return String(v);
}

function annotationText(o: Record<string, unknown>): string {
  if ('value' in o && typeof o.value === 'string') return o.key ? `${String(o.key)}: ${o.value}` : o.value;
  return JSON.stringify(o);
}

export function formatBytes(n: unknown): string {
  if (typeof n !== 'number') return cellText(n);
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}
