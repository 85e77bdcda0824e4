// `berth attach`: joins a running container's stdio until it exits (then exits with its status) or the
// detach keys are typed.
import { EngineError } from '../../../common/errors.js';
import type { CommandSpec } from '../../framework/command.js';
import { flag } from '../../framework/flags.js';
import { streamHijacked } from '../../streams/hijack.js';
import { monitorTtySize } from '../../streams/terminal.js';
import { containerPath } from '../shared.js';
import { configDetachKeys, proxySignals } from './session.js';
import type { Cli } from '../../framework/cli.js';

interface Inspected {
  Id: string;
  Config: { Tty: boolean; OpenStdin: boolean };
  State: { Running: boolean; Paused: boolean; Restarting: boolean };
}

async function inspectRunning(cli: Cli, ref: string): Promise<Inspected> {
  const c = await cli.client.request<Inspected>({ path: containerPath(ref, '/json') });
  if (!c.State.Running) throw new Error('You cannot attach to a stopped container, start it first');
  if (c.State.Paused) throw new Error('You cannot attach to a paused container, unpause it first');
  if (c.State.Restarting) throw new Error('You cannot attach to a restarting container, wait until it is running');
  return c;
}

export const attachCommand: CommandSpec = {
  name: 'attach',
  use: '[OPTIONS] CONTAINER',
  short: 'Attach local standard input, output, and error streams to a running container',
  aliasesText: 'berth container attach, berth attach',
  args: { exact: 1 },
  flags: [
    flag.bool('no-stdin', 'Do not attach STDIN'),
    flag.bool('sig-proxy', 'Proxy all received signals to the process', { initial: true, defaultText: 'true' }),
    flag.string('detach-keys', 'Override the key sequence for detaching a container'),
  ],
  async run({ cli, args, flags }) {
    const ref = args[0]!;
    // registered first, so an exit during the attach is still seen
    const waitRes = cli.client.request<{ StatusCode: number; Error?: { Message?: string } | null }>({
      method: 'POST',
      path: containerPath(ref, '/wait'),
    });
    waitRes.catch(() => {});
    const c = await inspectRunning(cli, ref);
    if (!flags.bool('no-stdin') && c.Config.Tty && !cli.isStdinTerminal()) {
      throw new EngineError('invalid-argument', 'the input device is not a TTY');
    }
    const keys = flags.string('detach-keys') || configDetachKeys(cli);
    const stdin = !flags.bool('no-stdin') && c.Config.OpenStdin;
    const stopSignals = flags.bool('sig-proxy') && !c.Config.Tty ? proxySignals(cli.client, ref) : () => {};
    try {
      const query: Record<string, string> = { stream: '1', stdout: '1', stderr: '1' };
      if (stdin) query.stdin = '1';
      if (keys) query.detachKeys = keys;
      const conn = await cli.client.hijack({ path: containerPath(ref, '/attach'), query });
      await inspectRunning(cli, ref);
      const stopResize =
        c.Config.Tty && cli.isStdoutTerminal()
          ? monitorTtySize(cli.streams, (h, w) => cli.client.request({ method: 'POST', path: containerPath(ref, '/resize'), query: { h, w } }))
          : () => {};
      let end;
      try {
        end = await streamHijacked(conn, {
          streams: cli.streams,
          ...(stdin ? { stdin: cli.streams.stdin } : {}),
          stdout: cli.streams.stdout,
          stderr: cli.streams.stderr,
          tty: c.Config.Tty,
          detachKeys: keys,
        });
      } finally {
        stopResize();
      }
      // docker reports the detach as the stream's error
      if (end === 'detached') throw new Error('read escape sequence');
      const r = await waitRes;
      if (r.Error?.Message) throw new Error(r.Error.Message);
      return r.StatusCode;
    } finally {
      stopSignals();
    }
  },
};
