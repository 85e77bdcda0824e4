// `berth ps` / `container ls`: docker's list options (-a, -n, -l, -s, filters) and its table, quiet, json
// and template outputs over formatter.ContainerContext (docker's truncation, wording and port grouping).
import { GO_TYPE, stringWidth, formatOutput, validateFormat } from '../../format/index.js';
import { goTimeString } from '../../util/gotime.js';
import { parseImageRef } from '../../util/reference.js';
import { humanDuration, humanSizeWithPrecision } from '../../util/units.js';
import { shortId, filterFlag, filtersJSON, formatFlag } from '../shared.js';
import { type QueryValue } from '../../../client/index.js';
import { type CommandSpec } from '../../framework/command.js';
import { flag } from '../../framework/flags.js';

export interface ContainerSummary {
  Id?: string;
  Names?: string[] | null;
  Image?: string;
  ImageID?: string;
  Command?: string;
  Created?: number;
  Ports?: Array<{ IP?: string; PrivatePort: number; PublicPort?: number; Type: string }> | null;
  SizeRw?: number;
  SizeRootFs?: number;
  Labels?: Record<string, string> | null;
  State?: string;
  Status?: string;
  NetworkSettings?: { Networks?: Record<string, unknown> | null } | null;
  Mounts?: Array<{ Name?: string; Source?: string; Driver?: string }> | null;
}

export const CONTAINER_HEADERS = {
  ID: 'CONTAINER ID',
  Names: 'NAMES',
  Image: 'IMAGE',
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED',
  Ports: 'PORTS',
  State: 'STATE',
  Status: 'STATUS',
  Size: 'SIZE',
  Labels: 'LABELS',
  Mounts: 'MOUNTS',
  LocalVolumes: 'LOCAL VOLUMES',
  Networks: 'NETWORKS',
  Platform: 'PLATFORM',
};

export const DEFAULT_PS_FORMAT = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';

/** formatter.Ellipsis: cut to a display width, ending in "…". */
export function ellipsis(s: string, max: number): string {
  if (max <= 0) return '';
  const runes = [...s];
  if (max === 1) return runes[0] ?? '';
  if (stringWidth(s) <= max) return s;
  let out = '';
  let width = 0;
  for (const r of runes) {
    const w = stringWidth(r);
    if (width + w > max - 1) break;
    out += r;
    width += w;
  }
  return `${out}…`;
}

/** strconv.Quote for the command column: Go escapes, double quotes. */
function goQuote(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** formatter.DisplayablePorts. */
export function displayablePorts(input: NonNullable<ContainerSummary['Ports']>): string {
  const ports = [...input].sort(
    (a, b) => a.PrivatePort - b.PrivatePort || (a.IP ?? '').localeCompare(b.IP ?? '') || (a.PublicPort ?? 0) - (b.PublicPort ?? 0) || a.Type.localeCompare(b.Type),
  );
  const groups = new Map<string, { first: number; last: number }>();
  const result: string[] = [];
  const hostMappings: string[] = [];
  const form = (key: string, first: number, last: number) => {
    const [a, b] = key.split('/');
    const ip = b === undefined ? '' : a!;
    const type = b === undefined ? a! : b;
    let g = first === last ? String(first) : `${first}-${last}`;
    if (ip !== '') g = `${joinHostPort(ip, g)}->${g}`;
    return `${g}/${type}`;
  };
  for (const p of ports) {
    let key = p.Type;
    if (p.IP) {
      if (p.PublicPort !== p.PrivatePort) {
        hostMappings.push(`${joinHostPort(p.IP, String(p.PublicPort ?? 0))}->${p.PrivatePort}/${p.Type}`);
        continue;
      }
      key = `${p.IP}/${p.Type}`;
    }
    const g = groups.get(key);
    if (!g) {
      groups.set(key, { first: p.PrivatePort, last: p.PrivatePort });
    } else if (p.PrivatePort === g.last + 1) {
      g.last = p.PrivatePort;
    } else {
      result.push(form(key, g.first, g.last));
      groups.delete(key);
      groups.set(key, { first: p.PrivatePort, last: p.PrivatePort });
    }
  }
  for (const [key, g] of groups) result.push(form(key, g.first, g.last));
  return [...result, ...hostMappings].join(', ');
}

export class ContainerContext {
  static {
    (this.prototype as unknown as Record<symbol, string>)[GO_TYPE] = '*formatter.ContainerContext';
  }

  constructor(
    private readonly c: ContainerSummary,
    private readonly trunc: boolean,
  ) {}

  get ID(): string {
    return this.trunc ? shortId(this.c.Id ?? '') : (this.c.Id ?? '');
  }

  get Names(): string {
    let names = (this.c.Names ?? []).map((n) => n.slice(1));
    if (this.trunc) {
      const plain = names.find((n) => n.split('/').length === 1);
      if (plain !== undefined) names = [plain];
    }
    return names.join(',');
  }

  get Image(): string {
    const image = this.c.Image ?? '';
    if (image === '') return '<no image>';
    if (this.trunc) {
      const t = shortId(this.c.ImageID ?? '');
      if (t === shortId(image)) return t;
      const ref = parseImageRef(image);
      if (ref) return ref.tag !== undefined ? `${ref.name}:${ref.tag}` : ref.name;
    }
    return image;
  }

  get Command(): string {
    const cmd = this.c.Command ?? '';
    return goQuote(this.trunc ? ellipsis(cmd, 20) : cmd);
  }

  get CreatedAt(): string {
    return goTimeString(new Date((this.c.Created ?? 0) * 1000));
  }

  get RunningFor(): string {
    return `${humanDuration(Date.now() - (this.c.Created ?? 0) * 1000)} ago`;
  }

  get Ports(): string {
    return displayablePorts(this.c.Ports ?? []);
  }

  get State(): string {
    return this.c.State ?? '';
  }

  get Status(): string {
    return this.c.Status ?? '';
  }

  get Size(): string {
    const srw = humanSizeWithPrecision(this.c.SizeRw ?? 0, 3);
    const sv = humanSizeWithPrecision(this.c.SizeRootFs ?? 0, 3);
    return (this.c.SizeRootFs ?? 0) > 0 ? `${srw} (virtual ${sv})` : srw;
  }

  get Labels(): string {
    if (!this.c.Labels) return '';
    return Object.entries(this.c.Labels)
      .map(([k, v]) => `${k}=${v}`)
      .sort()
      .join(',');
  }

  Label(name: string): string {
    return this.c.Labels?.[name] ?? '';
  }

  get Mounts(): string {
    return (this.c.Mounts ?? []).map((m) => (m.Name ? m.Name : (m.Source ?? ''))).map((n) => (this.trunc ? ellipsis(n, 15) : n)).join(',');
  }

  get LocalVolumes(): string {
    return String((this.c.Mounts ?? []).filter((m) => m.Driver === 'local').length);
  }

  get Networks(): string {
    return Object.keys(this.c.NetworkSettings?.Networks ?? {}).join(',');
  }

  get Platform(): null {
    return null;
  }
}

export const psCommand: CommandSpec = {
  name: 'ls',
  use: '[OPTIONS]',
  short: 'List containers',
  aliases: ['list', 'ps'],
  aliasesText: 'berth container ls, berth container list, berth container ps, berth ps',
  args: { none: true },
  flags: [
    flag.bool('quiet,q', 'Only display container IDs'),
    flag.bool('size,s', 'Display total file sizes'),
    flag.bool('all,a', 'Show all containers (default shows just running)'),
    flag.bool('no-trunc', "Don't truncate output"),
    flag.bool('latest,l', 'Show the latest created container (includes all states)'),
    flag.int('last,n', 'Show n last created containers (includes all states)', { initial: -1, defaultText: '-1' }),
    formatFlag(),
    filterFlag(),
  ],
  async run({ cli, flags }) {
    const format = flags.string('format');
    const quiet = flags.bool('quiet');
    if (format !== '' && quiet) cli.err('WARNING: Ignoring custom format, because both --format and --quiet are set.\n');
    let size = flags.bool('size');
    let limit = flags.number('last');
    if (flags.bool('latest') && limit === -1) limit = 1;
    if (format !== '') {
      const used = validateFormat(format, new ContainerContext({}, true), '*formatter.ContainerContext');
      if (!quiet && !size && !flags.changed('size') && used.has('Size')) size = true;
    }
    const query: Record<string, QueryValue> = {};
    if (flags.bool('all')) query.all = '1';
    if (limit !== -1) query.limit = limit;
    if (size) query.size = '1';
    const filters = filtersJSON(flags.list('filter'));
    if (filters) query.filters = filters;
    const list = (await cli.client.request<ContainerSummary[]>({ path: '/containers/json', query })) ?? [];
    const trunc = !flags.bool('no-trunc');
    cli.out(
      formatOutput({
        format,
        defaultTableFormat: size ? `${DEFAULT_PS_FORMAT}\t{{.Size}}` : DEFAULT_PS_FORMAT,
        headers: CONTAINER_HEADERS,
        rows: list.map((c) => new ContainerContext(c, trunc)),
        quiet,
        quietOverridesFormat: true,
        contextType: '*formatter.ContainerContext',
      }),
    );
    return 0;
  },
};

export const psTopLevel: CommandSpec = { ...psCommand, name: 'ps', aliases: [], use: '[OPTIONS]' };
