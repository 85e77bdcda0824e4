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
import { conflict, invalidArgument, notFound } from '../common/errors.js';
import { chainIds as computeChainIds, sha256Digest } from './digest.js';
import { importConfig, importPlatform, validateChanges, type Platform } from './import-config.js';
import { applyLayerTar } from './layer/apply.js';
import { LayerStore } from './layer/layer-store.js';
import type { ImageConfig, OciImage } from '../spec/oci-image.js';
import { ContentStore } from './content-store.js';
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
}

export interface RemoveResult {
  /** Familiar forms of the references removed with the image. */
  untagged: string[];
  /** The image ID, then the chain IDs of the layers no other image shares, top first (Docker's order). */
  deleted: string[];
}

interface Entry {
  id: string;
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
  private readonly tmpDir: string;
  private readonly now: () => Date;
  private readonly log: (msg: string) => void;
  private lock: Promise<unknown> = Promise.resolve();

  private constructor(readonly dir: string, opts: ImageStoreOptions) {
    this.tmpDir = path.join(dir, 'tmp');
    this.metadata = new MetadataStore(dir);
    this.content = new ContentStore(path.join(dir, 'blobs'), this.tmpDir);
    this.layerStore = new LayerStore(path.join(dir, 'layers'), this.tmpDir);
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

    const staged = await this.layerStore.stage();
    let applied;
    try {
      applied = await applyLayerTar(stream, staged.diffDir, { isBase: true });
    } catch (e) {
      await this.layerStore.discard(staged);
      throw e;
    }
    const created = this.now();
    const config = importConfig({
      diffId: applied.diffId,
      created,
      platform,
      config: execConfig,
      ...(opts.message ? { message: opts.message } : {}),
      source: opts.source ?? '-',
    });
    const bytes = Buffer.from(JSON.stringify(config));
    const id = sha256Digest(bytes);

    return this.exclusive(async () => {
      let layerCreated = false;
      try {
        const layer = await this.layerStore.commit(staged, { diffId: applied.diffId, chainId: applied.diffId, parent: null, size: applied.size });
        layerCreated = layer.created;
        await this.content.put(bytes, id);
        // The same bytes at the same instant make the same ID: then the image is already here.
        const entry: Entry = { ...(this.images.get(id) ?? { id, config, diffIds: [applied.diffId], chainIds: [applied.diffId], size: layer.meta.size, storedAt: created.toISOString() }) };
        if (target) entry.lastTagTime = created.toISOString();
        await this.metadata.writeRecord(entry);
        this.images.set(id, entry);
      } catch (e) {
        await this.layerStore.discard(staged).catch(() => undefined);
        if (layerCreated && !this.images.has(id)) await this.releaseUnused([applied.diffId]).catch(() => undefined);
        throw e;
      }
      if (target) await this.writeRefs(new Map(this.refs).set(referenceString(target), id));
      return { id };
    });
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
      const released = await this.releaseUnused([...entry.chainIds].reverse());
      await this.content.delete(entry.id);
      return { untagged, deleted: [entry.id, ...released] };
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
    // Only image configs live in blobs/ so far; manifests and layer blobs will widen this root set.
    for (const digest of await this.content.list()) {
      if (!this.images.has(digest)) await this.content.delete(digest);
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

