// Resource usage of one cgroup in the shape `docker stats` and the Engine API's /stats need, read from
// v1 or v2 knobs. Parsers are pure; the collectors take a reader so tests feed them text.
import { join } from 'node:path';

export interface BlkioEntry {
  major: number;
  minor: number;
  /** v1: Read, Write, Sync, Async, Discard, Total; v2: read, write (Docker's spelling on each). */
  op: string;
  value: number;
}

export interface CgroupStats {
  memory: {
    usage: number;
    maxUsage?: number;
    /** Infinity when unlimited; the engine substitutes the host's memory, as Docker does. */
    limit: number;
    stats: Record<string, number>;
    failcnt?: number;
  };
  cpu: {
    totalUsageNs: number;
    /** v1 only (cpuacct.usage_percpu); empty on v2. */
    perCpuNs: number[];
    userNs: number;
    systemNs: number;
    throttling: { periods: number; throttledPeriods: number; throttledTimeNs: number };
  };
  pids: { current: number; limit?: number };
  blkio: { ioServiceBytesRecursive: BlkioEntry[]; ioServicedRecursive: BlkioEntry[] };
}

/** Reads a kernel file; undefined when the knob does not exist on this kernel or hierarchy. */
export type StatReader = (path: string) => Promise<string | undefined>;

/** cpuacct.stat counts USER_HZ ticks, which is 100 on every Linux ABI. */
export const USER_HZ = 100;

// The kernel's "unlimited" on v1 is PAGE_COUNTER_MAX pages (≈ 2^63 bytes), never a real limit.
const V1_UNLIMITED = 2 ** 62;

export function parseNumber(text: string | undefined): number {
  const n = Number((text ?? '').trim());
  return Number.isFinite(n) ? n : 0;
}

/** A limit knob: "max" (v2) or v1's near-2^63 sentinel → Infinity. */
export function parseLimit(text: string | undefined): number {
  const t = (text ?? '').trim();
  if (t === '' || t === 'max') return Infinity;
  const n = Number(t);
  return !Number.isFinite(n) || n >= V1_UNLIMITED ? Infinity : n;
}

/** "key value" lines (memory.stat, cpu.stat, cpuacct.stat, memory.events, memory.oom_control). */
export function parseFlatKeyed(text: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of (text ?? '').split('\n')) {
    const [key, value, extra] = line.trim().split(/\s+/);
    if (key === undefined || key === '' || value === undefined || extra !== undefined) continue;
    const n = Number(value);
    if (Number.isFinite(n)) out[key] = n;
  }
  return out;
}

export function parsePerCpu(text: string | undefined): number[] {
  return (text ?? '').trim().split(/\s+/).filter((s) => s !== '').map(Number).filter(Number.isFinite);
}

/** blkio.throttle.io_service_bytes / io_serviced: "8:0 Read 4096" lines and a final "Total N". */
export function parseBlkioV1(text: string | undefined): BlkioEntry[] {
  const out: BlkioEntry[] = [];
  for (const line of (text ?? '').split('\n')) {
    const [dev, op, value] = line.trim().split(/\s+/);
    const m = /^(\d+):(\d+)$/.exec(dev ?? '');
    if (m === null || op === undefined || value === undefined) continue;
    out.push({ major: Number(m[1]), minor: Number(m[2]), op, value: Number(value) });
  }
  return out;
}

/** io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" → bytes and operations per device. */
export function parseIoStat(text: string | undefined): { bytes: BlkioEntry[]; ios: BlkioEntry[] } {
  const bytes: BlkioEntry[] = [];
  const ios: BlkioEntry[] = [];
  for (const line of (text ?? '').split('\n')) {
    const [dev, ...pairs] = line.trim().split(/\s+/);
    const m = /^(\d+):(\d+)$/.exec(dev ?? '');
    if (m === null) continue;
    const kv = Object.fromEntries(pairs.map((p) => p.split('=') as [string, string]));
    const entry = (op: string, v: string | undefined) => ({ major: Number(m[1]), minor: Number(m[2]), op, value: Number(v ?? 0) });
    bytes.push(entry('read', kv.rbytes), entry('write', kv.wbytes));
    ios.push(entry('read', kv.rios), entry('write', kv.wios));
  }
  return { bytes, ios };
}

/** The container's directory in each v1 hierarchy the stats come from (missing: not mounted). */
export interface V1StatDirs {
  memory?: string;
  cpu?: string;
  cpuacct?: string;
  pids?: string;
  blkio?: string;
}

export async function statsV1(read: StatReader, dirs: V1StatDirs): Promise<CgroupStats> {
  const at = async (dir: string | undefined, file: string) => (dir === undefined ? undefined : read(join(dir, file)));
  const { memory: mem, cpu, cpuacct: acct, pids, blkio } = dirs;
  const maxUsage = await at(mem, 'memory.max_usage_in_bytes');
  const failcnt = await at(mem, 'memory.failcnt');
  const ticks = parseFlatKeyed(await at(acct, 'cpuacct.stat'));
  const throttle = parseFlatKeyed(await at(cpu, 'cpu.stat'));
  const pidsMax = parseLimit(await at(pids, 'pids.max'));
  // Prefer the _recursive files: the plain ones leave out the container's own child cgroups.
  const blk = async (name: string) => (await at(blkio, `${name}_recursive`)) ?? (await at(blkio, name));
  return {
    memory: {
      usage: parseNumber(await at(mem, 'memory.usage_in_bytes')),
      ...(maxUsage === undefined ? {} : { maxUsage: parseNumber(maxUsage) }),
      limit: parseLimit(await at(mem, 'memory.limit_in_bytes')),
      stats: parseFlatKeyed(await at(mem, 'memory.stat')),
      ...(failcnt === undefined ? {} : { failcnt: parseNumber(failcnt) }),
    },
    cpu: {
      totalUsageNs: parseNumber(await at(acct, 'cpuacct.usage')),
      perCpuNs: parsePerCpu(await at(acct, 'cpuacct.usage_percpu')),
      userNs: ((ticks.user ?? 0) * 1e9) / USER_HZ,
      systemNs: ((ticks.system ?? 0) * 1e9) / USER_HZ,
      throttling: {
        periods: throttle.nr_periods ?? 0,
        throttledPeriods: throttle.nr_throttled ?? 0,
        throttledTimeNs: throttle.throttled_time ?? 0,
      },
    },
    pids: { current: parseNumber(await at(pids, 'pids.current')), ...(pidsMax === Infinity ? {} : { limit: pidsMax }) },
    blkio: {
      ioServiceBytesRecursive: parseBlkioV1(await blk('blkio.throttle.io_service_bytes')),
      ioServicedRecursive: parseBlkioV1(await blk('blkio.throttle.io_serviced')),
    },
  };
}

export async function statsV2(read: StatReader, dir: string): Promise<CgroupStats> {
  const at = (file: string) => read(join(dir, file));
  const peak = await at('memory.peak');
  const cpu = parseFlatKeyed(await at('cpu.stat'));
  const io = parseIoStat(await at('io.stat'));
  const pidsMax = parseLimit(await at('pids.max'));
  return {
    memory: {
      usage: parseNumber(await at('memory.current')),
      ...(peak === undefined ? {} : { maxUsage: parseNumber(peak) }),
      limit: parseLimit(await at('memory.max')),
      stats: parseFlatKeyed(await at('memory.stat')),
    },
    cpu: {
      totalUsageNs: (cpu.usage_usec ?? 0) * 1000,
      perCpuNs: [],
      userNs: (cpu.user_usec ?? 0) * 1000,
      systemNs: (cpu.system_usec ?? 0) * 1000,
      throttling: {
        periods: cpu.nr_periods ?? 0,
        throttledPeriods: cpu.nr_throttled ?? 0,
        throttledTimeNs: (cpu.throttled_usec ?? 0) * 1000,
      },
    },
    pids: { current: parseNumber(await at('pids.current')), ...(pidsMax === Infinity ? {} : { limit: pidsMax }) },
    blkio: { ioServiceBytesRecursive: io.bytes, ioServicedRecursive: io.ios },
  };
}
