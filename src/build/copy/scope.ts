// Paths inside a root that may hold hostile symlinks (a build context, an image's rootfs). Every symlink met
// on the way is resolved as if `root` were `/`, the way moby's FollowSymlinkInScope does: an absolute
// target restarts at the root and `..` stops there, so the result always names something under root.
import fs from 'node:fs/promises';
import path from 'node:path';
import { errnoCode, invalidArgument } from '../../common/errors.js';

const MAX_LINKS = 255;

/**
 * Resolves `rel` (slash-separated, relative to root; a leading '/' means root) inside root, following
 * every symlink in scope, the last component included. Components that do not exist are kept as written.
 * Returns the resolved path relative to root ('' for root itself).
 */
export async function resolveInScope(root: string, rel: string): Promise<string> {
  let todo = rel.split('/').filter((c) => c !== '' && c !== '.');
  const done: string[] = [];
  let links = 0;
  while (todo.length > 0) {
    const c = todo.shift()!;
    if (c === '..') {
      done.pop();
      continue;
    }
    const candidate = [...done, c];
    let target: string | undefined;
    try {
      const st = await fs.lstat(path.join(root, ...candidate));
      if (st.isSymbolicLink()) target = await fs.readlink(path.join(root, ...candidate));
    } catch (e) {
      const code = errnoCode(e);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e;
    }
    if (target === undefined) {
      done.push(c);
      continue;
    }
    if (++links > MAX_LINKS) throw invalidArgument(`evalSymlinksInScope: too many links in ${path.join(root, rel)}`);
    const parts = target.split('/').filter((p) => p !== '' && p !== '.');
    if (target.startsWith('/')) done.length = 0;
    todo = [...parts, ...todo];
  }
  return done.join('/');
}

/**
 * A source as written, relative to its root, or undefined when it climbs out of the root lexically
 * (`../x`): moby refuses those before looking at the disk.
 */
export function lexicalInside(rel: string): string | undefined {
  const clean = path.posix.normalize(`${rel}`);
  if (clean === '..' || clean.startsWith('../')) return undefined;
  return clean === '.' ? '' : clean.replace(/\/$/, '');
}
