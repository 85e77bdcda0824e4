// docker stats: the cgroup's counters in the Engine API's stats shape, with the host's total CPU time
// (system_cpu_usage) so that clients can compute a percentage from two samples.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { conflict } from '../../common/errors.js';
import type { EngineContext } from './context.js';

const USER_HZ = 100;

export function systemCpuNs(stat = readFileSync('/proc/stat', 'utf8')): number {
  const line = stat.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return 0;
  const ticks = line.trim().split(/\s+/).slice(1, 8).reduce((a, b) => a + Number(b), 0);
  return ticks * (1e9 / USER_HZ);
}

export interface StatsSample {
  read: string;
  cpu: { total: number; percpu: number[]; user: number; system: number; systemTotal: number; online: number; throttling: { periods: number; throttled_periods: number; throttled_time: number } };
  memory: { usage: number; maxUsage?: number; limit: number; stats: Record<string, number>; failcnt?: number };
  pids: { current: number; limit?: number };
  blkio: { io_service_bytes_recursive: unknown[]; io_serviced_recursive: unknown[] };
}

export async function sample(ctx: EngineContext, id: string): Promise<StatsSample> {
  const s = await ctx.runtime.stats(id);
  const total = os.totalmem();
  return {
    read: new Date().toISOString(),
    cpu: {
      total: s.cpu.totalUsageNs,
      percpu: s.cpu.perCpuNs,
      user: s.cpu.userNs,
      system: s.cpu.systemNs,
      systemTotal: systemCpuNs(),
      online: os.cpus().length,
      throttling: { periods: s.cpu.throttling.periods, throttled_periods: s.cpu.throttling.throttledPeriods, throttled_time: s.cpu.throttling.throttledTimeNs },
    },
    // An unlimited cgroup reports a huge limit: Docker shows the host's memory instead.
    memory: { usage: s.memory.usage, maxUsage: s.memory.maxUsage, limit: Number.isFinite(s.memory.limit) && s.memory.limit < total ? s.memory.limit : total, stats: s.memory.stats, failcnt: s.memory.failcnt },
    pids: { current: s.pids.current, limit: s.pids.limit },
    blkio: {
      io_service_bytes_recursive: s.blkio.ioServiceBytesRecursive.map((e) => ({ major: e.major, minor: e.minor, op: e.op, value: e.value })),
      io_serviced_recursive: s.blkio.ioServicedRecursive.map((e) => ({ major: e.major, minor: e.minor, op: e.op, value: e.value })),
    },
  };
}

const ZERO = '0001-01-01T00:00:00Z';

export function statsJSON(name: string, id: string, cur: StatsSample | undefined, prev: StatsSample | undefined) {
  const cpu = (x: StatsSample | undefined) =>
    x
      ? { cpu_usage: { total_usage: x.cpu.total, percpu_usage: x.cpu.percpu, usage_in_kernelmode: x.cpu.system, usage_in_usermode: x.cpu.user }, system_cpu_usage: x.cpu.systemTotal, online_cpus: x.cpu.online, throttling_data: x.cpu.throttling }
      : { cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } };
  return {
    name,
    id,
    read: cur?.read ?? ZERO,
    preread: prev?.read ?? ZERO,
    pids_stats: cur ? { current: cur.pids.current, ...(cur.pids.limit !== undefined && Number.isFinite(cur.pids.limit) ? { limit: cur.pids.limit } : {}) } : {},
    blkio_stats: cur?.blkio ?? { io_service_bytes_recursive: null, io_serviced_recursive: null },
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cpu(cur),
    precpu_stats: cpu(prev),
    memory_stats: cur ? { usage: cur.memory.usage, ...(cur.memory.maxUsage ? { max_usage: cur.memory.maxUsage } : {}), stats: cur.memory.stats, limit: cur.memory.limit, ...(cur.memory.failcnt !== undefined ? { failcnt: cur.memory.failcnt } : {}) } : {},
  };
}

/** One-shot or a stream of samples a second apart (Docker's collection interval). */
export async function* statsStream(ctx: EngineContext, ref: string, opts: { stream: boolean; oneShot: boolean; signal?: AbortSignal }) {
  const c = ctx.store.get(ref);
  const running = () => c.state.status === 'running' || c.state.status === 'paused';
  if (!running()) {
    // Docker answers a stopped container with zeroed stats (once), not an error.
    yield statsJSON(c.name, c.id, undefined, undefined);
    return;
  }
  let prev: StatsSample | undefined;
  if (!opts.stream && !opts.oneShot) {
    prev = await sample(ctx, c.id).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 1000));
  }
  for (;;) {
    if (opts.signal?.aborted) return;
    if (!running()) {
      if (!opts.stream) throw conflict(`container ${c.id} is not running`);
      return;
    }
    const cur = await sample(ctx, c.id).catch(() => undefined);
    yield statsJSON(c.name, c.id, cur, prev);
    if (!opts.stream) return;
    prev = cur;
    await new Promise((r) => setTimeout(r, 1000));
  }
}
