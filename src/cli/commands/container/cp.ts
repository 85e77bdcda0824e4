// `berth cp`: between a container and the local file system, either way, or as a tar stream on
// stdin/stdout with "-". Paths resolve as docker resolves them (trailing "/" and "/." mean something).
import path from 'node:path';
import { lstatSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DaemonError } from '../../../client/index.js';
import type { Cli } from '../../framework/cli.js';
import type { CommandSpec } from '../../framework/command.js';
import { flag } from '../../framework/flags.js';
import { humanSizeWithPrecision } from '../../util/units.js';
import { containerPath } from '../shared.js';
import {
  copyInfoDestinationPath,
  copyInfoSourcePath,
  prepareArchiveCopy,
  preserveTrailing,
  rebaseArchive,
  splitPathDirEntry,
  tarResource,
  untarInto,
  type CopyInfo,
} from './cp-archive.js';

/** Go's os.FileMode type bits (above 32 bits' sign, so tested arithmetically). */
const bit = (mode: number, n: number) => Math.floor(mode / 2 ** n) % 2 === 1;
const isDir = (mode: number) => bit(mode, 31);
const isSymlink = (mode: number) => bit(mode, 27);

interface PathStat {
  name: string;
  size: number;
  mode: number;
  mtime: string;
  linkTarget: string;
}


function decodeStat(header: string | string[] | undefined): PathStat {
  const text = Array.isArray(header) ? header[0] : header;
  if (!text) throw new Error('unable to get resource stat from response');
  return JSON.parse(Buffer.from(text, 'base64').toString('utf8')) as PathStat;
}

/** splitCpArg: "ctr:/path" unless the argument is absolute or starts with ".". */
export function splitCpArg(arg: string): [string, string] {
  if (arg.startsWith('/')) return ['', arg];
  const i = arg.indexOf(':');
  if (i < 0 || arg.startsWith('.')) return ['', arg];
  return [arg.slice(0, i), arg.slice(i + 1)];
}

async function statPath(cli: Cli, ctr: string, p: string): Promise<PathStat> {
  const res = await cli.client.stream({ method: 'HEAD', path: containerPath(ctr, '/archive'), query: { path: p } });
  res.resume();
  return decodeStat(res.headers['x-docker-container-path-stat']);
}

function resolveLocal(p: string): string {
  return preserveTrailing(path.resolve(p), p);
}

async function copyFromContainer(cli: Cli, ctr: string, srcPathIn: string, dstIn: string, follow: boolean, quiet: boolean): Promise<void> {
  let srcPath = srcPathIn;
  const dst = dstIn === '-' ? '-' : resolveLocal(dstIn);
  if (dst !== '-') {
    const dir = path.dirname(path.normalize(dst));
    try {
      lstatSync(dir);
    } catch {
      throw new Error(`invalid output path: directory ${JSON.stringify(dir)} does not exist`);
    }
  }
  let rebaseName = '';
  if (follow) {
    const st = await statPath(cli, ctr, srcPath).catch(() => undefined);
    if (st && isSymlink(st.mode)) {
      let target = st.linkTarget;
      if (!target.startsWith('/')) target = path.posix.join(splitPathDirEntry(srcPath)[0], target);
      if (specifiesDot(srcPath) && !specifiesDot(target)) target += '/.';
      if (srcPath.endsWith('/') && !target.endsWith('/')) target += '/';
      if (path.posix.basename(srcPath) !== path.posix.basename(target)) rebaseName = path.posix.basename(srcPath);
      srcPath = target;
    }
  }
  const res = await cli.client.stream({ path: containerPath(ctr, '/archive'), query: { path: srcPath } });
  if (dst === '-') {
    await pipeline(res, cli.streams.stdout, { end: false });
    return;
  }
  const stat = decodeStat(res.headers['x-docker-container-path-stat']);
  let size = 0;
  res.on('data', (c: Buffer) => (size += c.length));
  let content: Readable = res;
  if (rebaseName) content = rebaseArchive(content, splitPathDirEntry(srcPath)[1], rebaseName);
  const srcInfo: CopyInfo = { path: srcPath, exists: true, isDir: isDir(stat.mode), rebaseName };
  const dstInfo = copyInfoDestinationPath(dst);
  const prep = prepareArchiveCopy(srcInfo, dstInfo);
  if (prep.rebase) content = rebaseArchive(content, prep.rebase[0], prep.rebase[1]);
  await untarInto(content, prep.dstDir);
  if (!quiet) cli.err(`Successfully copied ${humanSizeWithPrecision(size, 3)} to ${dst}\n`);
}

function specifiesDot(p: string): boolean {
  return path.posix.basename(p) === '.' || p.endsWith('/.');
}

async function copyToContainer(cli: Cli, ctr: string, srcIn: string, dstPath: string, follow: boolean, copyUIDGID: boolean, quiet: boolean): Promise<void> {
  const src = srcIn === '-' ? '-' : resolveLocal(srcIn);
  let dstInfo: CopyInfo = { path: dstPath, exists: false, isDir: false, rebaseName: '' };
  let stat: PathStat | undefined;
  try {
    stat = await statPath(cli, ctr, dstPath);
    if (isSymlink(stat.mode)) {
      let target = stat.linkTarget;
      if (!target.startsWith('/')) target = path.posix.join(splitPathDirEntry(dstPath)[0], target);
      dstInfo.path = target;
      stat = await statPath(cli, ctr, target);
    }
  } catch (e) {
    // a missing destination is fine (it gets created); anything else is the daemon's to report later
    if (!(e instanceof DaemonError && e.kind === 'not-found')) throw e;
    stat = undefined;
  }
  if (stat) {
    const problem = bit(stat.mode, 26) ? 'got a device' : bit(stat.mode, 19) ? 'got an irregular file' : '';
    if (problem) throw new Error(`destination "${ctr}:${dstPath}" must be a directory or a regular file: ${problem}`);
    dstInfo = { ...dstInfo, exists: true, isDir: isDir(stat.mode) };
  }
  const query: Record<string, string> = { noOverwriteDirNonDir: 'true' };
  if (copyUIDGID) query.copyUIDGID = 'true';
  if (src === '-') {
    if (!dstInfo.isDir) throw new Error(`destination "${ctr}:${dstPath}" must be a directory`);
    const res = await cli.client.upload(containerPath(ctr, '/archive'), { path: dstInfo.path, ...query }, cli.streams.stdin, 'application/x-tar', { method: 'PUT' });
    res.resume();
    return;
  }
  const srcInfo = copyInfoSourcePath(src, follow);
  const tarred = tarResource(srcInfo);
  const prep = prepareArchiveCopy(srcInfo, dstInfo);
  let content = tarred.stream;
  if (prep.rebase) content = rebaseArchive(content, prep.rebase[0], prep.rebase[1]);
  let size = 0;
  content.on('data', (c: Buffer) => (size += c.length));
  const [res] = await Promise.all([
    cli.client.upload(containerPath(ctr, '/archive'), { path: prep.dstDir, ...query }, content, 'application/x-tar', { method: 'PUT' }),
    tarred.done,
  ]);
  res.resume();
  if (!quiet) cli.err(`Successfully copied ${humanSizeWithPrecision(size, 3)} to ${ctr}:${dstInfo.path}\n`);
}

export const cpCommand: CommandSpec = {
  name: 'cp',
  use: '[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tberth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH',
  short: 'Copy files/folders between a container and the local filesystem',
  long: `Copy files/folders between a container and the local filesystem

Use '-' as the source to read a tar archive from stdin
and extract it to a directory destination in a container.
Use '-' as the destination to stream a tar archive of a
container source to stdout.`,
  aliasesText: 'berth container cp, berth cp',
  args: { exact: 2 },
  flags: [
    flag.bool('follow-link,L', 'Always follow symbol link in SRC_PATH'),
    flag.bool('archive,a', 'Archive mode (copy all uid/gid information)'),
    flag.bool('quiet,q', 'Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached'),
  ],
  async run({ cli, args, flags }) {
    if (args[0] === '') throw new Error('source can not be empty');
    if (args[1] === '') throw new Error('destination can not be empty');
    const quiet = flags.changed('quiet') ? flags.bool('quiet') : !cli.isStdoutTerminal();
    const [srcCtr, srcPath] = splitCpArg(args[0]!);
    const [dstCtr, dstPath] = splitCpArg(args[1]!);
    if (srcCtr && dstCtr) throw new Error('copying between containers is not supported');
    if (!srcCtr && !dstCtr) throw new Error('must specify at least one container source');
    if (srcCtr) await copyFromContainer(cli, srcCtr, srcPath, dstPath, flags.bool('follow-link'), quiet);
    else await copyToContainer(cli, dstCtr, srcPath, dstPath, flags.bool('follow-link'), flags.bool('archive'), quiet);
    return 0;
  },
};
