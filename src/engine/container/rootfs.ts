// A container's filesystem: the image's layers as overlay lowerdirs and a writable upper layer of its own,
// under <containers>/<id>/fs/. The overlay itself is assembled by the runtime inside the container's mount
// namespace (OVERLAY_ANNOTATION), so nothing is mounted on the host. Files the engine must read before
// start (/etc/passwd) are read through the layers the way overlayfs would resolve them.
import { lstatSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';

export interface RootfsLayout {
  upper: string;
  work: string;
  merged: string;
  /** Image layers, top first (overlay's lowerdir order). */
  lowers: string[];
}

export function rootfsLayout(containerDir: string, imageLayersBottomFirst: string[]): RootfsLayout {
  const fs = path.join(containerDir, 'fs');
  return {
    upper: path.join(fs, 'upper'),
    work: path.join(fs, 'work'),
    merged: path.join(fs, 'merged'),
    lowers: [...imageLayersBottomFirst].reverse(),
  };
}

export async function prepareRootfs(l: RootfsLayout): Promise<void> {
  await mkdir(l.upper, { recursive: true, mode: 0o755 });
  await mkdir(l.work, { recursive: true, mode: 0o700 });
  await mkdir(l.merged, { recursive: true, mode: 0o755 });
}

/** Overlay mount options; an image with no layers gets an empty lower so overlay still has one. */
export function overlayOptions(l: RootfsLayout, emptyLower: string): string {
  const lowers = l.lowers.length ? l.lowers : [emptyLower];
  return `lowerdir=${lowers.join(':')},upperdir=${l.upper},workdir=${l.work}`;
}

function isWhiteout(p: string): boolean {
  try {
    const st = lstatSync(p);
    return st.isCharacterDevice() && st.rdev === 0;
  } catch {
    return false;
  }
}

/** Reads a file of the container's filesystem without mounting it; undefined if no layer has it. */
export async function readLayered(l: RootfsLayout, file: string): Promise<string | undefined> {
  const rel = path.posix.normalize(file).replace(/^\/+/, '');
  for (const dir of [l.upper, ...l.lowers]) {
    const p = path.join(dir, rel);
    if (isWhiteout(p)) return undefined;
    try {
      return await readFile(p, 'utf8');
    } catch {
      // not in this layer
    }
  }
  return undefined;
}
