// `berth registry serve` runs a registry server in the berth process itself, which the CLI proper (an
// Engine API client only) cannot import: bin/berth.ts routes `registry` to src/registry-cli before the CLI
// starts. This group exists so that `berth --help` lists it; its command is reached only when the CLI is
// driven as a library.
import type { CommandSpec, GroupSpec } from '../../framework/command.js';

const serveCommand: CommandSpec = {
  name: 'serve',
  use: '[OPTIONS]',
  short: 'Serve the OCI distribution API (v2) from a directory, in the foreground',
  args: { max: 0 },
  flags: [],
  async run({ cli }) {
    cli.err('berth registry serve runs from the berth executable (see berth registry serve --help)\n');
    return 1;
  },
};

export const registryGroup: GroupSpec = { name: 'registry', short: 'Serve a registry', commands: [serveCommand] };
