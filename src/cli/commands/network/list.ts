// `berth network ls`: docker's table (NETWORK ID, NAME, DRIVER, SCOPE), names in natural order, -q, --filter,
// --format (table, json, raw, templates) and config.json's networksFormat.
import { loadCliConfig } from '../../config/auth.js';
import { formatOutput, GO_TYPE } from '../../format/index.js';
import type { CommandSpec } from '../../framework/command.js';
import { flag } from '../../framework/flags.js';
import { FORMAT_HELP, filterFlag, filtersJSON, shortId } from '../shared.js';

interface NetworkSummary {
  Id: string;
  Name: string;
  Driver: string;
  Scope: string;
  Created?: string;
  EnableIPv4?: boolean;
  EnableIPv6?: boolean;
  Internal?: boolean;
  Labels?: Record<string, string> | null;
}

const DEFAULT = 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}';
const HEADERS = {
  ID: 'NETWORK ID', Name: 'NAME', Driver: 'DRIVER', Scope: 'SCOPE', IPv4: 'IPV4', IPv6: 'IPV6', Internal: 'INTERNAL',
  Labels: 'LABELS', CreatedAt: 'CREATED AT',
};

class NetworkContext {
  static {
    (this.prototype as unknown as Record<symbol, string>)[GO_TYPE] = '*network.networkContext';
  }

  constructor(
    private readonly n: NetworkSummary,
    private readonly trunc: boolean,
  ) {}

  get ID(): string {
    return this.trunc ? shortId(this.n.Id) : this.n.Id;
  }
  get Name(): string {
    return this.n.Name;
  }
  get Driver(): string {
    return this.n.Driver;
  }
  get Scope(): string {
    return this.n.Scope;
  }
  get IPv4(): string {
    return String(this.n.EnableIPv4 === true);
  }
  get IPv6(): string {
    return String(this.n.EnableIPv6 === true);
  }
  get Internal(): string {
    return String(this.n.Internal === true);
  }
  get Labels(): string {
    return Object.entries(this.n.Labels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  }
  Label(name: string): string {
    return this.n.Labels?.[name] ?? '';
  }
  /** time.Time.String() of the creation time: "2025-01-02 03:04:05.123456789 +0000 UTC". */
  get CreatedAt(): string {
    const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(this.n.Created ?? '');
    if (!m) return '0001-01-01 00:00:00 +0000 UTC';
    const frac = (m[3] ?? '').replace(/0+$/, '');
    const zone = m[4] === 'Z' ? '+0000 UTC' : `${m[4]!.replace(':', '')} ${m[4]!.replace(':', '')}`;
    return `${m[1]} ${m[2]}${frac === '.' ? '' : frac} ${zone}`;
  }
}

/** Go encodes the filters map with sorted keys. */
function sortedFilters<T>(f: Record<string, T> | undefined): Record<string, T> | undefined {
  return f && Object.fromEntries(Object.keys(f).sort().map((k) => [k, f[k]!]));
}

/** fvbommel/sortorder.NaturalLess: digit runs compare by value. */
export function naturalLess(a: string, b: string): boolean {
  const re = /(\d+|\D+)/g;
  const pa = a.match(re) ?? [];
  const pb = b.match(re) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    const dx = /^\d/.test(x);
    const dy = /^\d/.test(y);
    if (dx && dy) {
      const nx = x.replace(/^0+/, '');
      const ny = y.replace(/^0+/, '');
      if (nx.length !== ny.length) return nx.length < ny.length;
      if (nx !== ny) return nx < ny;
      return x.length < y.length;
    }
    return x < y;
  }
  return pa.length < pb.length;
}

export const networkListCommand: CommandSpec = {
  name: 'ls',
  use: '[OPTIONS]',
  short: 'List networks',
  aliases: ['list'],
  aliasesText: 'berth network ls, berth network list',
  args: { none: true },
  flags: [
    filterFlag('Provide filter values (e.g. "driver=bridge")'),
    flag.string('format', FORMAT_HELP),
    flag.bool('no-trunc', 'Do not truncate the output'),
    flag.bool('quiet,q', 'Only display network IDs'),
  ],
  async run({ cli, flags }) {
    const filters = sortedFilters(filtersJSON(flags.list('filter')));
    const list = (await cli.client.request<NetworkSummary[]>({ path: '/networks', query: filters ? { filters } : {} })) ?? [];
    const quiet = flags.bool('quiet');
    let format = flags.string('format');
    if (format === '') {
      const configured = quiet ? '' : (await loadCliConfig(cli)).stringSetting('networksFormat');
      format = configured || 'table';
    }
    if (format === 'raw') {
      format = quiet ? 'network_id: {{.ID}}' : 'network_id: {{.ID}}\\nname: {{.Name}}\\ndriver: {{.Driver}}\\nscope: {{.Scope}}\\n';
    }
    const sorted = [...list].sort((a, b) => (naturalLess(a.Name, b.Name) ? -1 : naturalLess(b.Name, a.Name) ? 1 : 0));
    const trunc = !flags.bool('no-trunc');
    cli.out(formatOutput({ format, quiet, defaultTableFormat: DEFAULT, headers: HEADERS, rows: sorted.map((n) => new NetworkContext(n, trunc)) }));
    return 0;
  },
};
