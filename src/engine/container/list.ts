// GET /containers/json filters: status, label, name, id, ancestor, exited, before, since, health,
// volume, network (Docker's semantics; an unknown filter is a 400 with Docker's wording).
import { invalidArgument } from '../../common/errors.js';
import type { ContainerRecord } from './model.js';
import type { ContainerStore } from './store.js';

const STATUSES = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];
const KNOWN = new Set(['status', 'label', 'name', 'id', 'ancestor', 'exited', 'before', 'since', 'health', 'volume', 'network', 'is-task', 'publish', 'expose']);

function labelMatch(c: ContainerRecord, f: string): boolean {
  const labels = c.config.Labels ?? {};
  const i = f.indexOf('=');
  if (i < 0) return f in labels;
  return labels[f.slice(0, i)] === f.slice(i + 1);
}

export function listContainers(
  store: ContainerStore,
  opts: { all?: boolean; limit?: number; filters?: Record<string, string[]>; imageMatches?: (c: ContainerRecord, ref: string) => boolean },
): ContainerRecord[] {
  const f = opts.filters ?? {};
  for (const k of Object.keys(f)) if (!KNOWN.has(k)) throw invalidArgument(`invalid filter '${k}'`);
  for (const s of f.status ?? []) if (!STATUSES.includes(s)) throw invalidArgument(`invalid filter 'status=${s}'`);
  for (const h of f.health ?? []) if (!['starting', 'healthy', 'unhealthy', 'none'].includes(h)) throw invalidArgument(`invalid filter 'health=${h}'`);
  const byCreated = store.all().sort((a, b) => Date.parse(b.created) - Date.parse(a.created) || (b.id < a.id ? -1 : 1));
  const created = (ref: string) => Date.parse(store.get(ref).created);
  const before = f.before?.length ? Math.min(...f.before.map(created)) : undefined;
  const sinceT = f.since?.length ? Math.max(...f.since.map(created)) : undefined;
  const all = opts.all || (f.status?.length ?? 0) > 0 || (opts.limit ?? 0) > 0;
  let out = byCreated.filter((c) => {
    const st = c.state.status;
    if (!all && st !== 'running' && st !== 'paused' && st !== 'restarting') return false;
    if (f.status?.length && !f.status.includes(st)) return false;
    if (f.exited?.length && !(st === 'exited' && f.exited.includes(String(c.state.exitCode)))) return false;
    if (f.label?.length && !f.label.every((l) => labelMatch(c, l))) return false;
    if (f.name?.length && !f.name.some((n) => new RegExp(n).test(c.name.slice(1)) || new RegExp(n).test(c.name))) return false;
    if (f.id?.length && !f.id.some((i) => c.id.startsWith(i))) return false;
    if (f.ancestor?.length && !f.ancestor.some((a) => c.imageRef === a || c.imageId === a || c.imageId.startsWith(`sha256:${a}`) || (opts.imageMatches?.(c, a) ?? false))) return false;
    if (f.health?.length && !f.health.includes(c.state.health?.status ?? 'none')) return false;
    if (before !== undefined && Date.parse(c.created) >= before) return false;
    if (sinceT !== undefined && Date.parse(c.created) <= sinceT) return false;
    return true;
  });
  if (opts.limit && opts.limit > 0) out = out.slice(0, opts.limit);
  return out;
}
