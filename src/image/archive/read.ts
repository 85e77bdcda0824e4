// `docker load`: reads an image archive in one streaming pass (entries.ts) and then matches what it found:
// manifest.json when present (every `docker save`, legacy and Docker 25+), else a plain OCI layout's
// index.json. Layers are checked against the config's diff_ids and configs against their digests, with
// Docker's wording; staged layers nothing uses are discarded, and everything is discarded on error.
import { createHash } from 'node:crypto';
import { invalidArgument } from '../../common/errors.js';
import { parseDigest } from '../digest.js';
import { familiarString, parseNormalizedNamed } from '../reference.js';
import type { OciImage } from '../../spec/oci-image.js';
import { discardAll, readEntries, type ArchiveContents, type LayerSink, type StagedEntry } from './entries.js';
import { ANNOTATION_IMAGE_NAME, ANNOTATION_REF_NAME, blobPath, MEDIA, type Descriptor, type DockerManifestEntry, type OciIndex, type OciManifest } from './layout.js';

export type { LayerSink } from './entries.js';

export interface LoadedImage {
  configBytes: Buffer;
  /** `sha256:<hex>` of configBytes: the image ID. */
  configDigest: string;
  /** Bottom first. The same handle appears wherever the same layer does (in one image or several). */
  layers: { diffId: string; handle: unknown }[];
  /** Familiar `name:tag` strings, as manifest.json spells them. */
  repoTags: string[];
}

export async function readImageArchive(input: AsyncIterable<Buffer>, sink: LayerSink): Promise<{ images: LoadedImage[] }> {
  const contents = await readEntries(input, sink);
  try {
    const images = contents.json.has('manifest.json') ? fromDockerManifest(contents) : fromOciIndex(contents);
    const used = new Set(images.flatMap((i) => i.layers.map((l) => l.handle)));
    await discardAll(contents, sink, used);
    return { images };
  } catch (e) {
    await discardAll(contents, sink);
    throw e;
  }
}

function fromDockerManifest(c: ArchiveContents): LoadedImage[] {
  const manifest = parseJson<DockerManifestEntry[]>(c.json.get('manifest.json')!, 'manifest.json');
  if (!Array.isArray(manifest)) throw invalidArgument('invalid archive: manifest.json is not a list');
  const layerOf = layerResolver(c);
  return manifest.map((m) => {
    if (typeof m?.Config !== 'string' || !Array.isArray(m.Layers)) throw invalidArgument('invalid archive: malformed manifest.json entry');
    const configName = resolve(c, m.Config);
    const configBytes = jsonEntry(c, configName);
    const configDigest = sha256(configBytes);
    // Configs are named by their digest (`<hex>.json` or `blobs/sha256/<hex>`, the latter checked while read).
    const named = /^(?:blobs\/sha256\/)?([a-f0-9]{64})(?:\.json)?$/.exec(configName);
    if (named && `sha256:${named[1]}` !== configDigest) throw invalidArgument(`invalid archive: config ${m.Config} has digest ${configDigest}`);
    const layers = m.Layers.map((l) => layerOf(resolve(c, String(l))));
    checkDiffIds(configBytes, layers);
    return { configBytes, configDigest, layers, repoTags: (m.RepoTags ?? []).map(String) };
  });
}

function fromOciIndex(c: ArchiveContents): LoadedImage[] {
  const raw = c.json.get('index.json');
  if (!raw) throw invalidArgument('invalid archive: open manifest.json: no such file or directory');
  const index = parseJson<OciIndex>(raw, 'index.json');
  const layerOf = layerResolver(c);
  const byDigest = new Map<string, LoadedImage>();
  for (const { manifest, tags } of manifestsOf(c, index, [])) {
    let image = byDigest.get(manifest.digest);
    if (!image) {
      const m = parseJson<OciManifest>(blobJson(c, manifest.digest), manifest.digest);
      if (!m?.config?.digest || !Array.isArray(m.layers)) throw invalidArgument(`invalid archive: malformed manifest ${manifest.digest}`);
      const configBytes = blobJson(c, m.config.digest);
      const layers = m.layers.map((l) => layerOf(blobPath(checkedDigest(l.digest))));
      checkDiffIds(configBytes, layers);
      image = { configBytes, configDigest: sha256(configBytes), layers, repoTags: [] };
      byDigest.set(manifest.digest, image);
    }
    for (const t of tags) if (!image.repoTags.includes(t)) image.repoTags.push(t);
  }
  return [...byDigest.values()];
}

/** Image manifests reachable from an index (nested indexes followed), with the tags their descriptors name. */
function manifestsOf(c: ArchiveContents, index: OciIndex, inherited: string[], depth = 0): { manifest: Descriptor; tags: string[] }[] {
  if (!Array.isArray(index?.manifests)) throw invalidArgument('invalid archive: malformed index.json');
  if (depth > 4) throw invalidArgument('invalid archive: image indexes nested too deep');
  const out: { manifest: Descriptor; tags: string[] }[] = [];
  for (const d of index.manifests) {
    const tags = [...inherited];
    const tag = tagOf(d.annotations ?? {});
    if (tag) tags.push(tag);
    if (d.mediaType === MEDIA.ociIndex || d.mediaType === MEDIA.dockerManifestList) {
      const nested = parseJson<OciIndex>(blobJson(c, d.digest), d.digest);
      // A multi-platform index: only the manifests whose blobs the archive carries are loadable.
      const present = nested.manifests?.filter((m) => c.json.has(blobPath(checkedDigest(m.digest)))) ?? [];
      out.push(...manifestsOf(c, { ...nested, manifests: present }, tags, depth + 1));
    } else out.push({ manifest: d, tags });
  }
  return out;
}

/** The familiar reference an OCI descriptor names: containerd's full name first, else a full ref.name. */
function tagOf(annotations: Record<string, string>): string | undefined {
  const refName = annotations[ANNOTATION_REF_NAME];
  // ref.name is often just the tag (`latest`, as Docker 25+ writes it), which names no repository.
  const fullRefName = refName && /[:/]/.test(refName) ? refName : undefined;
  for (const value of [annotations[ANNOTATION_IMAGE_NAME], fullRefName]) {
    if (!value) continue;
    try {
      return familiarString(parseNormalizedNamed(value));
    } catch {
      // Not a reference: nothing to tag.
    }
  }
  return undefined;
}

function layerResolver(c: ArchiveContents): (name: string) => StagedEntry {
  // The same layer stored twice (legacy archives without links) is used once; the copy is discarded.
  const firstByDiffId = new Map<string, StagedEntry>();
  for (const s of c.staged.values()) if (!firstByDiffId.has(s.diffId)) firstByDiffId.set(s.diffId, s);
  return (name) => {
    const s = c.staged.get(name);
    if (s) return firstByDiffId.get(s.diffId)!;
    const failed = c.failed.get(name);
    if (failed !== undefined) throw failed;
    throw invalidArgument(`invalid archive: layer ${name} not found in the archive`);
  };
}

function checkDiffIds(configBytes: Buffer, layers: StagedEntry[]): void {
  const config = parseJson<OciImage>(configBytes, 'image config');
  const diffIds = config?.rootfs?.diff_ids;
  if (!Array.isArray(diffIds)) throw invalidArgument('invalid archive: image config has no rootfs.diff_ids');
  if (diffIds.length !== layers.length) {
    throw invalidArgument(`invalid manifest, layers length mismatch: expected ${diffIds.length}, got ${layers.length}`);
  }
  layers.forEach((l, i) => {
    if (diffIds[i] !== l.diffId) throw invalidArgument(`invalid diffID for layer ${i}: expected "${diffIds[i]}", got "${l.diffId}"`);
  });
}

/** Follows links (at most a few hops; a loop is an error). */
function resolve(c: ArchiveContents, name: string): string {
  let n = name.split('/').filter((p) => p !== '' && p !== '.').join('/');
  for (let hops = 0; c.aliases.has(n); hops++) {
    if (hops > 16) throw invalidArgument(`invalid archive: too many levels of links at ${name}`);
    n = c.aliases.get(n)!;
  }
  return n;
}

function jsonEntry(c: ArchiveContents, name: string): Buffer {
  const b = c.json.get(name);
  if (!b) throw invalidArgument(`invalid archive: ${name} not found in the archive`);
  return b;
}

function blobJson(c: ArchiveContents, digest: string): Buffer {
  return jsonEntry(c, resolve(c, blobPath(checkedDigest(digest))));
}

function checkedDigest(digest: unknown): string {
  if (typeof digest !== 'string') throw invalidArgument('invalid archive: descriptor without a digest');
  parseDigest(digest);
  return digest;
}

function parseJson<T>(b: Buffer, what: string): T {
  try {
    return JSON.parse(b.toString('utf8')) as T;
  } catch (e) {
    throw invalidArgument(`invalid archive: ${what}: ${(e as Error).message}`, e);
  }
}

function sha256(b: Buffer): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}
