import type { HealthConfig } from './engine-api/common.js';

// Wire types of the OCI image configuration (image-spec config.md), field names verbatim, plus the two
// fields Docker adds (`comment`, `docker_version`). Types only.

/** The execution parameters: `config` inside an image configuration. */
export interface ImageConfig {
  User?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  Volumes?: Record<string, Record<string, never>>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  ArgsEscaped?: boolean;
  Healthcheck?: HealthConfig;
  OnBuild?: string[];
  Shell?: string[];
}

export interface RootFS {
  type: 'layers';
  diff_ids: string[];
}

export interface History {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** The image configuration document; its sha256 is the image ID. */
export interface OciImage {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
  config?: ImageConfig;
  rootfs: RootFS;
  history?: History[];
  comment?: string;
  docker_version?: string;
}
