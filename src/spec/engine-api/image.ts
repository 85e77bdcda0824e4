// Images: list, inspect, history, delete, prune, search, and the JSON progress stream that pull, push, load,
// import and build write (one JSON object per line).

import type { DriverData, EmptyObject, HealthConfig, OCIDescriptor, OCIPlatform } from './common.js';

/** `Config` of image inspect: the OCI image config plus Docker's extensions. Every field is omitempty. */
export interface ImageConfig {
  User?: string;
  ExposedPorts?: Record<string, EmptyObject>;
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  Volumes?: Record<string, EmptyObject>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  /** Windows only. */
  ArgsEscaped?: boolean;
  Healthcheck?: HealthConfig;
  OnBuild?: string[];
  Shell?: string[];
}

export type ManifestKind = 'image' | 'attestation' | 'unknown';

/** Per-platform manifests of a (multi-platform) image; only with the containerd image store and ?manifests=1. */
export interface ImageManifestSummary {
  ID: string;
  Descriptor: OCIDescriptor;
  /** Config and all layers present locally. */
  Available: boolean;
  Size: { Content: number; Total: number };
  Kind: ManifestKind;
  ImageData?: { Platform: OCIPlatform; Size: { Unpacked: number }; Containers: string[] | null };
  AttestationData?: { For: string };
}

/** One element of GET /images/json. */
export interface ImageSummary {
  /** "sha256:…". */
  Id: string;
  /** '' when there is none. */
  ParentId: string;
  /** [] for dangling images. */
  RepoTags: string[];
  RepoDigests: string[];
  /** Unix seconds (image inspect uses an RFC 3339 string). */
  Created: number;
  Size: number;
  /** -1 unless computed (?shared-size=1, /system/df). */
  SharedSize: number;
  Labels: Record<string, string> | null;
  /** -1 unless computed (/system/df). */
  Containers: number;
  Manifests?: ImageManifestSummary[];
  Descriptor?: OCIDescriptor;
}

export interface ImageRootFS {
  /** "layers". */
  Type: string;
  /** Layer diff IDs, bottom first. */
  Layers?: string[];
}

/** GET /images/{name}/json. */
export interface ImageInspect {
  Id: string;
  RepoTags: string[];
  RepoDigests: string[];
  Parent: string;
  Comment: string;
  /** RFC 3339 with nanoseconds; omitted when the image config has no creation time. */
  Created?: string;
  DockerVersion: string;
  Author: string;
  Config: ImageConfig;
  Architecture: string;
  Variant?: string;
  Os: string;
  OsVersion?: string;
  Size: number;
  GraphDriver: DriverData;
  RootFS: ImageRootFS;
  /** LastTagTime is "0001-01-01T00:00:00Z" (Go's zero time) rather than omitted when never tagged locally. */
  Metadata: { LastTagTime?: string };
  Descriptor?: OCIDescriptor;
  Manifests?: ImageManifestSummary[];
}

/** One element of GET /images/{name}/history, newest layer first. */
export interface ImageHistoryResponseItem {
  /** The image ID for layers that are an image, else "<missing>". */
  Id: string;
  /** Unix seconds. */
  Created: number;
  CreatedBy: string;
  Tags: string[] | null;
  Size: number;
  Comment: string;
}

/** One element of DELETE /images/{name}: exactly one of the two fields is set. */
export interface ImageDeleteResponseItem {
  Untagged?: string;
  Deleted?: string;
}

/** POST /images/prune. */
export interface ImagePruneResponse {
  ImagesDeleted: ImageDeleteResponseItem[] | null;
  SpaceReclaimed: number;
}

/** One element of GET /images/search. */
export interface ImageSearchResponseItem {
  name: string;
  description: string;
  star_count: number;
  is_official: boolean;
  /** Deprecated: always false. */
  is_automated: boolean;
}

// ---- the JSON message stream -------------------------------------------------------------------------------

export interface ProgressDetail {
  current?: number;
  total?: number;
  /** Unix seconds at which the operation started. */
  start?: number;
  hidecounts?: boolean;
  units?: string;
}

export interface ErrorDetail {
  code?: number;
  message?: string;
}

/**
 * One line of a progress stream (pull, push, load, import, build, plugin pull). Every field is omitempty. A
 * failure arrives as a 200 response whose last line carries `error` and `errorDetail` (both, for old clients).
 */
export interface JSONMessage<Aux = unknown> {
  /** Build and load output ("Loaded image: busybox:latest\n"). */
  stream?: string;
  /** "Pulling fs layer", "Downloading", "Download complete", "Status: Downloaded newer image for …". */
  status?: string;
  progressDetail?: ProgressDetail;
  /** Pre-rendered progress bar: "[=====>     ]  1.2MB/2.1MB". */
  progress?: string;
  /** Layer short ID or tag the line is about; lines with the same id replace each other on a terminal. */
  id?: string;
  from?: string;
  time?: number;
  timeNano?: number;
  errorDetail?: ErrorDetail;
  /** Deprecated duplicate of errorDetail.message, still sent. */
  error?: string;
  aux?: Aux;
}

/** The swagger's name for a line of POST /images/create (pull or import). */
export type CreateImageInfo = JSONMessage;

/** `aux` of the final line of a push. */
export interface PushResult {
  Tag: string;
  Digest: string;
  Size: number;
}

/** `aux` of the line of a classic build that reports the image ID: {"aux":{"ID":"sha256:…"}}. */
export interface BuildResultAux {
  ID: string;
}

export type PushImageInfo = JSONMessage<PushResult>;
export type BuildInfo = JSONMessage<BuildResultAux>;
