// `berth inspect`: any object by name or ID. Without --type, each kind is tried in docker's order and
// "not found" (or "not supported") moves on to the next; none matching is "No such object".
import { DaemonError } from '../../../client/index.js';
import type { Cli } from '../../framework/cli.js';
import type { CommandSpec } from '../../framework/command.js';
import { flag } from '../../framework/flags.js';
import { INSPECT_FORMAT_HELP, encodeName, runInspect } from '../shared.js';

const ALL_TYPES = ['config', 'container', 'image', 'network', 'node', 'plugin', 'secret', 'service', 'task', 'volume'];

interface Kind {
  type: string;
  sizeSupported?: boolean;
  get: (cli: Cli, ref: string, size: boolean) => Promise<unknown>;
}

const KINDS: Kind[] = [
  {
    type: 'container',
    sizeSupported: true,
    get: (cli, ref, size) => cli.client.request({ path: `/containers/${encodeName(ref)}/json`, query: size ? { size: '1' } : {} }),
  },
  { type: 'image', get: (cli, ref) => cli.client.request({ path: `/images/${ref}/json` }) },
  { type: 'network', get: (cli, ref) => cli.client.request({ path: `/networks/${encodeName(ref)}` }) },
  { type: 'volume', get: (cli, ref) => cli.client.request({ path: `/volumes/${encodeName(ref)}` }) },
  { type: 'plugin', get: (cli, ref) => cli.client.request({ path: `/plugins/${encodeName(ref)}/json` }) },
];

function skippable(e: unknown): boolean {
  if (e instanceof DaemonError && e.kind === 'not-found') return true;
  const text = (e as Error).message ?? '';
  return text.includes('not supported') || text.includes('invalid reference format');
}

export const inspectCommand: CommandSpec = {
  name: 'inspect',
  use: '[OPTIONS] NAME|ID [NAME|ID...]',
  short: 'Return low-level information on Berth objects',
  args: { min: 1 },
  flags: [
    flag.string('format,f', INSPECT_FORMAT_HELP),
    flag.string('type', 'Only inspect objects of the given type'),
    flag.bool('size,s', 'Display total file sizes if the type is container'),
  ],
  async run({ cli, args, flags }) {
    const type = flags.string('type');
    const list = `"${ALL_TYPES.join('", "')}"`;
    if (flags.changed('type') && type === '') throw new Error(`type is empty: must be one of ${list}`);
    if (type !== '' && !ALL_TYPES.includes(type)) throw new Error(`unknown type: ${JSON.stringify(type)}: must be one of ${list}`);
    const size = flags.bool('size');
    return runInspect(cli, args, flags.string('format'), async (ref) => {
      for (const kind of KINDS) {
        if (type !== '' && kind.type !== type) continue;
        try {
          const v = await kind.get(cli, ref, size);
          if (size && !kind.sizeSupported) cli.err(`WARNING: --size ignored for ${kind.type}\n`);
          return v;
        } catch (e) {
          if (type === '' && skippable(e)) continue;
          throw e;
        }
      }
      throw new Error(`Error: No such object: ${ref}`);
    });
  },
};
