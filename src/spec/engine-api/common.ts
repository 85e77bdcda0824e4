// Shapes shared by several Engine API resources: errors, filters, mounts, devices, limits, OCI descriptors.
// Field names are Docker's (moby api/swagger.yaml v1.50 and the Go types of Docker 28.2 behind it).

/** Body of every non-2xx response. */
export interface ErrorResponse {
  message: string;
}

/** `{"Id": …}`: exec create, commit, secret/config create. */
export interface IdResponse {
  Id: string;
}

/** Docker's `{}` placeholder value in ExposedPorts and Volumes (`{"80/tcp": {}}`). */
export type EmptyObject = Record<string, never>;

/**
 * Docker's StrSlice: request bodies may carry a single string where an array is meant
 * (`"Cmd": "echo hi"` is `["echo hi"]`, not split). Responses always carry an array or null.
 */
export type StrSlice = string | string[] | null;

/**
 * A request body as clients send it: any subset of the fields, nested objects too (Go's decoder zero-fills
 * what is missing; dockerode sends only what its caller set). Arrays and tuples keep their element types.
 */
export type DeepPartial<T> = T extends readonly unknown[]
  ? { [K in keyof T]: DeepPartial<T[K]> }
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

// ---- filters -----------------------------------------------------------------------------------------------

/** The `filters` query parameter once decoded and normalised: filter name → accepted values. */
export type Filters = Record<string, string[]>;

/** The form Docker's own Go client (docker CLI, compose) sends: `{"label": {"a=b": true}}`. */
export type FiltersMapForm = Record<string, Record<string, boolean>>;

/**
 * The list form, `{"label": ["a=b"]}`. Docker's decoder calls this the legacy form and falls back to it when
 * the map form fails to parse; dockerode passes whatever its caller wrote, usually this one.
 */
export type FiltersListForm = Record<string, string[]>;

/** What may arrive, JSON-encoded, in `?filters=`. */
export type FiltersParam = FiltersMapForm | FiltersListForm;

// ---- restart, logging, limits ------------------------------------------------------------------------------

export const RESTART_POLICY_NAMES = ['', 'no', 'always', 'unless-stopped', 'on-failure'] as const;
export type RestartPolicyName = (typeof RESTART_POLICY_NAMES)[number];

export interface RestartPolicy {
  /** '' is stored as 'no' by the daemon at create time. */
  Name: RestartPolicyName;
  /** Only meaningful with 'on-failure'; 0 there means retry forever. */
  MaximumRetryCount: number;
}

/** Built-in logging drivers; `Type` may also name a logging plugin. */
export const LOG_DRIVERS = [
  'json-file',
  'local',
  'none',
  'syslog',
  'journald',
  'gelf',
  'fluentd',
  'awslogs',
  'splunk',
  'etwlogs',
  'gcplogs',
] as const;

export interface LogConfig {
  /** '' means the daemon's default driver. */
  Type: string;
  Config: Record<string, string> | null;
}

export interface Ulimit {
  Name: string;
  Hard: number;
  Soft: number;
}

export interface ThrottleDevice {
  Path: string;
  Rate: number;
}

export interface WeightDevice {
  Path: string;
  Weight: number;
}

export interface DeviceMapping {
  PathOnHost: string;
  PathInContainer: string;
  /** Like "rwm". */
  CgroupPermissions: string;
}

export interface DeviceRequest {
  Driver: string;
  /** -1 means all devices. */
  Count: number;
  DeviceIDs: string[] | null;
  /** An OR list of AND lists, e.g. [["gpu", "nvidia"]]. */
  Capabilities: string[][] | null;
  Options: Record<string, string> | null;
}

// ---- mounts (HostConfig.Mounts, the --mount form) ----------------------------------------------------------

export const MOUNT_TYPES = ['bind', 'volume', 'tmpfs', 'npipe', 'cluster', 'image'] as const;
export type MountType = (typeof MOUNT_TYPES)[number];

export const MOUNT_PROPAGATIONS = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'] as const;
export type MountPropagation = (typeof MOUNT_PROPAGATIONS)[number];

export type MountConsistency = 'default' | 'consistent' | 'cached' | 'delegated';

export interface BindOptions {
  Propagation?: MountPropagation;
  NonRecursive?: boolean;
  CreateMountpoint?: boolean;
  /** Read-only, but only the top mount (since API 1.44 ReadOnly is recursive where the kernel allows). */
  ReadOnlyNonRecursive?: boolean;
  /** Fail instead of falling back when a recursive read-only mount is impossible. */
  ReadOnlyForceRecursive?: boolean;
}

export interface VolumeDriverConfig {
  Name?: string;
  Options?: Record<string, string>;
}

export interface VolumeOptions {
  NoCopy?: boolean;
  Labels?: Record<string, string>;
  /** Relative path inside the volume, without `..`. */
  Subpath?: string;
  DriverConfig?: VolumeDriverConfig;
}

export interface ImageMountOptions {
  Subpath?: string;
}

export interface TmpfsOptions {
  SizeBytes?: number;
  /** Permission bits as a plain number: 0o1777 is sent as 1023. */
  Mode?: number;
  /** Extra mount options as [name] or [name, value] pairs, e.g. [["noexec"]]. */
  Options?: string[][];
}

/** Every field is omitempty in Docker's encoder. */
export interface Mount {
  Type?: MountType;
  /** Volume name or host path; must be empty for tmpfs. */
  Source?: string;
  Target?: string;
  ReadOnly?: boolean;
  Consistency?: MountConsistency;
  BindOptions?: BindOptions;
  VolumeOptions?: VolumeOptions;
  ImageOptions?: ImageMountOptions;
  TmpfsOptions?: TmpfsOptions;
  /** Swarm cluster volumes; an empty object today. */
  ClusterOptions?: EmptyObject;
}

/** A mount as reported by inspect and list (`Mounts` of ContainerInspectResponse and ContainerSummary). */
export interface MountPoint {
  Type?: MountType;
  /** Volume name; omitted for binds. */
  Name?: string;
  /** Host path (for volumes, the volume's _data directory); '' for tmpfs. */
  Source: string;
  Destination: string;
  Driver?: string;
  /** The options as the user gave them in -v ("z", "ro", …); '' for --mount. */
  Mode: string;
  RW: boolean;
  Propagation: MountPropagation | '';
}

// ---- healthcheck (container and image config) --------------------------------------------------------------

/** Durations are nanoseconds; 0 means "inherit from the image". Every field is omitempty. */
export interface HealthConfig {
  /** [] inherit, ["NONE"] disable, ["CMD", arg…] exec, ["CMD-SHELL", command] via the shell. */
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  /** Consecutive failures before "unhealthy"; 0 means inherit (default 3). */
  Retries?: number;
}

// ---- storage driver and OCI descriptors --------------------------------------------------------------------

/** `GraphDriver` of container and image inspect: e.g. {Name: "overlay2", Data: {LowerDir, UpperDir, …}}. */
export interface DriverData {
  Name: string;
  Data: Record<string, string> | null;
}

export interface OCIPlatform {
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
}

export interface OCIDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  /** Base64 of the embedded content. */
  data?: string;
  platform?: OCIPlatform;
  artifactType?: string;
}

/** Swarm generic resources, also reported by /info. */
export type GenericResources = Array<{
  NamedResourceSpec?: { Kind?: string; Value?: string };
  DiscreteResourceSpec?: { Kind?: string; Value?: number };
}>;
