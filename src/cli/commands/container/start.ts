// `berth start`: without -a/-i, starts each container and echoes its name; with them, attaches first,
// registers the wait, starts, and exits with the container's status, like `run` does.
import { EngineError } from '../../../common/errors.js';
import { errorText, StatusError } from '../../exit-codes.js';
import type { Cli } from '../../framework/cli.js';
import type { CommandSpec } from '../../framework/command.js';
import { flag } from '../../framework/flags.js';
import { streamHijacked } from '../../streams/hijack.js';
import { monitorTtySize } from '../../streams/terminal.js';
import { containerPath } from '../shared.js';
import { configDetachKeys, proxySignals, waitExitOrRemoved } from './session.js';

interface Inspected {
  Id: string;
  Config: { Tty: boolean; OpenStdin: boolean };
  HostConfig: { AutoRemove?: boolean };
  State: { Running: boolean; Paused: boolean; Restarting: boolean };
}

async function startAttached(cli: Cli, ref: string, openStdin: boolean, detachKeysFlag: string): Promise<number> {
  const c = await cli.client.request<Inspected>({ path: containerPath(ref, '/json') });
  const stopSignals = c.Config.Tty ? () => {} : proxySignals(cli.client, c.Id);
  try {
    const keys = detachKeysFlag || configDetachKeys(cli);
    const stdin = openStdin && c.Config.OpenStdin;
    const query: Record<string, string> = { stream: '1', stdout: '1', stderr: '1' };
    if (stdin) query.stdin = '1';
    if (keys) query.detachKeys = keys;
    const conn = await cli.client.hijack({ path: containerPath(c.Id, '/attach'), query });
    const done = streamHijacked(conn, {
      streams: cli.streams,
      ...(stdin ? { stdin: cli.streams.stdin } : {}),
      stdout: cli.streams.stdout,
      stderr: cli.streams.stderr,
      tty: c.Config.Tty,
      detachKeys: keys,
    });
    done.catch(() => {});
    const { status } = await waitExitOrRemoved(cli, c.Id, c.HostConfig.AutoRemove === true);
    try {
      await cli.client.request({ method: 'POST', path: containerPath(c.Id, '/start') });
    } catch (e) {
      conn.socket.destroy();
      await done.catch(() => {});
      if (c.HostConfig.AutoRemove) await status;
      throw e;
    }
    const stopResize =
      c.Config.Tty && cli.isStdoutTerminal()
        ? monitorTtySize(cli.streams, (h, w) => cli.client.request({ method: 'POST', path: containerPath(c.Id, '/resize'), query: { h, w } }))
        : () => {};
    try {
      if ((await done) === 'detached') return 0;
      return await status;
    } finally {
      stopResize();
    }
  } finally {
    stopSignals();
  }
}

export const startCommand: CommandSpec = {
  name: 'start',
  use: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Start one or more stopped containers',
  aliasesText: 'berth container start, berth start',
  args: { min: 1 },
  flags: [
    flag.bool('attach,a', 'Attach STDOUT/STDERR and forward signals'),
    flag.bool('interactive,i', "Attach container's STDIN"),
    flag.string('detach-keys', 'Override the key sequence for detaching a container'),
  ],
  async run({ cli, args, flags }) {
    if (flags.bool('attach') || flags.bool('interactive')) {
      if (args.length > 1) throw new EngineError('invalid-argument', 'you cannot start and attach multiple containers at once');
      return startAttached(cli, args[0]!, flags.bool('interactive'), flags.string('detach-keys'));
    }
    const failed: string[] = [];
    for (const c of args) {
      try {
        await cli.client.request({ method: 'POST', path: containerPath(c, '/start') });
        cli.out(`${c}\n`);
      } catch (e) {
        cli.err(`${errorText(e)}\n`);
        failed.push(c);
      }
    }
    if (failed.length > 0) throw new StatusError(`Error: failed to start containers: ${failed.join(', ')}`, 1);
    return 0;
  },
};
