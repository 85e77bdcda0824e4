// Volumes: the volume object, create options, list and prune responses. Cluster (CSI) volumes are Swarm-only
// and typed just far enough to pass them through.

export interface VolumeUsageData {
  /** Bytes; -1 when the driver cannot tell (anything but "local"). */
  Size: number;
  /** Containers using it; -1 when unknown. */
  RefCount: number;
}

export interface ClusterVolumeSpec {
  Group?: string;
  AccessMode?: {
    Scope?: 'single' | 'multi';
    Sharing?: 'none' | 'readonly' | 'onewriter' | 'all';
    MountVolume?: Record<string, unknown>;
    Secrets?: Array<{ Key?: string; Secret?: string }>;
    AccessibilityRequirements?: {
      Requisite?: Array<{ Segments?: Record<string, string> }>;
      Preferred?: Array<{ Segments?: Record<string, string> }>;
    };
    CapacityRange?: { RequiredBytes?: number; LimitBytes?: number };
    Availability?: 'active' | 'pause' | 'drain';
  };
}

export interface ClusterVolume {
  ID?: string;
  Version?: { Index?: number };
  CreatedAt?: string;
  UpdatedAt?: string;
  Spec?: ClusterVolumeSpec;
  Info?: {
    CapacityBytes?: number;
    VolumeContext?: Record<string, string>;
    VolumeID?: string;
    AccessibleTopology?: Array<{ Segments?: Record<string, string> }>;
  };
  PublishStatus?: Array<{ NodeID?: string; State?: string; PublishContext?: Record<string, string> }>;
}

/** GET /volumes/{name}, POST /volumes/create, and the elements of the list. */
export interface Volume {
  Name: string;
  Driver: string;
  /** Host path, e.g. /var/lib/docker/volumes/<name>/_data. */
  Mountpoint: string;
  /** RFC 3339. */
  CreatedAt?: string;
  /** Driver-specific details. */
  Status?: Record<string, unknown>;
  Labels: Record<string, string> | null;
  Scope: 'local' | 'global';
  ClusterVolume?: ClusterVolume;
  /** For "local": type, device, o as given with --opt. */
  Options: Record<string, string> | null;
  /** Only in GET /system/df. */
  UsageData?: VolumeUsageData;
}

/** Body of POST /volumes/create (every field omitempty; an empty body creates an anonymous-named volume). */
export interface VolumeCreateOptions {
  /** Generated (64 hex characters) when omitted. */
  Name?: string;
  Driver?: string;
  DriverOpts?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
  ClusterVolumeSpec?: ClusterVolumeSpec;
}

/** GET /volumes. */
export interface VolumeListResponse {
  Volumes: Volume[] | null;
  Warnings: string[] | null;
}

/** POST /volumes/prune (only anonymous volumes unless the filter all=true is given, since API 1.42). */
export interface VolumePruneResponse {
  VolumesDeleted: string[] | null;
  SpaceReclaimed: number;
}
