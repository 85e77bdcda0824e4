// save and load: image tarballs to and from the daemon (GET /images/get, POST /images/load). save writes
// with -o atomically (a temp file beside the target, renamed when the whole archive arrived); load shows
// the daemon's JSON messages ("Loaded image: …") as docker does.
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { CommandSpec } from '../../framework/command.js';
import { flag } from '../../framework/flags.js';
import { displayJsonMessages, stdoutDisplay } from '../../streams/messages.js';
import { goPathError } from '../../util/oserror.js';
import { platformQuery } from './platform.js';

const PLATFORM_HELP = (verb: string) => `${verb} only the given platform variant. Formatted as "os[/arch[/variant]]" (e.g., "linux/amd64")`;

/** atomicwriter's validateDestination, with its wording. */
async function validateDestination(file: string): Promise<void> {
  if (file === '') throw new Error('file name is empty');
  const dir = path.dirname(file);
  if (dir !== '' && dir !== '.' && dir !== '..') {
    let st;
    try {
      st = await stat(dir);
    } catch (e) {
      throw new Error(`invalid output path: ${goPathError('stat', dir, e).message}`);
    }
    if (!st.isDirectory()) throw new Error(`invalid output path: stat ${dir}: not a directory`);
  }
  const st = await lstat(file).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw new Error(`failed to stat output path: ${goPathError('lstat', file, e).message}`);
  });
  if (!st || st.isFile()) return;
  if (st.isDirectory()) throw new Error('cannot write to a directory');
  if (st.isSymbolicLink()) throw new Error('cannot write to a symbolic link directly');
  if (st.isFIFO()) throw new Error('cannot write to a named pipe (FIFO)');
  if (st.isSocket()) throw new Error('cannot write to a socket');
  if (st.isCharacterDevice()) throw new Error('cannot write to a character device file');
  if (st.isBlockDevice()) throw new Error('cannot write to a block device file');
  throw new Error(`unknown file mode: ${st.mode.toString(8)}`);
}

export const saveCommand: CommandSpec = {
  name: 'save',
  use: '[OPTIONS] IMAGE [IMAGE...]',
  short: 'Save one or more images to a tar archive (streamed to STDOUT by default)',
  aliasesText: 'berth image save, berth save',
  args: { min: 1 },
  flags: [flag.string('output,o', 'Write to a file, instead of STDOUT'), flag.string('platform', PLATFORM_HELP('Save'))],
  async run({ cli, args, flags }) {
    const platform = platformQuery(flags.string('platform'));
    const output = flags.string('output');
    if (output === '') {
      if (cli.isStdoutTerminal()) throw new Error('cowardly refusing to save to a terminal. Use the -o flag or redirect');
    } else {
      try {
        await validateDestination(output);
      } catch (e) {
        throw new Error(`failed to save image: ${(e as Error).message}`, { cause: e });
      }
    }
    const res = await cli.client.stream({ path: '/images/get', query: { names: args, platform } });
    if (output === '') {
      await pipeline(res, cli.streams.stdout, { end: false });
      return 0;
    }
    const abs = path.resolve(output);
    const tmp = path.join(path.dirname(abs), `.tmp-${path.basename(output)}${process.pid}${Date.now() % 1e6}`);
    try {
      await pipeline(res, createWriteStream(tmp, { flags: 'wx', mode: 0o600 }));
      const fh = await open(tmp, 'r');
      await fh.sync().finally(() => fh.close());
      await rename(tmp, abs);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
    return 0;
  },
};

export const loadCommand: CommandSpec = {
  name: 'load',
  use: '[OPTIONS]',
  short: 'Load an image from a tar archive or STDIN',
  aliasesText: 'berth image load, berth load',
  args: { none: true },
  flags: [
    flag.string('input,i', 'Read from tar archive file, instead of STDIN'),
    flag.bool('quiet,q', 'Suppress the load output'),
    flag.string('platform', PLATFORM_HELP('Load')),
  ],
  async run({ cli, flags }) {
    const input = flags.string('input');
    let body;
    if (input === '') {
      // nothing piped in: waiting on a terminal would just hang
      if (cli.isStdinTerminal()) throw new Error('requested load from stdin, but stdin is empty');
      body = cli.streams.stdin;
    } else {
      try {
        await (await open(input, 'r')).close();
      } catch (e) {
        throw goPathError('open', input, e);
      }
      body = createReadStream(input);
    }
    const quiet = flags.bool('quiet') || !cli.isStdoutTerminal();
    const query: Record<string, string | string[]> = { quiet: quiet ? '1' : '0' };
    const platform = platformQuery(flags.string('platform'));
    if (platform) query.platform = platform;
    const res = await cli.client.upload('/images/load', query, body, 'application/x-tar');
    if (String(res.headers['content-type'] ?? '') === 'application/json') {
      await displayJsonMessages(cli.client, res, (s) => cli.out(s), stdoutDisplay(cli.streams));
    } else {
      await pipeline(res, cli.streams.stdout, { end: false });
    }
    return 0;
  },
};
