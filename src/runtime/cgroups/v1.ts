// Pure planner for cgroup v1 (and hybrid hosts, whose controllers are all v1): OCI resources → the
// directories and knob writes runc's cgroupfs driver would make, in an order the kernel accepts.
import { join } from 'node:path';

import { invalidArgument } from '../../common/errors.js';
import type { BlockIO, Cpu, DeviceCgroup, Memory, Resources } from '../../spec/oci-runtime.js';
import type { CgroupLayout } from './detect.js';
import { v1Hierarchies } from './detect.js';
import type { CgroupPlan, PlanOptions } from './plan.js';
import { hugepageSize, isSet, levels, normalizeCgroupPath } from './plan.js';

type Push = (file: string, value: string) => void;

export function planV1(layout: CgroupLayout, cgPath: string, resources: Resources = {}, opts: PlanOptions = {}): CgroupPlan {
  if (layout.mode === 'v2') throw invalidArgument('planV1 needs a cgroup v1 or hybrid host');
  const path = normalizeCgroupPath(cgPath);
  if (resources.unified !== undefined && Object.keys(resources.unified).length > 0) {
    throw invalidArgument('linux.resources.unified needs cgroup v2, but this host uses cgroup v1');
  }
  const plan: CgroupPlan = { dirs: [], writes: [], procsFiles: [], inherit: [] };
  for (const [mountpoint, controllers] of v1Hierarchies(layout)) {
    const dirs = levels(mountpoint, path);
    plan.dirs.push(...dirs);
    plan.procsFiles.push(join(mountpoint, path, 'cgroup.procs'));
    if (controllers.includes('cpuset')) {
      for (const d of dirs) plan.inherit.push(join(d, 'cpuset.cpus'), join(d, 'cpuset.mems'));
    }
  }
  // Hybrid: the limits live in v1, but tools that only read cgroup2 (systemd, /proc/<pid>/cgroup's
  // "0::" line) should find the container in its own cgroup there too.
  if (layout.mode === 'hybrid' && layout.unified !== undefined) {
    plan.dirs.push(...levels(layout.unified, path));
    plan.procsFiles.push(join(layout.unified, path, 'cgroup.procs'));
  }

  const at = (controller: string, what: string): Push => {
    const mountpoint = layout.v1[controller];
    if (mountpoint === undefined) throw invalidArgument(`${what} needs the ${controller} cgroup controller, which is not mounted`);
    return (file, value) => plan.writes.push([join(mountpoint, path, file), value]);
  };

  const { cpu, memory, pids, blockIO, devices, hugepageLimits } = resources;
  if (cpu?.cpus || cpu?.mems) {
    const push = at('cpuset', 'cpu.cpus/cpu.mems');
    if (cpu.cpus) push('cpuset.cpus', cpu.cpus);
    if (cpu.mems) push('cpuset.mems', cpu.mems);
  }
  if (devices !== undefined && devices.length > 0) {
    const push = at('devices', 'linux.resources.devices');
    for (const rule of devices) push(rule.allow ? 'devices.allow' : 'devices.deny', deviceRuleLine(rule));
  }
  if (memory !== undefined && hasMemory(memory)) planMemory(memory, opts, at('memory', 'memory limits'));
  if (cpu !== undefined && hasCpu(cpu)) planCpu(cpu, at('cpu', 'cpu limits'));
  if (pids !== undefined) at('pids', 'pids.limit')('pids.max', pids.limit > 0 ? String(pids.limit) : 'max');
  if (blockIO !== undefined && hasBlockIO(blockIO)) planBlkio(blockIO, opts, at('blkio', 'blockIO limits'));
  if (hugepageLimits !== undefined && hugepageLimits.length > 0) {
    const push = at('hugetlb', 'hugepageLimits');
    for (const h of hugepageLimits) push(`hugetlb.${hugepageSize(h.pageSize)}.limit_in_bytes`, String(h.limit));
  }
  return plan;
}

/** A devices.allow/devices.deny line: "c 1:3 rwm"; a rule of type "a" (or none) means every device. */
export function deviceRuleLine(rule: DeviceCgroup): string {
  const type = rule.type ?? 'a';
  if (!['a', 'b', 'c'].includes(type)) throw invalidArgument(`invalid device cgroup type "${type}"`);
  const access = rule.access ?? 'rwm';
  if (!/^[rwm]{1,3}$/.test(access)) throw invalidArgument(`invalid device cgroup access "${access}"`);
  // The kernel reads "a" as all devices with all access and ignores what follows.
  if (type === 'a') return 'a';
  const num = (n: number | null | undefined) => (n === undefined || n === null || n < 0 ? '*' : String(n));
  return `${type} ${num(rule.major)}:${num(rule.minor)} ${access}`;
}

const hasMemory = (m: Memory) =>
  isSet(m.limit) || isSet(m.swap) || isSet(m.reservation) || isSet(m.kernelTCP) ||
  (m.swappiness !== undefined && m.swappiness !== -1) || m.disableOOMKiller === true;

function planMemory(m: Memory, opts: PlanOptions, push: Push): void {
  const limit = m.limit ?? 0;
  let swap = m.swap ?? 0;
  // "memory unlimited" without a word on swap means memory+swap unlimited too, or the old memsw
  // limit would keep capping the cgroup.
  if (limit === -1 && swap === 0 && opts.swapAccounting !== false) swap = -1;
  if (swap > 0 && (limit === -1 || (limit > 0 && swap < limit))) {
    throw invalidArgument('memory+swap limit should be >= memory limit');
  }
  const setLimit = () => { if (limit !== 0) push('memory.limit_in_bytes', String(limit)); };
  const setSwap = () => { if (swap !== 0) push('memory.memsw.limit_in_bytes', String(swap)); };
  // The kernel insists on limit ≤ memsw after each write: when memsw grows past the current limit it
  // must go first, when it shrinks the limit must.
  const current = opts.currentMemoryLimit ?? -1;
  if (limit !== 0 && swap !== 0 && (swap === -1 || (current !== -1 && current < swap))) {
    setSwap();
    setLimit();
  } else {
    setLimit();
    setSwap();
  }
  if (isSet(m.reservation)) push('memory.soft_limit_in_bytes', String(m.reservation));
  if (isSet(m.kernelTCP)) push('memory.kmem.tcp.limit_in_bytes', String(m.kernelTCP));
  if (m.swappiness !== undefined && m.swappiness !== -1) {
    if (m.swappiness < 0 || m.swappiness > 100) {
      throw invalidArgument(`invalid value:${m.swappiness}. valid memory swappiness range is 0-100`);
    }
    push('memory.swappiness', String(m.swappiness));
  }
  if (m.disableOOMKiller === true) push('memory.oom_control', '1');
}

const hasCpu = (c: Cpu) =>
  isSet(c.shares) || isSet(c.quota) || isSet(c.period) || isSet(c.realtimePeriod) || isSet(c.realtimeRuntime) ||
  c.idle !== undefined;

function planCpu(c: Cpu, push: Push): void {
  if (isSet(c.shares)) push('cpu.shares', String(c.shares));
  // Period before quota, as runc: a new quota is checked against the period already in place.
  if (isSet(c.period)) push('cpu.cfs_period_us', String(c.period));
  if (isSet(c.quota)) push('cpu.cfs_quota_us', String(c.quota));
  if (isSet(c.realtimePeriod)) push('cpu.rt_period_us', String(c.realtimePeriod));
  if (isSet(c.realtimeRuntime)) push('cpu.rt_runtime_us', String(c.realtimeRuntime));
  if (c.idle !== undefined) push('cpu.idle', String(c.idle));
}

const hasBlockIO = (b: BlockIO) =>
  isSet(b.weight) || isSet(b.leafWeight) || (b.weightDevice?.length ?? 0) > 0 ||
  (b.throttleReadBpsDevice?.length ?? 0) > 0 || (b.throttleWriteBpsDevice?.length ?? 0) > 0 ||
  (b.throttleReadIOPSDevice?.length ?? 0) > 0 || (b.throttleWriteIOPSDevice?.length ?? 0) > 0;

function planBlkio(b: BlockIO, opts: PlanOptions, push: Push): void {
  // CFQ (gone since Linux 5.0) offered blkio.weight; BFQ offers the same knobs under blkio.bfq.*.
  const weightFile = opts.blkioCfqWeight === false ? 'blkio.bfq.weight' : 'blkio.weight';
  if (isSet(b.weight)) push(weightFile, String(b.weight));
  if (isSet(b.leafWeight)) push('blkio.leaf_weight', String(b.leafWeight));
  for (const d of b.weightDevice ?? []) {
    if (isSet(d.weight)) push(`${weightFile}_device`, `${d.major}:${d.minor} ${d.weight}`);
    if (isSet(d.leafWeight)) push('blkio.leaf_weight_device', `${d.major}:${d.minor} ${d.leafWeight}`);
  }
  const throttles = [
    ['blkio.throttle.read_bps_device', b.throttleReadBpsDevice],
    ['blkio.throttle.write_bps_device', b.throttleWriteBpsDevice],
    ['blkio.throttle.read_iops_device', b.throttleReadIOPSDevice],
    ['blkio.throttle.write_iops_device', b.throttleWriteIOPSDevice],
  ] as const;
  for (const [file, list] of throttles) for (const t of list ?? []) push(file, `${t.major}:${t.minor} ${t.rate}`);
}
