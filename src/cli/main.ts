// The berth program: global flags, the command tree, and the one place where errors become stderr text
// and exit statuses (docker's main: StatusError's status, else 1).
import { homedir } from 'node:os';
import path from 'node:path';
import { allGroups, commonCommands, topLevelCommands } from './commands/index.js';
import { EXIT_DAEMON, EXIT_ERROR, errorText, exitStatusOf, StatusError } from './exit-codes.js';
import { Cli, CLIENT_VERSION, type CliStreams, type GlobalOptions } from './framework/cli.js';
import { BerthCommand, buildCommand, type BuildOptions, type CommandSpec, type GroupSpec } from './framework/command.js';
import { flag, type FlagSpec } from './framework/flags.js';
import { renderHelp } from './framework/help.js';

function globalFlags(): FlagSpec[] {
  const dir = path.join(homedir(), '.docker');
  return [
    flag.string('config', 'Location of client config files', { defaultText: JSON.stringify(dir) }),
    flag.bool('debug,D', 'Enable debug mode'),
    flag.list('host,H', 'Daemon socket to connect to'),
    flag.string('log-level,l', 'Set the logging level ("debug", "info", "warn", "error", "fatal")', {
      initial: 'info',
      defaultText: '"info"',
    }),
    flag.bool('tls', 'Use TLS; implied by --tlsverify'),
    flag.string('tlscacert', 'Trust certs signed only by this CA', { defaultText: JSON.stringify(path.join(dir, 'ca.pem')) }),
    flag.string('tlscert', 'Path to TLS certificate file', { defaultText: JSON.stringify(path.join(dir, 'cert.pem')) }),
    flag.string('tlskey', 'Path to TLS key file', { defaultText: JSON.stringify(path.join(dir, 'key.pem')) }),
    flag.bool('tlsverify', 'Use TLS and verify the remote'),
    flag.bool('version,v', 'Print version information and quit'),
    flag.bool('help', 'Print usage', { hidden: true }),
    flag.bool('h', 'Print usage', { hidden: true }),
  ];
}

function sectionsOf(commands: ReadonlyArray<{ name: string; short: string }>) {
  return [...commands].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function addGroup(root: BerthCommand, group: GroupSpec, opts: BuildOptions): void {
  const g = new BerthCommand(group.name);
  root.addCommand(g);
  g.helpOption(false).helpCommand(false).enablePositionalOptions().argument('[args...]');
  g.addFlags([flag.bool('help', 'Print usage', { hidden: true }), flag.bool('h', 'Print usage', { hidden: true })]);
  g.helpInfo = () => ({
    path: g.path(),
    useLine: g.path(),
    short: group.short,
    flags: g.flagSpecs,
    sections: [{ title: 'Commands', commands: sectionsOf(group.commands) }],
  });
  for (const spec of group.commands) buildCommand(g, spec, opts);
  g.action(async (args: string[]) => {
    const f = g.flagValues();
    const cli = opts.cli();
    if (f.bool('help') || f.bool('h')) {
      if (!f.bool('help')) cli.err('Flag shorthand -h has been deprecated, use --help\n');
      cli.out(g.helpInformation());
    } else if (args.length === 0) {
      cli.err(g.helpInformation());
    } else {
      throw new StatusError(
        `berth: unknown command: ${g.path()} ${args[0]}\n\nUsage:  ${g.path()}\n\nRun '${g.path()} --help' for more information`,
        EXIT_ERROR,
      );
    }
    opts.setStatus(0);
  });
}

/** Builds the whole program; `getCli` is called once global flags are known. */
export function buildProgram(opts: BuildOptions): BerthCommand {
  const root = new BerthCommand('berth');
  root.helpOption(false).helpCommand(false).enablePositionalOptions().argument('[args...]');
  root.addFlags(globalFlags());
  const top = topLevelCommands();
  const groups = allGroups();
  const common = commonCommands();
  const isCommon = (c: CommandSpec) => common.includes(c.name);
  root.helpInfo = () => ({
    path: 'berth',
    useLine: 'berth [OPTIONS] COMMAND [ARG...]',
    short: 'A self-sufficient runtime for containers',
    flags: root.flagSpecs,
    isRoot: true,
    sections: [
      {
        title: 'Common Commands',
        commands: common.map((n) => top.find((c) => c.name === n)!).filter((c) => c !== undefined),
      },
      { title: 'Management Commands', commands: groups.map((g) => ({ name: g.name, short: g.short })) },
      { title: 'Commands', commands: sectionsOf(top.filter((c) => !isCommon(c))) },
    ],
    additionalHelp: 'For more help on how to use Berth, head to https://docs.docker.com/go/guides/',
  });
  for (const g of groups) addGroup(root, g, opts);
  for (const spec of top) buildCommand(root, spec, opts);
  root.action(async (args: string[]) => {
    const f = root.flagValues();
    const cli = opts.cli();
    if (f.bool('version')) {
      cli.out(`Berth version ${CLIENT_VERSION}, build unknown\n`);
    } else if (f.bool('help') || f.bool('h')) {
      if (!f.bool('help')) cli.err('Flag shorthand -h has been deprecated, use --help\n');
      cli.out(renderHelp(root.helpInfo()));
    } else if (args.length === 0) {
      cli.err(renderHelp(root.helpInfo()));
    } else {
      throw new StatusError(`berth: unknown command: berth ${args[0]}\n\nRun 'berth --help' for more information`, EXIT_ERROR);
    }
    opts.setStatus(0);
  });
  return root;
}

const LOG_LEVELS = ['panic', 'fatal', 'error', 'warn', 'warning', 'info', 'debug', 'trace'];

function globalsOf(root: BerthCommand): GlobalOptions {
  const f = root.flagValues();
  // logrus.ParseLevel, as docker checks it before running any command
  if (!LOG_LEVELS.includes(f.string('log-level').toLowerCase())) throw new Error(`Unable to parse logging level: ${f.string('log-level')}`);
  const g: GlobalOptions = { debug: f.bool('debug'), logLevel: f.string('log-level') };
  if (f.list('host').length > 0) g.host = f.list('host');
  if (f.bool('tls')) g.tls = true;
  if (f.changed('tlsverify')) g.tlsVerify = f.bool('tlsverify');
  if (f.changed('tlscacert')) g.tlsCaCert = f.string('tlscacert');
  if (f.changed('tlscert')) g.tlsCert = f.string('tlscert');
  if (f.changed('tlskey')) g.tlsKey = f.string('tlskey');
  if (f.changed('config')) g.config = f.string('config');
  return g;
}

export function processStreams(): CliStreams {
  // A reader that goes away (`berth logs -f | head`) ends the process quietly, with the status a Go
  // program killed by SIGPIPE would have, instead of an unhandled EPIPE error.
  for (const s of [process.stdout, process.stderr]) {
    if (s.listenerCount('error') > 0) continue;
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(128 + 13);
      throw e;
    });
  }
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
}

/** Runs berth with `argv` (without node and the script) and returns the exit status. */
export async function main(
  argv: readonly string[],
  streams: CliStreams = processStreams(),
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<number> {
  let status = 0;
  let cli: Cli | undefined;
  const root: BerthCommand = buildProgram({
    cli: () => (cli ??= new Cli(streams, env, globalsOf(root))),
    setStatus: (s) => {
      status = s;
    },
  });
  try {
    await root.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    const text = e instanceof StatusError ? e.message : errorText(e);
    if (text !== '') streams.stderr.write(`${text}\n`);
    status = exitStatusOf(e);
    if (status === EXIT_ERROR && (e as { code?: string }).code?.startsWith('commander.')) status = EXIT_DAEMON;
  } finally {
    if (cli?.hasClient) cli.client.close();
  }
  return status;
}
