// `berth events`: the daemon's event stream, one line per event in docker's layout (RFC 3339 time with
// nanoseconds, type, action, actor and sorted attributes), or a template per event.
import type { QueryValue } from '../../../client/index.js';
import { StringDecoder } from 'node:string_decoder';
import { goJSON, MARSHAL_JSON, parseTemplate, TemplateError, type Template } from '../../format/index.js';
import { EXIT_FORMAT, StatusError } from '../../exit-codes.js';
import type { CommandSpec } from '../../framework/command.js';
import { flag } from '../../framework/flags.js';
import { getTimestamp } from '../../util/gotime.js';
import { INSPECT_FORMAT_HELP, filterFlag, filtersJSON } from '../shared.js';

/** events.Message with Go's field names for templates and the API's JSON for `json`. */
class EventMessage {
  Status: string;
  ID: string;
  From: string;
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> | null };
  Scope: string;
  Time: number;
  TimeNano: bigint;

  constructor(m: Record<string, any>, timeNano: bigint) {
    this.Status = m.status ?? '';
    this.ID = m.id ?? '';
    this.From = m.from ?? '';
    this.Type = m.Type ?? '';
    this.Action = m.Action ?? '';
    this.Actor = { ID: m.Actor?.ID ?? '', Attributes: m.Actor?.Attributes ?? null };
    this.Scope = m.scope ?? '';
    this.Time = m.time ?? 0;
    this.TimeNano = timeNano;
  }

  [MARSHAL_JSON](): string {
    const o: Record<string, unknown> = {};
    if (this.Status) o.status = this.Status;
    if (this.ID) o.id = this.ID;
    if (this.From) o.from = this.From;
    // Attributes is a Go map: encoding/json sorts its keys
    const attrs = this.Actor.Attributes === null ? null : Object.fromEntries(Object.entries(this.Actor.Attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const actor = { ID: this.Actor.ID, Attributes: attrs };
    Object.assign(o, { Type: this.Type, Action: this.Action, Actor: actor, scope: this.Scope, time: this.Time, timeNano: this.TimeNano });
    return goJSON(o, { escapeHTML: false });
  }
}

/** "2006-01-02T15:04:05.000000000Z07:00" in the local zone. */
function rfc3339NanoFixed(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');
  const off = -d.getTimezoneOffset();
  const zone = off === 0 ? 'Z' : `${off > 0 ? '+' : '-'}${p(Math.trunc(Math.abs(off) / 60))}:${p(Math.abs(off) % 60)}`;
  const frac = String(((ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n).padStart(9, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${frac}${zone}`;
}

export function prettyEvent(e: EventMessage): string {
  let s = '';
  if (e.TimeNano !== 0n) s += `${rfc3339NanoFixed(e.TimeNano)} `;
  else if (e.Time !== 0) s += `${rfc3339NanoFixed(BigInt(e.Time) * 1_000_000_000n)} `;
  s += `${e.Type} ${e.Action} ${e.Actor.ID}`;
  const attrs = Object.keys(e.Actor.Attributes ?? {}).sort();
  if (attrs.length > 0) s += ` (${attrs.map((k) => `${k}=${e.Actor.Attributes![k]}`).join(', ')})`;
  return `${s}\n`;
}

/** Splits the stream into lines and keeps timeNano exact (it does not fit a double). */
async function* events(source: AsyncIterable<Buffer>): AsyncGenerator<EventMessage> {
  const decoder = new StringDecoder('utf8');
  let buf = '';
  const parse = (text: string) => {
    const nano = /"timeNano"\s*:\s*(-?\d+)/.exec(text)?.[1];
    return new EventMessage(JSON.parse(text) as Record<string, unknown>, nano ? BigInt(nano) : 0n);
  };
  for await (const chunk of source) {
    buf += decoder.write(chunk);
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const text = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (text !== '') yield parse(text);
    }
  }
  buf += decoder.end();
  if (buf.trim() !== '') yield parse(buf.trim());
}

export const eventsCommand: CommandSpec = {
  name: 'events',
  use: '[OPTIONS]',
  short: 'Get real time events from the server',
  aliasesText: 'berth system events, berth events',
  args: { none: true },
  flags: [
    flag.string('since', 'Show all events created since timestamp'),
    flag.string('until', 'Stream events until this timestamp'),
    filterFlag(),
    flag.string('format', INSPECT_FORMAT_HELP),
  ],
  async run({ cli, flags }) {
    const format = flags.string('format');
    let tmpl: Template | undefined;
    if (format !== '') {
      try {
        tmpl = parseTemplate(format === 'json' ? '{{json .}}' : format);
        tmpl.execute(new EventMessage({}, 0n));
      } catch (e) {
        if (e instanceof TemplateError) throw new StatusError(`Error parsing format: ${e.message}`, EXIT_FORMAT);
        throw e;
      }
    }
    const query: Record<string, QueryValue> = {};
    const now = new Date();
    if (flags.string('since')) query.since = getTimestamp(flags.string('since'), now);
    if (flags.string('until')) query.until = getTimestamp(flags.string('until'), now);
    const filters = filtersJSON(flags.list('filter'));
    if (filters) query.filters = filters;
    const res = await cli.client.stream({ path: '/events', query });
    for await (const e of events(res as AsyncIterable<Buffer>)) {
      if (tmpl) cli.out(`${tmpl.execute(e)}\n`);
      else cli.out(prettyEvent(e));
    }
    return 0;
  },
};
