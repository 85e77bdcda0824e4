// `berth commit` and `berth image prune`: docker's query parameters (sorted as Go's url.Values encodes
// them), prompts and output.
import type { CommandSpec } from '../../framework/command.js';
import { flag } from '../../framework/flags.js';
import { loadCliConfig } from '../../config/auth.js';
import { confirm } from '../../streams/messages.js';
import { parseNormalizedNamed } from '../../util/reference.js';
import { humanSize } from '../../util/units.js';
import { validateFilter } from '../shared.js';

export const commitCommand: CommandSpec = {
  name: 'commit',
  use: '[OPTIONS] CONTAINER [REPOSITORY[:TAG]]',
  short: "Create a new image from a container's changes",
  aliasesText: 'berth container commit, berth commit',
  args: { min: 1, max: 2 },
  interspersed: false,
  flags: [
    flag.bool('pause,p', 'Pause container during commit', { initial: true, defaultText: 'true' }),
    flag.string('message,m', 'Commit message'),
    flag.string('author,a', 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")'),
    flag.list('change,c', 'Apply Dockerfile instruction to the created image'),
  ],
  async run({ cli, args, flags }) {
    const container = args[0]!.trim();
    if (container === '') throw new Error('invalid container name or ID: value is empty');
    let repo = '';
    let tag = '';
    if (args[1] !== undefined && args[1] !== '') {
      const ref = parseNormalizedNamed(args[1]);
      if (ref.digest !== undefined) throw new Error('refusing to create a tag with a digest reference');
      repo = ref.name;
      tag = ref.tag ?? 'latest';
    }
    const query: Record<string, string | string[]> = {
      author: flags.string('author'),
      changes: flags.list('change'),
      comment: flags.string('message'),
      container,
    };
    if (!flags.bool('pause')) query.pause = '0';
    query.repo = repo;
    query.tag = tag;
    const r = await cli.client.request<{ Id?: string; ID?: string }>({ method: 'POST', path: '/commit', query });
    cli.out(`${r?.Id ?? r?.ID ?? ''}\n`);
    return 0;
  },
};

const ALL_WARNING = `WARNING! This will remove all images without at least one container associated to them.
Are you sure you want to continue?`;
const DANGLING_WARNING = `WARNING! This will remove all dangling images.
Are you sure you want to continue?`;

interface PruneReport {
  ImagesDeleted?: Array<{ Untagged?: string; Deleted?: string }> | null;
  SpaceReclaimed?: number;
}

/** filters.Args plus command.PruneFilters: the user's filters, dangling, then config.json's defaults. */
export function pruneFilters(user: readonly string[], all: boolean, defaults: readonly string[]): Record<string, Record<string, boolean>> {
  const f = new Map<string, Set<string>>();
  const add = (k: string, v: string) => {
    if (!f.has(k)) f.set(k, new Set());
    f.get(k)!.add(v);
  };
  const has = (k: string, v: string) => f.get(k)?.has(v) === true;
  for (const p of user) {
    const i = p.indexOf('=');
    if (i < 0) continue;
    add(p.slice(0, i).trim().toLowerCase(), p.slice(i + 1).trim());
  }
  add('dangling', String(!all));
  for (const p of defaults) {
    const i = p.indexOf('=');
    if (i < 0) continue;
    const k = p.slice(0, i);
    const v = p.slice(i + 1);
    // "label!=x" from the config must not contradict the user's "label=x", nor the reverse
    if (k === 'label' && has('label!', v)) continue;
    if (k === 'label!' && has('label', v)) continue;
    add(k, v);
  }
  const out: Record<string, Record<string, boolean>> = {};
  for (const k of [...f.keys()].sort()) {
    out[k] = {};
    for (const v of [...f.get(k)!].sort()) out[k]![v] = true;
  }
  return out;
}

export const imagePruneCommand: CommandSpec = {
  name: 'prune',
  use: '[OPTIONS]',
  short: 'Remove unused images',
  args: { none: true },
  flags: [
    flag.bool('all,a', 'Remove all unused images, not just dangling ones'),
    flag.list('filter', 'Provide filter values (e.g. "until=<timestamp>")', { type: 'filter', parse: validateFilter }),
    flag.bool('force,f', 'Do not prompt for confirmation'),
  ],
  async run({ cli, flags }) {
    const all = flags.bool('all');
    const cfg = await loadCliConfig(cli);
    const filters = pruneFilters(flags.list('filter'), all, cfg.pruneFilters);
    if (!flags.bool('force')) {
      // a "no" is a cancellation: docker prints nothing more and exits 0
      if (!(await confirm(cli.streams, all ? ALL_WARNING : DANGLING_WARNING))) return 0;
    }
    const report = (await cli.client.request<PruneReport>({ method: 'POST', path: '/images/prune', query: { filters } })) ?? {};
    let space = 0;
    const deleted = report.ImagesDeleted ?? [];
    if (deleted.length > 0) {
      let out = 'Deleted Images:\n';
      for (const d of deleted) out += d.Untagged ? `untagged: ${d.Untagged}\n` : `deleted: ${d.Deleted ?? ''}\n`;
      cli.out(`${out}\n`);
      space = report.SpaceReclaimed ?? 0;
    }
    cli.out(`Total reclaimed space: ${humanSize(space)}\n`);
    return 0;
  },
};
