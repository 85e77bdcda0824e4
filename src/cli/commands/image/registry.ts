// pull and push: berthd's registry support comes later, so these send docker's requests and print
// whatever the daemon answers, progress or error, as docker would.
import type { CommandSpec } from '../../framework/command.js';
import { flag } from '../../framework/flags.js';
import { displayJsonMessages } from '../../streams/messages.js';
import { familiarName, parseNormalizedNamed } from '../../util/reference.js';

function fullString(name: string, tag?: string, digest?: string): string {
  return `${name}${tag !== undefined ? `:${tag}` : ''}${digest !== undefined ? `@${digest}` : ''}`;
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
  ],
  async run({ cli, args, flags }) {
    const ref = parseNormalizedNamed(args[0]!);
    const quiet = flags.bool('quiet');
    const nameOnly = ref.tag === undefined && ref.digest === undefined;
    if (flags.bool('all-tags') && !nameOnly) throw new Error("tag can't be used with --all-tags/-a");
    if (!flags.bool('all-tags') && nameOnly) {
      ref.tag = 'latest';
      if (!quiet) cli.out('Using default tag: latest\n');
    }
    const query: Record<string, string> = { fromImage: ref.name };
    if (ref.digest !== undefined) query.tag = ref.digest;
    else if (ref.tag !== undefined) query.tag = ref.tag;
    if (flags.string('platform')) query.platform = flags.string('platform').toLowerCase();
    const res = await cli.client.stream({ method: 'POST', path: '/images/create', query });
    await displayJsonMessages(cli.client, res, quiet ? () => {} : (s) => cli.out(s));
    cli.out(`${fullString(ref.name, ref.tag, ref.digest)}\n`);
    return 0;
  },
};

export const pushCommand: CommandSpec = {
  name: 'push',
  use: '[OPTIONS] NAME[:TAG]',
  short: 'Upload an image to a registry',
  aliasesText: 'berth image push, berth push',
  args: { exact: 1 },
  flags: [flag.bool('all-tags,a', 'Push all tags of an image to the repository'), flag.bool('quiet,q', 'Suppress verbose output')],
  async run({ cli, args, flags }) {
    const ref = parseNormalizedNamed(args[0]!);
    const nameOnly = ref.tag === undefined && ref.digest === undefined;
    if (flags.bool('all-tags') && !nameOnly) throw new Error("tag can't be used with --all-tags/-a");
    if (!flags.bool('all-tags') && nameOnly) {
      ref.tag = 'latest';
      cli.out(`Using default tag: latest\n`);
    }
    if (!flags.bool('quiet')) cli.out(`The push refers to repository [${ref.name}]\n`);
    const query: Record<string, string> = {};
    if (ref.tag !== undefined) query.tag = ref.tag;
    const res = await cli.client.stream({
      method: 'POST',
      path: `/images/${familiarName(ref.name)}/push`,
      query,
      headers: { 'X-Registry-Auth': Buffer.from('{}').toString('base64url') },
    });
    await displayJsonMessages(cli.client, res, flags.bool('quiet') ? () => {} : (s) => cli.out(s));
    return 0;
  },
};

/**
 * `berth login`: checks the credentials with the daemon (POST /auth). It does not store them: berth has no
 * credential store yet, so nothing is written to the docker config file.
 */
export const loginCommand: CommandSpec = {
  name: 'login',
  use: '[OPTIONS] [SERVER]',
  short: 'Authenticate to a registry',
  long: 'Authenticate to a registry.\nDefaults to Docker Hub if no server is specified.',
  args: { max: 1 },
  flags: [
    flag.string('username,u', 'Username'),
    flag.string('password,p', 'Password or Personal Access Token (PAT)'),
    flag.bool('password-stdin', 'Take the Password or Personal Access Token (PAT) from stdin'),
  ],
  async run({ cli, args, flags }) {
    if (flags.changed('password-stdin')) {
      if (flags.changed('password')) throw new Error('--password and --password-stdin are mutually exclusive');
      if (!flags.changed('username')) throw new Error('Must provide --username with --password-stdin');
    }
    if (flags.changed('username') && flags.string('username') === '') throw new Error('username is empty');
    if (flags.changed('password') && flags.string('password') === '') throw new Error('password is empty');
    let password = flags.string('password');
    if (password !== '') cli.err('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
    if (flags.bool('password-stdin')) {
      const chunks: Buffer[] = [];
      for await (const c of cli.streams.stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
      password = Buffer.concat(chunks).toString('utf8').replace(/\n$/, '').replace(/\r$/, '');
    }
    const username = flags.string('username');
    if (username === '' || password === '') {
      throw new Error('Error: Cannot perform an interactive login from a non TTY device');
    }
    const server = args[0] && args[0] !== 'docker.io' ? args[0] : 'https://index.docker.io/v1/';
    const r = await cli.client.request<{ Status?: string }>({
      method: 'POST',
      path: '/auth',
      body: { username, password, serveraddress: server },
    });
    cli.out(`${r?.Status || 'Login Succeeded'}\n`);
    return 0;
  },
};
