// A container's resolved mount, kept in its record: what inspect shows as Mounts and what start turns into
// OCI mounts. Field meanings follow moby's MountPoint.

export interface MountPointRecord {
  type: 'bind' | 'volume' | 'tmpfs';
  /** Volume name (volumes only). */
  name?: string;
  /** Host path: the bind source or the volume's _data; '' for tmpfs. */
  source: string;
  destination: string;
  driver?: string;
  /** `-v` mode string; "z" for local volumes given without one (moby's setBindModeIfNull). */
  mode: string;
  rw: boolean;
  propagation: string;
  /** Copy the image's content into the volume while it is empty. */
  copyData: boolean;
  /** Bind: non-recursive (--mount bind-recursive=disabled). */
  nonRecursive?: boolean;
  /** tmpfs: size and mode from --mount. */
  tmpfs?: { sizeBytes?: number; mode?: number };
}

/** What the volume code reads of a container record. */
export interface VolumeUser {
  id: string;
  mountPoints?: MountPointRecord[];
}
