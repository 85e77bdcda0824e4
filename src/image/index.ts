// The image module owns images on disk: references (Docker's grammar and normalization), content-addressed
// image configs, unpacked layers shared by chain ID, and the tar extraction that fills them. It answers
// "which image is this name or ID, and which directories are its layers"; it does not know about
// containers (the engine checks that an image is unused before removing it), does not mount anything
// (overlay mounts belong to the runtime/snapshotter), does not speak HTTP or parse Dockerfile-style
// `changes` strings, and imports nothing but src/spec and src/common. No module-level mutable state: every
// store is an object the composition root opens and passes on.
export {
  DEFAULT_DOMAIN,
  DEFAULT_TAG,
  familiarName,
  familiarString,
  parseAnyReference,
  parseNormalizedNamed,
  parseReference,
  parseRepositoryTag,
  referenceName,
  referenceString,
  repoTagReference,
  tagNameOnly,
  trimNamed,
  withDigest,
  withTag,
  type DigestReference,
  type NamedReference,
  type Reference,
} from './reference.js';
export { chainIds, parseDigest, sha256Digest } from './digest.js';
export { ContentStore } from './content-store.js';
export { hostPlatform, type Platform } from './import-config.js';
export {
  ImageStore,
  type ImageStoreOptions,
  type ImportOptions,
  type NewImage,
  type RemoveResult,
  type StagedImageLayer,
  type StoredImage,
} from './image-store.js';
export type { DistributionSource } from './distribution.js';
export { readImageArchive, type LayerSink, type LoadedImage } from './archive/read.js';
export { imageArchiveStream, writeImageArchive, type ArchiveImage } from './archive/write.js';
export { packLayer } from './layer/pack.js';
export { OverlaySnapshotter, type OverlaySnapshotterOptions } from './snapshot/overlay.js';
export { MAX_LAYERS, type SnapshotMount, type SnapshotPaths, type SnapshotUsage, type Snapshotter } from './snapshot/snapshotter.js';
export type { History, ImageConfig, OciImage, RootFS } from '../spec/oci-image.js';
