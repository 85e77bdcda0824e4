// Unpacked layers, one directory per chain ID (`layers/<chainid-hex>/{diff, meta.json}`), so a layer is
// extracted once and shared read-only by every image built on the same stack. A layer is built in the
// staging directory and published by one rename, with meta.json already inside: a layer directory under
// its real name is always complete. Who still uses a layer is the image store's business (it derives the
// counts from its images' configs, which cannot drift from the truth the way stored counters can).
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode } from '../../common/errors.js';
import { writeFileAtomic } from '../../common/atomic-file.js';
import { SHA256_HEX, sha256Hex } from '../digest.js';
import { fsyncDir, removeViaTrash, syncFilesystem, uniqueName } from '../fs-util.js';

export interface LayerMeta {
  diffId: string;
  chainId: string;
  /** Chain ID of the layer below, null for a base layer. */
  parent: string | null;
  size: number;
}

export interface StagedLayer {
  readonly dir: string;
  /** Where the layer's tar is to be extracted. */
  readonly diffDir: string;
  /** Where its tar-split is recorded (applyLayerTar's `splitFile`). */
  readonly splitFile: string;
}

const META = 'meta.json';
const DIFF = 'diff';
const SPLIT = 'tar-split.gz';

export class LayerStore {
  /** `tmpDir` must be on the same filesystem as `root`: publishing a layer is a rename. */
  constructor(private readonly root: string, private readonly tmpDir: string) {}

  async init(): Promise<void> {
    await mkdir(this.root, { recursive: true, mode: 0o700 });
  }

  diffDir(chainId: string): string {
    return path.join(this.root, sha256Hex(chainId), DIFF);
  }

  /**
   * The layer's tar-split (see tar-split-format.ts), from which layerTarStream regenerates its exact tar.
   * Layers made before tar-splits existed, or from a stream applied without one, have none: check it exists.
   */
  splitFile(chainId: string): string {
    return path.join(this.root, sha256Hex(chainId), SPLIT);
  }

  async stage(): Promise<StagedLayer> {
    const dir = path.join(this.tmpDir, uniqueName('layer'));
    await mkdir(dir, { mode: 0o700 });
    // The diff directory is the container's `/` unless the tar carries a `./` entry.
    const diffDir = path.join(dir, DIFF);
    await mkdir(diffDir, { mode: 0o755 });
    return { dir, diffDir, splitFile: path.join(dir, SPLIT) };
  }

  async discard(staged: StagedLayer): Promise<void> {
    await rm(staged.dir, { recursive: true, force: true });
  }

  /**
   * Publishes a staged layer under its chain ID. If that layer already exists (the same content imported
   * before), the staged copy is dropped and the existing one kept: `created` tells which happened.
   */
  async commit(staged: StagedLayer, meta: LayerMeta, opts: { synced?: boolean } = {}): Promise<{ meta: LayerMeta; created: boolean }> {
    const existing = await this.get(meta.chainId);
    if (existing) {
      await this.discard(staged);
      return { meta: existing, created: false };
    }
    await writeFileAtomic(path.join(staged.dir, META), `${JSON.stringify(meta)}\n`, 0o600);
    // `synced`: the caller flushed the filesystem after every staged layer was complete (one syncfs for an
    // image's layers instead of one each); meta.json was fsynced by its own write.
    if (!opts.synced) await syncFilesystem(staged.dir);
    await rename(staged.dir, path.join(this.root, sha256Hex(meta.chainId)));
    await fsyncDir(this.root);
    return { meta, created: true };
  }

  async get(chainId: string): Promise<LayerMeta | undefined> {
    try {
      return JSON.parse(await readFile(path.join(this.root, sha256Hex(chainId), META), 'utf8')) as LayerMeta;
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return undefined;
      throw e;
    }
  }

  /** Chain IDs of every layer directory, complete or not (recovery sorts them out). */
  async list(): Promise<string[]> {
    const names = await readdir(this.root);
    return names.filter((n) => SHA256_HEX.test(n)).map((n) => `sha256:${n}`);
  }

  async remove(chainId: string): Promise<void> {
    await removeViaTrash(path.join(this.root, sha256Hex(chainId)), this.tmpDir);
  }
}
