// The local half of `cp`, after moby's go-archive copy.go: where an archive lands (CopyInfo for source
// and destination, PrepareArchiveCopy's rebasing of the top-level name), making a tar of a local path and
// unpacking one, with GNU tar doing the file system work and tar-stream renaming entries in between.
import { spawn } from 'node:child_process';
import { lstatSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract as tarExtract, pack as tarPack } from 'tar-stream';
import { goPathError } from '../../util/oserror.js';

export interface CopyInfo {
  path: string;
  exists: boolean;
  isDir: boolean;
  rebaseName: string;
}

export const hasTrailingSeparator = (p: string) => p.endsWith('/');
export const specifiesCurrentDir = (p: string) => path.basename(p) === '.' || p === '.' || p.endsWith('/.');
export const assertsDirectory = (p: string) => hasTrailingSeparator(p) || specifiesCurrentDir(p);

/** SplitPathDirEntry: "/a/b/" → ["/a", "b"], "/a/b/." → ["/a/b", "."]. */
export function splitPathDirEntry(p: string): [string, string] {
  let cleaned = path.normalize(p).replace(/(.)\/+$/, '$1');
  if (specifiesCurrentDir(p)) cleaned += '/.';
  return [path.dirname(cleaned), path.basename(cleaned)];
}

/** PreserveTrailingDotOrSeparator: keeps "/." and "/" that path.resolve drops. */
export function preserveTrailing(cleaned: string, original: string): string {
  let out = cleaned;
  if (!specifiesCurrentDir(out) && specifiesCurrentDir(original)) out += `${hasTrailingSeparator(out) ? '' : '/'}.`;
  if (!hasTrailingSeparator(out) && hasTrailingSeparator(original)) out += '/';
  return out;
}

function statOrThrow(fn: () => ReturnType<typeof lstatSync>, op: string, p: string) {
  try {
    return fn()!;
  } catch (e) {
    throw goPathError(op, p, e);
  }
}

/** CopyInfoSourcePath (with ResolveHostSourcePath and GetRebaseName). */
export function copyInfoSourcePath(p: string, followLink: boolean): CopyInfo {
  let resolved: string;
  let rebaseName = '';
  if (followLink) {
    try {
      resolved = realpathSync(p);
    } catch (e) {
      throw goPathError('lstat', p, e);
    }
    if (specifiesCurrentDir(p) && !specifiesCurrentDir(resolved)) resolved += '/.';
    if (hasTrailingSeparator(p) && !hasTrailingSeparator(resolved)) resolved += '/';
    if (path.basename(p) !== path.basename(resolved)) rebaseName = path.basename(p);
  } else {
    const dir = p.slice(0, p.lastIndexOf('/') + 1) || '.';
    const base = p.slice(p.lastIndexOf('/') + 1);
    let resolvedDir: string;
    try {
      resolvedDir = realpathSync(dir);
    } catch (e) {
      throw goPathError('lstat', dir, e);
    }
    resolved = `${resolvedDir.replace(/\/$/, '')}/${base}`;
  }
  const st = statOrThrow(() => lstatSync(resolved), 'lstat', resolved);
  return { path: resolved, exists: true, isDir: st.isDirectory(), rebaseName };
}

/** CopyInfoDestinationPath for a local destination: follows symlinks; a missing path needs its parent. */
export function copyInfoDestinationPath(p: string): CopyInfo {
  let cur = p;
  for (let n = 0; ; n++) {
    let st;
    try {
      st = lstatSync(cur);
    } catch (e) {
      if ((e as { code?: string }).code !== 'ENOENT') throw goPathError('lstat', cur, e);
      const [parent] = splitPathDirEntry(cur);
      const ps = statOrThrow(() => statSync(parent), 'stat', parent);
      if (!ps.isDirectory()) throw new Error('not a directory');
      return { path: cur, exists: false, isDir: false, rebaseName: '' };
    }
    if (!st.isSymbolicLink()) return { path: cur, exists: true, isDir: st.isDirectory(), rebaseName: '' };
    if (n >= 10) throw new Error(`too many symlinks in ${p}`);
    const target = readlinkSync(cur);
    cur = path.isAbsolute(target) ? target : path.join(splitPathDirEntry(cur)[0], target);
  }
}

/** PrepareArchiveCopy: the directory to unpack into, and the top-level rename to apply, if any. */
export function prepareArchiveCopy(src: CopyInfo, dst: CopyInfo): { dstDir: string; rebase?: [string, string] } {
  const [dstDir, dstBase] = splitPathDirEntry(dst.path);
  let [, srcBase] = splitPathDirEntry(src.path);
  if (dst.exists && dst.isDir) return { dstDir: dst.path };
  if (dst.exists && src.isDir) throw new Error('cannot copy directory');
  if (!dst.exists && !src.isDir && assertsDirectory(dst.path)) throw new Error('no such directory');
  if (src.rebaseName) srcBase = src.rebaseName;
  return { dstDir, rebase: [srcBase, dstBase] };
}

/** RebaseArchiveEntries: the first occurrence of oldBase in each name (and hard link target) replaced. */
export function rebaseArchive(input: Readable, oldBase: string, newBase: string): Readable {
  const from = oldBase === '/' ? '' : oldBase;
  const extract = tarExtract();
  const pack = tarPack();
  extract.on('entry', (header, stream, next) => {
    header.name = header.name.replace(from, newBase);
    if (header.type === 'link' && header.linkname) header.linkname = header.linkname.replace(from, newBase);
    stream.pipe(pack.entry(header, next));
  });
  extract.on('finish', () => pack.finalize());
  extract.on('error', (e) => pack.destroy(e));
  input.on('error', (e) => extract.destroy(e));
  input.pipe(extract);
  // tar-stream's streams are streamx ones; callers (and the client's upload) want a Node stream
  const out = new PassThrough();
  pack.on('error', (e: Error) => out.destroy(e));
  pack.pipe(out);
  return out;
}

function runTar(args: string[], stdin: Readable | undefined): { stdout: Readable; done: Promise<void> } {
  const child = spawn('tar', args, { stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  if (stdin && child.stdin) {
    stdin.on('error', () => child.stdin?.destroy());
    child.stdin.on('error', () => {});
    stdin.pipe(child.stdin);
  }
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(err.trim().split('\n')[0] || `tar exited with status ${code}`))));
  });
  return { stdout: child.stdout!, done };
}

/** TarResource: an archive of `info.path` whose top-level entry is its base name (or the rebase name). */
export function tarResource(info: CopyInfo): { stream: Readable; done: Promise<void> } {
  const [dir, base] = splitPathDirEntry(info.path);
  const t = runTar(['-c', '-f', '-', '--numeric-owner', '-C', dir, '--', base], undefined);
  const stream = info.rebaseName ? rebaseArchive(t.stdout, base, info.rebaseName) : t.stdout;
  return { stream, done: t.done };
}

/** Untar with NoLchown: files belong to whoever runs berth, as with docker. */
export async function untarInto(content: Readable, dstDir: string): Promise<void> {
  const input = new PassThrough();
  const t = runTar(['-x', '-f', '-', '--no-same-owner', '-C', dstDir], input);
  await Promise.all([pipeline(content, input), t.done]);
}
