// The images this engine has, over one directory:
//   blobs/sha256/<hex>             image configs, content-addressed; the image ID is the config's digest
//   layers/<chainid-hex>/          unpacked layers (see layer/layer-store.ts)
//   images/<id-hex>.json           per-image metadata: when it was stored, when last tagged
//   repositories.json              full normalized reference → image ID
//   tmp/                           staging; emptied at open
// Writes go in dependency order — layer, config blob, image record, references — each by tmp + rename,
// and removal runs the other way, so a crash at any point leaves at worst an orphan, never a reference to
// something missing; open() sweeps the orphans. The index lives in memory (berthd is the only writer) and
// every mutation holds the instance's lock.
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { conflict, internal, invalidArgument, notFound } from '../common/errors.js';
import { chainIds as computeChainIds, sha256Digest } from './digest.js';
import { importConfig, importPlatform, validateChanges, type Platform } from './import-config.js';
import { createHash } from 'node:crypto';
import { applyLayerTar } from './layer/apply.js';
import { layerTarStream, splitTarSize } from './layer/tar-split-format.js';
import { LayerStore, type StagedLayer } from './layer/layer-store.js';
import { DistributionStore, type DistributionSource } from './distribution.js';
import type { ImageConfig, OciImage } from '../spec/oci-image.js';
import { ContentStore } from './content-store.js';
import { syncFilesystem } from './fs-util.js';
import { MetadataStore } from './metadata.js';
import {
  familiarName,
  familiarString,
  parseAnyReference,
  parseNormalizedNamed,
  referenceString,
  repoTagReference,
  tagNameOnly,
  trimNamed,
  withDigest,
  type NamedReference,
} from './reference.js';

export interface ImageStoreOptions {
  /** Clock for created/tag times (tests pin it). */
  now?: () => Date;
  /** Where recovery reports what it repaired. */
  log?: (msg: string) => void;
}

export interface ImportOptions {
  /** `repo[:tag]` to tag the new image with (`latest` when no tag). */
  reference?: string;
  /** Execution config to set, already parsed from the request's `changes`. */
  changes?: Partial<ImageConfig>;
  message?: string;
  platform?: Partial<Platform>;
  /** Origin recorded in the history: `-` (the request body) unless a URL was fetched. */
  source?: string;
}

export interface StoredImage {
  /** `sha256:<hex>` of the config bytes. */
  id: string;
  /** The whole image configuration (its execution config is `config.config`). */
  config: OciImage;
  diffIds: string[];
  chainIds: string[];
  /** Layer diff directories, bottom first (an overlay lowerdir lists them reversed). */
  layers: string[];
  size: number;
  /** Full normalized references (`docker.io/library/busybox:latest`), in familiar-string order. */
  references: string[];
  /** When this store got the image (RFC 3339). */
  storedAt: string;
  lastTagTime?: string;
  parent?: string;
}

/** A layer extracted into staging, not yet part of any image: hand it to addImage or discardLayer. */
export interface StagedImageLayer {
  readonly diffId: string;
  readonly size: number;
  readonly staged: StagedLayer;
}

export interface NewImage {
  /** The image configuration's exact bytes; their sha256 is the image ID. */
  configBytes: Buffer;
  /** When given, the config bytes must hash to it. */
  expectedId?: string;
  /**
   * One entry per `rootfs.diff_ids`, bottom first: the staged layer, or undefined when the layer stack up to
   * there is already in the store (the caller checked hasLayer).
   */
  layers: (StagedImageLayer | undefined)[];
  /** Full normalized references to point at the image: `name:tag` (moved if elsewhere) and `name@digest`. */
  references?: string[];
  /** Manifests to keep beside the image (by digest), e.g. the pulled one a `name@digest` reference names. */
  manifests?: Buffer[];
  parent?: string;
}

export interface RemoveResult {
  /** Familiar forms of the references removed with the image. */
  untagged: string[];
  /** The image ID, then the chain IDs of the layers no other image shares, top first (Docker's order). */
  deleted: string[];
  /** Bytes of the layers removed. */
  reclaimed: number;
}

interface Entry {
  id: string;
  /** Image this one was committed or built on (Docker's legacy `Parent`), if any. */
  parent?: string;
  config: OciImage;
  diffIds: string[];
  chainIds: string[];
  size: number;
  storedAt: string;
  lastTagTime?: string;
}

export class ImageStore {
  private readonly images = new Map<string, Entry>();
  /** Replaced, never mutated, so a failed write leaves memory matching the disk. */
  private refs: ReadonlyMap<string, string> = new Map();
  private readonly content: ContentStore;
  private readonly layerStore: LayerStore;
  private readonly metadata: MetadataStore;
  /** Which registry blobs a layer was pulled from or pushed to, so a push can skip or mount them. */
  readonly distribution: DistributionStore;
  private readonly tmpDir: string;
  private readonly now: () => Date;
  private readonly log: (msg: string) => void;
  private lock: Promise<unknown> = Promise.resolve();

  private constructor(readonly dir: string, opts: ImageStoreOptions) {
    this.tmpDir = path.join(dir, 'tmp');
    this.metadata = new MetadataStore(dir);
    this.content = new ContentStore(path.join(dir, 'blobs'), this.tmpDir);
    this.layerStore = new LayerStore(path.join(dir, 'layers'), this.tmpDir);
    this.distribution = new DistributionStore(path.join(dir, 'distribution.json'));
    this.now = opts.now ?? (() => new Date());
    this.log = opts.log ?? (() => undefined);
  }

  /** Opens (creating if needed) the store in `dir`, e.g. `<data-root>/image`, and repairs what a crash left. */
  static async open(dir: string, opts: ImageStoreOptions = {}): Promise<ImageStore> {
    const store = new ImageStore(dir, opts);
    await store.recover();
    return store;
  }

  /** `POST /images/create?fromSrc=-`: the stream is one layer tar, plain or compressed. */
  async importTar(stream: Readable | AsyncIterable<Buffer>, opts: ImportOptions = {}): Promise<{ id: string }> {
    // Everything the request could get wrong is checked before a byte is extracted.
    const target = opts.reference ? tagTarget(repoTagReference(opts.reference)) : undefined;
    const platform = importPlatform(opts.platform);
    const execConfig = validateChanges(opts.changes);
    const layer = await this.stageLayer(stream, { isBase: true });
    const config = importConfig({
      diffId: layer.diffId,
      created: this.now(),
      platform,
      config: execConfig,
      ...(opts.message ? { message: opts.message } : {}),
      source: opts.source ?? '-',
    });
    const { id } = await this.addImage({ configBytes: Buffer.from(JSON.stringify(config)), layers: [layer], references: target ? [referenceString(target)] : [] });
    return { id };
  }

  /** Extracts one layer tar (plain or compressed) into staging; nothing is visible until addImage. */
  async stageLayer(stream: AsyncIterable<Buffer>, opts: { isBase: boolean }): Promise<StagedImageLayer> {
    const staged = await this.layerStore.stage();
    try {
      const applied = await applyLayerTar(stream, staged.diffDir, { isBase: opts.isBase, splitFile: staged.splitFile });
      return { diffId: applied.diffId, size: applied.size, staged };
    } catch (e) {
      await this.layerStore.discard(staged);
      throw e;
    }
  }

  async discardLayer(layer: StagedImageLayer): Promise<void> {
    await this.layerStore.discard(layer.staged);
  }

  /** Whether the layer stack ending in `chainId` is unpacked here (a pull then skips that download). */
  async hasLayer(chainId: string): Promise<boolean> {
    return (await this.layerStore.get(chainId)) !== undefined;
  }

  /**
   * Adds an image from its configuration and layers, in dependency order (layers, config, record,
   * references), so a failure at any point leaves nothing that names something missing. The staged layers
   * are consumed whether this succeeds or not. Adding an image that exists only updates its references.
   */
  async addImage(img: NewImage): Promise<{ id: string; created: boolean }> {
    const id = sha256Digest(img.configBytes);
    const staged = img.layers.filter((l): l is StagedImageLayer => l !== undefined);
    const discardAll = () => Promise.all(staged.map((l) => this.layerStore.discard(l.staged).catch(() => undefined)));
    let config: OciImage;
    let diffIds: string[];
    let targets: NamedReference[];
    try {
      if (img.expectedId !== undefined && img.expectedId !== id) throw invalidArgument(`image config verification failed for digest ${img.expectedId}`);
      config = parseImageConfig(img.configBytes);
      diffIds = config.rootfs.diff_ids;
      if (img.layers.length !== diffIds.length) throw invalidArgument(`image config has ${diffIds.length} layers, ${img.layers.length} given`);
      img.layers.forEach((l, i) => {
        if (l && l.diffId !== diffIds[i]) throw invalidArgument(`layer verification failed: expected diff ID ${diffIds[i]}, got ${l.diffId}`);
      });
      targets = (img.references ?? []).map((r) => parseNormalizedNamed(r));
    } catch (e) {
      await discardAll();
      throw e;
    }
    const chain = computeChainIds(diffIds);
    // Flushed once for all staged layers, before taking the lock: the data must be on disk before the
    // renames that publish it, and syncfs covers every layer on the filesystem at once.
    if (staged.length > 0) {
      try {
        await syncFilesystem(this.tmpDir);
      } catch (e) {
        await discardAll();
        throw e;
      }
    }
    return this.exclusive(async () => {
      const createdLayers: string[] = [];
      try {
        let size = 0;
        for (let i = 0; i < chain.length; i++) {
          const l = img.layers[i];
          const meta = { diffId: diffIds[i]!, chainId: chain[i]!, parent: i === 0 ? null : chain[i - 1]!, size: l?.size ?? 0 };
          if (l) {
            const r = await this.layerStore.commit(l.staged, meta, { synced: true });
            if (r.created) createdLayers.push(meta.chainId);
            size += r.meta.size;
          } else {
            const have = await this.layerStore.get(meta.chainId);
            if (!have) throw notFound(`layer ${meta.chainId} does not exist`);
            size += have.size;
          }
        }
        await this.content.put(img.configBytes, id);
        for (const m of img.manifests ?? []) await this.content.put(m);
        const existing = this.images.get(id);
        const now = this.now().toISOString();
        const entry: Entry = existing ? { ...existing } : { id, config, diffIds, chainIds: chain, size, storedAt: now };
        if (img.parent !== undefined && !existing) entry.parent = img.parent;
        if (targets.some((t) => t.digest === undefined)) entry.lastTagTime = now;
        await this.metadata.writeRecord(entry);
        this.images.set(id, entry);
        if (targets.length > 0) {
          const refs = new Map(this.refs);
          for (const t of targets) refs.set(referenceKey(t), id);
          await this.writeRefs(refs);
        }
        return { id, created: !existing };
      } catch (e) {
        await discardAll();
        if (!this.images.has(id)) await this.releaseUnused(createdLayers.reverse()).catch(() => undefined);
        throw e;
      }
    });
  }

  /** The exact bytes of an image's configuration (what save and push send). */
  async configBytes(idOrRef: string): Promise<Buffer> {
    return this.content.get(this.resolve(idOrRef).id);
  }

  /**
   * The layer's original tar, byte for byte (regenerated from its directory and tar-split), for push and
   * save. Iteration fails at the end if the bytes do not hash to the layer's diff ID.
   */
  async *layerTar(chainId: string): AsyncGenerator<Buffer> {
    const meta = await this.layerStore.get(chainId);
    if (!meta) throw notFound(`layer ${chainId} does not exist`);
    const hash = createHash('sha256');
    for await (const chunk of layerTarStream(this.layerStore.diffDir(chainId), this.layerStore.splitFile(chainId))) {
      hash.update(chunk);
      yield chunk;
    }
    const got = `sha256:${hash.digest('hex')}`;
    if (got !== meta.diffId) throw internal(`layer ${chainId} does not regenerate its tar: expected ${meta.diffId}, got ${got}`);
  }

  /** Length of the layer's tar, known before streaming it (an archive header needs it). */
  async layerTarSize(chainId: string): Promise<number> {
    return splitTarSize(this.layerStore.splitFile(chainId));
  }

  /** Records where a layer's compressed blob lives in a registry (after a pull or a push). */
  async recordDistribution(diffId: string, source: DistributionSource): Promise<void> {
    await this.exclusive(() => this.distribution.add(diffId, source));
  }

  async list(): Promise<StoredImage[]> {
    return [...this.images.values()]
      .sort((a, b) => createdMs(b) - createdMs(a) || a.id.localeCompare(b.id))
      .map((e) => this.view(e));
  }

  /**
   * By full ID (`sha256:…` or 64 hex), by reference (normalized: `busybox` is `docker.io/library/busybox:latest`),
   * or by a unique ID prefix, in Docker's order. Not found: `No such image: <ref>` worded as Docker words it.
   */
  async get(idOrRef: string): Promise<StoredImage> {
    return this.view(this.resolve(idOrRef));
  }

  async config(idOrRef: string): Promise<OciImage> {
    return structuredClone(this.resolve(idOrRef).config);
  }

  async layers(idOrRef: string): Promise<string[]> {
    return this.resolve(idOrRef).chainIds.map((c) => this.layerStore.diffDir(c));
  }

  async size(idOrRef: string): Promise<number> {
    return this.resolve(idOrRef).size;
  }

  async references(idOrRef: string): Promise<string[]> {
    return this.referencesOf(this.resolve(idOrRef).id);
  }

  /** `docker tag source target`; moves `target` if it named another image. Returns the full reference. */
  async tag(source: string, target: string): Promise<string> {
    const ref = tagTarget(tagNameOnly(parseNormalizedNamed(target)));
    return this.exclusive(async () => {
      const entry = { ...this.resolve(source), lastTagTime: this.now().toISOString() };
      const key = referenceString(ref);
      await this.metadata.writeRecord(entry);
      this.images.set(entry.id, entry);
      await this.writeRefs(new Map(this.refs).set(key, entry.id));
      return key;
    });
  }

  /** Removes one reference; the image stays even when it was the last (the caller decides to remove it). */
  async untag(ref: string): Promise<{ id: string; untagged: string }> {
    const named = parseNormalizedNamed(ref);
    return this.exclusive(async () => {
      const key = referenceKey(named);
      const id = this.refs.get(key);
      if (id === undefined) throw notFound(`No such image: ${familiarString(tagNameOnly(named))}`);
      const refs = new Map(this.refs);
      refs.delete(key);
      await this.writeRefs(refs);
      return { id, untagged: familiarString(parseNormalizedNamed(key)) };
    });
  }

  /**
   * Removes an image with all its references, then the layers and config no remaining image shares.
   * Whether containers still use it is the caller's check, made before.
   */
  async remove(idOrRef: string): Promise<RemoveResult> {
    return this.exclusive(async () => {
      const entry = this.resolve(idOrRef);
      const untagged = this.referencesOf(entry.id).map((r) => familiarString(parseNormalizedNamed(r)));
      if (untagged.length > 0) await this.writeRefs(new Map([...this.refs].filter(([, id]) => id !== entry.id)));
      await this.metadata.deleteRecord(entry.id);
      this.images.delete(entry.id);
      const sizes = new Map<string, number>();
      for (const c of entry.chainIds) sizes.set(c, (await this.layerStore.get(c))?.size ?? 0);
      const released = await this.releaseUnused([...entry.chainIds].reverse());
      const reclaimed = released.reduce((sum, c) => sum + (sizes.get(c) ?? 0), 0);
      await this.content.delete(entry.id);
      await this.dropUnreferencedManifests();
      if (released.length > 0) {
        const kept = new Set<string>();
        for (const e of this.images.values()) for (const d of e.diffIds) kept.add(d);
        // Only speeds later pushes up: failing to trim it must not fail the removal.
        await this.distribution.retain(kept).catch((e: Error) => this.log(`image store: trimming distribution metadata: ${e.message}`));
      }
      return { untagged, deleted: [entry.id, ...released], reclaimed };
    });
  }

  private resolve(idOrRef: string): Entry {
    const ref = parseAnyReference(idOrRef);
    if (ref.kind === 'digest') {
      const entry = this.images.get(ref.digest);
      if (entry) return entry;
      throw notFound(`No such image: ${ref.digest}`);
    }
    const byRef = this.refs.get(referenceKey(ref));
    const entry = byRef === undefined ? undefined : this.images.get(byRef);
    if (entry) return entry;
    const matches = this.searchPrefix(idOrRef);
    if (matches.length === 1) return matches[0]!;
    // Docker answers an ambiguous prefix exactly like an unknown one (clients then try a pull); the cause
    // says which it was.
    const message = `No such image: ${familiarString(tagNameOnly(ref))}`;
    if (matches.length > 1) throw notFound(message, conflict(`image ID prefix ${idOrRef} is ambiguous: ${matches.length} images match`));
    throw notFound(message);
  }

  /** Docker's digestset lookup: `<hex prefix>` or `sha256:<hex prefix>`. */
  private searchPrefix(term: string): Entry[] {
    const hex = term.startsWith('sha256:') ? term.slice('sha256:'.length) : term;
    if (!/^[a-f0-9]+$/.test(hex)) return [];
    return [...this.images.values()].filter((e) => e.id.startsWith(`sha256:${hex}`));
  }

  private referencesOf(id: string): string[] {
    const refs = [...this.refs].filter(([, v]) => v === id).map(([k]) => k);
    const familiar = (r: string) => familiarString(parseNormalizedNamed(r));
    return refs.sort((a, b) => familiar(a).localeCompare(familiar(b)));
  }

  private view(e: Entry): StoredImage {
    const v: StoredImage = {
      id: e.id,
      config: structuredClone(e.config),
      diffIds: [...e.diffIds],
      chainIds: [...e.chainIds],
      layers: e.chainIds.map((c) => this.layerStore.diffDir(c)),
      size: e.size,
      references: this.referencesOf(e.id),
      storedAt: e.storedAt,
    };
    if (e.lastTagTime !== undefined) v.lastTagTime = e.lastTagTime;
    if (e.parent !== undefined) v.parent = e.parent;
    return v;
  }

  /** Removes the given layers that no image uses any more; returns those removed, in the given order. */
  private async releaseUnused(candidates: string[]): Promise<string[]> {
    const inUse = new Set<string>();
    for (const e of this.images.values()) for (const c of e.chainIds) inUse.add(c);
    const released: string[] = [];
    for (const c of candidates) {
      if (inUse.has(c) || released.includes(c)) continue;
      await this.layerStore.remove(c);
      released.push(c);
    }
    return released;
  }

  /** Deletes manifests that no `name@digest` reference names any more. */
  private async dropUnreferencedManifests(): Promise<void> {
    const named = new Set([...this.refs.keys()].filter((k) => k.includes('@')).map((k) => k.slice(k.indexOf('@') + 1)));
    for (const digest of await this.content.list()) {
      if (!this.images.has(digest) && !named.has(digest)) await this.content.delete(digest);
    }
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  private async writeRefs(refs: ReadonlyMap<string, string>): Promise<void> {
    await this.metadata.writeReferences(refs);
    this.refs = refs;
  }

  /**
   * Loads the index and sweeps what an interrupted run left: staging, temp files, images whose config or
   * layers are missing (logged, left on disk), references to unknown images, and layers and configs that no
   * image uses. Layers are swept only when every image loaded, so a damaged record cannot cost its layers.
   */
  private async recover(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await mkdir(this.tmpDir, { recursive: true, mode: 0o700 });
    await this.content.init();
    await this.layerStore.init();
    await this.metadata.init();
    await this.distribution.load();
    for (const name of await readdir(this.tmpDir)) await rm(path.join(this.tmpDir, name), { recursive: true, force: true });

    let broken = 0;
    for (const id of await this.metadata.recordIds()) {
      try {
        this.images.set(id, await this.loadEntry(id));
      } catch (e) {
        broken++;
        this.log(`image store: skipping image ${id}: ${(e as Error).message}`);
      }
    }

    const refs = await this.metadata.readReferences();
    const dangling = [...refs].filter(([, id]) => !this.images.has(id));
    for (const [key, id] of dangling) {
      refs.delete(key);
      this.log(`image store: dropping reference ${key} to missing image ${id}`);
    }
    if (dangling.length > 0) await this.writeRefs(refs);
    else this.refs = refs;

    if (broken > 0) return;
    const used = new Set<string>();
    for (const e of this.images.values()) for (const c of e.chainIds) used.add(c);
    for (const chainId of await this.layerStore.list()) {
      if (used.has(chainId)) continue;
      this.log(`image store: removing unused layer ${chainId}`);
      await this.layerStore.remove(chainId);
    }
    // Blobs are image configs and the manifests that `name@digest` references name.
    const manifests = new Set([...this.refs.keys()].map((k) => k.slice(k.indexOf('@') + 1)).filter((d) => d.startsWith('sha256:')));
    for (const digest of await this.content.list()) {
      if (!this.images.has(digest) && !manifests.has(digest)) await this.content.delete(digest);
    }
  }

  private async loadEntry(id: string): Promise<Entry> {
    const rec = await this.metadata.readRecord(id);
    const config = JSON.parse((await this.content.get(id)).toString('utf8')) as OciImage;
    const diffIds = config.rootfs?.diff_ids ?? [];
    const chainIds = computeChainIds(diffIds);
    let size = 0;
    for (const c of chainIds) {
      const meta = await this.layerStore.get(c);
      if (!meta) throw notFound(`layer ${c} is missing`);
      size += meta.size;
    }
    const entry: Entry = { id, config, diffIds, chainIds, size, storedAt: rec.storedAt };
    if (rec.lastTagTime !== undefined) entry.lastTagTime = rec.lastTagTime;
    if (rec.parent !== undefined) entry.parent = rec.parent;
    return entry;
  }
}

function createdMs(e: Entry): number {
  return Date.parse(e.config.created ?? e.storedAt) || 0;
}

/** Docker's reference store key: name@digest when there is a digest (it wins over a tag), else name:tag. */
function referenceKey(ref: NamedReference): string {
  if (ref.digest !== undefined) return referenceString(withDigest(trimNamed(ref), ref.digest));
  return referenceString(tagNameOnly(ref));
}

/** A reference a tag may be created under, with the refusals of moby's reference store. */
function tagTarget(ref: NamedReference): NamedReference {
  if (ref.digest !== undefined) throw invalidArgument('refusing to create a tag with a digest reference');
  if (familiarName(ref) === 'sha256') {
    throw invalidArgument('refusing to create an ambiguous tag using digest algorithm as name');
  }
  return ref;
}


/** The parts of an image configuration the store relies on, checked before anything is written. */
function parseImageConfig(bytes: Buffer): OciImage {
  let config: OciImage;
  try {
    config = JSON.parse(bytes.toString('utf8')) as OciImage;
  } catch (e) {
    throw invalidArgument(`invalid image config: ${(e as Error).message}`, e);
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw invalidArgument('invalid image config: not an object');
  const ids = config.rootfs?.diff_ids;
  if (config.rootfs?.type !== 'layers' || !Array.isArray(ids) || !ids.every((d) => typeof d === 'string' && SHA256_DIGEST.test(d))) {
    throw invalidArgument('invalid image config: rootfs.diff_ids must be a list of sha256 digests');
  }
  return config;
}

const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;
