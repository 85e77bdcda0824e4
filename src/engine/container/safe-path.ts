// Container paths resolved on the host without ever leaving the container's root. A container's symlinks
// mean something only inside it: `/etc -> /` followed by the host kernel from /proc/<pid>/root lands on the
// HOST's /. So no path string naming something inside a container is ever handed to the kernel whole:
// every component is opened relative to an already-open directory (`/proc/self/fd/<fd>/<name>`, which the
// kernel resolves from that inode, not by re-walking a path) with O_NOFOLLOW, symlinks are read and
// re-interpreted here (absolute targets restart at the scope root, `..` never climbs above it), and `..` is
// never passed to the kernel at all. A container that swaps a directory for a symlink mid-walk can only make
// a lookup fail or land elsewhere inside its own root; that is why no pause is needed around these walks.
import { constants as fsc } from 'node:fs';
import { lstat, mkdir, open, readdir, readlink, rmdir, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode } from '../../common/errors.js';

/** Linux's limit on symlinks followed in one lookup. */
export const MAX_SYMLINKS = 40;
/** O_PATH (the asm-generic value, as on x86_64 and arm64); Node does not export it. */
export const O_PATH = 0o10000000;
/** Opens a directory, failing with ENOTDIR on a symlink instead of following it. */
export const O_DIR_NOFOLLOW = fsc.O_RDONLY | fsc.O_DIRECTORY | fsc.O_NOFOLLOW;

/** A path the kernel resolves from the open file `fd` (and `name` inside it) instead of from a string. */
export function fdPath(fd: number, name?: string): string {
  return name === undefined ? `/proc/self/fd/${fd}` : `/proc/self/fd/${fd}/${name}`;
}

/** Node-style errors so callers can branch on `code` the same way for the kernel's errors and ours. */
export function errnoError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

/** The components of a path, without empty ones and `.`; `..` is kept for the walker to interpret. */
export function components(p: string): string[] {
  return p.split('/').filter((c) => c !== '' && c !== '.');
}

/**
 * Docker's absPath: the user's path made absolute and cleaned lexically (so `a/link/..` is `a`, as in Docker),
 * keeping a trailing `/` or `/.` because they change the meaning (follow the last symlink; a directory's
 * contents).
 */
export function containerAbsPath(p: string): string {
  let out = path.posix.join('/', p);
  if (goBase(p) === '.') out += out.endsWith('/') ? '.' : '/.';
  if (p.endsWith('/') && !out.endsWith('/')) out += '/';
  return out;
}

/** Go's filepath.Base: trailing slashes ignored, "/" for the root, "." for the empty path. */
export function goBase(p: string): string {
  if (p === '') return '.';
  const trimmed = p.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

export interface ResolveOptions {
  /** Follow a symlink in the last component too (a destination directory); otherwise stop before it. */
  followFinal?: boolean;
  /** `..` above the scope root: clamp to the root as chroot does (default), or fail with code EXDEV. */
  escape?: 'clamp' | 'error';
  /**
   * Called for a missing directory on the way, the last component too when it is followed (archive
   * extraction's implied parents).
   */
  mkdirParent?: (dir: FileHandle, name: string) => Promise<void>;
}

export interface Resolved {
  /** The deepest directory reached: the scope root itself when the path named nothing below it. */
  dir: FileHandle;
  /**
   * The last component, not opened: set when `followFinal` was false, or the target is not a directory, or
   * it does not exist (lstat `fdPath(dir.fd, name)` to tell).
   */
  name: string | undefined;
  /** Scope-absolute path of `dir`, symlinks resolved ('/' for the root). */
  dirPath: string;
  /** Scope-absolute path of the result (`dirPath` joined with `name`). */
  path: string;
  /** Closes what the walk opened (never the scope root). Idempotent. */
  close(): Promise<void>;
}

interface Frame {
  fh: FileHandle;
  name: string;
}

/**
 * Resolves `p` (taken as absolute: a leading `/` is implied) inside the directory `root` as chroot would,
 * returning an open handle on the directory where the walk ended. Throws ENOENT/ENOTDIR for a missing or
 * non-directory intermediate component, ELOOP past MAX_SYMLINKS links, and EXDEV for `..` escaping the
 * root when `escape` is 'error'.
 */
export async function resolveInScope(root: FileHandle, p: string, opts: ResolveOptions = {}): Promise<Resolved> {
  const stack: Frame[] = [{ fh: root, name: '' }];
  const closeAbove = async (depth: number) => {
    while (stack.length > depth) await stack.pop()!.fh.close().catch(() => undefined);
  };
  const result = (name: string | undefined): Resolved => {
    const dirPath = `/${stack.slice(1).map((f) => f.name).join('/')}`;
    let closed = false;
    return {
      dir: stack.at(-1)!.fh,
      name,
      dirPath,
      path: name === undefined ? dirPath : path.posix.join(dirPath, name),
      close: async () => {
        if (closed) return;
        closed = true;
        await closeAbove(1);
      },
    };
  };
  const todo = components(p);
  let links = 0;
  // Retries after a race are bounded too: a container rewriting its tree in a loop must not pin us here.
  let retries = 0;
  const retry = (c: string) => {
    if (++retries > 1000) throw errnoError('EAGAIN', `${p}: the path keeps changing`);
    todo.unshift(c);
  };
  try {
    while (todo.length > 0) {
      const c = todo.shift()!;
      if (c === '..') {
        if (stack.length > 1) await closeAbove(stack.length - 1);
        else if (opts.escape === 'error') throw errnoError('EXDEV', `${p} leads outside its root`);
        continue;
      }
      const last = todo.length === 0;
      if (last && !opts.followFinal) return result(c);
      const top = stack.at(-1)!.fh;
      const child = fdPath(top.fd, c);
      try {
        stack.push({ fh: await open(child, O_DIR_NOFOLLOW), name: c });
        continue;
      } catch (e) {
        const code = errnoCode(e);
        if (code === 'ENOENT') {
          if (opts.mkdirParent) {
            await opts.mkdirParent(top, c);
            retry(c);
            continue;
          }
          if (last) return result(c);
          throw e;
        }
        if (code !== 'ENOTDIR' && code !== 'ELOOP') throw e;
      }
      // Not a directory: a symlink to interpret here, or a file that ends the walk.
      const st = await lstat(child).catch((e: unknown) => {
        if (errnoCode(e) === 'ENOENT') return undefined;
        throw e;
      });
      if (st === undefined) {
        // Raced with a rename or an unlink: look again.
        retry(c);
        continue;
      }
      if (!st.isSymbolicLink()) {
        if (last) return result(c);
        throw errnoError('ENOTDIR', `${p}: ${c} is not a directory`);
      }
      if (++links > MAX_SYMLINKS) throw errnoError('ELOOP', `${p}: too many levels of symbolic links`);
      let target: string;
      try {
        target = await readlink(child);
      } catch (e) {
        if (errnoCode(e) !== 'EINVAL' && errnoCode(e) !== 'ENOENT') throw e;
        retry(c); // replaced between lstat and readlink
        continue;
      }
      if (target.startsWith('/')) await closeAbove(1);
      todo.unshift(...components(target));
    }
    return result(undefined);
  } catch (e) {
    await closeAbove(1);
    throw e;
  }
}

/**
 * The scope-absolute path `p` resolves to, following every symlink and keeping the missing tail lexically
 * (Docker's FollowSymlinkInScope, used for a symlink's LinkTarget).
 */
export async function resolvePathString(root: FileHandle, p: string): Promise<string> {
  const comps = components(p);
  // Resolve the longest existing prefix, then append what is missing.
  for (let n = comps.length; n >= 0; n--) {
    const head = comps.slice(0, n);
    let r: Resolved;
    try {
      r = await resolveInScope(root, `/${head.join('/')}`, { followFinal: true });
    } catch (e) {
      const code = errnoCode(e);
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      throw e;
    }
    try {
      if (r.name !== undefined) {
        const exists = await lstat(fdPath(r.dir.fd, r.name)).then(() => true, () => false);
        if (!exists && n > 0) continue;
      }
      const out = [...components(r.path)];
      for (const c of comps.slice(n)) {
        if (c === '..') out.pop();
        else out.push(c);
      }
      return `/${out.join('/')}`;
    } finally {
      await r.close();
    }
  }
  return '/';
}

/**
 * Removes `name` in `dir` and, for a directory, everything below it, never following a symlink: each level
 * is opened with O_NOFOLLOW and its entries are unlinked relative to that handle.
 */
export async function removeAt(dir: FileHandle, name: string): Promise<void> {
  const p = fdPath(dir.fd, name);
  for (let attempt = 0; attempt < 10; attempt++) {
    let st;
    try {
      st = await lstat(p);
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return;
      throw e;
    }
    if (!st.isDirectory()) {
      try {
        await unlink(p);
        return;
      } catch (e) {
        if (errnoCode(e) === 'ENOENT') return;
        if (errnoCode(e) === 'EISDIR' || errnoCode(e) === 'EPERM') continue; // became a directory meanwhile
        throw e;
      }
    }
    let sub: FileHandle;
    try {
      sub = await open(p, O_DIR_NOFOLLOW);
    } catch (e) {
      const code = errnoCode(e);
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') continue; // replaced meanwhile
      throw e;
    }
    try {
      for (const entry of await readdir(fdPath(sub.fd))) await removeAt(sub, entry);
    } finally {
      await sub.close();
    }
    try {
      await rmdir(p);
      return;
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return;
      if (errnoCode(e) === 'ENOTEMPTY' || errnoCode(e) === 'ENOTDIR') continue; // written to meanwhile
      throw e;
    }
  }
  throw errnoError('EBUSY', `cannot remove ${name}: it keeps changing`);
}

/** mkdir that tolerates a directory already being there (another writer, or a retry). */
export async function mkdirAt(dir: FileHandle, name: string, mode: number): Promise<boolean> {
  try {
    await mkdir(fdPath(dir.fd, name), mode);
    return true;
  } catch (e) {
    if (errnoCode(e) !== 'EEXIST') throw e;
    return false;
  }
}

/** Opens a trusted host directory (a container root such as /proc/<pid>/root, or a view's mount point). */
export function openScopeRoot(hostPath: string): Promise<FileHandle> {
  return open(hostPath, fsc.O_RDONLY | fsc.O_DIRECTORY);
}
