// Times: the store keeps microseconds since the epoch; the API speaks ISO 8601
// (UTC, with microseconds: 2025-04-10T14:14:03.366564Z).

/** µs since the epoch → ISO 8601 UTC with 6 fractional digits. */
export function isoUs(us: number | null | undefined): string | null {
  if (us === null || us === undefined || !Number.isFinite(us)) return null;
  const ms = Math.floor(us / 1000);
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return null;
  return `${d.toISOString().slice(0, 23)}${String(Math.trunc(us - ms * 1000)).padStart(3, '0')}Z`;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * ISO 8601 → µs since the epoch, or undefined when it is not a valid time.
 * A date alone is the start of that day, or with `endOfDay` its last
 * microsecond (so `to=2025-04-10` includes the whole day). Without a zone,
 * UTC.
 */
export function parseIsoUs(text: string, endOfDay = false): number | undefined {
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y), month = Number(mo), day = Number(d);
  const hour = h === undefined ? 0 : Number(h), minute = mi === undefined ? 0 : Number(mi), second = s === undefined ? 0 : Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(ms);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return undefined; // 2025-02-30
  let us = ms * 1000 + (frac ? Math.trunc(Number(frac.padEnd(9, '0')) / 1000) : 0);
  if (zone && zone !== 'Z') {
    const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
    const off = (Number(z[2]) * 60 + Number(z[3])) * 60_000_000;
    if (Number(z[2]) > 23 || Number(z[3]) > 59) return undefined;
    us -= z[1] === '+' ? off : -off;
  }
  if (h === undefined && endOfDay) us += 86_400_000_000 - 1;
  if (us < 0) return undefined;
  // Far future (after 2255) is past what µs in a double hold exactly: the end of time.
  return Number.isSafeInteger(us) ? us : Number.MAX_SAFE_INTEGER;
}
