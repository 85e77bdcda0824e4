// `berth create`, and the part of `run` after flag parsing (docker's createContainer): the --cidfile,
// pulling a missing image when --pull allows it, the create request with name and platform, warnings.
import { existsSync, openSync, closeSync, writeSync, rmSync } from 'node:fs';
import { DaemonError } from '../../../client/index.js';
import { registryAuthHeader } from '../../config/auth.js';
import { displayJsonMessages } from '../../streams/messages.js';
import { type Cli } from '../../framework/cli.js';
import { familiarWithTag, parseImageRef, parseNormalizedNamed, type ImageRef } from '../../util/reference.js';
import { type CommandSpec } from '../../framework/command.js';
import { EXIT_DAEMON, StatusError, withHelp } from '../../exit-codes.js';
import { buildCreateRequest } from './run-config.js';
import { containerFlags, createFlags } from './run-flags.js';

export interface CreateOptions {
  name: string;
  platform: string;
  pull: string;
  quiet: boolean;
  cidfile: string;
}

export function validatePull(pull: string): void {
  if (!['always', 'missing', 'never', ''].includes(pull)) {
    throw new Error(`invalid pull option: '${pull}': must be one of "always", "missing" or "never"`);
  }
}

/** POST /images/create?fromImage=…, progress on stderr (docker prints pull progress there for run). */
export async function pullImage(cli: Cli, ref: ImageRef, platform: string, quiet: boolean, write?: (s: string) => void): Promise<void> {
  // the daemon gets the fully qualified name, as from docker's client
  const query: Record<string, string> = { fromImage: parseNormalizedNamed(ref.name).name };
  if (ref.digest) query.tag = ref.digest;
  else query.tag = ref.tag ?? 'latest';
  if (platform) query.platform = platform;
  const auth = await registryAuthHeader(cli, query.fromImage);
  const res = await cli.client.stream({ method: 'POST', path: '/images/create', query, headers: { 'X-Registry-Auth': auth } });
  // docker run shows the pull's progress on stderr, drawn as on a terminal when stderr is one.
  const err = cli.streams.stderr as NodeJS.WriteStream;
  const display = write || !err.isTTY ? { isTerminal: false } : { isTerminal: true, ...(err.columns ? { width: err.columns } : {}) };
  await displayJsonMessages(cli.client, res, quiet ? () => {} : (write ?? ((s) => cli.err(s))), display);
}

export async function createContainer(cli: Cli, body: Record<string, unknown>, opts: CreateOptions): Promise<string> {
  let fd: number | undefined;
  let written = false;
  if (opts.cidfile) {
    if (existsSync(opts.cidfile)) {
      throw new Error(`container ID file found, make sure the other container isn't running or delete ${opts.cidfile}`);
    }
    try {
      fd = openSync(opts.cidfile, 'w');
    } catch (e) {
      throw new Error(`failed to create the container ID file: ${(e as Error).message}`);
    }
  }
  try {
    const image = String(body.Image ?? '');
    const ref = parseImageRef(image);
    const platform = opts.platform.toLowerCase();
    if (opts.pull === 'always' && ref) await pullImage(cli, ref, platform, opts.quiet);
    const query: Record<string, string> = {};
    if (opts.name) query.name = opts.name;
    if (platform) query.platform = platform;
    const create = () =>
      cli.client.request<{ Id: string; Warnings?: string[] | null }>({ method: 'POST', path: '/containers/create', query, body });
    let res: { Id: string; Warnings?: string[] | null };
    try {
      res = await create();
    } catch (e) {
      if (!(e instanceof DaemonError && e.kind === 'not-found' && ref && opts.pull === 'missing')) throw e;
      if (!opts.quiet) cli.err(`Unable to find image '${familiarWithTag(ref)}' locally\n`);
      await pullImage(cli, ref, platform, opts.quiet);
      res = await create();
    }
    const warnings = [...(res.Warnings ?? [])];
    for (const dns of ((body.HostConfig as Record<string, unknown>).Dns as string[]) ?? []) {
      if (/^127\.|^::1$/.test(dns)) {
        warnings.push(`Localhost DNS (${dns}) may fail in containers.`);
        break;
      }
    }
    for (const w of warnings) cli.err(`WARNING: ${w}\n`);
    if (fd !== undefined) {
      writeSync(fd, res.Id);
      written = true;
    }
    return res.Id;
  } finally {
    if (fd !== undefined) {
      closeSync(fd);
      if (!written) rmSync(opts.cidfile, { force: true });
    }
  }
}

export const createCommand: CommandSpec = {
  name: 'create',
  use: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  short: 'Create a new container',
  aliasesText: 'berth container create, berth create',
  args: { min: 1 },
  interspersed: false,
  flags: [...createFlags('creating'), ...containerFlags()],
  async run({ cli, args, flags }) {
    const req = parseCreateRequest(cli, args, flags, 'create');
    const id = await createContainer(cli, req.body, {
      name: flags.string('name'),
      platform: flags.string('platform'),
      pull: flags.string('pull'),
      quiet: flags.bool('quiet'),
      cidfile: flags.string('cidfile'),
    });
    cli.out(`${id}\n`);
    return 0;
  },
};

type RunArgs = Parameters<CommandSpec['run']>[0];

/** The create request `run` and `create` build from their flags; usage errors exit 125 with the verb's help. */
export function parseCreateRequest(cli: Cli, args: string[], flags: RunArgs['flags'], verb: 'run' | 'create'): ReturnType<typeof buildCreateRequest> {
  try {
    validatePull(flags.string('pull'));
    return buildCreateRequest(flags, args[0]!, args.slice(1), {
      cwd: process.cwd(),
      lookupEnv: (k) => cli.env[k],
      consoleSize: cli.ttySize(),
    });
  } catch (e) {
    throw new StatusError(withHelp(e, verb), EXIT_DAEMON);
  }
}
