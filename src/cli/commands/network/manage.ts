// `berth network inspect|rm|prune|connect|disconnect`: docker's requests, prompts, output and errors.
import { DaemonError } from '../../../client/index.js';
import { loadCliConfig } from '../../config/auth.js';
import { errorText, EXIT_ERROR, StatusError } from '../../exit-codes.js';
import type { CommandSpec } from '../../framework/command.js';
import { flag } from '../../framework/flags.js';
import { confirm } from '../../streams/messages.js';
import { INSPECT_FORMAT_HELP, runInspect, validateFilter } from '../shared.js';
import { csvValues, driverOpts, endpointIpam, endpointSettings, validateLink } from './opts.js';

const networkPath = (name: string, suffix = '') => `/networks/${encodeURIComponent(name)}${suffix}`;

export const networkInspectCommand: CommandSpec = {
  name: 'inspect',
  use: '[OPTIONS] NETWORK [NETWORK...]',
  short: 'Display detailed information on one or more networks',
  args: { min: 1 },
  flags: [flag.string('format,f', INSPECT_FORMAT_HELP), flag.bool('verbose,v', 'Verbose output for diagnostics')],
  async run({ cli, args, flags }) {
    const query = flags.bool('verbose') ? { verbose: 'true' } : {};
    return runInspect(cli, args, flags.string('format'), (name) => cli.client.request({ path: networkPath(name), query }));
  },
};

const INGRESS_WARNING =
  'WARNING! Before removing the routing-mesh network, make sure all the nodes in your swarm run the same docker engine version. ' +
  'Otherwise, removal may not be effective and functionality of newly create ingress networks will be impaired.\nAre you sure you want to continue?';

export const networkRmCommand: CommandSpec = {
  name: 'rm',
  use: 'NETWORK [NETWORK...]',
  short: 'Remove one or more networks',
  aliases: ['remove'],
  aliasesText: 'berth network rm, berth network remove',
  args: { min: 1 },
  flags: [flag.bool('force,f', 'Do not error if the network does not exist')],
  async run({ cli, args, flags }) {
    let failed = false;
    // One at a time, as docker does: each name is inspected first so an ingress network asks before going.
    for (const name of args) {
      try {
        const nw = await cli.client.request<{ Ingress?: boolean }>({ path: networkPath(name) });
        if (nw?.Ingress && !(await confirm(cli.streams, INGRESS_WARNING))) continue;
      } catch {
        // the removal below reports what is wrong with this name
      }
      try {
        await cli.client.request({ method: 'DELETE', path: networkPath(name) });
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

/** command.PruneFilters: the user's filters plus config.json's, keys and values in Go's sorted map order. */
export function networkPruneFilters(user: readonly string[], defaults: readonly string[]): Record<string, Record<string, boolean>> {
  const f = new Map<string, Set<string>>();
  const add = (k: string, v: string) => f.set(k, (f.get(k) ?? new Set()).add(v));
  for (const p of user) {
    const i = p.indexOf('=');
    if (i >= 0) add(p.slice(0, i).trim().toLowerCase(), p.slice(i + 1).trim());
  }
  for (const p of defaults) {
    const i = p.indexOf('=');
    if (i < 0) continue;
    const [k, v] = [p.slice(0, i), p.slice(i + 1)];
    // the command line's label filters win over contradicting ones from config.json
    if (k === 'label' && f.get('label!')?.has(v)) continue;
    if (k === 'label!' && f.get('label')?.has(v)) continue;
    add(k, v);
  }
  const out: Record<string, Record<string, boolean>> = {};
  for (const k of [...f.keys()].sort()) {
    out[k] = {};
    for (const v of [...f.get(k)!].sort()) out[k]![v] = true;
  }
  return out;
}

const PRUNE_WARNING = `WARNING! This will remove all custom networks not used by at least one container.
Are you sure you want to continue?`;

export const networkPruneCommand: CommandSpec = {
  name: 'prune',
  use: '[OPTIONS]',
  short: 'Remove all unused networks',
  args: { none: true },
  flags: [
    flag.list('filter', 'Provide filter values (e.g. "until=<timestamp>")', { type: 'filter', parse: validateFilter }),
    flag.bool('force,f', 'Do not prompt for confirmation'),
  ],
  async run({ cli, flags }) {
    const filters = networkPruneFilters(flags.list('filter'), (await loadCliConfig(cli)).pruneFilters);
    // a "no" cancels quietly: docker prints nothing more and exits 0
    if (!flags.bool('force') && !(await confirm(cli.streams, PRUNE_WARNING))) return 0;
    const report = await cli.client.request<{ NetworksDeleted?: string[] | null }>({ method: 'POST', path: '/networks/prune', query: { filters } });
    const deleted = report?.NetworksDeleted ?? [];
    if (deleted.length > 0) cli.out(`Deleted Networks:\n${deleted.map((n) => `${n}\n`).join('')}\n`);
    return 0;
  },
};

export const networkConnectCommand: CommandSpec = {
  name: 'connect',
  use: '[OPTIONS] NETWORK CONTAINER',
  short: 'Connect a container to a network',
  args: { exact: 2 },
  flags: [
    flag.list('alias', 'Add network-scoped alias for the container', { type: 'strings' }),
    flag.list('driver-opt', 'driver options for the network', { type: 'strings' }),
    flag.int('gw-priority', 'Highest gw-priority provides the default gateway. Accepts positive and negative values.'),
    flag.string('ip', 'IPv4 address (e.g., "172.30.100.104")'),
    flag.string('ip6', 'IPv6 address (e.g., "2001:db8::33")'),
    flag.list('link', 'Add link to another container', { parse: validateLink }),
    flag.list('link-local-ip', 'Add a link-local address for the container', { type: 'strings' }),
  ],
  async run({ cli, args, flags }) {
    const opts = driverOpts(csvValues(flags.list('driver-opt')));
    const links = flags.list('link');
    const EndpointConfig = endpointSettings({
      ipam: endpointIpam(flags.string('ip'), flags.string('ip6'), csvValues(flags.list('link-local-ip'))),
      links: links.length > 0 ? links : null,
      aliases: csvValues(flags.list('alias')),
      driverOpts: opts,
      gwPriority: flags.number('gw-priority'),
    });
    await cli.client.request({ method: 'POST', path: networkPath(args[0]!, '/connect'), body: { Container: args[1]!, EndpointConfig } });
    return 0;
  },
};

export const networkDisconnectCommand: CommandSpec = {
  name: 'disconnect',
  use: '[OPTIONS] NETWORK CONTAINER',
  short: 'Disconnect a container from a network',
  args: { exact: 2 },
  flags: [flag.bool('force,f', 'Force the container to disconnect from a network')],
  async run({ cli, args, flags }) {
    const body = { Container: args[1]!, Force: flags.bool('force') };
    await cli.client.request({ method: 'POST', path: networkPath(args[0]!, '/disconnect'), body });
    return 0;
  },
};
