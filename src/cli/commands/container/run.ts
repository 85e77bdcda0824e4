// `berth run`: docker's run flow. Create; attach unless detached; ask to be told of the next exit (or of
// the removal, with --rm) before starting, so a quick exit cannot be missed; start; then exit with the
// container's status once its output is drained.
import { EngineError } from '../../../common/errors.js';
import type { Cli } from '../../framework/cli.js';
import type { CommandSpec } from '../../framework/command.js';
import { runStatusError } from '../../exit-codes.js';
import { streamHijacked, type HijackEnd } from '../../streams/hijack.js';
import { monitorTtySize } from '../../streams/terminal.js';
import { createContainer, parseCreateRequest } from './create.js';
import { containerFlags, createFlags, runOnlyFlags } from './run-flags.js';
import { configDetachKeys, proxySignals, waitExitOrRemoved } from './session.js';

export const runCommand: CommandSpec = {
  name: 'run',
  use: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  short: 'Create and run a new container from an image',
  aliasesText: 'berth container run, berth run',
  args: { min: 1 },
  interspersed: false,
  flags: [...runOnlyFlags(), ...createFlags('running'), ...containerFlags()],
  async run({ cli, args, flags }) {
    const req = parseCreateRequest(cli, args, flags, 'run');
    const detach = flags.bool('detach');
    const body = req.body;
    if (!detach) {
      if (req.tty && req.attachStdin && !cli.isStdinTerminal()) throw new EngineError('invalid-argument', 'the input device is not a TTY');
    } else {
      if (flags.list('attach').length > 0) throw new Error('conflicting options: cannot specify both --attach and --detach');
      Object.assign(body, { AttachStdin: false, AttachStdout: false, AttachStderr: false, StdinOnce: false });
    }
    let id: string;
    try {
      id = await createContainer(cli, body, {
        name: flags.string('name'),
        platform: flags.string('platform'),
        pull: flags.string('pull'),
        quiet: flags.bool('quiet'),
        cidfile: flags.string('cidfile'),
      });
    } catch (e) {
      throw runStatusError(e);
    }
    const stopSignals = flags.bool('sig-proxy') ? proxySignals(cli.client, id) : () => {};
    try {
      return await runCreated(cli, id, body, req.autoRemove, flags.string('detach-keys'));
    } finally {
      stopSignals();
    }
  },
};

async function runCreated(cli: Cli, id: string, body: Record<string, unknown>, autoRemove: boolean, detachKeys: string): Promise<number> {
  const attachStdin = body.AttachStdin === true;
  const attachStdout = body.AttachStdout === true;
  const attachStderr = body.AttachStderr === true;
  const tty = body.Tty === true;
  const attach = attachStdin || attachStdout || attachStderr;
  let streamDone: Promise<HijackEnd> | undefined;
  let destroyStream = () => {};
  if (attach) {
    const query: Record<string, string> = { stream: '1' };
    if (attachStdin) query.stdin = '1';
    if (attachStdout) query.stdout = '1';
    if (attachStderr) query.stderr = '1';
    const keys = detachKeys || configDetachKeys(cli);
    if (keys) query.detachKeys = keys;
    const conn = await cli.client.hijack({ path: `/containers/${encodeURIComponent(id)}/attach`, query });
    destroyStream = () => conn.socket.destroy();
    streamDone = streamHijacked(conn, {
      streams: cli.streams,
      ...(attachStdin ? { stdin: cli.streams.stdin } : {}),
      ...(attachStdout ? { stdout: cli.streams.stdout } : {}),
      ...(attachStderr ? { stderr: tty ? cli.streams.stdout : cli.streams.stderr } : {}),
      tty,
      detachKeys: keys,
    });
    // a failure is looked at below; never leave it unhandled meanwhile
    streamDone.catch(() => {});
  }
  // docker prints a detached container's ID before the start, so it is printed even when the start fails
  if (!streamDone) cli.out(`${id}\n`);
  const { status } = await waitExitOrRemoved(cli, id, autoRemove);
  try {
    await cli.client.request({ method: 'POST', path: `/containers/${encodeURIComponent(id)}/start` });
  } catch (e) {
    if (streamDone) {
      destroyStream();
      await streamDone.catch(() => {});
    }
    if (autoRemove) await status;
    throw runStatusError(e);
  }
  if (!streamDone) return 0;
  let stopResize = () => {};
  if (tty && cli.isStdoutTerminal()) {
    stopResize = monitorTtySize(cli.streams, (h, w) =>
      cli.client.request({ method: 'POST', path: `/containers/${encodeURIComponent(id)}/resize`, query: { h, w } }),
    );
  }
  try {
    const first = await Promise.race([streamDone.then((end) => ({ end })), status.then((code) => ({ code }))]);
    if ('end' in first) {
      if (first.end === 'detached') return 0;
      return await status;
    }
    // the container is gone; wait for its output to drain unless no output was attached
    if (!attachStdout && !attachStderr) destroyStream();
    await streamDone.catch(() => {});
    return first.code;
  } finally {
    stopResize();
  }
}
