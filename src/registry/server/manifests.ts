// Manifest media types the registry accepts, and what a manifest refers to. The registry stores a manifest's
// bytes exactly as pushed (their sha256 is the digest clients pinned); this file only reads them to learn
// the media type to answer with and which blobs or child manifests must already be in the repository.
import { registryError } from './errors.js';

export const MEDIA = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
} as const;

const IMAGE_TYPES = new Set<string>([MEDIA.dockerManifest, MEDIA.ociManifest]);
const INDEX_TYPES = new Set<string>([MEDIA.dockerList, MEDIA.ociIndex]);
const SCHEMA1 = new Set(['application/vnd.docker.distribution.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v1+prettyjws']);
/** Layers a registry is not expected to hold (Windows base layers): distribution skips them when they have URLs. */
const FOREIGN_LAYERS = new Set([
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
]);
/** distribution's default limit on a manifest body. */
export const MAX_MANIFEST_BYTES = 4 << 20;

export interface Descriptor {
  mediaType?: string;
  digest: string;
  size: number;
  urls?: string[];
}

export interface ParsedManifest {
  mediaType: string;
  kind: 'image' | 'index';
  /** Blobs (config and layers) an image manifest needs in the repository. */
  blobs: Descriptor[];
  /** Manifests an index needs in the repository. */
  manifests: Descriptor[];
  subject?: Descriptor;
}

const invalid = (detail: string) => registryError('MANIFEST_INVALID', detail);

/** The media type stored bytes are served with: their own `mediaType`, else what their shape says. */
export function mediaTypeOf(data: Buffer): string {
  try {
    const doc = JSON.parse(data.toString('utf8')) as Record<string, unknown>;
    if (typeof doc.mediaType === 'string' && doc.mediaType !== '') return doc.mediaType;
    return Array.isArray(doc.manifests) ? MEDIA.ociIndex : MEDIA.ociManifest;
  } catch {
    return MEDIA.ociManifest;
  }
}

/**
 * Parses a pushed manifest. `contentType` is the request's Content-Type; as in distribution it chooses the
 * format when the body does not say, and must not contradict a body that does.
 */
export function parseManifest(data: Buffer, contentType: string | undefined): ParsedManifest {
  let doc: Record<string, unknown>;
  try {
    const v: unknown = JSON.parse(data.toString('utf8'));
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    doc = v as Record<string, unknown>;
  } catch (e) {
    throw invalid(`unmarshal manifest: ${(e as Error).message}`);
  }
  const ct = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const own = typeof doc.mediaType === 'string' && doc.mediaType !== '' ? doc.mediaType : undefined;
  if (SCHEMA1.has(ct) || (own !== undefined && SCHEMA1.has(own)) || doc.schemaVersion === 1) {
    throw invalid('schema1 manifests are not supported');
  }
  const known = (t: string) => IMAGE_TYPES.has(t) || INDEX_TYPES.has(t);
  if (own !== undefined && known(ct) && own !== ct) throw invalid(`mediaType in manifest should be '${ct}' not '${own}'`);
  const mediaType = own ?? (known(ct) ? ct : Array.isArray(doc.manifests) ? MEDIA.ociIndex : MEDIA.ociManifest);
  if (!known(mediaType)) throw invalid(`unsupported manifest media type: ${mediaType}`);
  if (doc.schemaVersion !== 2) throw invalid(`unsupported schemaVersion: ${String(doc.schemaVersion)}`);
  const subject = doc.subject === undefined ? undefined : descriptor(doc.subject, 'subject');
  if (INDEX_TYPES.has(mediaType)) {
    if (!Array.isArray(doc.manifests)) throw invalid('index has no manifests list');
    const manifests = doc.manifests.map((d, i) => descriptor(d, `manifests[${i}]`));
    return { mediaType, kind: 'index', blobs: [], manifests, ...(subject ? { subject } : {}) };
  }
  if (!Array.isArray(doc.layers)) throw invalid('manifest has no layers list');
  const config = descriptor(doc.config, 'config');
  const layers = doc.layers.map((d, i) => descriptor(d, `layers[${i}]`));
  const needed = layers.filter((l) => !(l.mediaType !== undefined && FOREIGN_LAYERS.has(l.mediaType) && (l.urls?.length ?? 0) > 0));
  return { mediaType, kind: 'image', blobs: [config, ...needed], manifests: [], ...(subject ? { subject } : {}) };
}

function descriptor(v: unknown, where: string): Descriptor {
  if (typeof v !== 'object' || v === null) throw invalid(`${where}: not a descriptor`);
  const d = v as Record<string, unknown>;
  if (typeof d.digest !== 'string' || !/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(d.digest)) {
    throw invalid(`${where}: invalid digest ${JSON.stringify(d.digest)}`);
  }
  if (typeof d.size !== 'number' || !Number.isInteger(d.size) || d.size < 0) throw invalid(`${where}: invalid size`);
  return {
    digest: d.digest,
    size: d.size,
    ...(typeof d.mediaType === 'string' ? { mediaType: d.mediaType } : {}),
    ...(Array.isArray(d.urls) ? { urls: d.urls.filter((u): u is string => typeof u === 'string') } : {}),
  };
}
