// Names and shapes shared by the image archive reader and writer: Docker's `docker save` formats (the legacy
// one with manifest.json, and Docker 25+'s OCI image layout with manifest.json added) and a plain OCI layout.

export const MEDIA = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerTar: 'application/vnd.oci.image.layer.v1.tar',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;

/** containerd's annotation with the full image name; Docker 25+ writes it and reads it first. */
export const ANNOTATION_IMAGE_NAME = 'io.containerd.image.name';
export const ANNOTATION_REF_NAME = 'org.opencontainers.image.ref.name';

/** One element of manifest.json. */
export interface DockerManifestEntry {
  Config: string;
  RepoTags: string[] | null;
  Layers: string[];
  LayerSources?: Record<string, Descriptor>;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { architecture: string; os: string; variant?: string };
}

export interface OciIndex {
  schemaVersion: number;
  mediaType?: string;
  manifests: Descriptor[];
}

export interface OciManifest {
  schemaVersion: number;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
}

/** JSON documents in an archive are small; anything larger is refused rather than buffered. */
export const JSON_MAX = 16 * 1024 * 1024;

export function blobPath(digest: string): string {
  const i = digest.indexOf(':');
  return `blobs/${digest.slice(0, i)}/${digest.slice(i + 1)}`;
}
