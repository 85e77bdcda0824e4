// The mounts that give a container its own /sys/fs/cgroup, as OCI mount entries for the runtime's mount
// code. They expose only the container's cgroup: through a cgroup namespace when it has one, otherwise
// by binding the container's directories over a private tmpfs.
import { basename, join } from 'node:path';

import type { Mount } from '../../spec/oci-runtime.js';
import type { CgroupLayout } from './detect.js';
import { v1Hierarchies } from './detect.js';
import { normalizeCgroupPath } from './plan.js';

export interface CgroupMountOptions {
  readonly: boolean;
  /** The container has its own cgroup namespace, so mounting cgroupfs shows its cgroup as the root. */
  cgroupns: boolean;
}

const FLAGS = ['nosuid', 'noexec', 'nodev'];

/**
 * v2: one cgroup2 mount. v1 and hybrid: a tmpfs at `destination` with one mount per v1 hierarchy under
 * it (named after the host's mountpoint, so co-mounted "cpu,cpuacct" is one mount; see cgroupSymlinks).
 * Hybrid hosts' cgroup2 mount is left out, as Docker does: the limits all live in v1.
 *
 * The tmpfs stays writable even when `readonly`, because the runtime must create the mountpoints in it;
 * a runtime that wants Docker's read-only tmpfs remounts it read-only after these mounts (runc does).
 */
export function cgroupMounts(layout: CgroupLayout, cgPath: string, destination: string, opts: CgroupMountOptions): Mount[] {
  const path = normalizeCgroupPath(cgPath);
  const ro = opts.readonly ? ['ro'] : [];
  if (layout.mode === 'v2') {
    return [{ destination, type: 'cgroup2', source: 'cgroup', options: [...FLAGS, ...ro] }];
  }
  const mounts: Mount[] = [{ destination, type: 'tmpfs', source: 'tmpfs', options: [...FLAGS, 'mode=755'] }];
  for (const [mountpoint, controllers] of v1Hierarchies(layout)) {
    const target = join(destination, basename(mountpoint));
    mounts.push(
      opts.cgroupns
        ? { destination: target, type: 'cgroup', source: 'cgroup', options: [...controllers, ...FLAGS, ...ro] }
        : { destination: target, type: 'bind', source: join(mountpoint, path), options: ['rbind', ...FLAGS, ...ro] },
    );
  }
  return mounts;
}

/**
 * Links that make each co-mounted controller reachable under its own name, as on the host
 * (/sys/fs/cgroup/cpu → cpu,cpuacct). The runtime creates them in the tmpfs after the mounts.
 */
export function cgroupSymlinks(layout: CgroupLayout, destination: string): Array<{ path: string; target: string }> {
  if (layout.mode === 'v2') return [];
  const out: Array<{ path: string; target: string }> = [];
  for (const [mountpoint, controllers] of v1Hierarchies(layout)) {
    const dir = basename(mountpoint);
    for (const c of controllers) {
      if (c !== dir && !c.startsWith('name=') && controllers.length > 1) out.push({ path: join(destination, c), target: dir });
    }
  }
  return out;
}
