// GET /containers/{id}/stats (query: stream, one-shot): one JSON object per sample, snake_case keys.
// Nested objects are always present (Go's omitempty does not drop structs), but their fields are zero for a
// stopped container, and the cgroup v1 and v2 readers fill different subsets.

export interface ContainerThrottlingData {
  periods: number;
  throttled_periods: number;
  /** Nanoseconds. */
  throttled_time: number;
}

export interface ContainerCPUUsage {
  /** Nanoseconds. */
  total_usage: number;
  /** Omitted on cgroup v2. */
  percpu_usage?: number[];
  usage_in_kernelmode: number;
  usage_in_usermode: number;
}

/** CPU % as docker stats computes it: Δtotal_usage / Δsystem_cpu_usage × online_cpus × 100. */
export interface ContainerCPUStats {
  cpu_usage: ContainerCPUUsage;
  /** Host CPU time in nanoseconds (sum over all CPUs); omitted when 0. */
  system_cpu_usage?: number;
  online_cpus?: number;
  throttling_data: ContainerThrottlingData;
}

export interface ContainerMemoryStats {
  /** Bytes, including page cache; docker stats subtracts stats.inactive_file (v2) or total_inactive_file (v1). */
  usage?: number;
  /** cgroup v1 only. */
  max_usage?: number;
  /** The raw memory.stat counters; keys differ between cgroup v1 and v2. */
  stats?: Record<string, number>;
  /** cgroup v1: limit hits; cgroup v2: the "oom" count of memory.events. */
  failcnt?: number;
  /** The limit, or the host's memory when unlimited. */
  limit?: number;
  /** Windows only. */
  commitbytes?: number;
  commitpeakbytes?: number;
  privateworkingset?: number;
}

export interface ContainerBlkioStatEntry {
  major: number;
  minor: number;
  /** cgroup v1: "Read", "Write", "Sync", "Async", "Discard", "Total"; cgroup v2: "read", "write". */
  op: string;
  value: number;
}

/** Lists are null when not provided: cgroup v2 fills only io_service_bytes_recursive. */
export interface ContainerBlkioStats {
  io_service_bytes_recursive: ContainerBlkioStatEntry[] | null;
  io_serviced_recursive: ContainerBlkioStatEntry[] | null;
  io_queue_recursive: ContainerBlkioStatEntry[] | null;
  io_service_time_recursive: ContainerBlkioStatEntry[] | null;
  io_wait_time_recursive: ContainerBlkioStatEntry[] | null;
  io_merged_recursive: ContainerBlkioStatEntry[] | null;
  io_time_recursive: ContainerBlkioStatEntry[] | null;
  sectors_recursive: ContainerBlkioStatEntry[] | null;
}

export interface ContainerPidsStats {
  current?: number;
  limit?: number;
}

/** Windows only; an empty object on Linux. */
export interface ContainerStorageStats {
  read_count_normalized?: number;
  read_size_bytes?: number;
  write_count_normalized?: number;
  write_size_bytes?: number;
}

export interface ContainerNetworkStats {
  rx_bytes: number;
  rx_packets: number;
  rx_errors: number;
  rx_dropped: number;
  tx_bytes: number;
  tx_packets: number;
  tx_errors: number;
  tx_dropped: number;
  /** Windows only. */
  endpoint_id?: string;
  instance_id?: string;
}

export interface ContainerStatsResponse {
  /** With the leading slash: "/web". */
  name?: string;
  id?: string;
  /** RFC 3339 with nanoseconds. */
  read: string;
  /** Time of precpu_stats; "0001-01-01T00:00:00Z" on the first sample of a stream and with one-shot=1. */
  preread: string;
  pids_stats: ContainerPidsStats;
  blkio_stats: ContainerBlkioStats;
  /** Windows only; 0 on Linux. */
  num_procs: number;
  storage_stats: ContainerStorageStats;
  cpu_stats: ContainerCPUStats;
  /** The previous sample, zeroed when there is none. */
  precpu_stats: ContainerCPUStats;
  memory_stats: ContainerMemoryStats;
  /** Interface name → counters; omitted when the container has no network. */
  networks?: Record<string, ContainerNetworkStats>;
}
