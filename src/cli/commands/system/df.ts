// `berth system df`: the four summary rows docker prints (images, containers, local volumes, build
// cache), or with -v the per-object tables.
import { formatOutput, GO_TYPE } from '../../format/index.js';
import type { CommandSpec } from '../../framework/command.js';
import { flag } from '../../framework/flags.js';
import { humanSize, humanSizeWithPrecision } from '../../util/units.js';
import { ContainerContext, type ContainerSummary } from '../container/ps.js';
import { FORMAT_HELP } from '../shared.js';

interface DiskUsage {
  LayersSize?: number;
  Images?: Array<{ Id: string; RepoTags?: string[] | null; Size: number; SharedSize: number; Containers: number; Created: number }> | null;
  Containers?: ContainerSummary[] | null;
  Volumes?: Array<{ Name: string; UsageData?: { Size: number; RefCount: number } }> | null;
  BuildCache?: Array<{ Size: number; Shared: boolean; InUse: boolean }> | null;
}

const ACTIVE_STATES = new Set(['running', 'paused', 'restarting']);

function pct(reclaimable: number, total: number): string {
  return total > 0 ? `${humanSize(reclaimable)} (${Math.trunc((reclaimable * 100) / total)}%)` : humanSize(reclaimable);
}

/** One summary row; docker's four diskUsage*Context types share these members. */
class UsageRow {
  static {
    (this.prototype as unknown as Record<symbol, string>)[GO_TYPE] = '*formatter.diskUsageContext';
  }
  constructor(
    readonly Type: string,
    readonly TotalCount: string,
    readonly Active: string,
    readonly Size: string,
    readonly Reclaimable: string,
  ) {}
}

function summaryRows(du: DiskUsage): UsageRow[] {
  const images = du.Images ?? [];
  const total = du.LayersSize ?? 0;
  let used = 0;
  for (const i of images) if (i.Containers !== 0 && i.Size !== -1 && i.SharedSize !== -1) used += i.Size - i.SharedSize;
  const containers = du.Containers ?? [];
  let cSize = 0;
  let cReclaim = 0;
  for (const c of containers) {
    cSize += c.SizeRw ?? 0;
    if (!ACTIVE_STATES.has(c.State ?? '')) cReclaim += c.SizeRw ?? 0;
  }
  const volumes = du.Volumes ?? [];
  let vSize = 0;
  let vReclaim = 0;
  for (const v of volumes) {
    const s = v.UsageData?.Size ?? -1;
    if (s === -1) continue;
    vSize += s;
    if ((v.UsageData?.RefCount ?? 0) === 0) vReclaim += s;
  }
  const cache = du.BuildCache ?? [];
  let bSize = 0;
  let inUse = 0;
  for (const b of cache) {
    if (!b.Shared) bSize += b.Size;
    if (b.InUse && !b.Shared) inUse += b.Size;
  }
  return [
    new UsageRow('Images', String(images.length), String(images.filter((i) => i.Containers > 0).length), humanSize(total), pct(total - used, total)),
    new UsageRow('Containers', String(containers.length), String(containers.filter((c) => ACTIVE_STATES.has(c.State ?? '')).length), humanSize(cSize), pct(cReclaim, cSize)),
    new UsageRow('Local Volumes', String(volumes.length), String(volumes.filter((v) => (v.UsageData?.RefCount ?? 0) > 0).length), humanSize(vSize), pct(vReclaim, vSize)),
    new UsageRow('Build Cache', String(cache.length), String(cache.filter((b) => b.InUse).length), humanSize(bSize), humanSize(bSize - inUse)),
  ];
}

export const dfCommand: CommandSpec = {
  name: 'df',
  use: '[OPTIONS]',
  short: 'Show berth disk usage',
  args: { none: true },
  flags: [flag.string('format', FORMAT_HELP), flag.bool('verbose,v', 'Show detailed information on space usage')],
  async run({ cli, flags }) {
    const du = await cli.client.request<DiskUsage>({ path: '/system/df' });
    const format = flags.string('format') || 'table';
    if (!flags.bool('verbose')) {
      cli.out(
        formatOutput({
          format: format === 'table' ? 'table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}' : format,
          defaultTableFormat: 'table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}',
          headers: { Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE' },
          rows: summaryRows(du),
        }),
      );
      return 0;
    }
    const images = (du.Images ?? []).map((i) => {
      const tag = (i.RepoTags ?? [])[0];
      const [repo, t] = tag && tag !== '<none>:<none>' ? [tag.slice(0, tag.lastIndexOf(':')), tag.slice(tag.lastIndexOf(':') + 1)] : ['<none>', '<none>'];
      return {
        Repository: repo,
        Tag: t,
        ID: i.Id.replace(/^sha256:/, '').slice(0, 12),
        CreatedSince: new ContainerContext({ Created: i.Created }, true).RunningFor,
        Size: humanSizeWithPrecision(i.Size, 3),
        SharedSize: i.SharedSize === -1 ? 'N/A' : humanSize(i.SharedSize),
        UniqueSize: i.SharedSize === -1 ? 'N/A' : humanSize(i.Size - i.SharedSize),
        Containers: i.Containers === -1 ? 'N/A' : String(i.Containers),
      };
    });
    const table = (f: string, headers: Record<string, string>, rows: object[]) => formatOutput({ format: f, defaultTableFormat: f, headers, rows });
    cli.out('Images space usage:\n\n');
    cli.out(
      table(
        'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}',
        { Repository: 'REPOSITORY', Tag: 'TAG', ID: 'IMAGE ID', CreatedSince: 'CREATED', Size: 'SIZE', SharedSize: 'SHARED SIZE', UniqueSize: 'UNIQUE SIZE', Containers: 'CONTAINERS' },
        images,
      ),
    );
    cli.out('\nContainers space usage:\n\n');
    cli.out(
      table(
        'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}',
        { ID: 'CONTAINER ID', Image: 'IMAGE', Command: 'COMMAND', LocalVolumes: 'LOCAL VOLUMES', Size: 'SIZE', RunningFor: 'CREATED', Status: 'STATUS', Names: 'NAMES' },
        (du.Containers ?? []).map((c) => new ContainerContext({ ...c, SizeRootFs: 0 }, true)),
      ),
    );
    cli.out('\nLocal Volumes space usage:\n\n');
    cli.out(
      table(
        'table {{.Name}}\t{{.Links}}\t{{.Size}}',
        { Name: 'VOLUME NAME', Links: 'LINKS', Size: 'SIZE' },
        (du.Volumes ?? []).map((v) => ({ Name: v.Name, Links: String(v.UsageData?.RefCount ?? 0), Size: humanSize(v.UsageData?.Size ?? 0) })),
      ),
    );
    const builder = (du.BuildCache ?? []).reduce((n, b) => n + (b.Shared ? 0 : b.Size), 0);
    cli.out(`\nBuild cache usage: ${humanSize(builder)}\n\n`);
    cli.out(table('table {{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t{{.LastUsedSince}}\t{{.UsageCount}}\t{{.Shared}}', { ID: 'CACHE ID', CacheType: 'CACHE TYPE', Size: 'SIZE', CreatedSince: 'CREATED', LastUsedSince: 'LAST USED', UsageCount: 'USAGE', Shared: 'SHARED' }, []));
    return 0;
  },
};
