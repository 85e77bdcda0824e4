// Pure planner for pure cgroup v2 hosts: OCI resources → directories and knob writes, with runc's
// conversions from the v1-flavoured OCI values.
//
// Device rules are not files on v2: the kernel enforces them with a BPF_PROG_TYPE_CGROUP_DEVICE program
// attached to the cgroup. This planner hands the rules back untouched in `deviceRules`; compiling and
// attaching that program is the job of the runtime's device code, not of this module.
import { join } from 'node:path';

import { internal, invalidArgument } from '../../common/errors.js';
import type { BlockIO, Cpu, DeviceCgroup, Memory, Resources } from '../../spec/oci-runtime.js';
import { blkioWeightToIoWeight, sharesToWeight, swapToV2, v2Limit } from './convert.js';
import type { CgroupLayout } from './detect.js';
import type { CgroupPlan, PlanOptions } from './plan.js';
import { DEFAULT_V2_CONTROLLERS, hugepageSize, isSet, levels, normalizeCgroupPath } from './plan.js';

export interface V2Plan extends CgroupPlan {
  /** linux.resources.devices, unchanged, for the BPF device filter. */
  deviceRules: DeviceCgroup[];
}

type Push = (file: string, value: string) => void;

/** Controllers enabled for the container, in the order they are written to cgroup.subtree_control. */
const ENABLE = ['cpu', 'memory', 'pids', 'io', 'cpuset'];

export function planV2(layout: CgroupLayout, cgPath: string, resources: Resources = {}, opts: PlanOptions = {}): V2Plan {
  if (layout.mode !== 'v2' || layout.unified === undefined) throw internal('planV2 needs a pure cgroup v2 host');
  const root = layout.unified;
  const path = normalizeCgroupPath(cgPath);
  const leaf = join(root, path);
  const dirs = levels(root, path);
  const plan: V2Plan = {
    dirs,
    writes: [],
    procsFiles: [join(leaf, 'cgroup.procs')],
    inherit: [],
    deviceRules: [...(resources.devices ?? [])],
  };

  const available = new Set(opts.controllers ?? DEFAULT_V2_CONTROLLERS);
  const wanted = [...ENABLE, ...((resources.hugepageLimits?.length ?? 0) > 0 ? ['hugetlb'] : [])];
  const enable = wanted.filter((c) => available.has(c)).map((c) => `+${c}`).join(' ');
  // Every ancestor, from the root down to the leaf's parent; never the leaf itself, which holds the
  // processes ("no internal processes" forbids enabling controllers below a cgroup with members).
  if (enable !== '') for (const d of [root, ...dirs.slice(0, -1)]) plan.writes.push([join(d, 'cgroup.subtree_control'), enable]);

  const at = (controller: string, what: string): Push => {
    if (!available.has(controller)) throw invalidArgument(`${what} needs the ${controller} cgroup controller, which this host does not offer`);
    return (file, value) => plan.writes.push([join(leaf, file), value]);
  };

  const { cpu, memory, pids, blockIO, hugepageLimits, unified } = resources;
  if (cpu?.cpus || cpu?.mems) {
    const push = at('cpuset', 'cpu.cpus/cpu.mems');
    if (cpu.cpus) push('cpuset.cpus', cpu.cpus);
    if (cpu.mems) push('cpuset.mems', cpu.mems);
  }
  if (memory !== undefined && (isSet(memory.limit) || isSet(memory.swap) || isSet(memory.reservation))) {
    planMemory(memory, opts, at('memory', 'memory limits'));
  }
  // The whole container dies together on OOM, as users of v1 expect, instead of losing one process.
  if (available.has('memory')) plan.writes.push([join(leaf, 'memory.oom.group'), '1']);
  if (cpu !== undefined) planCpu(cpu, () => at('cpu', 'cpu limits'));
  if (pids !== undefined) at('pids', 'pids.limit')('pids.max', pids.limit > 0 ? String(pids.limit) : 'max');
  if (blockIO !== undefined) planIo(blockIO, opts, () => at('io', 'blockIO limits'));
  if (hugepageLimits !== undefined && hugepageLimits.length > 0) {
    const push = at('hugetlb', 'hugepageLimits');
    for (const h of hugepageLimits) push(`hugetlb.${hugepageSize(h.pageSize)}.max`, String(h.limit));
  }
  for (const [key, value] of Object.entries(unified ?? {})) {
    if (key === '' || key.includes('/') || key === '.' || key === '..' || !key.includes('.')) {
      throw invalidArgument(`invalid unified cgroup key "${key}"`);
    }
    plan.writes.push([join(leaf, key), value]);
  }
  return plan;
}

function planMemory(m: Memory, opts: PlanOptions, push: Push): void {
  const limit = m.limit ?? 0;
  const swap = swapToV2(m.swap ?? 0, limit);
  let swapValue = swap === 0 ? '' : v2Limit(swap);
  // swap == memory: no swap at all, which v2 spells 0 (an empty write would mean the same, never risk it).
  if (swap === 0 && isSet(m.swap) && m.swap > 0) swapValue = '0';
  // Without swap accounting there is no memory.swap.max; "unlimited" or "none" asks for nothing then.
  const skipSwap = opts.swapAccounting === false && (swapValue === 'max' || swapValue === '0');
  if (swapValue !== '' && !skipSwap) push('memory.swap.max', swapValue);
  if (limit !== 0) push('memory.max', v2Limit(limit));
  if (isSet(m.reservation)) push('memory.low', v2Limit(m.reservation));
  // swappiness, kernelTCP and disableOOMKiller have no v2 knob; runc ignores them there as well.
}

function planCpu(c: Cpu, at: () => Push): void {
  if (isSet(c.realtimePeriod) || isSet(c.realtimeRuntime)) {
    throw invalidArgument('realtime CPU limits (cpu.realtimePeriod/realtimeRuntime) need cgroup v1');
  }
  if (isSet(c.shares)) at()('cpu.weight', String(sharesToWeight(c.shares)));
  if (isSet(c.quota) || isSet(c.period)) {
    let value = c.quota !== undefined && c.quota > 0 ? String(c.quota) : 'max';
    if (isSet(c.period)) value += ` ${c.period}`;
    at()('cpu.max', value);
  }
  if (c.idle !== undefined) at()('cpu.idle', String(c.idle));
}

function planIo(b: BlockIO, opts: PlanOptions, at: () => Push): void {
  // BFQ's own knob takes blkio's 10–1000 scale; the generic io.weight wants 1–10000.
  const bfq = opts.ioBfq === true;
  const weight = (w: number) => String(bfq ? w : blkioWeightToIoWeight(w));
  const weightFile = bfq ? 'io.bfq.weight' : 'io.weight';
  if (isSet(b.weight)) at()(weightFile, weight(b.weight));
  for (const d of b.weightDevice ?? []) if (isSet(d.weight)) at()(weightFile, `${d.major}:${d.minor} ${weight(d.weight)}`);
  const throttles = [
    ['rbps', b.throttleReadBpsDevice],
    ['wbps', b.throttleWriteBpsDevice],
    ['riops', b.throttleReadIOPSDevice],
    ['wiops', b.throttleWriteIOPSDevice],
  ] as const;
  for (const [key, list] of throttles) for (const t of list ?? []) at()('io.max', `${t.major}:${t.minor} ${key}=${t.rate}`);
}
