// /version, /info, /events, /system/df.
import { invalidArgument } from '../../../common/errors.js';
import { filtersValue } from '../../query.js';
import { writeJson } from '../../response.js';
import { openJsonStream } from '../../stream/json-stream.js';
import type { Route } from '../../types.js';
import { parseTimestamp } from '../containers/routes.js';

export interface EventLike {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  time: number;
  timeNano: number;
}

export interface SystemBackend {
  version(): Record<string, unknown>;
  info(): Promise<Record<string, unknown>> | Record<string, unknown>;
  df(): Promise<Record<string, unknown>>;
  /** Replays history from sinceNs, then live events until the signal aborts. */
  subscribe(onEvent: (e: EventLike) => void, opts: { sinceNs?: number; signal: AbortSignal }): () => void;
}

const EVENT_FILTERS = new Set(['container', 'image', 'event', 'label', 'type', 'volume', 'network', 'daemon', 'plugin', 'node', 'service', 'secret', 'config', 'scope']);

export function eventMatches(e: EventLike, f: Record<string, string[]>): boolean {
  const any = (key: string, pred: (v: string) => boolean) => !f[key]?.length || f[key]!.some(pred);
  const attrs = e.Actor.Attributes;
  const action = e.Action.split(':')[0]!;
  return (
    any('type', (v) => v === e.Type) &&
    any('event', (v) => v === e.Action || v === action) &&
    any('container', (v) => e.Type === 'container' && (e.Actor.ID.startsWith(v) || attrs.name === v)) &&
    any('image', (v) => attrs.image === v || e.Actor.ID === v || (e.Type === 'image' && attrs.name === v)) &&
    any('label', (v) => {
      const i = v.indexOf('=');
      return i < 0 ? v in attrs : attrs[v.slice(0, i)] === v.slice(i + 1);
    }) &&
    any('volume', (v) => e.Type === 'volume' && e.Actor.ID === v) &&
    any('network', (v) => e.Type === 'network' && (e.Actor.ID.startsWith(v) || attrs.name === v)) &&
    any('daemon', (v) => e.Type === 'daemon' && e.Actor.ID === v) &&
    any('scope', (v) => v === 'local')
  );
}

export function systemRoutes(b: SystemBackend): Route[] {
  return [
    { method: 'GET', path: '/version', handler: (ctx) => writeJson(ctx.res, 200, b.version()) },
    { method: 'GET', path: '/info', handler: async (ctx) => writeJson(ctx.res, 200, await b.info()) },
    { method: 'GET', path: '/system/df', handler: async (ctx) => writeJson(ctx.res, 200, await b.df()) },
    {
      method: 'GET',
      path: '/events',
      handler: async (ctx) => {
        const filters = filtersValue(ctx.query);
        for (const k of Object.keys(filters)) if (!EVENT_FILTERS.has(k)) throw invalidArgument(`invalid filter '${k}'`);
        const since = parseTimestamp(ctx.query.get('since'));
        const until = parseTimestamp(ctx.query.get('until'));
        if (since !== undefined && until !== undefined && until < since) throw invalidArgument('`since` time must be before `until` time');
        const out = openJsonStream(ctx);
        const untilNs = until === undefined ? undefined : until * 1e9;
        let timer: NodeJS.Timeout | undefined;
        if (untilNs !== undefined) timer = setTimeout(() => out.end(), Math.max(0, untilNs / 1e6 - Date.now()));
        await new Promise<void>((resolve) => {
          const off = b.subscribe((e) => {
            if (untilNs !== undefined && e.timeNano > untilNs) return;
            if (eventMatches(e, filters)) void out.write(e);
          }, { sinceNs: since === undefined ? undefined : since * 1e9, signal: out.signal });
          out.signal.addEventListener('abort', () => {
            off();
            resolve();
          }, { once: true });
        });
        if (timer) clearTimeout(timer);
      },
    },
  ];
}
