// Container cgroups: finding the host's cgroup hierarchies (v1, v2, hybrid), turning OCI
// linux.resources into cgroup writes (pure planners), applying them, and freezing, killing, measuring and
// removing a container's cgroup; plus the mounts that show a container its own cgroup.
//
// It must not: start or join processes (the runtime's C helper writes pids into procsFiles()), enforce
// device rules on v2 (that is a BPF program owned by the runtime's device code; planV2 only hands the
// rules back), drive systemd (only the cgroupfs driver exists), or touch the kernel except through the
// injected CgroupFs.
export type { CgroupFs, DirEntry } from './fs.js';
export { nodeCgroupFs, syncCgroupFs } from './fs.js';
export type { FakeCall, FakeOp } from './fake-fs.js';
export { FakeCgroupFs } from './fake-fs.js';
export type { CgroupLayout, CgroupMode, MountinfoEntry } from './detect.js';
export { detectLayout, loadLayout, parseMountinfo, v1Hierarchies } from './detect.js';
export type { CgroupPlan, PlanOptions } from './plan.js';
export { leafDirs, normalizeCgroupPath } from './plan.js';
export { blkioWeightToIoWeight, sharesToWeight, swapToV2 } from './convert.js';
export { deviceRuleLine, planV1 } from './v1.js';
export type { V2Plan } from './v2.js';
export { planV2 } from './v2.js';
export type { ManagerOptions } from './manager.js';
export { CgroupManager, planCgroup } from './manager.js';
export type { BlkioEntry, CgroupStats } from './stats.js';
export { parseBlkioV1, parseFlatKeyed, parseIoStat, parseLimit, statsV1, statsV2 } from './stats.js';
export type { CgroupMountOptions } from './mounts.js';
export { cgroupMounts, cgroupSymlinks } from './mounts.js';
