// Query parameters with moby's httputils semantics: booleans are true unless one of a few "off" words,
// integers fail loudly only where moby's do, and `filters` accepts both JSON shapes clients still send.
import { EngineError } from '../common/errors.js';

export type Filters = Record<string, string[]>;

const invalid = (message: string) => new EngineError('invalid-argument', message);

/** moby's BoolValue: '', '0', 'no', 'false', 'none' (any case, trimmed) are false; anything else is true. */
export function boolValue(q: URLSearchParams, key: string): boolean {
  const v = (q.get(key) ?? '').trim().toLowerCase();
  return !(v === '' || v === '0' || v === 'no' || v === 'false' || v === 'none');
}

/** The default when the key is absent altogether; `?key=` counts as present (and false). */
export function boolValueOrDefault(q: URLSearchParams, key: string, def: boolean): boolean {
  return q.has(key) ? boolValue(q, key) : def;
}

/** moby's Int64ValueOrDefault: empty or absent gives the default, garbage is a 400 naming the value. */
export function intValueOrDefault(q: URLSearchParams, key: string, def: number): number {
  const v = q.get(key) ?? '';
  if (v === '') return def;
  if (!/^[+-]?\d+$/.test(v)) throw invalid(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw invalid(`strconv.ParseInt: parsing ${JSON.stringify(v)}: value out of range`);
  return n;
}

/** moby's Int64ValueOrZero: any parse failure silently gives 0. */
export function intValueOrZero(q: URLSearchParams, key: string): number {
  try {
    return intValueOrDefault(q, key, 0);
  } catch {
    return 0;
  }
}

/**
 * The `filters` parameter. The current form is {"label":{"a=b":true}}; clients before API 1.22 and many
 * hand-written scripts send {"label":["a=b"]}. Both become { label: ['a=b'] }. Like moby, a map's keys count
 * whatever their boolean, and anything else is "invalid filter".
 */
export function parseFilters(raw: string | null | undefined): Filters {
  if (raw === null || raw === undefined || raw === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw invalid('invalid filter');
  }
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid('invalid filter');
  const entries = Object.entries(value as Record<string, unknown>);
  const asSets = entries.every(([, v]) => v === null || (isPlainObject(v) && Object.values(v).every((b) => typeof b === 'boolean')));
  const asLists = entries.every(([, v]) => v === null || (Array.isArray(v) && v.every((s) => typeof s === 'string')));
  if (!asSets && !asLists) throw invalid('invalid filter');
  const out: Filters = {};
  for (const [key, v] of entries) {
    const values = v === null ? [] : asSets ? Object.keys(v as object) : [...new Set(v as string[])];
    out[key] = values;
  }
  return out;
}

export function filtersValue(q: URLSearchParams, key = 'filters'): Filters {
  return parseFilters(q.get(key));
}

/** moby's Args.Validate: every key must be one the endpoint understands. */
export function validateFilters(filters: Filters, accepted: readonly string[]): void {
  for (const key of Object.keys(filters)) {
    if (!accepted.includes(key)) throw invalid(`invalid filter '${key}'`);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
