// The commands that change a container's state by name: stop, restart, kill, pause, unpause, rm and wait.
// All but wait act on every argument at once and echo the names that succeeded, as docker does.
import { type CommandSpec } from '../../framework/command.js';
import { flag } from '../../framework/flags.js';
import { containerPath, parallelOp } from '../shared.js';
import { DaemonError } from '../../../client/index.js';
import { errorText, EXIT_ERROR, StatusError } from '../../exit-codes.js';

function timeoutFlags() {
  return [
    flag.string('signal,s', 'Signal to send to the container'),
    flag.int('timeout,t', 'Seconds to wait before killing the container'),
    flag.int('time', 'Seconds to wait before killing the container (deprecated: use --timeout)', { hidden: true }),
  ];
}

function lifecycle(verb: 'stop' | 'restart', short: string): CommandSpec {
  return {
    name: verb,
    use: '[OPTIONS] CONTAINER [CONTAINER...]',
    short,
    aliasesText: `berth container ${verb}, berth ${verb}`,
    args: { min: 1 },
    flags: timeoutFlags(),
    async run({ cli, args, flags }) {
      if (flags.changed('time')) cli.err('Flag --time has been deprecated, use --timeout instead\n');
      const query: Record<string, string | number> = {};
      if (flags.changed('timeout') || flags.changed('time')) {
        query.t = flags.changed('timeout') ? flags.number('timeout') : flags.number('time');
      }
      if (flags.string('signal')) query.signal = flags.string('signal');
      return parallelOp(cli, args, (c) => cli.client.request({ method: 'POST', path: containerPath(c, `/${verb}`), query }));
    },
  };
}

export const stopCommand = lifecycle('stop', 'Stop one or more running containers');
export const restartCommand = lifecycle('restart', 'Restart one or more containers');

export const killCommand: CommandSpec = {
  name: 'kill',
  use: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Kill one or more running containers',
  aliasesText: 'berth container kill, berth kill',
  args: { min: 1 },
  flags: [flag.string('signal,s', 'Signal to send to the container')],
  async run({ cli, args, flags }) {
    const signal = flags.string('signal');
    return parallelOp(cli, args, (c) =>
      cli.client.request({ method: 'POST', path: containerPath(c, '/kill'), query: signal ? { signal } : {} }),
    );
  },
};

function freeze(verb: 'pause' | 'unpause', short: string): CommandSpec {
  return {
    name: verb,
    use: 'CONTAINER [CONTAINER...]',
    short,
    aliasesText: `berth container ${verb}, berth ${verb}`,
    args: { min: 1 },
    async run({ cli, args }) {
      return parallelOp(cli, args, (c) => cli.client.request({ method: 'POST', path: containerPath(c, `/${verb}`) }));
    },
  };
}

export const pauseCommand = freeze('pause', 'Pause all processes within one or more containers');
export const unpauseCommand = freeze('unpause', 'Unpause all processes within one or more containers');

export const rmCommand: CommandSpec = {
  name: 'rm',
  use: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Remove one or more containers',
  aliases: ['remove'],
  aliasesText: 'berth container rm, berth container remove, berth rm',
  args: { min: 1 },
  flags: [
    flag.bool('volumes,v', 'Remove anonymous volumes associated with the container'),
    flag.bool('link,l', 'Remove the specified link'),
    flag.bool('force,f', 'Force the removal of a running container (uses SIGKILL)'),
  ],
  async run({ cli, args, flags }) {
    const query: Record<string, string> = {};
    if (flags.bool('volumes')) query.v = '1';
    if (flags.bool('link')) query.link = '1';
    if (flags.bool('force')) query.force = '1';
    return parallelOp(
      cli,
      args,
      async (arg) => {
        const id = arg.replace(/^\/+|\/+$/g, '');
        if (id === '') throw new Error('container name cannot be empty');
        await cli.client.request({ method: 'DELETE', path: containerPath(id), query });
      },
      (e) => flags.bool('force') && e instanceof DaemonError && e.kind === 'not-found',
    );
  },
};

export const waitCommand: CommandSpec = {
  name: 'wait',
  use: 'CONTAINER [CONTAINER...]',
  short: 'Block until one or more containers stop, then print their exit codes',
  aliasesText: 'berth container wait, berth wait',
  args: { min: 1 },
  async run({ cli, args }) {
    const errors: string[] = [];
    for (const c of args) {
      try {
        const r = await cli.client.request<{ StatusCode: number }>({ method: 'POST', path: containerPath(c, '/wait') });
        cli.out(`${r.StatusCode}\n`);
      } catch (e) {
        errors.push(errorText(e));
      }
    }
    if (errors.length > 0) throw new StatusError(errors.join('\n'), EXIT_ERROR);
    return 0;
  },
};
