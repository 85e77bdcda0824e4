// Containers: the portable config, create, inspect, list, wait, top, changes, prune and archive stat.
// Inspect-side interfaces say what Docker sends (optional = omitempty, `| null` = a nil slice, map or pointer);
// request types are DeepPartial views of them, since clients send any subset.

import type {
  DeepPartial,
  DriverData,
  EmptyObject,
  HealthConfig,
  MountPoint,
  OCIDescriptor,
  StrSlice,
} from './common.js';
import type { HostConfig, HostConfigRequest } from './host-config.js';
import type { EndpointSettings, NetworkingConfig } from './network.js';

// ---- ports -------------------------------------------------------------------------------------------------

export const PORT_PROTOCOLS = ['tcp', 'udp', 'sctp'] as const;
export type PortProtocol = (typeof PORT_PROTOCOLS)[number];

/** A published port in the list view (GET /containers/json). */
export interface Port {
  /** Host address ("0.0.0.0", "::"); omitted when the port is exposed but not published. */
  IP?: string;
  PrivatePort: number;
  /** Omitted when not published. */
  PublicPort?: number;
  Type: PortProtocol;
}

export interface PortBinding {
  /** '' means all addresses. */
  HostIp: string;
  /** A string; '' means an ephemeral port. May be a range ("8000-8010") in requests. */
  HostPort: string;
}

/** "80/tcp" → bindings; null when the port is exposed but not published. */
export type PortMap = Record<string, PortBinding[] | null>;

// ---- config ------------------------------------------------------------------------------------------------

/** `Config` of container inspect; also the body of POST /commit. */
export interface ContainerConfig {
  Hostname: string;
  Domainname: string;
  /** "user", "uid", "user:group" or "uid:gid". */
  User: string;
  AttachStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  /** {"80/tcp": {}}. */
  ExposedPorts?: Record<string, EmptyObject>;
  Tty: boolean;
  OpenStdin: boolean;
  StdinOnce: boolean;
  /** "KEY=value". */
  Env: string[] | null;
  Cmd: string[] | null;
  Healthcheck?: HealthConfig;
  /** Windows only. */
  ArgsEscaped?: boolean;
  /** The reference as the user gave it ("busybox"), not the resolved ID. */
  Image: string;
  /** Anonymous volume mount points: {"/data": {}}. */
  Volumes: Record<string, EmptyObject> | null;
  WorkingDir: string;
  /** [""] in a request (`--entrypoint ""`) clears the image's entrypoint. */
  Entrypoint: string[] | null;
  NetworkDisabled?: boolean;
  /** Deprecated since API 1.44 in favour of EndpointSettings.MacAddress. */
  MacAddress?: string;
  OnBuild: string[] | null;
  Labels: Record<string, string> | null;
  /** "SIGTERM", "TERM" or a number as a string. */
  StopSignal?: string;
  /** Seconds; omitted means the daemon default (10). */
  StopTimeout?: number;
  Shell?: string[];
}

/** Body of POST /containers/create (query: name, platform). */
export type ContainerCreateRequest = DeepPartial<Omit<ContainerConfig, 'Cmd' | 'Entrypoint' | 'Shell'>> & {
  Cmd?: StrSlice;
  Entrypoint?: StrSlice;
  Shell?: StrSlice;
  HostConfig?: HostConfigRequest | null;
  NetworkingConfig?: DeepPartial<NetworkingConfig> | null;
};

export interface ContainerCreateResponse {
  Id: string;
  /** [] (never null) when there are none. */
  Warnings: string[];
}

// ---- state -------------------------------------------------------------------------------------------------

export const CONTAINER_STATES = ['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead'] as const;
export type ContainerStateStatus = (typeof CONTAINER_STATES)[number];

export const HEALTH_STATUSES = ['none', 'starting', 'healthy', 'unhealthy'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

export interface HealthcheckResult {
  /** RFC 3339 with nanoseconds. */
  Start: string;
  End: string;
  /** 0 healthy, 1 unhealthy, 2 reserved, anything else: the probe could not run. */
  ExitCode: number;
  Output: string;
}

export interface Health {
  Status: HealthStatus;
  FailingStreak: number;
  /** Last few results, oldest first; null before the first probe. */
  Log: HealthcheckResult[] | null;
}

export interface ContainerState {
  Status: ContainerStateStatus;
  Running: boolean;
  Paused: boolean;
  Restarting: boolean;
  /** Since the last start. */
  OOMKilled: boolean;
  Dead: boolean;
  /** 0 when not running. */
  Pid: number;
  ExitCode: number;
  Error: string;
  /** RFC 3339 with nanoseconds; "0001-01-01T00:00:00Z" (Go's zero time) when it never happened. */
  StartedAt: string;
  FinishedAt: string;
  /** Only for containers with a healthcheck. */
  Health?: Health;
}

// ---- network settings --------------------------------------------------------------------------------------

export interface Address {
  Addr: string;
  PrefixLen: number;
}

/** `NetworkSettings` of inspect. The top-level address fields mirror the default "bridge" network only. */
export interface NetworkSettings {
  Bridge: string;
  SandboxID: string;
  /** Path of the netns, e.g. /var/run/docker/netns/1f2e3d4c5b6a. */
  SandboxKey: string;
  Ports: PortMap | null;
  HairpinMode: boolean;
  LinkLocalIPv6Address: string;
  LinkLocalIPv6PrefixLen: number;
  /** Deprecated; always null. */
  SecondaryIPAddresses: Address[] | null;
  /** Deprecated; always null. */
  SecondaryIPv6Addresses: Address[] | null;
  EndpointID: string;
  Gateway: string;
  GlobalIPv6Address: string;
  GlobalIPv6PrefixLen: number;
  IPAddress: string;
  IPPrefixLen: number;
  IPv6Gateway: string;
  MacAddress: string;
  /** Network name → endpoint. */
  Networks: Record<string, EndpointSettings>;
}

// ---- inspect and list --------------------------------------------------------------------------------------

/** GET /containers/{id}/json. */
export interface ContainerInspectResponse {
  /** 64 hex characters. */
  Id: string;
  /** RFC 3339 with nanoseconds (the list view uses Unix seconds instead). */
  Created: string;
  Path: string;
  Args: string[];
  State: ContainerState;
  /** The image ID ("sha256:…"); Config.Image keeps the name the user gave. */
  Image: string;
  ResolvConfPath: string;
  HostnamePath: string;
  HostsPath: string;
  /** '' for logging drivers that keep no file. */
  LogPath: string;
  /** With the leading slash: "/web". */
  Name: string;
  RestartCount: number;
  Driver: string;
  Platform: string;
  ImageManifestDescriptor?: OCIDescriptor;
  MountLabel: string;
  ProcessLabel: string;
  AppArmorProfile: string;
  /** null when no exec is running. */
  ExecIDs: string[] | null;
  HostConfig: HostConfig;
  GraphDriver: DriverData;
  /** Only with ?size=1. */
  SizeRw?: number;
  SizeRootFs?: number;
  Mounts: MountPoint[];
  Config: ContainerConfig;
  NetworkSettings: NetworkSettings;
}

/** One element of GET /containers/json. */
export interface ContainerSummary {
  Id: string;
  /** With leading slashes: ["/web"] (links add "/other/alias" entries). */
  Names: string[];
  Image: string;
  ImageID: string;
  ImageManifestDescriptor?: OCIDescriptor;
  /** Path and args joined by spaces. */
  Command: string;
  /** Unix seconds. */
  Created: number;
  Ports: Port[] | null;
  /** Only with ?size=1, and omitted when 0. */
  SizeRw?: number;
  SizeRootFs?: number;
  Labels: Record<string, string> | null;
  State: ContainerStateStatus;
  /** Human text: "Up 5 minutes", "Exited (0) 2 hours ago", "Up 3 seconds (healthy)". */
  Status: string;
  HostConfig: {
    NetworkMode?: string;
    Annotations?: Record<string, string>;
  };
  NetworkSettings: { Networks: Record<string, EndpointSettings> | null } | null;
  Mounts: MountPoint[] | null;
}

// ---- small responses ---------------------------------------------------------------------------------------

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

/** POST /containers/{id}/wait (query: condition). */
export interface ContainerWaitResponse {
  StatusCode: number;
  Error?: { Message?: string };
}

/** GET /containers/{id}/top (query: ps_args). Each process is one string per title. */
export interface ContainerTopResponse {
  Titles: string[];
  Processes: string[][];
}

/** 0 modified, 1 added, 2 deleted. */
export type FilesystemChangeKind = 0 | 1 | 2;

export interface FilesystemChange {
  Path: string;
  Kind: FilesystemChangeKind;
}

/** GET /containers/{id}/changes: null, not [], when nothing changed. */
export type ContainerChangesResponse = FilesystemChange[] | null;

/** POST /containers/prune. */
export interface ContainerPruneResponse {
  ContainersDeleted: string[] | null;
  SpaceReclaimed: number;
}

/**
 * The base64-encoded JSON in the X-Docker-Container-Path-Stat header of HEAD/GET /containers/{id}/archive.
 * `mode` is a Go os.FileMode, not a POSIX st_mode: permission bits plus Go's type bits (directory 1<<31,
 * symlink 1<<27, …), so a 0755 directory is 2147484141.
 */
export interface PathStat {
  name: string;
  size: number;
  mode: number;
  /** RFC 3339. */
  mtime: string;
  /** Resolved target when the path is a symlink, else ''. */
  linkTarget: string;
}
