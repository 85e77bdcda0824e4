// What every container verb needs, passed explicitly (no module state): built by the daemon's
// composition root.
import { EngineError } from '../../common/errors.js';
import type { Runtime } from '../../runtime/index.js';
import type { EventBus } from '../events.js';
import type { Mount } from '../../spec/oci-runtime.js';
import type { MountPointRecord, VolumeUser } from '../volumes/types.js';
import type { RootfsLayout } from './rootfs.js';
import type { ContainerStore } from './store.js';
import type { ContainerRecord } from './model.js';
import type { RootfsSnapshotter } from './rootfs.js';

/** The image facts the container verbs need; the image store satisfies it through a small adapter. */
export interface ImageInfo {
  id: string;
  /** The image config's `config` section (Env, Cmd, Entrypoint, WorkingDir, User, StopSignal, …). */
  config: Record<string, any>;
  /** Layer diff directories, bottom first. */
  layers: string[];
}

export interface ImageLookup {
  get(ref: string): Promise<ImageInfo>;
}

export interface EngineConfig {
  dataRoot: string;
  execRoot: string;
  cgroupParent: string;
  /** An empty directory, the lowerdir of images without layers. */
  emptyDir: string;
  initPath?: string;
  defaultCgroupns: 'host' | 'private';
}

export interface Waiter {
  condition: 'not-running' | 'next-exit' | 'removed';
  resolve: (r: { StatusCode: number; Error?: { Message: string } }) => void;
}

/** An error a start step already worded for the client (networking): not wrapped as a runtime failure. */
export class StartStepError extends EngineError {}

/** The container side of volumes (engine/volumes/container-volumes.ts implements it). */
export interface ContainerVolumes {
  /** At create: -v, --mount, --volumes-from and image volumes resolved (volumes made; rollback undoes that). */
  resolve(hc: Record<string, any>, volumes: Record<string, unknown> | null | undefined): Promise<{ mountPoints: MountPointRecord[]; rollback: () => Promise<void> }>;
  /** At start: copy-up into empty volumes, then the container's OCI mounts. */
  mounts(c: VolumeUser, layout: RootfsLayout): Promise<Mount[]>;
  /** After removal: the anonymous volumes too when asked (rm -v, AutoRemove). */
  removed(c: VolumeUser, removeVolumes: boolean): Promise<void>;
}

/** The container side of networking (engine/network-service.ts); absent in tests that need none. */
export interface ContainerNetworking {
  /** At create: the networks a container names exist (not-found otherwise). */
  checkCreate(mode: string | undefined, endpoints: Record<string, unknown> | null | undefined): void;
  /** Before the runtime creates the container; true when it needs attach() before it may start. */
  prepare(c: ContainerRecord): Promise<boolean>;
  /** The container's process exists (netns at /proc/<pid>/ns/net) and waits: endpoints, hosts, ports. */
  attach(c: ContainerRecord, pid: number): Promise<void>;
  /** The container's process is gone or its start failed. */
  release(c: ContainerRecord): Promise<void>;
}

export interface EngineContext {
  cfg: EngineConfig;
  store: ContainerStore;
  runtime: Runtime;
  images: ImageLookup;
  snapshotter: RootfsSnapshotter;
  networks?: ContainerNetworking;
  /** Named and anonymous volumes (engine/volumes/container-volumes.ts); absent in tests that need none. */
  volumes?: ContainerVolumes;
  events: EventBus;
  waiters: Map<string, Waiter[]>;
  /** Attach streams waiting for a created container to start: connected before its process runs. */
  pendingAttach: Map<string, ((attachSock: string) => Promise<void>)[]>;
  /** Called when a container's process has started, and when it has ended (wired by the service). */
  onStart: (c: ContainerRecord) => void;
  onExit: (c: ContainerRecord) => void;
  /** An AutoRemove container whose start failed is removed (wired by the service). */
  onStartFailed: (c: ContainerRecord) => Promise<void>;
  log: (msg: string) => void;
}

export function eventAttrs(c: ContainerRecord, extra: Record<string, string> = {}): Record<string, string> {
  return { ...(c.config.Labels ?? {}), image: c.imageRef, name: c.name.slice(1), ...extra };
}
