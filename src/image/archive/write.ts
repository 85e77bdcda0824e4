// `docker save`: writes images as Docker 25+ does: an OCI image layout (oci-layout, index.json, blobs) with
// uncompressed layers, plus manifest.json and repositories for older loaders. Streamed, no temp files: a tar
// entry header needs its size first, so layer sizes come from the caller (the tar-split's end record or the
// layer's metadata); each layer is checked against its size and diffID while it streams.
import { createHash } from 'node:crypto';
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { internal } from '../../common/errors.js';
import { familiarName, familiarString, parseNormalizedNamed, referenceString, type NamedReference } from '../reference.js';
import { encodeHeader, paddedSize } from '../layer/tar-header.js';
import { ANNOTATION_IMAGE_NAME, ANNOTATION_REF_NAME, blobPath, MEDIA, type Descriptor, type DockerManifestEntry, type OciIndex, type OciManifest } from './layout.js';

export interface ArchiveImage {
  /** `sha256:<hex>` of configBytes. */
  id: string;
  configBytes: Buffer;
  diffIds: string[];
  /** The layer's uncompressed tar (layerTarStream). */
  openLayer(i: number): AsyncIterable<Buffer>;
  layerSize?(i: number): number | Promise<number>;
  /** References to save the image under (`busybox:latest`); none for an image saved by ID. */
  repoTags: string[];
}

/** Docker's save writes entries with a zero timestamp, so the same images make the same archive. */
const MTIME = 0;

export async function* imageArchiveStream(images: ArchiveImage[]): AsyncGenerator<Buffer> {
  yield dir('blobs/');
  yield dir('blobs/sha256/');
  const written = new Set<string>();
  const index: OciIndex = { schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: [] };
  const manifestJson: DockerManifestEntry[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  for (const image of images) {
    const configDigest = sha256(image.configBytes);
    if (configDigest !== image.id) throw internal(`image ${image.id}: config digest is ${configDigest}`);
    if (!written.has(configDigest)) yield* blob(configDigest, image.configBytes);
    written.add(configDigest);
    const layers: Descriptor[] = [];
    for (const [i, diffId] of image.diffIds.entries()) {
      if (!image.layerSize) throw internal(`image ${image.id}: layer ${i} has no known size`);
      const size = await image.layerSize(i);
      layers.push({ mediaType: MEDIA.ociLayerTar, digest: diffId, size });
      if (written.has(diffId)) continue;
      written.add(diffId);
      yield* layerBlob(image.openLayer(i), diffId, size);
    }
    const manifest: OciManifest = {
      schemaVersion: 2,
      mediaType: MEDIA.ociManifest,
      config: { mediaType: MEDIA.ociConfig, digest: configDigest, size: image.configBytes.length },
      layers,
    };
    const manifestBytes = Buffer.from(JSON.stringify(manifest));
    const manifestDigest = sha256(manifestBytes);
    if (!written.has(manifestDigest)) yield* blob(manifestDigest, manifestBytes);
    written.add(manifestDigest);

    const refs = image.repoTags.map((t) => parseNormalizedNamed(t));
    const descriptor = { mediaType: MEDIA.ociManifest, digest: manifestDigest, size: manifestBytes.length };
    if (refs.length === 0) index.manifests.push(descriptor);
    for (const ref of refs) index.manifests.push({ ...descriptor, annotations: annotationsOf(ref) });
    manifestJson.push({
      Config: blobPath(configDigest),
      RepoTags: refs.length === 0 ? null : refs.map((r) => familiarString(r)),
      Layers: layers.map((l) => blobPath(l.digest)),
    });
    const top = image.diffIds[image.diffIds.length - 1];
    for (const ref of refs) {
      if (ref.tag === undefined || top === undefined) continue;
      (repositories[familiarName(ref)] ??= {})[ref.tag] = top.slice(top.indexOf(':') + 1);
    }
  }
  yield* file('index.json', Buffer.from(JSON.stringify(index)));
  yield* file('manifest.json', Buffer.from(JSON.stringify(manifestJson)));
  yield* file('oci-layout', Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })));
  if (Object.keys(repositories).length > 0) yield* file('repositories', Buffer.from(JSON.stringify(repositories)));
  yield Buffer.alloc(1024);
}

/** Writes the archive to a stream (respecting back-pressure) or hands each chunk to a callback. */
export async function writeImageArchive(images: ArchiveImage[], out: Writable | ((chunk: Buffer) => void | Promise<void>)): Promise<void> {
  for await (const chunk of imageArchiveStream(images)) {
    if (typeof out === 'function') await out(chunk);
    else if (!out.write(chunk)) await once(out, 'drain');
  }
}

function annotationsOf(ref: NamedReference): Record<string, string> {
  const annotations: Record<string, string> = { [ANNOTATION_IMAGE_NAME]: referenceString(ref) };
  if (ref.tag !== undefined) annotations[ANNOTATION_REF_NAME] = ref.tag;
  return annotations;
}

function dir(name: string): Buffer {
  return encodeHeader({ name, type: 'dir', mode: 0o755, mtime: MTIME });
}

function* file(name: string, data: Buffer): Generator<Buffer> {
  yield encodeHeader({ name, type: 'file', size: data.length, mode: 0o644, mtime: MTIME });
  yield data;
  yield Buffer.alloc(paddedSize(data.length) - data.length);
}

function blob(digest: string, data: Buffer): Generator<Buffer> {
  return file(blobPath(digest), data);
}

async function* layerBlob(layer: AsyncIterable<Buffer>, diffId: string, size: number): AsyncGenerator<Buffer> {
  yield encodeHeader({ name: blobPath(diffId), type: 'file', size, mode: 0o644, mtime: MTIME });
  const hash = createHash('sha256');
  let seen = 0;
  for await (const chunk of layer) {
    seen += chunk.length;
    // Past the announced size the archive would be corrupt: stop before writing a byte too many.
    if (seen > size) throw internal(`layer ${diffId}: longer than its recorded size ${size}`);
    hash.update(chunk);
    yield chunk;
  }
  if (seen !== size) throw internal(`layer ${diffId}: ${seen} bytes, expected ${size}`);
  const got = `sha256:${hash.digest('hex')}`;
  if (got !== diffId) throw internal(`layer ${diffId}: regenerated content has digest ${got}`);
  yield Buffer.alloc(paddedSize(size) - size);
}

function sha256(b: Buffer): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}
