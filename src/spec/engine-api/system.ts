// System: /version, /info, /system/df, /events, /auth and the ping headers.

import type { GenericResources } from './common.js';
import type { ContainerSummary } from './container.js';
import type { Isolation } from './host-config.js';
import type { ImageSummary } from './image.js';
import type { SwarmInfo } from './swarm.js';
import type { Volume } from './volume.js';

// ---- /version ----------------------------------------------------------------------------------------------

export interface ComponentVersion {
  /** "Engine", "containerd", "runc", "docker-init". */
  Name: string;
  Version: string;
  /** e.g. {ApiVersion, GitCommit, GoVersion, Os, Arch, KernelVersion, BuildTime, MinAPIVersion} for the Engine. */
  Details?: Record<string, string>;
}

/** GET /version. */
export interface SystemVersion {
  /** e.g. {"Name": "Docker Engine - Community"}. */
  Platform: { Name: string };
  Components?: ComponentVersion[];
  Version: string;
  /** The highest API version served, e.g. "1.50". */
  ApiVersion: string;
  MinAPIVersion?: string;
  GitCommit: string;
  GoVersion: string;
  /** GOOS: "linux". */
  Os: string;
  /** GOARCH: "amd64", "arm64". */
  Arch: string;
  KernelVersion?: string;
  Experimental?: boolean;
  /** RFC 3339. */
  BuildTime?: string;
}

// ---- /info -------------------------------------------------------------------------------------------------

export interface PluginsInfo {
  Volume: string[] | null;
  Network: string[] | null;
  Authorization: string[] | null;
  Log: string[] | null;
}

export interface IndexInfo {
  Name: string;
  Mirrors: string[] | null;
  Secure: boolean;
  Official: boolean;
}

export interface RegistryServiceConfig {
  /** CIDR strings, e.g. ["::1/128", "127.0.0.0/8"]. */
  InsecureRegistryCIDRs: string[] | null;
  /** Registry host → info; always has "docker.io". */
  IndexConfigs: Record<string, IndexInfo>;
  Mirrors: string[] | null;
}

export interface RuntimeInfo {
  path?: string;
  runtimeArgs?: string[];
  /** For shim-v2 runtimes, e.g. "io.containerd.runc.v2". */
  runtimeType?: string;
  options?: Record<string, unknown>;
  status?: Record<string, string>;
}

export interface Commit {
  ID: string;
}

export interface ContainerdInfo {
  Address?: string;
  Namespaces: { Containers: string; Plugins: string };
}

export interface FirewallInfo {
  /** "iptables", "nftables". */
  Driver: string;
  Info?: Array<[string, string]>;
}

export interface DeviceInfo {
  /** "cdi". */
  Source: string;
  ID: string;
}

/** GET /info. Counts and limits describe the host as the daemon sees it. */
export interface SystemInfo {
  ID: string;
  Containers: number;
  ContainersRunning: number;
  ContainersPaused: number;
  /** Every container that is neither running nor paused (created, exited, dead). */
  ContainersStopped: number;
  Images: number;
  /** Storage driver: "overlay2", "overlayfs" (containerd snapshotter), "vfs", … */
  Driver: string;
  /** Name/value pairs for display: [["Backing Filesystem", "extfs"], …]. */
  DriverStatus: Array<[string, string]> | null;
  /** Only from Swarm standalone. */
  SystemStatus?: Array<[string, string]>;
  Plugins: PluginsInfo;
  MemoryLimit: boolean;
  SwapLimit: boolean;
  /** Deprecated; omitted since API 1.42. */
  KernelMemory?: boolean;
  /** Omitted on cgroup v2. */
  KernelMemoryTCP?: boolean;
  CpuCfsPeriod: boolean;
  CpuCfsQuota: boolean;
  CPUShares: boolean;
  CPUSet: boolean;
  PidsLimit: boolean;
  IPv4Forwarding: boolean;
  Debug: boolean;
  NFd: number;
  OomKillDisable: boolean;
  NGoroutines: number;
  /** RFC 3339 with nanoseconds and the local offset. */
  SystemTime: string;
  LoggingDriver: string;
  /** "cgroupfs", "systemd" or "none". */
  CgroupDriver: string;
  /** "1" or "2" (a string). */
  CgroupVersion?: string;
  NEventsListener: number;
  KernelVersion: string;
  OperatingSystem: string;
  OSVersion: string;
  /** GOOS: "linux". */
  OSType: string;
  /** uname -m: "x86_64", "aarch64" (not GOARCH). */
  Architecture: string;
  IndexServerAddress: string;
  RegistryConfig: RegistryServiceConfig | null;
  NCPU: number;
  /** Bytes. */
  MemTotal: number;
  GenericResources: GenericResources | null;
  DockerRootDir: string;
  HttpProxy: string;
  HttpsProxy: string;
  NoProxy: string;
  /** The host name. */
  Name: string;
  /** "key=value" strings, not a map. */
  Labels: string[] | null;
  ExperimentalBuild: boolean;
  ServerVersion: string;
  Runtimes: Record<string, RuntimeInfo>;
  DefaultRuntime: string;
  Swarm: SwarmInfo;
  LiveRestoreEnabled: boolean;
  Isolation: Isolation;
  InitBinary: string;
  ContainerdCommit: Commit;
  RuncCommit: Commit;
  InitCommit: Commit;
  /** "name=seccomp,profile=builtin", "name=apparmor", "name=cgroupns", "name=rootless", … */
  SecurityOptions: string[] | null;
  ProductLicense?: string;
  DefaultAddressPools?: Array<{ Base: string; Size: number }>;
  FirewallBackend?: FirewallInfo;
  CDISpecDirs: string[] | null;
  DiscoveredDevices?: DeviceInfo[];
  Containerd?: ContainerdInfo;
  Warnings: string[] | null;
}

// ---- /system/df --------------------------------------------------------------------------------------------

export const BUILD_CACHE_TYPES = [
  'internal',
  'frontend',
  'source.local',
  'source.git.checkout',
  'exec.cachemount',
  'regular',
] as const;

export interface BuildCache {
  ID: string;
  /** Deprecated single parent; omitted when empty. */
  Parent?: string;
  /** What the swagger documents; Docker 28 never sends it under this name (see the next field). */
  Parents?: string[];
  /** The key Docker 28 really writes: its Go tag is `json:" Parents,omitempty"`, with a leading space. */
  ' Parents'?: string[];
  Type: string;
  Description: string;
  InUse: boolean;
  Shared: boolean;
  Size: number;
  /** RFC 3339. */
  CreatedAt: string;
  LastUsedAt: string | null;
  UsageCount: number;
}

/** GET /system/df (query: type=container|image|volume|build-cache, repeatable; all when absent). */
export interface SystemDataUsageResponse {
  /** Bytes used by all image layers, shared ones counted once. */
  LayersSize: number;
  /** SharedSize and Containers are computed here, unlike in /images/json. */
  Images: ImageSummary[] | null;
  /** SizeRw and SizeRootFs are filled. */
  Containers: ContainerSummary[] | null;
  /** UsageData is filled. */
  Volumes: Volume[] | null;
  BuildCache: BuildCache[] | null;
  /** Deprecated since API 1.38. */
  BuilderSize?: number;
}

// ---- /events -----------------------------------------------------------------------------------------------
// GET /events (query: since, until, filters) streams EventMessage objects, one JSON document each.

export const EVENT_TYPES = [
  'builder',
  'config',
  'container',
  'daemon',
  'image',
  'network',
  'node',
  'plugin',
  'secret',
  'service',
  'volume',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** The fixed action names. Some actions carry a suffix, so EventMessage.Action stays a string. */
export const EVENT_ACTIONS = [
  'create',
  'start',
  'restart',
  'stop',
  'checkpoint',
  'pause',
  'unpause',
  'attach',
  'detach',
  'resize',
  'update',
  'rename',
  'kill',
  'die',
  'oom',
  'destroy',
  'remove',
  'commit',
  'top',
  'copy',
  'archive-path',
  'extract-to-dir',
  'export',
  'import',
  'save',
  'load',
  'tag',
  'untag',
  'push',
  'pull',
  'prune',
  'delete',
  'enable',
  'disable',
  'connect',
  'disconnect',
  'reload',
  'mount',
  'unmount',
  'exec_create',
  'exec_start',
  'exec_die',
  'exec_detach',
  'health_status',
] as const;
export type EventAction = (typeof EVENT_ACTIONS)[number];

export interface EventActor {
  /** Container, image, network or volume ID (or name, for volumes and images by reference). */
  ID: string;
  /**
   * Container events: the labels plus "image" and "name" (and "exitCode" on die, "signal" on kill).
   * Exec events add "execID" ("exitCode" on exec_die). Network connect/disconnect: "container", "name", "type".
   */
  Attributes: Record<string, string> | null;
}

export interface EventMessage {
  Type: EventType;
  /**
   * An EventAction, or one with a suffix: "exec_create: sh -c date" and "exec_start: sh -c date" carry the
   * command; "health_status: healthy" / "health_status: unhealthy" carry the new status.
   */
  Action: string;
  Actor: EventActor;
  /** "local"; "swarm" for cluster events. */
  scope?: 'local' | 'swarm';
  /** Unix seconds. */
  time?: number;
  /** Unix nanoseconds; exceeds Number.MAX_SAFE_INTEGER, so JSON.parse rounds it. */
  timeNano?: number;
  /** Deprecated, container and image events only: same as Action. */
  status?: string;
  /** Deprecated, container and image events only: same as Actor.ID. */
  id?: string;
  /** Deprecated, container events only: Actor.Attributes.image. */
  from?: string;
}

// ---- /auth -------------------------------------------------------------------------------------------------

/** Body of POST /auth, and (base64url-encoded JSON) the X-Registry-Auth header. Every field is omitempty. */
export interface AuthConfig {
  username?: string;
  password?: string;
  /** base64("username:password"), as stored in ~/.docker/config.json. */
  auth?: string;
  /** Deprecated. */
  email?: string;
  /** Registry host, without scheme (Docker Hub: "https://index.docker.io/v1/"). */
  serveraddress?: string;
  /** Refresh token from a previous /auth, used instead of the password. */
  identitytoken?: string;
  /** Bearer token sent to the registry as-is. */
  registrytoken?: string;
}

export interface SystemAuthResponse {
  /** "Login Succeeded". */
  Status: string;
  /** '' unless the registry returned a refresh token. */
  IdentityToken: string;
}

// ---- /_ping ------------------------------------------------------------------------------------------------

/** Headers of GET/HEAD /_ping (the body is "OK"); clients negotiate their API version from Api-Version. */
export interface PingHeaders {
  'Api-Version': string;
  /** "linux". */
  OSType?: string;
  'Docker-Experimental': 'true' | 'false';
  /** "1" (classic) or "2" (BuildKit). */
  'Builder-Version'?: string;
  /** "inactive", "pending", "error", "locked", "active/worker" or "active/manager". */
  Swarm?: string;
}
