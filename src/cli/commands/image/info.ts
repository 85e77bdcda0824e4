// Image commands that only read: inspect and history.
import { formatOutput, GO_TYPE } from '../../format/index.js';
import type { CommandSpec } from '../../framework/command.js';
import { flag } from '../../framework/flags.js';
import { humanDuration, humanSizeWithPrecision } from '../../util/units.js';
import { INSPECT_FORMAT_HELP, FORMAT_HELP, runInspect, shortId } from '../shared.js';
import { ellipsis } from '../container/ps.js';
import { platformQuery } from './platform.js';

export const imageInspectCommand: CommandSpec = {
  name: 'inspect',
  use: '[OPTIONS] IMAGE [IMAGE...]',
  short: 'Display detailed information on one or more images',
  args: { min: 1 },
  flags: [
    flag.string('format,f', INSPECT_FORMAT_HELP),
    flag.string(
      'platform',
      "Inspect a specific platform of the multi-platform image.\nIf the image or the server is not multi-platform capable, the command will error out if the platform does not match.\n'os[/arch[/variant]]': Explicit platform (eg. linux/amd64)",
    ),
  ],
  async run({ cli, args, flags }) {
    const platform = platformQuery(flags.string('platform'));
    return runInspect(cli, args, flags.string('format'), (ref) => cli.client.request({ path: `/images/${ref}/json`, query: { platform } }));
  },
};

interface HistoryItem {
  Id: string;
  Created: number;
  CreatedBy: string;
  Tags?: string[] | null;
  Size: number;
  Comment: string;
}

/** time.Format(time.RFC3339) in the local zone. */
function rfc3339(seconds: number): string {
  const d = new Date(seconds * 1000);
  const p = (n: number) => String(Math.abs(n)).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const zone = off === 0 ? 'Z' : `${off > 0 ? '+' : '-'}${p(Math.trunc(Math.abs(off) / 60))}:${p(Math.abs(off) % 60)}`;
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}${zone}`;
}

const EPOCH_2000 = Date.UTC(2000, 0, 1) / 1000;

class HistoryContext {
  static {
    (this.prototype as unknown as Record<symbol, string>)[GO_TYPE] = '*image.historyContext';
  }

  constructor(
    private readonly h: HistoryItem,
    private readonly trunc: boolean,
    private readonly human: boolean,
  ) {}

  get ID(): string {
    return this.trunc ? shortId(this.h.Id) : this.h.Id;
  }
  get CreatedAt(): string {
    return rfc3339(this.h.Created);
  }
  get CreatedSince(): string {
    if (!this.human) return this.CreatedAt;
    if (this.h.Created <= EPOCH_2000) return 'N/A';
    return `${humanDuration(Date.now() - this.h.Created * 1000)} ago`;
  }
  get CreatedBy(): string {
    const s = this.h.CreatedBy.replace(/\t/g, ' ');
    return this.trunc ? ellipsis(s, 45) : s;
  }
  get Size(): string {
    return this.human ? humanSizeWithPrecision(this.h.Size, 3) : String(this.h.Size);
  }
  get Comment(): string {
    return this.h.Comment;
  }
}

export const historyCommand: CommandSpec = {
  name: 'history',
  use: '[OPTIONS] IMAGE',
  short: 'Show the history of an image',
  aliasesText: 'berth image history, berth history',
  args: { exact: 1 },
  flags: [
    flag.bool('human,H', 'Print sizes and dates in human readable format', { initial: true, defaultText: 'true' }),
    flag.bool('quiet,q', 'Only show image IDs'),
    flag.bool('no-trunc', "Don't truncate output"),
    flag.string('format', FORMAT_HELP),
    flag.string('platform', 'Show history for the given platform. Formatted as "os[/arch[/variant]]" (e.g., "linux/amd64")'),
  ],
  async run({ cli, args, flags }) {
    const platform = platformQuery(flags.string('platform'));
    const items = (await cli.client.request<HistoryItem[]>({ path: `/images/${args[0]}/history`, query: { platform } })) ?? [];
    const human = flags.bool('human');
    let format = flags.string('format') || 'table';
    if (format === 'table') {
      format = flags.bool('quiet')
        ? '{{.ID}}'
        : human
          ? 'table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}'
          : 'table {{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}';
    }
    cli.out(
      formatOutput({
        format,
        defaultTableFormat: format,
        headers: { ID: 'IMAGE', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT', CreatedBy: 'CREATED BY', Size: 'SIZE', Comment: 'COMMENT' },
        rows: items.map((h) => new HistoryContext(h, !flags.bool('no-trunc'), human)),
      }),
    );
    return 0;
  },
};
