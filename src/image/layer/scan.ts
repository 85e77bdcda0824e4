// After GNU tar has extracted a layer: turn Docker's tar whiteouts (`.wh.<name>`, `.wh..wh..opq`) into what
// overlayfs reads, and measure the layer as Docker does (sizes of everything but directories, each inode
// once). One walk does both. It never follows a symlink: it only descends into entries that readdir reports
// as directories, and every name comes from readdir, so it cannot leave the layer.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { lstat, readdir, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import { EngineError, internal, invalidArgument } from '../../common/errors.js';

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_WHITEOUT = '.wh..wh..opq';

/**
 * `isBase`: the layer has nothing below it, so whiteouts hide nothing and are simply dropped (overlayfs
 * shows the same tree either way). Above a parent, `.wh.x` becomes the 0/0 character device overlayfs
 * treats as a deletion, and `.wh..wh..opq` marks its directory opaque (the trusted.overlay.opaque xattr, set
 * with setfattr: Node has no xattr call).
 * Returns the layer's size in bytes.
 */
export async function finishLayerTree(root: string, isBase: boolean): Promise<number> {
  const seen = new Set<string>();
  let size = 0;
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    // Whiteouts first: converting one replaces the entry it hides, which must then not be walked.
    const replaced = new Set<string>();
    for (const e of entries) {
      if (!e.name.startsWith(WHITEOUT_PREFIX)) continue;
      const hidden = await applyWhiteout(dir, e.name, isBase);
      if (hidden !== undefined) replaced.add(hidden);
    }
    const subdirs: string[] = [];
    const files: string[] = [];
    for (const e of entries) {
      if (e.name.startsWith(WHITEOUT_PREFIX) || replaced.has(e.name)) continue;
      if (e.isDirectory()) {
        subdirs.push(path.join(dir, e.name));
      } else {
        files.push(path.join(dir, e.name));
      }
    }
    const stats = await Promise.all(files.map((f) => lstat(f, { bigint: true })));
    for (const st of stats) {
      if (st.nlink > 1n) {
        const key = `${st.dev}:${st.ino}`;
        if (seen.has(key)) continue;
        seen.add(key);
      }
      size += Number(st.size);
    }
    for (const d of subdirs) await walk(d);
  };
  await walk(root);
  return size;
}

/** Returns the name of the entry replaced by a whiteout device, if one was made. */
async function applyWhiteout(dir: string, name: string, isBase: boolean): Promise<string | undefined> {
  const marker = path.join(dir, name);
  if (name === OPAQUE_WHITEOUT && !isBase) {
    await unlink(marker);
    await markOpaque(dir);
    return undefined;
  }
  // In a base layer every whiteout hides nothing; `.wh..wh.*` other than the opaque marker is AUFS
  // bookkeeping (plnk, aufs) that means nothing to overlayfs.
  if (isBase || name.startsWith(`${WHITEOUT_PREFIX}${WHITEOUT_PREFIX}`)) {
    await rm(marker, { recursive: true, force: true });
    return undefined;
  }
  const hiddenName = name.slice(WHITEOUT_PREFIX.length);
  // `.wh.`, `.wh..` and `.wh...` would name the directory itself or its parent.
  if (hiddenName === '' || hiddenName === '.' || hiddenName === '..') throw invalidArgument(`invalid whiteout ${marker}`);
  const hidden = path.join(dir, hiddenName);
  await unlink(marker);
  await rm(hidden, { recursive: true, force: true });
  await mknodWhiteout(hidden);
  return hiddenName;
}

/** `dir` came from readdir as a directory of the layer; -h keeps setfattr from following a symlink anyway. */
async function markOpaque(dir: string): Promise<void> {
  const child = spawn('setfattr', ['-h', '-n', 'trusted.overlay.opaque', '-v', 'y', '--', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const [code] = (await once(child, 'close').catch((e: Error) => {
    throw internal(`setfattr: cannot run (install the attr package): ${e.message}`, e);
  })) as [number | null];
  if (code !== 0) throw internal(`setfattr trusted.overlay.opaque ${dir}: ${stderr.trim()}`);
}

async function mknodWhiteout(file: string): Promise<void> {
  const child = spawn('mknod', ['-m', '000', '--', file, 'c', '0', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw internal(`mknod ${file}: ${stderr.trim()}`);
}
