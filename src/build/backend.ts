// What the builder needs from the engine, declared here by its consumer: images to start stages from, the
// classic cache lookup, committing step images, RUN in a container, and read-only views of images for COPY.
// The engine implements it (src/engine/build/worker.ts). Types only.
import type { OciImage } from '../spec/oci-image.js';
import type { ProgressSink } from '../spec/progress.js';

export interface BaseImage {
  /** null for `scratch`. */
  id: string | null;
  config: OciImage;
}

export interface RunMount {
  type: 'bind' | 'tmpfs';
  /** bind: a host path (a context path or a cache directory). */
  source?: string;
  target: string;
  readonly: boolean;
  size?: number;
  mode?: number;
}

export interface RunStep {
  /** The argv to run, already wrapped in the stage's SHELL for the shell form. */
  cmd: string[];
  /** How the step is named in a failure ("The command '…' returned a non-zero code: N"). */
  shown: string;
  env: string[];
  user: string;
  workdir: string;
  /** RUN --network / the build's network mode: default (the bridge), none or host. */
  network?: string;
  extraHosts: string[];
  mounts: RunMount[];
  /** The step's output as it comes. */
  output: (text: string) => void;
  /** The container was created (the classic builder's " ---> Running in <id>"). */
  started?: (containerId: string) => void;
  signal?: AbortSignal;
}

export interface RootfsView {
  /** A path whose contents are the image's filesystem, read-only. */
  root: string;
  close(): Promise<void>;
}

export interface BuildWorkerPort {
  /** The image a FROM (or COPY --from) names, pulled first when missing or when `pull` is set. */
  base(ref: string, opts: { pull: boolean; platform?: string; progress: ProgressSink; signal?: AbortSignal }): Promise<BaseImage>;
  /** A step image made earlier from `parent` by the same instruction (its history's created_by). */
  cached(parent: string | null, createdBy: string): Promise<string | undefined>;
  /** A step with no filesystem change: the parent's layers under a new configuration. */
  configOnly(parent: string | null, config: OciImage): Promise<string>;
  /** A step whose layer is this tar (COPY/ADD). */
  addLayer(parent: string | null, tar: AsyncIterable<Buffer>, config: OciImage): Promise<string>;
  /** RUN: runs the command in a container of `parent`; its writable layer becomes the step's layer. */
  run(parent: string | null, step: RunStep, config: OciImage): Promise<string>;
  /** The configuration of an image by ID. */
  config(id: string): Promise<OciImage>;
  /** A read-only view of an image's filesystem (an empty directory for scratch). */
  view(id: string | null): Promise<RootfsView>;
  /** The directory behind RUN --mount=type=cache with this identity, made on first use. */
  cacheDir(id: string, opts: { mode?: number; uid?: number; gid?: number }): Promise<string>;
}
