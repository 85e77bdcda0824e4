// `berth volume create|inspect|rm|prune`: docker's requests, prompts, output and errors.
import { DaemonError } from '../../../client/index.js';
import { loadCliConfig } from '../../config/auth.js';
import { errorText, EXIT_ERROR, StatusError } from '../../exit-codes.js';
import type { CommandSpec } from '../../framework/command.js';
import { flag } from '../../framework/flags.js';
import { confirm } from '../../streams/messages.js';
import { humanSize } from '../../util/units.js';
import { networkPruneFilters } from '../network/manage.js';
import { kvMap, mapFlag, validateLabel } from '../network/opts.js';
import { INSPECT_FORMAT_HELP, runInspect, validateFilter } from '../shared.js';

const volumePath = (name: string) => `/volumes/${encodeURIComponent(name)}`;

export const volumeCreateCommand: CommandSpec = {
  name: 'create',
  use: '[OPTIONS] [VOLUME]',
  short: 'Create a volume',
  args: { max: 1 },
  flags: [
    flag.string('driver,d', 'Specify volume driver name', { initial: 'local', defaultText: '"local"' }),
    flag.list('label', 'Set metadata for a volume', { parse: validateLabel }),
    flag.string('name', 'Specify volume name', { hidden: true }),
    mapFlag('opt,o', 'Set driver specific options'),
  ],
  async run({ cli, args, flags }) {
    const named = flags.string('name');
    if (args[0] !== undefined && named !== '' && args[0] !== named) {
      throw new StatusError(`conflicting options: cannot specify a volume-name through both --name and as a positional arg`, EXIT_ERROR);
    }
    const body = { Name: args[0] ?? named, Driver: flags.string('driver'), DriverOpts: kvMap(flags.list('opt')), Labels: kvMap(flags.list('label')) };
    const v = await cli.client.request<{ Name: string }>({ method: 'POST', path: '/volumes/create', body });
    cli.out(`${v.Name}\n`);
    return 0;
  },
};

export const volumeInspectCommand: CommandSpec = {
  name: 'inspect',
  use: '[OPTIONS] VOLUME [VOLUME...]',
  short: 'Display detailed information on one or more volumes',
  args: { min: 1 },
  flags: [flag.string('format,f', INSPECT_FORMAT_HELP)],
  async run({ cli, args, flags }) {
    return runInspect(cli, args, flags.string('format'), (name) => cli.client.request({ path: volumePath(name) }));
  },
};

export const volumeRmCommand: CommandSpec = {
  name: 'rm',
  use: '[OPTIONS] VOLUME [VOLUME...]',
  short: 'Remove one or more volumes',
  long: 'Remove one or more volumes. You cannot remove a volume that is in use by a container.',
  aliases: ['remove'],
  aliasesText: 'berth volume rm, berth volume remove',
  args: { min: 1 },
  flags: [flag.bool('force,f', 'Force the removal of one or more volumes')],
  async run({ cli, args, flags }) {
    let failed = false;
    for (const name of args) {
      try {
        await cli.client.request({ method: 'DELETE', path: volumePath(name), query: flags.bool('force') ? { force: '1' } : {} });
        cli.out(`${name}\n`);
      } catch (e) {
        if (flags.bool('force') && e instanceof DaemonError && e.kind === 'not-found') continue;
        cli.err(`${errorText(e)}\n`);
        failed = true;
      }
    }
    if (failed) throw new StatusError('exit status 1', EXIT_ERROR);
    return 0;
  },
};

const ANON_WARNING = 'WARNING! This will remove anonymous local volumes not used by at least one container.\nAre you sure you want to continue?';
const ALL_WARNING = 'WARNING! This will remove all local volumes not used by at least one container.\nAre you sure you want to continue?';

export const volumePruneCommand: CommandSpec = {
  name: 'prune',
  use: '[OPTIONS]',
  short: 'Remove unused local volumes',
  args: { none: true },
  flags: [
    flag.bool('all,a', 'Remove all unused volumes, not just anonymous ones'),
    flag.list('filter', 'Provide filter values (e.g. "label=<label>")', { type: 'filter', parse: validateFilter }),
    flag.bool('force,f', 'Do not prompt for confirmation'),
  ],
  async run({ cli, flags }) {
    const all = flags.bool('all');
    const user = [...flags.list('filter'), ...(all ? ['all=true'] : [])];
    if (all && flags.list('filter').some((f) => f.startsWith('all='))) throw new StatusError('conflicting options: cannot specify both --all and --filter all=1', EXIT_ERROR);
    const filters = networkPruneFilters(user, (await loadCliConfig(cli)).pruneFilters);
    if (!flags.bool('force') && !(await confirm(cli.streams, all ? ALL_WARNING : ANON_WARNING))) return 0;
    const report = await cli.client.request<{ VolumesDeleted?: string[] | null; SpaceReclaimed?: number }>({ method: 'POST', path: '/volumes/prune', query: { filters } });
    const deleted = report?.VolumesDeleted ?? [];
    if (deleted.length > 0) cli.out(`Deleted Volumes:\n${deleted.map((n) => `${n}\n`).join('')}\n`);
    cli.out(`Total reclaimed space: ${humanSize(report?.SpaceReclaimed ?? 0)}\n`);
    return 0;
  },
};
