// Image commands that change the store: import (a tarball from a file, a URL or stdin, or a directory), tag, and rmi,
// each with the docker client's query parameters and docker's output.
import type { QueryValue } from '../../../client/index.js';
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import { open } from 'node:fs/promises';
import { DaemonError } from '../../../client/index.js';
import { errorText, EXIT_ERROR, StatusError } from '../../exit-codes.js';
import type { CommandSpec } from '../../framework/command.js';
import { flag } from '../../framework/flags.js';
import { displayJsonMessages, stdoutDisplay } from '../../streams/messages.js';
import { goPathError } from '../../util/oserror.js';
import { parseNormalizedNamed } from '../../util/reference.js';

export const importCommand: CommandSpec = {
  name: 'import',
  use: '[OPTIONS] file|directory|URL|- [REPOSITORY[:TAG]]',
  short: 'Import the contents from a tarball (or, in Berth, a directory) to create a filesystem image',
  aliasesText: 'berth image import, berth import',
  args: { min: 1 },
  flags: [
    flag.list('change,c', 'Apply Dockerfile instruction to the created image'),
    flag.string('message,m', 'Set commit message for imported image'),
    flag.string('platform', 'Set platform if server is multi-platform capable', { initial: process.env.DOCKER_DEFAULT_PLATFORM ?? '' }),
  ],
  async run({ cli, args, flags }) {
    const source = args[0]!;
    const ref = args[1] ?? '';
    if (ref !== '') parseNormalizedNamed(ref);
    const isUrl = source.startsWith('http://') || source.startsWith('https://');
    const query: Record<string, QueryValue> = { fromSrc: isUrl ? source : '-' };
    if (ref !== '') query.repo = ref;
    if (flags.string('message')) query.message = flags.string('message');
    if (flags.string('platform')) query.platform = flags.string('platform').toLowerCase();
    if (flags.list('change').length > 0) query.changes = flags.list('change');
    let body;
    if (source === '-') {
      body = cli.streams.stdin;
    } else if (!isUrl) {
      // opened first, so a missing file is reported as docker reports it, before any request
      let isDir: boolean;
      try {
        const fh = await open(source, 'r');
        isDir = (await fh.stat()).isDirectory();
        await fh.close();
      } catch (e) {
        throw goPathError('open', source, e);
      }
      // A directory (a root filesystem made from local files) is sent as GNU tar packs it, owners by number.
      body = isDir ? directoryTar(source) : createReadStream(source);
    }
    const res = body
      ? await cli.client.upload('/images/create', query, body, 'text/plain')
      : await cli.client.stream({ method: 'POST', path: '/images/create', query });
    await displayJsonMessages(cli.client, res, (s) => cli.out(s), stdoutDisplay(cli.streams));
    return 0;
  },
};

function directoryTar(dir: string): Readable {
  const tar = spawn('tar', ['-C', dir, '--numeric-owner', '--xattrs', '-c', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  tar.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  // Piped at once: node discards a child's unread output when it exits, and the request starts later.
  const out = new PassThrough();
  tar.stdout.pipe(out, { end: false });
  tar.on('close', (code) => {
    if (code !== 0) out.destroy(new Error(`tar ${dir}: ${stderr.trim() || `exit status ${code}`}`));
    else out.end();
  });
  tar.on('error', (e) => out.destroy(e));
  return out;
}

export const tagCommand: CommandSpec = {
  name: 'tag',
  use: 'SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]',
  short: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
  aliasesText: 'berth image tag, berth tag',
  args: { exact: 2 },
  async run({ cli, args }) {
    const [source, target] = args as [string, string];
    let ref;
    try {
      ref = parseNormalizedNamed(target);
    } catch (e) {
      throw new Error(`Error parsing reference: ${JSON.stringify(target)} is not a valid repository/tag: ${(e as Error).message}`);
    }
    if (ref.digest !== undefined) throw new Error('refusing to create a tag with a digest reference');
    await cli.client.request({ method: 'POST', path: `/images/${source}/tag`, query: { repo: ref.name, tag: ref.tag ?? 'latest' } });
    return 0;
  },
};

export const rmiCommand: CommandSpec = {
  name: 'rm',
  use: '[OPTIONS] IMAGE [IMAGE...]',
  short: 'Remove one or more images',
  aliases: ['rmi', 'remove'],
  aliasesText: 'berth image rm, berth image remove, berth rmi',
  args: { min: 1 },
  flags: [flag.bool('force,f', 'Force removal of the image'), flag.bool('no-prune', 'Do not delete untagged parents')],
  async run({ cli, args, flags }) {
    const query: Record<string, string> = {};
    if (flags.bool('force')) query.force = '1';
    if (flags.bool('no-prune')) query.noprune = '1';
    const errors: string[] = [];
    let fatal = false;
    for (const img of args) {
      try {
        const dels = (await cli.client.request<Array<{ Deleted?: string; Untagged?: string }>>({ method: 'DELETE', path: `/images/${img}`, query })) ?? [];
        for (const d of dels) cli.out(d.Deleted ? `Deleted: ${d.Deleted}\n` : `Untagged: ${d.Untagged}\n`);
      } catch (e) {
        if (!(e instanceof DaemonError && e.kind === 'not-found')) fatal = true;
        errors.push(errorText(e));
      }
    }
    if (errors.length > 0) {
      if (!flags.bool('force') || fatal) throw new StatusError(errors.join('\n'), EXIT_ERROR);
      cli.err(`${errors.join('\n')}\n`);
    }
    return 0;
  },
};

export const rmiTopLevel: CommandSpec = { ...rmiCommand, name: 'rmi', aliases: [] };
