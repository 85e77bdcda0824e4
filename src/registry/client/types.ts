// Wire types of the distribution protocol: manifests, indexes and descriptors as registries serve them
// (docker schema2 and OCI image-spec), field names verbatim. Types and media-type constants only.

export const MediaType = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerLayerZstd: 'application/vnd.docker.image.rootfs.diff.tar.zstd',
  dockerForeignLayer: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  ociLayerNondistributable: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  ociLayerNondistributableGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  ociLayerNondistributableZstd: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
} as const;

/** What `docker pull` asks for: single-platform manifests and lists, Docker's and OCI's (schema1 is gone). */
export const PULL_ACCEPT: readonly string[] = [
  MediaType.dockerManifest,
  MediaType.dockerManifestList,
  MediaType.ociManifest,
  MediaType.ociIndex,
];

export const isIndexMediaType = (t: string): boolean =>
  t === MediaType.dockerManifestList || t === MediaType.ociIndex;
export const isManifestMediaType = (t: string): boolean =>
  t === MediaType.dockerManifest || t === MediaType.ociManifest;

/** How a layer's bytes are compressed, from its media type; undefined when the type is not a layer. */
export function layerCompression(t: string): 'gzip' | 'zstd' | 'none' | undefined {
  switch (t) {
    case MediaType.dockerLayer:
    case MediaType.dockerForeignLayer:
    case MediaType.ociLayerGzip:
    case MediaType.ociLayerNondistributableGzip:
      return 'gzip';
    case MediaType.dockerLayerZstd:
    case MediaType.ociLayerZstd:
    case MediaType.ociLayerNondistributableZstd:
      return 'zstd';
    case MediaType.ociLayer:
    case MediaType.ociLayerNondistributable:
      return 'none';
    default:
      return undefined;
  }
}

/** Foreign (Windows base) and nondistributable layers are not pushed: registries refuse or do not hold them. */
export const isNondistributable = (t: string): boolean =>
  t === MediaType.dockerForeignLayer || t.startsWith('application/vnd.oci.image.layer.nondistributable.');

export interface Platform {
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
  features?: string[];
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: Platform;
  artifactType?: string;
}

/** A single-platform image manifest (docker schema2 or OCI). */
export interface Manifest {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** A docker manifest list or an OCI image index. */
export interface Index {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** A repository on a registry, as the engine resolved it from a reference (`docker.io`, `library/alpine`). */
export interface Repository {
  domain: string;
  path: string;
}

/** A manifest to fetch: `reference` is a tag or a digest. */
export interface ManifestRef extends Repository {
  reference: string;
}

export type Credentials =
  | { username: string; password: string }
  | { identitytoken: string }
  | undefined;

/** Gives the credentials the engine holds for a server address (an auth key as in config.json). */
export type CredentialsFn = (serverAddress: string) => Credentials | Promise<Credentials>;
