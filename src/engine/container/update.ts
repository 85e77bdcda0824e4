// docker update: change resource limits (live, through the runtime's cgroup) and the restart policy.
import { conflict, invalidArgument } from '../../common/errors.js';
import { eventAttrs, type EngineContext } from './context.js';
import { validateHostConfig } from './create.js';
import { specResources } from './oci-spec.js';

const UPDATABLE = ['CpuShares', 'Memory', 'MemorySwap', 'MemoryReservation', 'CpuPeriod', 'CpuQuota', 'CpusetCpus', 'CpusetMems', 'NanoCpus', 'PidsLimit', 'BlkioWeight', 'KernelMemory', 'CpuRealtimePeriod', 'CpuRealtimeRuntime'];

export async function updateContainer(ctx: EngineContext, ref: string, body: Record<string, any>): Promise<{ Warnings: string[] }> {
  if (typeof body !== 'object' || body === null) throw invalidArgument('update config cannot be empty');
  const c = ctx.store.get(ref);
  return ctx.store.lock(c.id, async () => {
    if (c.state.status === 'removing' || c.state.status === 'dead') throw conflict(`Cannot update container ${c.id}: container is marked for removal`);
    const next = { ...c.hostConfig };
    for (const k of UPDATABLE) if (body[k] !== undefined && body[k] !== null && !(typeof body[k] === 'number' && body[k] === 0 && k !== 'PidsLimit')) next[k] = body[k];
    // Setting --memory alone keeps the old swap rule working: Docker recomputes swap as twice the memory.
    if (body.Memory && !body.MemorySwap && c.hostConfig.MemorySwap && c.hostConfig.MemorySwap !== -1 && c.hostConfig.MemorySwap < body.Memory) {
      throw invalidArgument('Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time');
    }
    if (body.RestartPolicy?.Name !== undefined) {
      if (c.hostConfig.AutoRemove && body.RestartPolicy.Name !== 'no' && body.RestartPolicy.Name !== '') {
        throw invalidArgument('Restart policy cannot be updated because AutoRemove is enabled for the container');
      }
      next.RestartPolicy = body.RestartPolicy;
    }
    validateHostConfig(next);
    const resources = specResources(next);
    delete resources.devices;
    if (c.state.status === 'running' || c.state.status === 'paused') await ctx.runtime.update(c.id, resources);
    c.hostConfig = next;
    await ctx.store.save(c);
    ctx.events.publish('container', 'update', c.id, eventAttrs(c));
    return { Warnings: [] };
  });
}
