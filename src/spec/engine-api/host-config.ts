// HostConfig: the host-dependent half of a container's configuration, and the Resources it embeds (which
// POST /containers/{id}/update takes on its own). Docker flattens Resources into HostConfig on the wire.
// The interfaces describe what inspect returns; request bodies use DeepPartial of them.

import type {
  DeepPartial,
  DeviceMapping,
  DeviceRequest,
  LogConfig,
  Mount,
  RestartPolicy,
  ThrottleDevice,
  Ulimit,
  WeightDevice,
} from './common.js';
import type { PortMap } from './container.js';

export type CgroupnsMode = '' | 'private' | 'host';
export type IpcMode = '' | 'none' | 'private' | 'shareable' | 'host' | `container:${string}`;
export type PidMode = '' | 'host' | `container:${string}`;
export type UTSMode = '' | 'host';
export type UsernsMode = '' | 'host';
export type Isolation = '' | 'default' | 'process' | 'hyperv';

export interface Resources {
  /** Relative weight (cgroup v1 shares, mapped to cpu.weight on v2); 0 means the default 1024. */
  CpuShares: number;
  /** Bytes; 0 means unlimited. */
  Memory: number;
  /** CPUs × 1e9 (--cpus 1.5 is 1500000000); 0 means unlimited. Conflicts with CpuPeriod/CpuQuota. */
  NanoCpus: number;
  CgroupParent: string;
  /** 10–1000; 0 means unset. */
  BlkioWeight: number;
  BlkioWeightDevice: WeightDevice[] | null;
  BlkioDeviceReadBps: ThrottleDevice[] | null;
  BlkioDeviceWriteBps: ThrottleDevice[] | null;
  BlkioDeviceReadIOps: ThrottleDevice[] | null;
  BlkioDeviceWriteIOps: ThrottleDevice[] | null;
  /** Microseconds. */
  CpuPeriod: number;
  /** Microseconds per CpuPeriod; 0 or -1 means unlimited. */
  CpuQuota: number;
  CpuRealtimePeriod: number;
  CpuRealtimeRuntime: number;
  /** e.g. "0-3" or "0,1". */
  CpusetCpus: string;
  CpusetMems: string;
  Devices: DeviceMapping[] | null;
  DeviceCgroupRules: string[] | null;
  DeviceRequests: DeviceRequest[] | null;
  /** Deprecated and ignored since API 1.42; omitted when 0. */
  KernelMemory?: number;
  /** Omitted when 0; runc no longer supports it. */
  KernelMemoryTCP?: number;
  MemoryReservation: number;
  /** Memory + swap in bytes; -1 unlimited swap. 0 with Memory set means as much swap as memory: stored as 2×Memory. */
  MemorySwap: number;
  /** 0–100; -1 in a request means unset, which the daemon stores as null. */
  MemorySwappiness: number | null;
  /** null when unset, and whenever the kernel cannot disable the OOM killer (all of cgroup v2). */
  OomKillDisable: boolean | null;
  /** 0 or -1 mean unlimited; the daemon stores both as null at create time. */
  PidsLimit: number | null;
  Ulimits: Ulimit[] | null;
  /** Windows only. */
  CpuCount: number;
  /** Windows only. */
  CpuPercent: number;
  /** Windows only. */
  IOMaximumIOps: number;
  /** Windows only. */
  IOMaximumBandwidth: number;
}

export interface HostConfig extends Resources {
  /** "host-src:container-dest[:options]" or "volume-name:container-dest[:options]". */
  Binds: string[] | null;
  ContainerIDFile: string;
  LogConfig: LogConfig;
  /**
   * 'default' (what the CLI sends without --network; the daemon stores it as 'bridge'), 'host', 'none',
   * 'container:<id>', or a network name.
   */
  NetworkMode: string;
  PortBindings: PortMap | null;
  RestartPolicy: RestartPolicy;
  AutoRemove: boolean;
  VolumeDriver: string;
  /** "<container>[:ro|rw]". */
  VolumesFrom: string[] | null;
  /** [height, width]; [0, 0] when not set. */
  ConsoleSize: [number, number];
  Annotations?: Record<string, string>;
  CapAdd: string[] | null;
  CapDrop: string[] | null;
  CgroupnsMode: CgroupnsMode;
  Dns: string[] | null;
  DnsOptions: string[] | null;
  DnsSearch: string[] | null;
  /** "hostname:IP"; "host-gateway" as IP means the daemon's host-gateway address. */
  ExtraHosts: string[] | null;
  GroupAdd: string[] | null;
  IpcMode: IpcMode;
  /** '' or 'container:<id>'. */
  Cgroup: string;
  /** "name:alias". */
  Links: string[] | null;
  OomScoreAdj: number;
  PidMode: PidMode;
  Privileged: boolean;
  PublishAllPorts: boolean;
  ReadonlyRootfs: boolean;
  /** "label=…", "apparmor=…", "seccomp=<json or unconfined>", "no-new-privileges[=true]", … */
  SecurityOpt: string[] | null;
  StorageOpt?: Record<string, string>;
  /** Mount point → mount options, e.g. {"/run": "rw,noexec,size=65536k"}. */
  Tmpfs?: Record<string, string>;
  UTSMode: UTSMode;
  UsernsMode: UsernsMode;
  /** Bytes; 0 means the daemon default (64 MiB), and inspect then shows that default. */
  ShmSize: number;
  Sysctls?: Record<string, string>;
  Runtime?: string;
  Isolation: Isolation;
  Mounts?: Mount[];
  /** null means "use the default set"; [] (from --security-opt systempaths=unconfined) means none. */
  MaskedPaths: string[] | null;
  ReadonlyPaths: string[] | null;
  /** Omitted unless --init / --init=false was given. */
  Init?: boolean | null;
}

/** HostConfig as clients send it: any subset (dockerode often sends just Binds and PortBindings). */
export type HostConfigRequest = DeepPartial<Omit<HostConfig, 'CapAdd' | 'CapDrop'>> & {
  /** StrSlice: a single string is accepted. */
  CapAdd?: string | string[] | null;
  CapDrop?: string | string[] | null;
};

/** Body of POST /containers/{id}/update. */
export type ContainerUpdateRequest = DeepPartial<Resources> & { RestartPolicy?: DeepPartial<RestartPolicy> };

export interface ContainerUpdateResponse {
  Warnings: string[] | null;
}
