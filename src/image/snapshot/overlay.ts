// The overlay snapshotter: a container's snapshot is <dir>/{upper,work,merged}; its lowers are the image's
// layer directories, named in the mount by short links under <root>/l (names.ts) so that a deep image's
// option string fits mount(2)'s page. No state file: names derive from the layers, links are (re)made by
// every prepare, atomically (symlink to a temporary name, then rename over), so concurrent prepares and a
// crash halfway leave only correct links or a stray temporary name that pruneLinks() sweeps.
// prepare's metadata calls are synchronous on purpose: each is a few microseconds against the dentry cache,
// and a hop through libuv's thread pool costs more than the call (50 readlinks: 0.09 ms sync, 0.5 ms
// async), on the path of every container start; the whole is bounded by MAX_LAYERS.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readlinkSync, renameSync, symlinkSync, unlinkSync } from 'node:fs';
import { readdir, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode, invalidArgument, notFound } from '../../common/errors.js';
import { LINK_DIR, linkTarget, lowerEntry, shortName } from './names.js';
import { MAX_LAYERS, type SnapshotMount, type SnapshotPaths, type SnapshotUsage, type Snapshotter } from './snapshotter.js';
import { dirUsage } from './usage.js';

export interface OverlaySnapshotterOptions {
  /** The mount's base dir, holding `l/` (links) and `empty-lower/`: the image store's directory. */
  root: string;
  /** Where snapshot `key` lives; `<root>/snapshots/<key>` unless given (berthd: `<container dir>/fs`). */
  dirOf?: (key: string) => string;
}

/** Lowers for stacks with too few layers: overlay wants one lower beside an upper, two without. */
const EMPTY_LOWERS = ['empty-lower/0', 'empty-lower/1'];
const TMP_PREFIX = '.tmp-';
const KEY = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export class OverlaySnapshotter implements Snapshotter {
  readonly root: string;
  private readonly dirOf: (key: string) => string;

  constructor(opts: OverlaySnapshotterOptions) {
    this.root = path.resolve(opts.root);
    this.dirOf = opts.dirOf ?? ((key) => path.join(this.root, 'snapshots', key));
  }

  paths(key: string): SnapshotPaths {
    if (!KEY.test(key)) throw invalidArgument(`invalid snapshot key: ${JSON.stringify(key)}`);
    const dir = this.dirOf(key);
    return { dir, upper: path.join(dir, 'upper'), work: path.join(dir, 'work'), merged: path.join(dir, 'merged') };
  }

  async prepare(key: string, parents: readonly string[]): Promise<SnapshotMount> {
    const p = this.paths(key);
    // The kernel splits the option string on ',' (and lowerdir on ':'): such a path could not be named in it.
    if (/[,:\\]/.test(p.dir)) throw invalidArgument(`snapshot directory must not contain ',', ':' or '\\': ${p.dir}`);
    const lowers = this.lowers(parents, 1);
    mkdirSync(p.dir, { recursive: true, mode: 0o755 });
    mkdirIfMissing(p.upper, 0o755);
    mkdirIfMissing(p.work, 0o700);
    mkdirIfMissing(p.merged, 0o755);
    return this.mount([`lowerdir=${lowers.join(':')}`, `upperdir=${p.upper}`, `workdir=${p.work}`]);
  }

  async view(key: string, parents: readonly string[]): Promise<SnapshotMount> {
    const p = this.paths(key);
    const lowers = this.lowers(parents, 2);
    mkdirSync(p.merged, { recursive: true, mode: 0o755 });
    return this.mount([`lowerdir=${lowers.join(':')}`]);
  }

  async remove(key: string): Promise<void> {
    await rm(this.paths(key).dir, { recursive: true, force: true });
  }

  async usage(key: string): Promise<SnapshotUsage> {
    const { upper } = this.paths(key);
    try {
      return await dirUsage(upper);
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') throw notFound(`snapshot ${key} does not exist`, e);
      throw e;
    }
  }

  /** Removes the link of a layer that is gone (the image store calls this when it deletes a layer). */
  async removeLink(layerDir: string): Promise<void> {
    await unlink(path.join(this.root, LINK_DIR, shortName(linkTarget(this.root, layerDir)))).catch((e: unknown) => {
      if (errnoCode(e) !== 'ENOENT') throw e;
    });
  }

  /** Removes links whose layer is gone and temporary names a crash left; returns the names removed. */
  async pruneLinks(): Promise<string[]> {
    const dir = path.join(this.root, LINK_DIR);
    const names = await readdir(dir).catch((e: unknown) => (errnoCode(e) === 'ENOENT' ? [] : Promise.reject(e)));
    const removed: string[] = [];
    for (const name of names) {
      const p = path.join(dir, name);
      const dangling = name.startsWith(TMP_PREFIX) || (await stat(p).then(() => false, (e: unknown) => errnoCode(e) === 'ENOENT'));
      if (!dangling) continue;
      await unlink(p).catch(() => undefined);
      removed.push(name);
    }
    return removed;
  }

  private mount(options: string[]): SnapshotMount {
    return { type: 'overlay', source: 'overlay', baseDir: this.root, options };
  }

  /** The lowerdir entries, top first, each link made sure of; padded with empty dirs up to `min`. */
  private lowers(parents: readonly string[], min: number): string[] {
    if (parents.length > MAX_LAYERS) {
      throw invalidArgument(`max depth exceeded: overlay stacks at most ${MAX_LAYERS} layers, this image has ${parents.length}`);
    }
    const entries = parents.map((d) => lowerEntry(this.root, d));
    for (const e of entries) this.ensureLink(e.name, e.target);
    const pad = EMPTY_LOWERS.slice(0, Math.max(0, min - entries.length));
    for (const d of pad) mkdirSync(path.join(this.root, d), { recursive: true, mode: 0o755 });
    return [...entries.map((e) => e.entry).reverse(), ...pad];
  }

  private ensureLink(name: string, target: string): void {
    const dir = path.join(this.root, LINK_DIR);
    const link = path.join(dir, name);
    try {
      if (readlinkSync(link) === target) return;
    } catch (e) {
      if (errnoCode(e) !== 'ENOENT') throw e;
    }
    const tmp = path.join(dir, `${TMP_PREFIX}${name}-${randomBytes(4).toString('hex')}`);
    try {
      symlinkSync(target, tmp);
    } catch (e) {
      if (errnoCode(e) !== 'ENOENT') throw e;
      mkdirSync(dir, { recursive: true, mode: 0o755 });
      symlinkSync(target, tmp);
    }
    try {
      renameSync(tmp, link);
    } catch (e) {
      try {
        unlinkSync(tmp);
      } catch {
        // pruneLinks() sweeps temporary names
      }
      throw e;
    }
  }
}

function mkdirIfMissing(dir: string, mode: number): void {
  try {
    mkdirSync(dir, { mode });
  } catch (e) {
    if (errnoCode(e) !== 'EEXIST') throw e;
  }
}
