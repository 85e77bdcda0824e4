// `berth images` / `image ls`: docker's image table (a row per repository:tag, "<none>" for dangling
// images, digests on request) and its --format/-q/json outputs.
import type { QueryValue } from '../../../client/index.js';
import { loadCliConfig } from '../../config/auth.js';
import { formatOutput, GO_TYPE, isTableFormat } from '../../format/index.js';
import type { CommandSpec } from '../../framework/command.js';
import { flag } from '../../framework/flags.js';
import { goTimeString } from '../../util/gotime.js';
import { familiarName, parseNormalizedNamed } from '../../util/reference.js';
import { humanDuration, humanSize, humanSizeWithPrecision } from '../../util/units.js';
import { filterFlag, filtersJSON, formatFlag, shortId } from '../shared.js';

interface ImageSummary {
  Id: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
  Created: number;
  Size: number;
  SharedSize?: number;
  Containers?: number;
}

const DEFAULT = 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}';
const DEFAULT_DIGEST =
  'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}';

const HEADERS = {
  ID: 'IMAGE ID',
  Repository: 'REPOSITORY',
  Tag: 'TAG',
  Digest: 'DIGEST',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  Size: 'SIZE',
  Containers: 'CONTAINERS',
  VirtualSize: 'SIZE',
  SharedSize: 'SHARED SIZE',
  UniqueSize: 'UNIQUE SIZE',
};

class ImageContext {
  static {
    (this.prototype as unknown as Record<symbol, string>)[GO_TYPE] = '*formatter.imageContext';
  }

  constructor(
    private readonly i: ImageSummary,
    private readonly trunc: boolean,
    readonly repo: string,
    readonly tag: string,
    readonly digest: string,
  ) {}

  get ID(): string {
    return this.trunc ? shortId(this.i.Id) : this.i.Id;
  }
  get Repository(): string {
    return this.repo;
  }
  get Tag(): string {
    return this.tag;
  }
  get Digest(): string {
    return this.digest;
  }
  get CreatedSince(): string {
    return `${humanDuration(Date.now() - this.i.Created * 1000)} ago`;
  }
  get CreatedAt(): string {
    return goTimeString(new Date(this.i.Created * 1000));
  }
  get Size(): string {
    return humanSizeWithPrecision(this.i.Size, 3);
  }
  get Containers(): string {
    return this.i.Containers === -1 || this.i.Containers === undefined ? 'N/A' : String(this.i.Containers);
  }
  get VirtualSize(): string {
    return humanSize(this.i.Size);
  }
  get SharedSize(): string {
    return this.i.SharedSize === -1 || this.i.SharedSize === undefined ? 'N/A' : humanSize(this.i.SharedSize);
  }
  get UniqueSize(): string {
    if (this.i.Size === -1 || this.i.SharedSize === -1 || this.i.SharedSize === undefined) return 'N/A';
    return humanSize(this.i.Size - this.i.SharedSize);
  }
}

function rowsFor(img: ImageSummary, trunc: boolean, showDigests: boolean, needDigest: boolean): ImageContext[] {
  const tags = img.RepoTags ?? [];
  const digests = img.RepoDigests ?? [];
  const dangling =
    (tags.length === 0 && digests.length === 0) ||
    (tags.length === 1 && tags[0] === '<none>:<none>' && digests.length === 1 && digests[0] === '<none>@<none>');
  if (dangling) return [new ImageContext(img, trunc, '<none>', '<none>', '<none>')];
  const repoTags = new Map<string, string[]>();
  const repoDigests = new Map<string, string[]>();
  for (const t of tags) {
    try {
      const r = parseNormalizedNamed(t);
      if (r.tag !== undefined) repoTags.set(familiarName(r.name), [...(repoTags.get(familiarName(r.name)) ?? []), r.tag]);
    } catch {
      // docker skips references it cannot parse
    }
  }
  for (const d of digests) {
    try {
      const r = parseNormalizedNamed(d);
      if (r.digest !== undefined) repoDigests.set(familiarName(r.name), [...(repoDigests.get(familiarName(r.name)) ?? []), r.digest]);
    } catch {
      // as above
    }
  }
  const rows: ImageContext[] = [];
  for (const [repo, ts] of repoTags) {
    const ds = needDigest ? (repoDigests.get(repo) ?? []) : [];
    repoDigests.delete(repo);
    for (const tag of ts) {
      if (ds.length === 0) rows.push(new ImageContext(img, trunc, repo, tag, '<none>'));
      for (const d of ds) rows.push(new ImageContext(img, trunc, repo, tag, d));
    }
  }
  for (const [repo, ds] of repoDigests) {
    if (showDigests) for (const d of ds) rows.push(new ImageContext(img, trunc, repo, '<none>', d));
    else rows.push(new ImageContext(img, trunc, repo, '<none>', ''));
  }
  return rows;
}

export const imagesCommand: CommandSpec = {
  name: 'ls',
  use: '[OPTIONS] [REPOSITORY[:TAG]]',
  short: 'List images',
  aliases: ['list'],
  aliasesText: 'berth image ls, berth image list, berth images',
  args: { max: 1 },
  flags: [
    flag.bool('quiet,q', 'Only show image IDs'),
    flag.bool('all,a', 'Show all images (default hides intermediate images)'),
    flag.bool('no-trunc', "Don't truncate output"),
    flag.bool('digests', 'Show digests'),
    formatFlag(),
    filterFlag(),
  ],
  async run({ cli, args, flags, path }) {
    const pairs = [...flags.list('filter')];
    if (args[0] !== undefined) pairs.push(`reference=${args[0]}`);
    const query: Record<string, QueryValue> = {};
    if (flags.bool('all')) query.all = '1';
    const filters = filtersJSON(pairs);
    if (filters) query.filters = filters;
    const images = (await cli.client.request<ImageSummary[]>({ path: '/images/json', query })) ?? [];
    const showDigests = flags.bool('digests');
    let format = flags.string('format');
    if (format === '') {
      // docker's "imagesFormat" in config.json, except for -q
      const configured = flags.bool('quiet') ? '' : (await loadCliConfig(cli)).stringSetting('imagesFormat');
      format = configured || 'table';
    }
    if (format === 'table') format = flags.bool('quiet') ? '{{.ID}}' : showDigests ? DEFAULT_DIGEST : DEFAULT;
    else if (isTableFormat(format) && showDigests && !format.includes('{{.Digest}}')) format += '\t{{.Digest}}';
    const needDigest = showDigests || format.includes('{{.Digest}}');
    const trunc = !flags.bool('no-trunc');
    cli.out(
      formatOutput({
        format,
        defaultTableFormat: DEFAULT,
        headers: HEADERS,
        rows: images.flatMap((img) => rowsFor(img, trunc, showDigests, needDigest)),
      }),
    );
    const hints = ['build', 'history', 'import', 'inspect', 'list', 'load', 'ls', 'prune', 'pull', 'push', 'rm', 'save', 'tag'];
    if (args[0] !== undefined && images.length === 0 && path === 'berth images' && hints.includes(args[0])) {
      cli.err(`\nNo images found matching ${JSON.stringify(args[0])}: did you mean "berth image ${args[0]}"?\n`);
    }
    return 0;
  },
};
