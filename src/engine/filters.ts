// Docker's filter values shared by the list and prune verbs of images, networks and volumes: `until`
// (a Unix time, a Go duration before now, or a date) and `label` / `label!` (a key, or key=value).
import { invalidArgument } from '../common/errors.js';

/** `until` as milliseconds since the epoch. */
export function untilMs(v: string, now = Date.now()): number {
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const d = /^(\d+)(h|m|s)$/.exec(v);
  if (d) return now - Number(d[1]) * { h: 3600e3, m: 60e3, s: 1e3 }[d[2] as 'h' | 'm' | 's'];
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw invalidArgument(`failed to parse value ${v} of filter until`);
  return t;
}

/** One `label` filter value against a label set. */
export function labelMatch(labels: Record<string, string>, want: string): boolean {
  const i = want.indexOf('=');
  return i < 0 ? want in labels : labels[want.slice(0, i)] === want.slice(i + 1);
}

/** Every `label` value matches and no `label!` value does. */
export function labelsMatch(labels: Record<string, string>, want: readonly string[], notWant: readonly string[] = []): boolean {
  return want.every((w) => labelMatch(labels, w)) && !notWant.some((w) => labelMatch(labels, w));
}
