// Parsers for option values: each rejects bad input as a usage error (exit 2).
import { usageError } from './errors.js';

export function positiveInt(name: string, max = Number.MAX_SAFE_INTEGER): (v: string) => number {
  return (v: string) => {
    if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max) throw usageError(`${name} takes a whole number from 1 to ${max}, got ${JSON.stringify(v)}`);
    return Number(v);
  };
}

export function nonNegativeInt(name: string, max = Number.MAX_SAFE_INTEGER): (v: string) => number {
  return (v: string) => {
    if (!/^\d+$/.test(v) || Number(v) > max) throw usageError(`${name} takes a whole number from 0 to ${max}, got ${JSON.stringify(v)}`);
    return Number(v);
  };
}

/** An ISO 8601 date or date-time → microseconds since the epoch. */
export function isoTime(name: string): (v: string) => number {
  return (v: string) => {
    const ms = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) ? Date.parse(v) : NaN;
    if (Number.isNaN(ms)) throw usageError(`${name} takes an ISO 8601 date or time (2025-03-01, 2025-03-01T14:00:00Z), got ${JSON.stringify(v)}`);
    return ms * 1000;
  };
}
