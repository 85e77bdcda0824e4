// pull and push: docker's requests (fully qualified name, tag or digest, platform, X-Registry-Auth from the
// stored credentials) and docker's output: the daemon's progress stream rendered by jsonmessage, then the
// full reference. On 401 the user is asked to log in and the request is retried once, as docker does.
import type { IncomingMessage } from 'node:http';
import { DaemonError } from '../../../client/index.js';
import type { Cli } from '../../framework/cli.js';
import type { CommandSpec } from '../../framework/command.js';
import { flag } from '../../framework/flags.js';
import { domainOf, encodeAuthConfig, INDEX_SERVER, resolveAuthConfig } from '../../config/auth.js';
import { displayJsonMessages, stdoutDisplay } from '../../streams/messages.js';
import { formatNote } from '../../streams/note.js';
import { parseNormalizedNamed, type NormalizedRef } from '../../util/reference.js';
import { parsePlatform } from './platform.js';
import { promptForCredentials } from './prompt.js';

/** reference.String(): the fully qualified name with tag and digest. */
export function fullString(ref: NormalizedRef): string {
  return `${ref.name}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

const trustFlag = (usage: string) =>
  flag.bool('disable-content-trust', usage, { initial: true, defaultText: 'true' });

/**
 * Sends the request with the stored credentials; on 401 runs docker's RegistryAuthenticationPrivilegedFunc
 * ("Login prior to pull:", then the credential prompts) and tries once more with what the user typed.
 */
async function withRegistryAuth(
  cli: Cli,
  ref: NormalizedRef,
  cmdName: 'pull' | 'push',
  send: (auth: string) => Promise<IncomingMessage>,
): Promise<IncomingMessage> {
  const domain = domainOf(ref.name);
  const stored = await resolveAuthConfig(cli, domain);
  try {
    return await send(encodeAuthConfig(stored));
  } catch (e) {
    if (!(e instanceof DaemonError && e.kind === 'unauthorized')) throw e;
    cli.out(`\nLogin prior to ${cmdName}:\n`);
    // docker prompts with the Hub's key whatever the registry (sic), and sends that as serveraddress
    const typed = await promptForCredentials(cli, '', '', stored.username ?? '', INDEX_SERVER);
    return send(encodeAuthConfig(typed));
  }
}

export const pullCommand: CommandSpec = {
  name: 'pull',
  use: '[OPTIONS] NAME[:TAG|@DIGEST]',
  short: 'Download an image from a registry',
  aliasesText: 'berth image pull, berth pull',
  args: { exact: 1 },
  flags: [
    flag.bool('all-tags,a', 'Download all tagged images in the repository'),
    flag.bool('quiet,q', 'Suppress verbose output'),
    flag.string('platform', 'Set platform if server is multi-platform capable', { initial: process.env.DOCKER_DEFAULT_PLATFORM ?? '' }),
    trustFlag('Skip image verification'),
  ],
  async run({ cli, args, flags }) {
    const ref = parseNormalizedNamed(args[0]!);
    const quiet = flags.bool('quiet');
    const all = flags.bool('all-tags');
    const nameOnly = ref.tag === undefined && ref.digest === undefined;
    if (all && !nameOnly) throw new Error("tag can't be used with --all-tags/-a");
    if (!all && nameOnly) {
      ref.tag = 'latest';
      if (!quiet) cli.out('Using default tag: latest\n');
    }
    const query: Record<string, string> = { fromImage: ref.name };
    if (!all) query.tag = ref.digest ?? ref.tag!;
    const platform = flags.string('platform');
    if (platform) query.platform = platform.toLowerCase();
    try {
      const res = await withRegistryAuth(cli, ref, 'pull', (auth) =>
        cli.client.stream({ method: 'POST', path: '/images/create', query, headers: { 'X-Registry-Auth': auth } }),
      );
      await displayJsonMessages(cli.client, res, quiet ? () => {} : (s) => cli.out(s), quiet ? {} : stdoutDisplay(cli.streams));
    } catch (e) {
      if (e instanceof Error && e.message.includes("when fetching 'plugin'")) {
        throw new Error(`${e.message} - Use \`docker plugin install\``, { cause: e });
      }
      throw e;
    }
    cli.out(`${fullString(ref)}\n`);
    return 0;
  },
};

const PUSH_PLATFORM_HELP = `Push a platform-specific manifest as a single-platform image to the registry.
Image index won't be pushed, meaning that other manifests, including attestations won't be preserved.
'os[/arch[/variant]]': Explicit platform (eg. linux/amd64)`;

const PLATFORM_NOTE = `Using --platform pushes only the specified platform manifest of a multi-platform image index.
Other components, like attestations, will not be included.
To push the complete multi-platform image, remove the --platform flag.
`;

const CONTENT_MISSING_NOTE = `You're trying to push a manifest list/index which 
				references multiple platform specific manifests, but not all of them are available locally
				or available to the remote repository.

				Make sure you have all the referenced content and try again.

				You can also push only a single platform specific manifest directly by specifying the platform you want to push with the --platform flag.`;

/** docker's handleAux: notes about what the daemon pushed instead of what was asked. */
function pushNote(aux: unknown, isTerminal: boolean): string | undefined {
  if (typeof aux !== 'object' || aux === null) return undefined;
  const a = aux as {
    manifestPushedInsteadOfIndex?: boolean;
    originalIndex?: { digest?: string };
    selectedManifest?: { digest?: string };
    contentMissing?: boolean;
  };
  if (a.manifestPushedInsteadOfIndex) {
    const red = (s: string) => `\x1b[31m${s}\x1b[0m`;
    const green = (s: string) => `\x1b[32m${s}\x1b[0m`;
    return formatNote(
      `Not all multiplatform-content is present and only the available single-platform image was pushed\n${red(a.originalIndex?.digest ?? '')} -> ${green(a.selectedManifest?.digest ?? '')}`,
      isTerminal,
    );
  }
  if (a.contentMissing) return formatNote(CONTENT_MISSING_NOTE, isTerminal);
  return undefined;
}

export const pushCommand: CommandSpec = {
  name: 'push',
  use: '[OPTIONS] NAME[:TAG]',
  short: 'Upload an image to a registry',
  aliasesText: 'berth image push, berth push',
  args: { exact: 1 },
  flags: [
    flag.bool('all-tags,a', 'Push all tags of an image to the repository'),
    flag.bool('quiet,q', 'Suppress verbose output'),
    trustFlag('Skip image signing'),
    flag.string('platform', PUSH_PLATFORM_HELP),
  ],
  async run({ cli, args, flags }) {
    const display = stdoutDisplay(cli.streams);
    const query: Record<string, string> = {};
    const platformText = flags.string('platform');
    if (platformText !== '') {
      try {
        query.platform = JSON.stringify(parsePlatform(platformText));
      } catch (e) {
        cli.err(`Invalid platform ${platformText}`);
        throw e;
      }
      cli.out(formatNote(PLATFORM_NOTE, display.isTerminal === true));
    }
    const ref = parseNormalizedNamed(args[0]!);
    const quiet = flags.bool('quiet');
    const all = flags.bool('all-tags');
    const nameOnly = ref.tag === undefined && ref.digest === undefined;
    if (all && !nameOnly) throw new Error("tag can't be used with --all-tags/-a");
    if (!all && nameOnly) {
      ref.tag = 'latest';
      if (!quiet) cli.out('Using default tag: latest\n');
    }
    if (ref.digest !== undefined) throw new Error('cannot push a digest reference');
    if (!all && ref.tag !== undefined) query.tag = ref.tag;
    const notes: string[] = [];
    try {
      // the daemon gets the fully qualified name in the path, as from docker's client
      const res = await withRegistryAuth(cli, ref, 'push', (auth) =>
        cli.client.stream({ method: 'POST', path: `/images/${ref.name}/push`, query, headers: { 'X-Registry-Auth': auth } }),
      );
      const onAux = (aux: unknown) => {
        const note = pushNote(aux, display.isTerminal === true);
        if (note) notes.push(note);
      };
      if (quiet) {
        await displayJsonMessages(cli.client, res, () => {}, { onAux });
        cli.out(`${fullString(ref)}\n`);
      } else {
        await displayJsonMessages(cli.client, res, (s) => cli.out(s), { ...display, onAux });
      }
    } finally {
      for (const n of notes) cli.out(n);
    }
    return 0;
  },
};
