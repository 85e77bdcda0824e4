// `berth volume ls`: docker's table (DRIVER, VOLUME NAME), names in natural order, -q, --filter, --format and
// config.json's volumesFormat.
import { loadCliConfig } from '../../config/auth.js';
import { formatOutput, GO_TYPE } from '../../format/index.js';
import type { CommandSpec } from '../../framework/command.js';
import { flag } from '../../framework/flags.js';
import { naturalLess } from '../network/list.js';
import { FORMAT_HELP, filterFlag, filtersJSON } from '../shared.js';
import { humanSize } from '../../util/units.js';

export interface VolumeJSON {
  Name: string;
  Driver: string;
  Mountpoint: string;
  Scope: string;
  Labels?: Record<string, string> | null;
  UsageData?: { Size: number; RefCount: number } | null;
}

const DEFAULT = 'table {{.Driver}}\t{{.Name}}';
const HEADERS = { Name: 'VOLUME NAME', Driver: 'DRIVER', Scope: 'SCOPE', Mountpoint: 'MOUNTPOINT', Labels: 'LABELS', Links: 'LINKS', Size: 'SIZE' };

/** docker's volumeContext: the fields a --format template may use. */
export class VolumeContext {
  static {
    (this.prototype as unknown as Record<symbol, string>)[GO_TYPE] = '*formatter.volumeContext';
  }

  constructor(private readonly v: VolumeJSON) {}

  get Name(): string {
    return this.v.Name;
  }
  get Driver(): string {
    return this.v.Driver;
  }
  get Scope(): string {
    return this.v.Scope;
  }
  get Mountpoint(): string {
    return this.v.Mountpoint;
  }
  get Labels(): string {
    return Object.entries(this.v.Labels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  }
  Label(name: string): string {
    return this.v.Labels?.[name] ?? '';
  }
  get Links(): string {
    return this.v.UsageData ? String(this.v.UsageData.RefCount) : 'N/A';
  }
  get Size(): string {
    return this.v.UsageData && this.v.UsageData.Size >= 0 ? humanSize(this.v.UsageData.Size) : 'N/A';
  }
}

export const volumeListCommand: CommandSpec = {
  name: 'ls',
  use: '[OPTIONS]',
  short: 'List volumes',
  aliases: ['list'],
  aliasesText: 'berth volume ls, berth volume list',
  args: { none: true },
  flags: [
    flag.bool('cluster', 'Display only cluster volumes, and use cluster volume list formatting'),
    filterFlag('Provide filter values (e.g. "dangling=true")'),
    flag.string('format', FORMAT_HELP),
    flag.bool('quiet,q', 'Only display volume names'),
  ],
  async run({ cli, flags }) {
    const filters = filtersJSON(flags.list('filter'));
    const res = await cli.client.request<{ Volumes?: VolumeJSON[] | null }>({ path: '/volumes', query: filters ? { filters } : {} });
    const quiet = flags.bool('quiet');
    let format = flags.string('format');
    if (format === '') format = (quiet ? '' : (await loadCliConfig(cli)).stringSetting('volumesFormat')) || 'table';
    const list = flags.bool('cluster') ? [] : [...(res?.Volumes ?? [])];
    list.sort((a, b) => (naturalLess(a.Name, b.Name) ? -1 : naturalLess(b.Name, a.Name) ? 1 : 0));
    cli.out(formatOutput({ format, quiet, defaultTableFormat: DEFAULT, headers: HEADERS, rows: list.map((v) => new VolumeContext(v)) }));
    return 0;
  },
};
