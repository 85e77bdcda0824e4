// docker save and docker load over the image store. Save regenerates each layer's original tar from its
// tar-split, so a saved image loads back with the same ID anywhere. Load reads the archive in one pass,
// staging layers as they stream by (see image/archive), and adds each image with its tags; layers already
// here are not kept twice.
import type { Writable } from 'node:stream';
import { invalidArgument } from '../../common/errors.js';
import type { ProgressSink } from '../../spec/progress.js';
import {
  familiarString,
  parseNormalizedNamed,
  readImageArchive,
  referenceString,
  tagNameOnly,
  writeImageArchive,
  type ImageStore,
  type StagedImageLayer,
} from '../../image/index.js';
import type { EventBus } from '../events.js';

/** Resolves every name first (a bad one is a 404 before any byte is sent), then returns the writer. */
export async function prepareSave(store: ImageStore, names: string[]): Promise<(out: Writable, signal: AbortSignal) => Promise<void>> {
  const byId = new Map<string, { id: string; configBytes: Buffer; diffIds: string[]; chainIds: string[]; repoTags: string[] }>();
  for (const name of names) {
    const img = await store.get(name);
    const entry = byId.get(img.id) ?? { id: img.id, configBytes: await store.configBytes(img.id), diffIds: img.diffIds, chainIds: img.chainIds, repoTags: [] };
    // A name given as a tag saves that tag; an ID saves every tag of the image, as docker does.
    let named: ReturnType<typeof parseNormalizedNamed> | undefined;
    try {
      named = /^(sha256:)?[0-9a-f]{1,64}$/.test(name) && !img.references.some((r) => r.endsWith(`/${name}:latest`)) ? undefined : tagNameOnly(parseNormalizedNamed(name));
    } catch {
      named = undefined;
    }
    const tags = named && img.references.includes(referenceString(named))
      ? [referenceString(named)]
      : img.references.filter((r) => !r.includes('@'));
    for (const t of tags) {
      const shown = familiarString(parseNormalizedNamed(t));
      if (!entry.repoTags.includes(shown)) entry.repoTags.push(shown);
    }
    byId.set(img.id, entry);
  }
  const images = await Promise.all(
    [...byId.values()].map(async (e) => {
      const sizes = await Promise.all(e.chainIds.map((c) => store.layerTarSize(c)));
      return {
        id: e.id,
        configBytes: e.configBytes,
        diffIds: e.diffIds,
        repoTags: e.repoTags,
        openLayer: (i: number) => store.layerTar(e.chainIds[i]!),
        layerSize: (i: number) => sizes[i]!,
      };
    }),
  );
  return (out) => writeImageArchive(images, out);
}

export async function loadImages(store: ImageStore, events: EventBus, body: AsyncIterable<Buffer>, progress: ProgressSink): Promise<void> {
  const result = await readImageArchive(body, {
    stageLayer: async (stream) => {
      const layer = await store.stageLayer(stream, { isBase: false });
      return { diffId: layer.diffId, handle: layer };
    },
    discard: (handle) => store.discardLayer(handle as StagedImageLayer),
  });
  if (result.images.length === 0) throw invalidArgument('no images found in the archive');
  // A layer shared by several images in the archive is staged once; the first image to use it commits it.
  const used = new Set<unknown>();
  for (const img of result.images) {
    const layers = img.layers.map((l) => {
      if (used.has(l.handle)) return undefined;
      used.add(l.handle);
      return l.handle as StagedImageLayer;
    });
    const references = img.repoTags.map((t) => referenceString(tagNameOnly(parseNormalizedNamed(t))));
    const { id } = await store.addImage({ configBytes: img.configBytes, layers, references });
    for (const t of img.repoTags) {
      const shown = familiarString(parseNormalizedNamed(t));
      progress({ stream: `Loaded image: ${shown}\n` });
      events.publish('image', 'load', id, { name: shown });
    }
    if (img.repoTags.length === 0) {
      progress({ stream: `Loaded image ID: ${id}\n` });
      events.publish('image', 'load', id, {});
    }
  }
}
