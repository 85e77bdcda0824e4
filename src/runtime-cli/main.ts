// berth-runtime: an OCI runtime command line with runc's verbs and flags, over Berth's runtime library,
// so that one bundle can be run under runc and under Berth and compared.
import { readFile, writeFile, access } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Command, Option } from 'commander';
import type { Process } from '../spec/oci-runtime.js';
import { EngineError } from '../common/errors.js';
import { parseSignal } from '../common/signals.js';
import { Runtime, defaultSpec, readSpec } from '../runtime/index.js';

const VERSION = '0.1.0';

/** In the foreground the shim relays signals to the container (as runc does); pass ours on to it. */
function relaySignals(shimPid: number | undefined): () => void {
  if (!shimPid) return () => undefined;
  const sigs: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'];
  const handler = (sig: NodeJS.Signals) => {
    try {
      process.kill(shimPid, sig);
    } catch {
      // the shim already ended
    }
  };
  for (const s of sigs) process.on(s, handler);
  return () => {
    for (const s of sigs) process.off(s, handler);
  };
}

/** The shim owns a container's terminal and serves it on its attach socket; handing the pty master to a
 * caller's socket (runc's --console-socket) is not done, and saying so beats ignoring the flag. */
function refuseConsoleSocket(sock: string | undefined): void {
  if (sock) throw new EngineError('invalid-argument', '--console-socket is not supported: the shim owns the terminal (attach to <root>/<id>/attach)');
}

function runtime(cmd: Command): Runtime {
  const root = (cmd.optsWithGlobals() as { root?: string }).root ?? '/run/berth-runtime';
  return new Runtime(root);
}

function collect(value: string, prev: string[]): string[] {
  return [...prev, value];
}

export async function main(argv: string[]): Promise<number> {
  let status = 0;
  const program = new Command('berth-runtime')
    .description('Run OCI bundles with Berth\'s runtime (runc-compatible verbs)')
    .version(`berth-runtime version ${VERSION}\nspec: 1.0.2`, '-v, --version')
    .option('--root <dir>', 'root directory for storage of container state', '/run/berth-runtime')
    .addOption(new Option('--log <file>', 'accepted for runc compatibility (errors go to stderr)'))
    .addOption(new Option('--log-format <format>', 'accepted for runc compatibility').choices(['text', 'json']))
    .addOption(new Option('--debug', 'accepted for runc compatibility'))
    .addOption(new Option('--systemd-cgroup', 'use the systemd cgroup driver (not supported)'))
    .enablePositionalOptions()
    .showHelpAfterError()
    .exitOverride();

  program
    .command('create')
    .description('create a container (its process waits for `start`)')
    .argument('<container-id>')
    .option('-b, --bundle <path>', 'path to the root of the bundle directory', '.')
    .option('--pid-file <path>', 'file to write the process id to')
    .option('--console-socket <path>', 'not supported: the shim owns the terminal')
    .option('--no-pivot', 'accepted for runc compatibility')
    .option('--no-new-keyring', 'accepted for runc compatibility')
    .action(async (id: string, o: { bundle: string; pidFile?: string; consoleSocket?: string }, cmd: Command) => {
      if ((cmd.optsWithGlobals() as { systemdCgroup?: boolean }).systemdCgroup) throw new EngineError('invalid-argument', 'systemd cgroup driver is not supported');
      refuseConsoleSocket(o.consoleSocket);
      await runtime(cmd).create(id, o.bundle, { pidFile: o.pidFile, io: { mode: 'inherit' } });
    });

  program
    .command('start')
    .description('start a created container')
    .argument('<container-id>')
    .action(async (id: string, _o: unknown, cmd: Command) => runtime(cmd).start(id));

  program
    .command('run')
    .description('create and start a container, and wait for it unless detached')
    .argument('<container-id>')
    .option('-b, --bundle <path>', 'path to the root of the bundle directory', '.')
    .option('-d, --detach', 'detach from the container\'s process')
    .option('--pid-file <path>', 'file to write the process id to')
    .option('--console-socket <path>', 'not supported: the shim owns the terminal')
    .option('--keep', 'do not delete the container after it exits')
    .option('--no-pivot', 'accepted for runc compatibility')
    .option('--no-new-keyring', 'accepted for runc compatibility')
    .action(async (id: string, o: { bundle: string; detach?: boolean; pidFile?: string; keep?: boolean; consoleSocket?: string }, cmd: Command) => {
      refuseConsoleSocket(o.consoleSocket);
      const rt = runtime(cmd);
      const res = await rt.create(id, o.bundle, { pidFile: o.pidFile, start: true, foreground: !o.detach, io: { mode: 'inherit' } });
      if (o.detach) return;
      const unrelay = relaySignals(res.shimPid);
      status = await res.exited!;
      unrelay();
      const exit = await rt.wait(id).catch(() => undefined);
      if (exit) status = exit.exitCode;
      if (!o.keep) await rt.delete(id, true);
    });

  program
    .command('state')
    .description('output the state of a container')
    .argument('<container-id>')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const s = await runtime(cmd).state(id);
      const { exit: _exit, ...state } = s;
      process.stdout.write(`${JSON.stringify(state, null, 2)}\n`);
    });

  program
    .command('kill')
    .description('send a signal (default SIGTERM) to the container\'s init process')
    .argument('<container-id>')
    .argument('[signal]', 'signal name or number', 'SIGTERM')
    .option('-a, --all', 'send the signal to all processes in the container')
    .action(async (id: string, sig: string, o: { all?: boolean }, cmd: Command) => runtime(cmd).kill(id, parseSignal(sig), o.all));

  program
    .command('delete')
    .description('delete a container and everything it holds')
    .argument('<container-id>')
    .option('-f, --force', 'kill the container first if it is running')
    .action(async (id: string, o: { force?: boolean }, cmd: Command) => runtime(cmd).delete(id, o.force));

  program
    .command('pause')
    .description('suspend all processes of a container')
    .argument('<container-id>')
    .action(async (id: string, _o: unknown, cmd: Command) => runtime(cmd).pause(id));

  program
    .command('resume')
    .description('resume all processes of a paused container')
    .argument('<container-id>')
    .action(async (id: string, _o: unknown, cmd: Command) => runtime(cmd).resume(id));

  program
    .command('ps')
    .description('list the processes running in a container')
    .argument('<container-id>')
    .option('-f, --format <format>', 'table or json', 'table')
    .action(async (id: string, o: { format: string }, cmd: Command) => {
      const pids = await runtime(cmd).ps(id);
      if (o.format === 'json') process.stdout.write(`${JSON.stringify(pids)}\n`);
      else process.stdout.write(`PID\n${pids.map((p) => `${p}\n`).join('')}`);
    });

  program
    .command('list')
    .alias('ls')
    .description('list containers')
    .option('-q, --quiet', 'display only container IDs')
    .option('-f, --format <format>', 'table or json', 'table')
    .action(async (o: { quiet?: boolean; format: string }, cmd: Command) => {
      const rt = runtime(cmd);
      const states = [];
      for (const id of await rt.list()) {
        try {
          states.push(await rt.state(id));
        } catch {
          // a container being deleted right now
        }
      }
      if (o.quiet) process.stdout.write(states.map((s) => `${s.id}\n`).join(''));
      else if (o.format === 'json') process.stdout.write(`${JSON.stringify(states.map(({ exit: _e, ...s }) => s))}\n`);
      else {
        const rows = [['ID', 'PID', 'STATUS', 'BUNDLE', 'CREATED'], ...states.map((s) => [s.id, String(s.pid), s.status, s.bundle, s.created])];
        const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
        process.stdout.write(rows.map((r) => r.map((c, i) => c.padEnd(w[i]! + 3)).join('').trimEnd() + '\n').join(''));
      }
    });

  program
    .command('exec')
    .description('run a new process inside a container')
    .argument('<container-id>')
    .argument('[command...]')
    .option('-p, --process <path>', 'path to a process.json')
    .option('-t, --tty', 'allocate a pseudo-TTY')
    .option('-e, --env <VAR=value>', 'set an environment variable', collect, [])
    .option('--cwd <path>', 'current working directory in the container')
    .option('-u, --user <uid[:gid]>', 'user id and group id')
    .option('--additional-gids <gid>', 'additional gids', collect, [])
    .option('--cap <cap>', 'add a capability', collect, [])
    .option('--no-new-privs', 'set no_new_privs')
    .option('-d, --detach', 'detach from the process')
    .option('--pid-file <path>', 'file to write the process id to')
    .passThroughOptions()
    .action(async (id: string, command: string[], o: Record<string, unknown>, cmd: Command) => {
      const rt = runtime(cmd);
      const st = await rt.load(id);
      const spec = await readSpec(st.bundle);
      let proc: Process;
      if (o.process) {
        proc = JSON.parse(await readFile(String(o.process), 'utf8')) as Process;
      } else {
        if (command.length === 0) throw new EngineError('invalid-argument', 'exec: args must not be empty');
        const base = spec.process!;
        const [uid, gid] = o.user ? String(o.user).split(':').map(Number) : [base.user.uid, base.user.gid];
        proc = {
          ...base,
          terminal: o.tty === true,
          args: command,
          env: [...(base.env ?? []), ...(o.env as string[])],
          cwd: (o.cwd as string | undefined) ?? base.cwd,
          user: { ...base.user, uid: uid!, gid: gid ?? base.user.gid, additionalGids: (o.additionalGids as string[]).length ? (o.additionalGids as string[]).map(Number) : base.user.additionalGids },
          noNewPrivileges: o.newPrivs === false ? true : base.noNewPrivileges,
        };
        const caps = (o.cap as string[]) ?? [];
        if (caps.length && proc.capabilities) {
          const c = proc.capabilities;
          const add = (l?: string[]) => [...new Set([...(l ?? []), ...caps])];
          proc.capabilities = { ...c, bounding: add(c.bounding), effective: add(c.effective), permitted: add(c.permitted) };
        }
      }
      const res = await rt.exec(id, proc, {
        execId: randomBytes(8).toString('hex'),
        foreground: !o.detach,
        pidFile: o.pidFile as string | undefined,
        io: { mode: 'inherit' },
      });
      if (!o.detach) {
        const unrelay = relaySignals(res.shimPid);
        status = await res.exited!;
        unrelay();
      }
    });

  program
    .command('spec')
    .description('create a new specification file (Docker\'s defaults for a non-privileged container)')
    .option('-b, --bundle <path>', 'path to the root of the bundle directory', '.')
    .action(async (o: { bundle: string }) => {
      const file = path.join(o.bundle, 'config.json');
      if (await access(file).then(() => true, () => false)) throw new EngineError('conflict', 'File config.json exists. Remove it first');
      await writeFile(file, `${JSON.stringify(defaultSpec({ terminal: true }), null, 2)}\n`);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      return code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help' ? 0 : 1;
    }
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`berth-runtime: ${msg}\n`);
    return e instanceof EngineError && e.exitCode ? e.exitCode : 1;
  }
  return status;
}
