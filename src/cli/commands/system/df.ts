// `berth system df`: the four summary rows docker prints (images, containers, local volumes, build
// cache), or with -v the per-object tables.
import { formatOutput, GO_TYPE } from '../../format/index.js';
import type { CommandSpec } from '../../framework/command.js';
import { flag } from '../../framework/flags.js';
import { familiarName, parseNormalizedNamed } from '../../util/reference.js';
import { humanDuration, humanSize, humanSizeWithPrecision } from '../../util/units.js';
import { ContainerContext, type ContainerSummary } from '../container/ps.js';
import { FORMAT_HELP, shortId } from '../shared.js';

interface DiskUsage {
  LayersSize?: number;
  Images?: Array<{ Id: string; RepoTags?: string[] | null; RepoDigests?: string[] | null; Size: number; SharedSize: number; Containers: number; Created: number }> | null;
  Containers?: ContainerSummary[] | null;
  Volumes?: Array<{ Name: string; UsageData?: { Size: number; RefCount: number } | null }> | null;
  BuildCache?: CacheRecord[] | null;
}

interface CacheRecord {
  ID: string;
  Type?: string;
  Size: number;
  Shared: boolean;
  InUse: boolean;
  CreatedAt?: string;
  LastUsedAt?: string | null;
  UsageCount?: number;
}

/** formatter.isDangling. */
function isDangling(tags: readonly string[], digests: readonly string[]): boolean {
  if (tags.length === 0 && digests.length === 0) return true;
  return tags.length === 1 && tags[0] === '<none>:<none>' && digests.length === 1 && digests[0] === '<none>@<none>';
}

/** The first tag as REPOSITORY and TAG; undefined (row left out, as docker does) when it does not parse. */
function firstTag(tags: readonly string[], digests: readonly string[]): [string, string] | undefined {
  if (tags.length === 0 || isDangling(tags, digests)) return ['<none>', '<none>'];
  try {
    const ref = parseNormalizedNamed(tags[0]!);
    return ref.tag !== undefined && ref.digest === undefined ? [familiarName(ref.name), ref.tag] : ['<none>', '<none>'];
  } catch {
    return undefined;
  }
}

const since = (iso: string | null | undefined) => (iso ? `${humanDuration(Date.now() - Date.parse(iso))} ago` : '');

/** buildCacheSort: never-used records first, then by last use, ties by ID. */
function sortCache(records: CacheRecord[]): CacheRecord[] {
  const t = (r: CacheRecord) => (r.LastUsedAt ? Date.parse(r.LastUsedAt) : undefined);
  return [...records].sort((a, b) => {
    const ta = t(a);
    const tb = t(b);
    if (ta === undefined && tb !== undefined) return -1;
    if (tb === undefined && ta !== undefined) return 1;
    if (ta !== undefined && tb !== undefined && ta !== tb) return ta - tb;
    return a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0;
  });
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
    const images = (du.Images ?? []).flatMap((i) => {
      const names = firstTag(i.RepoTags ?? [], i.RepoDigests ?? []);
      if (!names) return [];
      return [{
        Repository: names[0],
        Tag: names[1],
        ID: shortId(i.Id),
        CreatedSince: new ContainerContext({ Created: i.Created }, true).RunningFor,
        Size: humanSizeWithPrecision(i.Size, 3),
        SharedSize: i.SharedSize === -1 ? 'N/A' : humanSize(i.SharedSize),
        UniqueSize: i.SharedSize === -1 ? 'N/A' : humanSize(i.Size - i.SharedSize),
        Containers: i.Containers === -1 ? 'N/A' : String(i.Containers),
      }];
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
        (du.Volumes ?? []).map((v) => ({
          Name: v.Name,
          Links: v.UsageData ? String(v.UsageData.RefCount) : 'N/A',
          Size: v.UsageData ? humanSize(v.UsageData.Size) : 'N/A',
        })),
      ),
    );
    const builder = (du.BuildCache ?? []).reduce((n, b) => n + (b.Shared ? 0 : b.Size), 0);
    cli.out(`\nBuild cache usage: ${humanSize(builder)}\n\n`);
    cli.out(table('table {{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t{{.LastUsedSince}}\t{{.UsageCount}}\t{{.Shared}}', { ID: 'CACHE ID', CacheType: 'CACHE TYPE', Size: 'SIZE', CreatedSince: 'CREATED', LastUsedSince: 'LAST USED', UsageCount: 'USAGE', Shared: 'SHARED' },
      sortCache(du.BuildCache ?? []).map((b) => ({
        ID: `${shortId(b.ID)}${b.InUse ? '*' : ''}`,
        CacheType: b.Type ?? '',
        Size: humanSizeWithPrecision(b.Size, 3),
        CreatedSince: since(b.CreatedAt ?? new Date(0).toISOString()),
        LastUsedSince: since(b.LastUsedAt),
        UsageCount: String(b.UsageCount ?? 0),
        Shared: String(b.Shared),
      })),
    ));
    return 0;
  },
};
