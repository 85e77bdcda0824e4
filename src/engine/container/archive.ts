// `docker cp`: HEAD /containers/{id}/archive (stat), GET (a tar of a path), PUT (extract a tar into a
// directory), with Docker's semantics and wording.
//
// Where the filesystem is: a running container's root is /proc/<pid>/root (its overlay lives only in its own
// mount namespace); a stopped one gets an overlay view mounted in a private namespace (export.ts), read-only
// for reads and over the real upper dir for writes (under the container's lock, so it cannot start
// meanwhile). Writing through an overlay rather than into the upper dir directly leaves whiteouts, opaque
// directories and copy-up to the kernel, which knows them better than any copy of its rules here.
//
// Safety: the container's symlinks must never take a read or a write outside its root. Every path is
// resolved by safe-path.ts from open directory handles, archives are read by GNU tar started *from* such a
// handle (tar never follows symlinks while archiving and walks with openat/O_NOFOLLOW), and archives are
// written by our own extractor, which creates each entry relative to a handle on its parent (O_EXCL and
// O_NOFOLLOW for files, O_PATH handles for chmod and times, and lchown/lutimes/symlink/link/mknod, which do
// not follow a final symlink). Docker answered CVE-2018-15664 first by pausing the container during a copy,
// then by copying from inside a chroot; here nothing inside the container is ever resolved with the host's
// root, so a container racing the copy (swapping a directory for a symlink) can at worst redirect it within
// itself, and it is not paused.
import { constants as fsc, type BigIntStats } from 'node:fs';
import { lchown, link, lstat, lutimes, open, symlink, utimes, chmod, type FileHandle } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract, type Header } from 'tar-stream';
import { EngineError, errnoCode, internal, invalidArgument, isEngineError, notFound } from '../../common/errors.js';
import { eventAttrs, type EngineContext } from './context.js';
import { openOverlayView, tarStream, TAR_CREATE_FLAGS } from './export.js';
import { isRunning, type ContainerRecord, type WireHostConfig } from './model.js';
import { parseBind } from './oci-spec.js';
import { rootfsLayout } from './rootfs.js';
import { containerAbsPath, errnoError, fdPath, goBase, mkdirAt, openScopeRoot, O_DIR_NOFOLLOW, O_PATH, removeAt, resolveInScope, resolvePathString, type Resolved } from './safe-path.js';
import { resolveUser } from './user.js';

/** The JSON Docker base64-encodes into X-Docker-Container-Path-Stat. */
export type PathStat = {
  name: string;
  size: number;
  /** Go's os.FileMode bits, which the docker CLI decodes. */
  mode: number;
  /** RFC 3339 with nanoseconds, as Go marshals a time.Time. */
  mtime: string;
  linkTarget: string;
};

/** Go's os.FileMode type and special bits (io/fs). */
export const GO_MODE = {
  dir: 2 ** 31,
  append: 2 ** 30,
  exclusive: 2 ** 29,
  temporary: 2 ** 28,
  symlink: 2 ** 27,
  device: 2 ** 26,
  namedPipe: 2 ** 25,
  socket: 2 ** 24,
  setuid: 2 ** 23,
  setgid: 2 ** 22,
  charDevice: 2 ** 21,
  sticky: 2 ** 20,
  irregular: 2 ** 19,
} as const;

/** os.FileMode from a Unix st_mode, as Go's os.Lstat builds it (sums, not `|`: bit 31 would go negative). */
export function goFileMode(stMode: number): number {
  let m = stMode & 0o777;
  switch (stMode & fsc.S_IFMT) {
    case fsc.S_IFBLK:
      m += GO_MODE.device;
      break;
    case fsc.S_IFCHR:
      m += GO_MODE.device + GO_MODE.charDevice;
      break;
    case fsc.S_IFDIR:
      m += GO_MODE.dir;
      break;
    case fsc.S_IFIFO:
      m += GO_MODE.namedPipe;
      break;
    case fsc.S_IFLNK:
      m += GO_MODE.symlink;
      break;
    case fsc.S_IFSOCK:
      m += GO_MODE.socket;
      break;
  }
  if (stMode & 0o2000) m += GO_MODE.setgid;
  if (stMode & 0o4000) m += GO_MODE.setuid;
  if (stMode & 0o1000) m += GO_MODE.sticky;
  return m;
}

/** time.Time's JSON form in UTC: RFC 3339, fraction to the nanosecond with trailing zeros dropped. */
export function goTime(ns: bigint): string {
  const sec = ns / 1_000_000_000n;
  let frac = ns % 1_000_000_000n;
  let s = sec;
  if (frac < 0n) {
    frac += 1_000_000_000n;
    s -= 1n;
  }
  const base = new Date(Number(s) * 1000).toISOString().slice(0, 19);
  const f = frac.toString().padStart(9, '0').replace(/0+$/, '');
  return `${base}${f ? `.${f}` : ''}Z`;
}

/** A container's filesystem opened for copying: `root` is a handle every path is resolved from. */
interface ContainerFs {
  root: FileHandle;
  close(): Promise<void>;
}

async function openContainerFs(ctx: EngineContext, c: ContainerRecord, writable: boolean): Promise<ContainerFs> {
  const pid = c.state.pid;
  if ((c.state.status === 'running' || c.state.status === 'paused') && pid > 0) {
    const root = await openScopeRoot(`/proc/${pid}/root`).catch(() => undefined);
    // The pid must still be the container's once the handle is open: a recycled pid would be someone else's root.
    if (root && c.state.pid === pid && isRunning(c)) return { root, close: () => root.close().catch(() => undefined) };
    await root?.close().catch(() => undefined);
  }
  const image = await ctx.images.get(c.imageId);
  const snapshot = await ctx.snapshotter.prepare(c.id, image.layers);
  const view = await openOverlayView(rootfsLayout(ctx.store.dir(c.id), image.layers), ctx.cfg.emptyDir, { writable, scratchDir: ctx.cfg.execRoot, snapshot });
  return { root: view.root, close: view.close };
}

function fileNotFound(p: string, ref: string): EngineError {
  return notFound(`Could not find the file ${p} in container ${ref}`);
}

/** Docker's mapping: a missing file is not-found in its words, an EngineError keeps its kind, the rest is internal. */
function mapError(e: unknown, p: string, ref: string): EngineError {
  if (isEngineError(e)) return e;
  const code = errnoCode(e);
  if (code === 'ENOENT' || code === 'ENOTDIR') return fileNotFound(p, ref);
  return internal((e as Error).message ?? String(e), e);
}

interface StatResult {
  stat: PathStat;
  st: BigIntStats;
  resolved: Resolved;
}

/** lstat semantics: the last component is not followed unless the path ends in `/` or `/.`. */
async function statIn(root: FileHandle, p: string): Promise<StatResult> {
  const abs = containerAbsPath(p);
  const mustBeDir = abs.endsWith('/') || abs.endsWith('/.');
  const resolved = await resolveInScope(root, abs, { followFinal: mustBeDir });
  try {
    const st = resolved.name === undefined ? await resolved.dir.stat({ bigint: true }) : await lstat(fdPath(resolved.dir.fd, resolved.name), { bigint: true });
    if (mustBeDir && !st.isDirectory()) throw errnoError('ENOTDIR', `${abs}: not a directory`);
    const linkTarget = st.isSymbolicLink() ? await resolvePathString(root, abs) : '';
    return {
      stat: { name: goBase(abs), size: Number(st.size), mode: goFileMode(Number(st.mode)), mtime: goTime(st.mtimeNs), linkTarget },
      st,
      resolved,
    };
  } catch (e) {
    await resolved.close();
    throw e;
  }
}

/** HEAD /containers/{id}/archive. */
export async function statPath(ctx: EngineContext, ref: string, p: string): Promise<PathStat> {
  const c = ctx.store.get(ref);
  let fs: ContainerFs | undefined;
  try {
    fs = await openContainerFs(ctx, c, false);
    const r = await statIn(fs.root, p);
    await r.resolved.close();
    return r.stat;
  } catch (e) {
    throw mapError(e, p, ref);
  } finally {
    await fs?.close();
  }
}

/** GNU tar's --transform replacement text for a literal string. */
function sedReplacement(s: string): string {
  return s.replace(/[\\&|]/g, (ch) => `\\${ch}`);
}

/**
 * GET /containers/{id}/archive: the stat (for the header) and a tar whose top entry is named after the
 * requested path's base name (Docker's rebase): a directory as `name/`, `name/…`; `/.` as `./…` (its
 * contents); `/` as `/`, `/bin/`, … A directory's mounts other than itself (/proc, /sys, /dev in a running
 * container) are not descended into.
 */
export async function getArchive(ctx: EngineContext, ref: string, p: string, opts: { signal?: AbortSignal } = {}): Promise<{ stat: PathStat; stream: Readable }> {
  const c = ctx.store.get(ref);
  let fs: ContainerFs | undefined;
  const handles: { close(): Promise<unknown> }[] = [];
  try {
    fs = await openContainerFs(ctx, c, false);
    const { stat, st, resolved } = await statIn(fs.root, p);
    handles.push(resolved);
    const args = ['-c', '-f', '-', '-C', '/proc/self/fd/3', ...TAR_CREATE_FLAGS, '--one-file-system'];
    let from: FileHandle;
    let member: string;
    if (st.isDirectory()) {
      from = resolved.name === undefined ? resolved.dir : await open(fdPath(resolved.dir.fd, resolved.name), O_DIR_NOFOLLOW);
      if (from !== resolved.dir) handles.push(from);
      member = '.';
      const base = stat.name;
      if (base === '/') args.push('-P', `--transform=s|^\\.||S`);
      else if (base !== '.') args.push(`--transform=s|^\\.|${sedReplacement(base)}|S`);
    } else {
      from = resolved.dir;
      member = resolved.name!;
    }
    const opened = fs;
    const stream = tarStream([...args, '--null', '--verbatim-files-from', '-T', '-'], {
      fds: [from.fd],
      input: `${member}\0`,
      signal: opts.signal,
      cleanup: async () => {
        for (const h of handles.reverse()) await h.close().catch(() => undefined);
        await opened.close();
      },
    });
    ctx.events.publish('container', 'archive-path', c.id, eventAttrs(c));
    return { stat, stream };
  } catch (e) {
    for (const h of handles.reverse()) await h.close().catch(() => undefined);
    await fs?.close();
    throw mapError(e, p, ref);
  }
}

export interface PutArchiveOptions {
  /** Refuse to replace a directory with a non-directory or the reverse (the docker CLI always sets it). */
  noOverwriteDirNonDir?: boolean;
  /** Own everything by the container's configured user (docker cp -a); otherwise the archive's owners. */
  copyUIDGID?: boolean;
}

/** Docker's checkWritablePath: the innermost volume containing the path decides, else ReadonlyRootfs. */
export function checkWritablePath(hc: WireHostConfig, absPath: string): void {
  const mounts: { destination: string; readOnly: boolean }[] = [];
  for (const b of hc.Binds ?? []) {
    try {
      const m = parseBind(String(b));
      mounts.push({ destination: m.destination, readOnly: (m.options ?? []).includes('ro') });
    } catch {
      // validated at create; an unparsable bind cannot contain the path
    }
  }
  for (const m of hc.Mounts ?? []) {
    if (typeof m?.Target === 'string' && ['bind', 'volume', 'tmpfs'].includes(m.Type)) mounts.push({ destination: path.posix.normalize(m.Target), readOnly: m.ReadOnly === true });
  }
  const inside = (dest: string) => absPath === dest || absPath.startsWith(dest.endsWith('/') ? dest : `${dest}/`);
  const hit = mounts.filter((m) => inside(m.destination)).sort((a, b) => b.destination.length - a.destination.length)[0];
  if (hit) {
    if (hit.readOnly) throw invalidArgument('mounted volume is marked read-only');
    return;
  }
  if (hc.ReadonlyRootfs) throw invalidArgument('container rootfs is marked read-only');
}

/** Reads a file of the container through the scope (for /etc/passwd and /etc/group); undefined if absent. */
async function readInScope(root: FileHandle, file: string): Promise<string | undefined> {
  let r: Resolved | undefined;
  try {
    r = await resolveInScope(root, file, { followFinal: true });
    if (r.name === undefined) return undefined;
    const fh = await open(fdPath(r.dir.fd, r.name), fsc.O_RDONLY | fsc.O_NOFOLLOW | fsc.O_NONBLOCK);
    try {
      if (!(await fh.stat()).isFile()) return undefined;
      return await fh.readFile('utf8');
    } finally {
      await fh.close();
    }
  } catch {
    return undefined;
  } finally {
    await r?.close();
  }
}

/** PUT /containers/{id}/archive. `body` may be gzip-compressed, as Docker accepts. */
export async function putArchive(ctx: EngineContext, ref: string, p: string, body: Readable, opts: PutArchiveOptions = {}): Promise<void> {
  const c = ctx.store.get(ref);
  await ctx.store.lock(c.id, async () => {
    let fs: ContainerFs | undefined;
    let dest: Resolved | undefined;
    try {
      fs = await openContainerFs(ctx, c, true);
      // Every component is followed, the last too: extracting "into a symlink" means into its target.
      dest = await resolveInScope(fs.root, containerAbsPath(p), { followFinal: true });
      if (dest.name !== undefined) {
        await lstat(fdPath(dest.dir.fd, dest.name));
        throw invalidArgument('extraction point is not a directory');
      }
      checkWritablePath(c.hostConfig, dest.path);
      let owner: { uid: number; gid: number } | undefined;
      if (opts.copyUIDGID && c.config.User) {
        const [passwd, group] = [await readInScope(fs.root, '/etc/passwd'), await readInScope(fs.root, '/etc/group')];
        const u = resolveUser(String(c.config.User), passwd, group);
        owner = { uid: u.uid, gid: u.gid };
      }
      await extractTar(await decompressed(body), dest.dir, { destPath: dest.path, noOverwriteDirNonDir: opts.noOverwriteDirNonDir === true, owner });
    } catch (e) {
      // Let the rest of the upload drain so that the error can still be answered.
      body.unpipe();
      body.resume();
      throw mapError(e, p, ref);
    } finally {
      await dest?.close();
      await fs?.close();
    }
  });
  ctx.events.publish('container', 'extract-to-dir', c.id, eventAttrs(c));
}

/** Docker decompresses what it is sent; the docker CLI sends a plain tar, gzip is the one other seen. */
async function decompressed(body: Readable): Promise<Readable> {
  // Peeking through a pipe rather than iterating `body` itself keeps `body` drainable after a failure.
  const pass = new PassThrough();
  body.pipe(pass);
  // A client that goes away mid-upload must fail the extraction, not leave it (and the lock) waiting.
  body.once('error', (e) => pass.destroy(e));
  body.once('close', () => {
    if (!body.readableEnded) pass.destroy(internal('the archive upload ended early'));
  });
  const head: Buffer[] = [];
  let got = 0;
  const it = pass[Symbol.asyncIterator]();
  while (got < 3) {
    const { value, done } = await it.next();
    if (done) break;
    const b = Buffer.isBuffer(value) ? value : Buffer.from(value as string);
    head.push(b);
    got += b.length;
  }
  const first = Buffer.concat(head);
  const rest = Readable.from(
    (async function* () {
      if (first.length) yield first;
      for (;;) {
        const { value, done } = await it.next();
        if (done) return;
        yield value as Buffer;
      }
    })(),
  );
  if (first[0] === 0x1f && first[1] === 0x8b && first[2] === 0x08) return rest.pipe(createGunzip());
  if (first.subarray(0, 3).equals(Buffer.from('BZh')) || first[0] === 0xfd || (first[0] === 0x28 && first[1] === 0xb5)) {
    throw invalidArgument('unsupported archive compression: send a plain or gzip-compressed tar');
  }
  return rest;
}

export interface ExtractOptions {
  /** The extraction directory's path in the container, for Docker's error messages. */
  destPath: string;
  noOverwriteDirNonDir: boolean;
  /** Overrides the archive's owners (docker cp -a with a configured user). */
  owner?: { uid: number; gid: number };
}

/** Go's path.Clean for a relative name, after Docker strips leading slashes. */
function cleanEntryName(name: string): string {
  const stripped = name.replace(/^\/+/, '');
  if (stripped === '') return '.';
  const n = path.posix.normalize(stripped);
  return n.length > 1 ? n.replace(/\/+$/, '') : n;
}

const isLocal = (n: string) => n !== '' && n !== '..' && !n.startsWith('../') && !n.startsWith('/');

const goQuote = (s: string) => JSON.stringify(s);

function breakout(msg: string): EngineError {
  return internal(msg);
}

function paxNumber(h: Header, key: string): number | undefined {
  const v = (h.pax as Record<string, string> | null | undefined)?.[key];
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Extracts a tar into the directory `dest` (an open handle) the way Docker's archive.Unpack does: names made
 * relative and cleaned, `..` escapes refused, a member's parent symlinks resolved with `dest` as their root,
 * missing parents created 0755, an existing entry replaced unless both are directories, owners then modes
 * then times applied, directory times last.
 */
export async function extractTar(input: Readable, dest: FileHandle, opts: ExtractOptions): Promise<void> {
  const ex = extract();
  const feeding = pipeline(input, ex).catch((e: unknown) => e);
  const x = new Extractor(dest, opts);
  try {
    for await (const entry of ex) {
      try {
        await x.entry(entry);
      } finally {
        entry.resume();
      }
    }
  } catch (e) {
    ex.destroy();
    input.destroy();
    await feeding;
    throw e;
  } finally {
    await x.dropParent();
  }
  const fed = await feeding;
  if (fed instanceof Error) throw fed;
  await x.finishDirectories();
}

async function implicitDir(dir: FileHandle, name: string): Promise<void> {
  if (!(await mkdirAt(dir, name, 0o755))) return;
  // mkdir's mode went through the umask: set it again, on the directory itself (never through a symlink).
  const fh = await open(fdPath(dir.fd, name), O_DIR_NOFOLLOW);
  try {
    await fh.chmod(0o755);
  } finally {
    await fh.close();
  }
}

/** Applies times to `name` in `dir` without following it if it is a symlink, and to the inode otherwise. */
async function setTimesNoFollow(dir: FileHandle, name: string, atime: number, mtime: number): Promise<void> {
  const node = await open(fdPath(dir.fd, name), O_PATH | fsc.O_NOFOLLOW);
  try {
    if ((await node.stat()).isSymbolicLink()) await lutimes(fdPath(dir.fd, name), atime, mtime);
    else await utimes(fdPath(node.fd), atime, mtime);
  } finally {
    await node.close();
  }
}

async function mknodAt(dir: FileHandle, name: string, kind: 'c' | 'b' | 'p', major: number, minor: number): Promise<void> {
  // Node has no mknod; the tool gets the parent as fd 3 so the path it is given cannot be redirected.
  const args = [`/proc/self/fd/3/${name}`, kind, ...(kind === 'p' ? [] : [String(major), String(minor)])];
  const child = spawn('mknod', args, { stdio: ['ignore', 'ignore', 'pipe', dir.fd] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw internal(`mknod ${name}: ${stderr.trim()}`);
}

interface DirTimes {
  rel: string;
  atime: number;
  mtime: number;
}

/** One extraction: options, the directories whose times are set last, and the parent last resolved. */
class Extractor {
  private readonly dirTimes: DirTimes[] = [];
  // Archives list a directory's entries together: keeping the last parent open saves re-walking it from
  // `dest` for each. Only this archive can change what a path resolves to between two entries (a running
  // container racing us can only move things within itself), and only by replacing something, so every
  // removal drops the cached parent.
  private parent: { rel: string; r: Resolved } | undefined;

  constructor(
    private readonly dest: FileHandle,
    private readonly opts: ExtractOptions,
  ) {}

  async dropParent(): Promise<void> {
    const p = this.parent;
    this.parent = undefined;
    await p?.r.close();
  }

  private async parentDir(rel: string, name: string): Promise<Resolved> {
    if (this.parent?.rel === rel) return this.parent.r;
    await this.dropParent();
    const r = await resolveInScope(this.dest, rel, { followFinal: true, escape: 'error', mkdirParent: implicitDir }).catch((e: unknown) => {
      throw errnoCode(e) === 'EXDEV' ? breakout(`openat ${name}: path escapes from parent`) : e;
    });
    if (r.name !== undefined) {
      await r.close();
      throw errnoError('ENOTDIR', `${rel} is not a directory`);
    }
    this.parent = { rel, r };
    return r;
  }

  async entry(entry: AsyncIterable<unknown> & { header: Header }): Promise<void> {
    const h = entry.header;
    const opts = this.opts;
    const name = cleanEntryName(h.name);
    if (name === '.') return;
    if (!isLocal(name)) throw breakout(`invalid entry name ${goQuote(h.name)}`);
    const slash = name.lastIndexOf('/');
    const parentRel = slash < 0 ? '' : name.slice(0, slash);
    const base = slash < 0 ? name : name.slice(slash + 1);

    // A hard link's target is resolved before anything is removed, as Docker does.
    let linkTarget: Resolved | undefined;
    let removed = false;
    try {
      if (h.type === 'link') {
        const raw = h.linkname ?? '';
        const cleaned = raw.startsWith('/') ? path.posix.normalize(raw.replace(/^\/+/, '')) : path.posix.normalize(raw);
        if (cleaned === '.' || !isLocal(cleaned)) throw breakout(`invalid hardlink target ${goQuote(raw)}`);
        linkTarget = await resolveInScope(this.dest, cleaned, { followFinal: false, escape: 'error' }).catch((e: unknown) => {
          throw errnoCode(e) === 'EXDEV' ? breakout(`invalid hardlink target ${goQuote(raw)}`) : e;
        });
      }
      const parent = await this.parentDir(parentRel, name);
      const dir = parent.dir;
      const target = fdPath(dir.fd, base);
      const isDirEntry = h.type === 'directory';

      const existing = await lstat(target).catch((e: unknown) => {
        if (errnoCode(e) === 'ENOENT') return undefined;
        throw e;
      });
      if (existing) {
        if (opts.noOverwriteDirNonDir && existing.isDirectory() && !isDirEntry) {
          throw internal(`cannot overwrite directory ${goQuote(name)} with non-directory ${goQuote(opts.destPath)}`);
        }
        if (opts.noOverwriteDirNonDir && !existing.isDirectory() && isDirEntry) {
          throw internal(`cannot overwrite non-directory ${goQuote(name)} with directory ${goQuote(opts.destPath)}`);
        }
        if (!existing.isDirectory() || !isDirEntry) {
          await removeAt(dir, base);
          removed = true;
        }
      }
      await this.create(entry, name, dir, base, existing?.isDirectory() === true, linkTarget);
      if (isDirEntry) this.dirTimes.push({ rel: parent.path === '/' ? base : `${parent.path.slice(1)}/${base}`, ...times(h) });
    } finally {
      await linkTarget?.close();
      // This entry used the parent as resolved before the removal, as Docker does; later ones resolve anew.
      if (removed) await this.dropParent();
    }
  }

  /** Creates `base` in `dir` from the entry, then owner, mode and (except directories) times. */
  private async create(entry: AsyncIterable<unknown> & { header: Header }, name: string, dir: FileHandle, base: string, dirExists: boolean, linkTarget: Resolved | undefined): Promise<void> {
    const h = entry.header;
    const target = fdPath(dir.fd, base);
    const mode = (h.mode ?? 0) & 0o7777;
    const uid = this.opts.owner?.uid ?? paxNumber(h, 'uid') ?? h.uid ?? 0;
    const gid = this.opts.owner?.gid ?? paxNumber(h, 'gid') ?? h.gid ?? 0;
    const { atime, mtime } = times(h);
    switch (h.type) {
      case 'directory':
        if (!dirExists) await mkdirAt(dir, base, mode & 0o777);
        break;
      case 'file':
      case 'contiguous-file': {
        // O_EXCL|O_NOFOLLOW: whatever was there is gone, and a symlink raced in is not followed.
        const fh = await open(target, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, mode & 0o777);
        try {
          for await (const chunk of entry) await fh.write(chunk as Buffer);
          // chmod after chown, which clears set-id bits
          await fh.chown(uid, gid);
          await fh.chmod(mode);
          await fh.utimes(atime, mtime);
        } finally {
          await fh.close();
        }
        return;
      }
      case 'symlink':
        await symlink(h.linkname ?? '', target);
        break;
      case 'link':
        await link(fdPath(linkTarget!.dir.fd, linkTarget!.name ?? '.'), target);
        break;
      case 'character-device':
      case 'block-device':
      case 'fifo':
        await mknodAt(dir, base, h.type === 'fifo' ? 'p' : h.type === 'character-device' ? 'c' : 'b', h.devmajor ?? 0, h.devminor ?? 0);
        break;
      default:
        throw internal(`unhandled tar header type ${h.type ?? 'unknown'} for ${name}`);
    }
    await lchown(target, uid, gid);
    // chmod and times on the inode itself, through an O_PATH handle: never through a symlink.
    const node = await open(target, O_PATH | fsc.O_NOFOLLOW);
    try {
      const isLink = (await node.stat()).isSymbolicLink();
      if (isLink) await lutimes(target, atime, mtime);
      else {
        await chmod(fdPath(node.fd), mode);
        if (h.type !== 'directory') await utimes(fdPath(node.fd), atime, mtime);
      }
    } finally {
      await node.close();
    }
  }

  /** Directory times last: creating entries inside a directory changes its mtime. */
  async finishDirectories(): Promise<void> {
    for (const d of this.dirTimes) {
      const r = await resolveInScope(this.dest, d.rel, { followFinal: false, escape: 'error' }).catch(() => undefined);
      if (!r) continue;
      try {
        if (r.name !== undefined) await setTimesNoFollow(r.dir, r.name, d.atime, d.mtime);
      } finally {
        await r.close();
      }
    }
  }
}

/** Docker's times: mtime from the header, atime the later of the header's atime and mtime. */
function times(h: Header): { atime: number; mtime: number } {
  const mtime = paxNumber(h, 'mtime') ?? (h.mtime ? h.mtime.getTime() / 1000 : 0);
  return { atime: Math.max(paxNumber(h, 'atime') ?? 0, mtime), mtime };
}
