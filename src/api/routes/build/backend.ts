// What the build routes need from the engine: one classic (Dockerfile) build over a streamed context, and
// the cache prune. The route parses dockerd's query and headers into a BuildRequest; the backend owns the
// context bytes (plain or compressed tar, or a bare Dockerfile) and every line of output.
import type { Readable } from 'node:stream';
import type { ProgressSink } from '../../../spec/progress.js';
import type { RegistryAuth } from '../images/routes.js';

export type { RegistryAuth };

export interface BuildRequest {
  /** `dockerfile` query, default 'Dockerfile': a path inside the context (or the name the CLI gave a Dockerfile it added). */
  dockerfile: string;
  /** Every `t`, as sent. */
  tags: string[];
  target?: string;
  /** `buildargs` JSON; null is `--build-arg NAME` with NAME unset in the client's environment. */
  buildArgs: Record<string, string | null>;
  /** `labels` JSON. */
  labels: Record<string, string>;
  noCache: boolean;
  /** `q`: the route already holds the output back; the backend may ignore it. */
  quiet: boolean;
  remove: boolean;
  forceRemove: boolean;
  pull: boolean;
  networkMode?: string;
  platform?: string;
  extraHosts: string[];
  cacheFrom: string[];
  // Accepted as dockerd accepts them; a backend may ignore them.
  shmSize?: number;
  memory?: number;
  memorySwap?: number;
  cpuShares?: number;
  cpuPeriod?: number;
  cpuQuota?: number;
  cpuSetCpus?: string;
  cpuSetMems?: string;
  cgroupParent?: string;
  ulimits?: unknown;
  /** `remote` query: a URL of a tar or a Dockerfile (or a git URL); the backend decides what it supports. */
  remote?: string;
  /** X-Registry-Config: credentials per registry, for FROM pulls. */
  auth: Record<string, RegistryAuth>;
  /** Aborts when the client goes away. */
  signal: AbortSignal;
}

export interface BuildBackend {
  /** Streams its output through `progress` ({stream} lines, {aux:{ID}}); returns the image ID. */
  build(context: Readable, req: BuildRequest, progress: ProgressSink): Promise<{ id: string }>;
  prune(opts: { all: boolean; filters: Record<string, string[]> }): Promise<{ CachesDeleted: string[] | null; SpaceReclaimed: number }>;
}
