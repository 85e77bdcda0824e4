// What the planners produce and the path rules they share. A plan is data: the manager executes it, unit
// tests compare it, and nothing in here touches the kernel.
import { join } from 'node:path';

import { invalidArgument } from '../../common/errors.js';
import type { CgroupLayout } from './detect.js';
import { v1Hierarchies } from './detect.js';

export interface CgroupPlan {
  /**
   * Every level of the cgroup in every hierarchy, parents first (mkdir -p, one level at a time so the
   * executor knows which ones it created). A write to `<dir's parent>/cgroup.subtree_control` is applied
   * before `dir` is created, so a new v2 cgroup is born with its controllers.
   */
  dirs: string[];
  /** In order; a kernel file each, one write(2) per entry. */
  writes: Array<[file: string, value: string]>;
  /** cgroup.procs files a new process must be written into. */
  procsFiles: string[];
  /**
   * v1 cpuset files (parents first) that start empty in a new cgroup and must be copied from the parent
   * before any process can join; applied after the dirs exist, before `writes`, only where still empty.
   */
  inherit: string[];
}

/** Facts about the host that a pure planner cannot read itself; the manager probes them. */
export interface PlanOptions {
  /** v1: memory.memsw.* exists (swap accounting on). Default true. */
  swapAccounting?: boolean;
  /**
   * v1: the cgroup's current memory.limit_in_bytes, -1 or undefined when unlimited (a new cgroup). The
   * kernel keeps limit ≤ memsw at every step, so it decides which of the two is written first.
   */
  currentMemoryLimit?: number;
  /** v1: blkio.weight exists (CFQ); when false, BFQ's blkio.bfq.weight is used. Default true. */
  blkioCfqWeight?: boolean;
  /** v2: io.bfq.weight exists (BFQ scheduler); it then takes the raw 10–1000 weight. Default false. */
  ioBfq?: boolean;
  /** v2: the root's cgroup.controllers. Default: cpuset cpu io memory pids hugetlb. */
  controllers?: string[];
}

export const DEFAULT_V2_CONTROLLERS = ['cpuset', 'cpu', 'io', 'memory', 'pids', 'hugetlb'];

/**
 * The cgroupfs path of OCI `linux.cgroupsPath`, normalised to "/a/b". A relative path is taken from the
 * hierarchy root; systemd's "slice:prefix:name" form is refused, as is anything that could leave the
 * hierarchy or name its root.
 */
export function normalizeCgroupPath(cgPath: string): string {
  if (!cgPath.startsWith('/') && cgPath.split(':').length === 3) {
    throw invalidArgument(`systemd cgroup driver is not supported (cgroupsPath "${cgPath}")`);
  }
  if (cgPath.includes('\0')) throw invalidArgument('cgroupsPath contains a NUL byte');
  const parts = cgPath.split('/').filter((p) => p !== '');
  if (parts.some((p) => p === '.' || p === '..')) {
    throw invalidArgument(`cgroupsPath "${cgPath}" must not contain "." or ".." components`);
  }
  if (parts.length === 0) throw invalidArgument(`cgroupsPath "${cgPath}" names no cgroup below the root`);
  return '/' + parts.join('/');
}

/** Each level of `path` under `root`, parents first: ("/m", "/a/b") → ["/m/a", "/m/a/b"]. */
export function levels(root: string, path: string): string[] {
  const parts = path.split('/').filter((p) => p !== '');
  return parts.map((_, i) => join(root, ...parts.slice(0, i + 1)));
}

/** The container's cgroup directory in every hierarchy it joins (v1 hierarchies, then cgroup2). */
export function leafDirs(layout: CgroupLayout, path: string): string[] {
  const out: string[] = [];
  if (layout.mode !== 'v2') for (const mountpoint of v1Hierarchies(layout).keys()) out.push(join(mountpoint, path));
  if (layout.unified !== undefined) out.push(join(layout.unified, path));
  return out;
}

/** The container's directory in the hierarchy of one v1 controller (undefined: not mounted). */
export function v1Leaf(layout: CgroupLayout, path: string, controller: string): string | undefined {
  const mountpoint = layout.mode === 'v2' ? undefined : layout.v1[controller];
  return mountpoint === undefined ? undefined : join(mountpoint, path);
}

export const isSet = (n: number | undefined): n is number => n !== undefined && n !== 0;

/** The page size part of a hugetlb knob name ("2MB", "1GB"), checked since it becomes a file name. */
export function hugepageSize(pageSize: string): string {
  if (!/^[0-9]+[KMGT]?B$/.test(pageSize)) throw invalidArgument(`invalid hugepage size "${pageSize}"`);
  return pageSize;
}
