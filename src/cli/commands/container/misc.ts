// The small container commands: inspect, rename, diff, export, top, port and prune, each one request whose
// answer is printed the way docker prints it.
import { createWriteStream } from 'node:fs';
import { rename as renameFile, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { formatOutput, TabWriter } from '../../format/index.js';
import { errorText } from '../../exit-codes.js';
import type { CommandSpec } from '../../framework/command.js';
import { flag } from '../../framework/flags.js';
import { confirm } from '../../streams/messages.js';
import { humanSize } from '../../util/units.js';
import { INSPECT_FORMAT_HELP, containerPath, filtersJSON, runInspect, validateFilter } from '../shared.js';

export const containerInspectCommand: CommandSpec = {
  name: 'inspect',
  use: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Display detailed information on one or more containers',
  args: { min: 1 },
  flags: [flag.string('format,f', INSPECT_FORMAT_HELP), flag.bool('size,s', 'Display total file sizes')],
  async run({ cli, args, flags }) {
    const query = flags.bool('size') ? { size: '1' } : {};
    return runInspect(cli, args, flags.string('format'), (ref) => cli.client.request({ path: containerPath(ref, '/json'), query }));
  },
};

export const renameCommand: CommandSpec = {
  name: 'rename',
  use: 'CONTAINER NEW_NAME',
  short: 'Rename a container',
  aliasesText: 'berth container rename, berth rename',
  args: { exact: 2 },
  async run({ cli, args }) {
    const oldName = args[0]!.trim();
    const newName = args[1]!.trim();
    if (oldName === '' || newName === '') throw new Error('Error: Neither old nor new names may be empty');
    try {
      await cli.client.request({ method: 'POST', path: containerPath(oldName, '/rename'), query: { name: newName } });
    } catch (e) {
      cli.err(`${errorText(e)}\n`);
      throw new Error(`Error: failed to rename container named ${oldName}`);
    }
    return 0;
  },
};

const KINDS = ['C', 'A', 'D'];

export const diffCommand: CommandSpec = {
  name: 'diff',
  use: 'CONTAINER',
  short: "Inspect changes to files or directories on a container's filesystem",
  aliasesText: 'berth container diff, berth diff',
  args: { exact: 1 },
  async run({ cli, args }) {
    if (args[0] === '') throw new Error('Container name cannot be empty');
    const changes = (await cli.client.request<Array<{ Kind: number; Path: string }> | null>({ path: containerPath(args[0]!, '/changes') })) ?? [];
    cli.out(
      formatOutput({
        format: '{{.Type}} {{.Path}}',
        defaultTableFormat: 'table {{.Type}}\t{{.Path}}',
        headers: { Type: 'CHANGE TYPE', Path: 'PATH' },
        rows: changes.map((c) => ({ Type: KINDS[c.Kind] ?? String(c.Kind), Path: c.Path })),
      }),
    );
    return 0;
  },
};

export const exportCommand: CommandSpec = {
  name: 'export',
  use: '[OPTIONS] CONTAINER',
  short: "Export a container's filesystem as a tar archive",
  aliasesText: 'berth container export, berth export',
  args: { exact: 1 },
  flags: [flag.string('output,o', 'Write to a file, instead of STDOUT')],
  async run({ cli, args, flags }) {
    const output = flags.string('output');
    if (output === '' && cli.isStdoutTerminal()) {
      throw new Error('cowardly refusing to save to a terminal. Use the -o flag or redirect');
    }
    const res = await cli.client.stream({ path: containerPath(args[0]!, '/export') });
    if (output === '') {
      await pipeline(res, cli.streams.stdout, { end: false });
      return 0;
    }
    // like docker's atomic writer: the file appears complete or not at all
    const tmp = `${output}.berth-${process.pid}.tmp`;
    try {
      await pipeline(res, createWriteStream(tmp, { mode: 0o600 }));
      await renameFile(tmp, output);
    } catch (e) {
      await rm(tmp, { force: true });
      throw new Error(`failed to export container: ${(e as Error).message}`);
    }
    return 0;
  },
};

export const topCommand: CommandSpec = {
  name: 'top',
  use: 'CONTAINER [ps OPTIONS]',
  short: 'Display the running processes of a container',
  aliasesText: 'berth container top, berth top',
  args: { min: 1 },
  interspersed: false,
  async run({ cli, args }) {
    const query = args.length > 1 ? { ps_args: args.slice(1).join(' ') } : {};
    const top = await cli.client.request<{ Titles: string[]; Processes: string[][] | null }>({ path: containerPath(args[0]!, '/top'), query });
    const tw = new TabWriter(20, 1, 3, ' ', 0);
    tw.write(`${top.Titles.join('\t')}\n`);
    for (const p of top.Processes ?? []) tw.write(`${p.join('\t')}\n`);
    cli.out(tw.flush());
    return 0;
  },
};

/** sortorder.NaturalLess: digit runs compare as numbers. */
function naturalLess(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export const portCommand: CommandSpec = {
  name: 'port',
  use: 'CONTAINER [PRIVATE_PORT[/PROTO]]',
  short: 'List port mappings or a specific mapping for the container',
  aliasesText: 'berth container port, berth port',
  args: { min: 1, max: 2 },
  async run({ cli, args }) {
    type Binding = { HostIp: string; HostPort: string };
    const c = await cli.client.request<{ NetworkSettings?: { Ports?: Record<string, Binding[] | null> | null } }>({
      path: containerPath(args[0]!, '/json'),
    });
    const ports = c.NetworkSettings?.Ports ?? {};
    const out: string[] = [];
    if (args[1] !== undefined) {
      const [port, proto = 'tcp'] = args[1].split('/');
      if (!/^\d+$/.test(port!) || Number(port) > 65535) {
        throw new Error(`Error: invalid port (${port}): strconv.ParseUint: parsing ${JSON.stringify(port)}: ${/^\d+$/.test(port!) ? 'value out of range' : 'invalid syntax'}`);
      }
      const frontends = ports[`${port}/${proto || 'tcp'}`];
      if (!frontends || frontends.length === 0) throw new Error(`Error: No public port '${args[1]}' published for ${args[0]}`);
      for (const f of frontends) out.push(joinHostPort(f.HostIp, f.HostPort));
    } else {
      for (const [from, frontends] of Object.entries(ports)) {
        for (const f of frontends ?? []) out.push(`${from} -> ${joinHostPort(f.HostIp, f.HostPort)}`);
      }
    }
    if (out.length > 0) cli.out(`${out.sort(naturalLess).join('\n')}\n`);
    return 0;
  },
};

export const pruneCommand: CommandSpec = {
  name: 'prune',
  use: '[OPTIONS]',
  short: 'Remove all stopped containers',
  args: { none: true },
  flags: [
    flag.bool('force,f', 'Do not prompt for confirmation'),
    flag.list('filter', 'Provide filter values (e.g. "until=<timestamp>")', { type: 'filter', parse: validateFilter }),
  ],
  async run({ cli, flags }) {
    if (!flags.bool('force')) {
      const yes = await confirm(cli.streams, 'WARNING! This will remove all stopped containers.\nAre you sure you want to continue?');
      if (!yes) return 0; // docker treats a "no" as a cancellation: no message, status 0
    }
    const filters = filtersJSON(flags.list('filter'));
    const report = await cli.client.request<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }>({
      method: 'POST',
      path: '/containers/prune',
      query: filters ? { filters } : {},
    });
    let space = 0;
    if (report.ContainersDeleted && report.ContainersDeleted.length > 0) {
      cli.out(`Deleted Containers:\n${report.ContainersDeleted.map((id) => `${id}\n`).join('')}\n`);
      space = report.SpaceReclaimed;
    }
    cli.out(`Total reclaimed space: ${humanSize(space)}\n`);
    return 0;
  },
};

