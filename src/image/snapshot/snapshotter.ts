// What a container's filesystem needs from a snapshotter: a writable layer of its own over an image's
// layers (prepare), a read-only stack (view), its removal and its size. The snapshotter only makes
// directories and describes the mount; who mounts it, and in which mount namespace, is the runtime's
// business (berthd mounts nothing on the host).

/**
 * A mount to perform, in containerd's shape plus a base directory: relative paths in `options` (the short
 * lowerdir names) resolve against `baseDir`, so whoever mounts it changes into `baseDir` first. The mount
 * point is the caller's choice (`paths(key).merged` is made for it).
 */
export interface SnapshotMount {
  type: 'overlay';
  source: 'overlay';
  baseDir: string;
  /** mount(2) options, joined with ',' into its data string: `lowerdir=l/A:l/B`, `upperdir=…`, `workdir=…`. */
  options: string[];
}

export interface SnapshotPaths {
  /** The snapshot's own directory: remove(key) deletes it. */
  dir: string;
  upper: string;
  work: string;
  merged: string;
}

export interface SnapshotUsage {
  /** Bytes of the files in the writable layer (each hard-linked file once; directories count 0), as Docker's SizeRw. */
  size: number;
  /** Entries in the writable layer. */
  inodes: number;
}

export interface Snapshotter {
  /**
   * Makes the writable snapshot `key` over `parents` (layer directories, bottom first) and describes its mount.
   * Idempotent: a container's start calls it again to get the description (and repair what it links to).
   */
  prepare(key: string, parents: readonly string[]): Promise<SnapshotMount>;
  /** A read-only stack of `parents` (bottom first), with no layer of its own: only `merged` is made. */
  view(key: string, parents: readonly string[]): Promise<SnapshotMount>;
  /** Removes the snapshot's directory; nothing to remove is not an error. */
  remove(key: string): Promise<void>;
  /** The size of the writable layer; a missing snapshot is `not-found`. */
  usage(key: string): Promise<SnapshotUsage>;
  paths(key: string): SnapshotPaths;
}

/** overlayfs stacks at most this many lower layers (OVL_MAX_STACK). */
export const MAX_LAYERS = 500;
