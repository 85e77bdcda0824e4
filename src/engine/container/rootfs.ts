// A container's filesystem: the image's layers as overlay lowerdirs and a writable upper layer of its own,
// under <containers>/<id>/fs/. The overlay itself is assembled by the runtime inside the container's mount
// namespace (OVERLAY_ANNOTATION), so nothing is mounted on the host. Files the engine must read before
// start (/etc/passwd) are read through the layers the way overlayfs would resolve them.
// The image module's snapshotter describes the mount (short `l/<name>` lowerdirs relative to a base dir, so
// deep images fit); it is keyed by container ID and keeps each snapshot at <containers>/<id>/fs, the
// layout rootfsLayout() names, so containers made before it and the readers below see the same dirs.
import { lstatSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { isEngineError } from '../../common/errors.js';

/** What the engine needs of a snapshotter (the image module's OverlaySnapshotter is one). */
export interface RootfsSnapshotter {
  /** Makes (idempotently) the container's writable layer over the image's layers, bottom first. */
  prepare(key: string, parents: readonly string[]): Promise<{ baseDir: string; options: string[] }>;
  remove(key: string): Promise<void>;
  usage(key: string): Promise<{ size: number; inodes: number }>;
}

/** The runtime's overlay annotations' values: mount(2) options and the dir their relative paths start from. */
export interface RootfsMount {
  /** OVERLAY_ANNOTATION */
  data: string;
  /** OVERLAY_BASEDIR_ANNOTATION */
  baseDir: string;
}

/** Prepares the container's snapshot (again, at each start: it repairs links) and says how to mount it. */
export async function rootfsMount(snapshotter: RootfsSnapshotter, id: string, imageLayersBottomFirst: string[]): Promise<RootfsMount> {
  const m = await snapshotter.prepare(id, imageLayersBottomFirst);
  return { data: m.options.join(','), baseDir: m.baseDir };
}

/** SizeRw: bytes the container wrote; 0 for a container whose snapshot is gone (as Docker reports). */
export async function rootfsSize(snapshotter: RootfsSnapshotter, id: string): Promise<number> {
  try {
    return (await snapshotter.usage(id)).size;
  } catch (e) {
    if (isEngineError(e, 'not-found')) return 0;
    throw e;
  }
}

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
