// `berth exec`: create the exec, then either start it detached or attach to it (stdin with -i, a TTY with
// -t) and exit with the command's exit status, read back from the exec's inspect.
import { EngineError } from '../../../common/errors.js';
import { StatusError } from '../../exit-codes.js';
import type { CommandSpec } from '../../framework/command.js';
import { flag } from '../../framework/flags.js';
import { streamHijacked } from '../../streams/hijack.js';
import { monitorTtySize } from '../../streams/terminal.js';
import { containerPath } from '../shared.js';
import { configDetachKeys } from './session.js';
import { parseKVFile } from './parse-specs.js';

export const execCommand: CommandSpec = {
  name: 'exec',
  use: '[OPTIONS] CONTAINER COMMAND [ARG...]',
  short: 'Execute a command in a running container',
  aliasesText: 'berth container exec, berth exec',
  args: { min: 2 },
  interspersed: false,
  flags: [
    flag.string('detach-keys', 'Override the key sequence for detaching a container'),
    flag.bool('interactive,i', 'Keep STDIN open even if not attached'),
    flag.bool('tty,t', 'Allocate a pseudo-TTY'),
    flag.bool('detach,d', 'Detached mode: run command in the background'),
    flag.string('user,u', 'Username or UID (format: "<name|uid>[:<group|gid>]")'),
    flag.bool('privileged', 'Give extended privileges to the command'),
    flag.list('env,e', 'Set environment variables'),
    flag.list('env-file', 'Read in a file of environment variables'),
    flag.string('workdir,w', 'Working directory inside the container'),
  ],
  async run({ cli, args, flags }) {
    const ref = args[0]!;
    const detach = flags.bool('detach');
    const tty = flags.bool('tty');
    const env: string[] = [];
    for (const file of flags.list('env-file')) env.push(...parseKVFile(file, (k) => cli.env[k]));
    for (const e of flags.list('env')) {
      const v = e.includes('=') ? undefined : cli.env[e];
      env.push(v === undefined ? e : `${e}=${v}`);
    }
    const attachStdin = !detach && flags.bool('interactive');
    const detachKeys = flags.string('detach-keys') || configDetachKeys(cli);
    await cli.client.request({ path: containerPath(ref, '/json') });
    if (!detach && tty && attachStdin && !cli.isStdinTerminal()) throw new EngineError('invalid-argument', 'the input device is not a TTY');
    const body: Record<string, unknown> = { User: flags.string('user'), Privileged: flags.bool('privileged'), Tty: tty };
    if (tty) body.ConsoleSize = cli.ttySize();
    Object.assign(body, {
      AttachStdin: attachStdin,
      AttachStderr: !detach,
      AttachStdout: !detach,
      Detach: detach,
      DetachKeys: detachKeys,
      Env: env.length > 0 ? env : null,
      WorkingDir: flags.string('workdir'),
      Cmd: args.slice(1),
    });
    const created = await cli.client.request<{ Id: string }>({ method: 'POST', path: containerPath(ref, '/exec'), body });
    if (!created?.Id) throw new Error('exec ID empty');
    const execId = created.Id;
    const startBody: Record<string, unknown> = { Detach: detach, Tty: tty };
    if (tty) startBody.ConsoleSize = cli.ttySize();
    if (detach) {
      await cli.client.request({ method: 'POST', path: `/exec/${execId}/start`, body: startBody });
      return 0;
    }
    const conn = await cli.client.hijack({ path: `/exec/${execId}/start`, body: startBody });
    const done = streamHijacked(conn, {
      streams: cli.streams,
      ...(attachStdin ? { stdin: cli.streams.stdin } : {}),
      stdout: cli.streams.stdout,
      stderr: tty ? cli.streams.stdout : cli.streams.stderr,
      tty,
      detachKeys,
    });
    const stopResize =
      tty && cli.isStdinTerminal()
        ? monitorTtySize(cli.streams, (h, w) => cli.client.request({ method: 'POST', path: `/exec/${execId}/resize`, query: { h, w } }))
        : () => {};
    try {
      if ((await done) === 'detached') throw new Error('read escape sequence');
    } finally {
      stopResize();
    }
    const info = await cli.client.request<{ ExitCode: number | null }>({ path: `/exec/${execId}/json` });
    const status = info.ExitCode ?? 0;
    if (status !== 0) throw new StatusError('', status);
    return 0;
  },
};
