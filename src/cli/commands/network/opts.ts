// Value syntaxes the network commands share with `run`/`create`: docker's MapOpts, ListOpts with
// ValidateLabel/ValidateLink, pflag's StringSlice (CSV) values, and the endpoint settings built from
// --ip/--alias/--driver-opt, with docker's wording for every error.
import { flag, type FlagSpec } from '../../framework/flags.js';

/** opts.MapOpts flag: help shows `map` and "(default map[])". */
export const mapFlag = (names: string, usage: string): FlagSpec => flag.list(names, usage, { type: 'map', defaultText: 'map[]' });

/** opts.ValidateLabel. */
export function validateLabel(raw: string): string {
  const key = raw.split('=')[0]!.replace(/^[ \t\n\r\f\v]+/, '');
  if (key === '') throw new Error(`invalid label '${raw}': empty name`);
  if (/[ \t\n\r\f\v]/.test(key)) throw new Error(`label '${key}' contains whitespaces`);
  return raw;
}

/** opts.ValidateLink (ParseLink): "name" or "name:alias". */
export function validateLink(raw: string): string {
  if (raw === '') throw new Error('empty string specified for links');
  if (raw.split(':').length > 2) throw new Error(`bad format for links: ${raw}`);
  return raw;
}

/** opts.ConvertKVStringsToMap / MapOpts.GetAll: "k=v" → k: v, a bare "k" → k: "". */
export function kvMap(values: readonly string[]): Record<string, string> {
  const m: Record<string, string> = {};
  for (const v of values) {
    const i = v.indexOf('=');
    m[i < 0 ? v : v.slice(0, i)] = i < 0 ? '' : v.slice(i + 1);
  }
  return m;
}

/** pflag's StringSlice: each occurrence is a CSV record ("a,b" is two values, quotes allowed). */
export function csvValues(occurrences: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of occurrences) {
    if (raw === '') continue;
    let field = '';
    let quoted = false;
    for (let i = 0; i < raw.length; i++) {
      const c = raw[i]!;
      if (quoted) {
        if (c === '"' && raw[i + 1] === '"') {
          field += '"';
          i++;
        } else if (c === '"') quoted = false;
        else field += c;
      } else if (c === '"' && field === '') quoted = true;
      else if (c === ',') {
        out.push(field);
        field = '';
      } else field += c;
    }
    out.push(field);
  }
  return out;
}

/** network connect's convertDriverOpt: "k=v" pairs, trimmed; a missing "=" or key is an error. */
export function driverOpts(values: readonly string[]): Record<string, string> {
  const m: Record<string, string> = {};
  for (const opt of values) {
    const i = opt.indexOf('=');
    const k = (i < 0 ? opt : opt.slice(0, i)).trim();
    if (i < 0 || k === '') throw new Error('invalid key/value pair format in driver options');
    m[k] = opt.slice(i + 1).trim();
  }
  return m;
}

/** EndpointSettings as the Go client encodes it: every member, in struct order. */
export function endpointSettings(e: {
  ipam: Record<string, unknown> | null;
  links?: string[] | null;
  aliases?: string[] | null;
  mac?: string;
  driverOpts?: Record<string, string> | null;
  gwPriority?: number;
}): Record<string, unknown> {
  return {
    IPAMConfig: e.ipam,
    Links: e.links ?? null,
    Aliases: e.aliases ?? null,
    MacAddress: e.mac ?? '',
    DriverOpts: e.driverOpts ?? null,
    GwPriority: e.gwPriority ?? 0,
    NetworkID: '',
    EndpointID: '',
    Gateway: '',
    IPAddress: '',
    IPPrefixLen: 0,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    DNSNames: null,
  };
}

/** EndpointIPAMConfig with its omitempty members: only what was given. */
export function endpointIpam(ip: string, ip6: string, linkLocal: readonly string[] = []): Record<string, unknown> {
  const m: Record<string, unknown> = {};
  if (ip) m.IPv4Address = ip;
  if (ip6) m.IPv6Address = ip6;
  if (linkLocal.length > 0) m.LinkLocalIPs = [...linkLocal];
  return m;
}
