// What every container verb needs, passed explicitly (no module state): built by the daemon's
// composition root.
import type { Runtime } from '../../runtime/index.js';
import type { EventBus } from '../events.js';
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

export interface EngineContext {
  cfg: EngineConfig;
  store: ContainerStore;
  runtime: Runtime;
  images: ImageLookup;
  snapshotter: RootfsSnapshotter;
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
