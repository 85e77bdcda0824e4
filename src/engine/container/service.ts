// The container backend the API routes call: one object over the verbs, holding the monitor and the
// shared context. Live restore happens here: on daemon start every container that was running is
// reconnected (its shim outlived the old berthd) or its exit is recorded from the shim's exit file.
import { isEngineError } from '../../common/errors.js';
import { eventAttrs, type EngineContext } from './context.js';
import { createContainer } from './create.js';
import { killContainer, pauseContainer, removeContainer, renameContainer, stopContainer, unpauseContainer, waitContainer } from './lifecycle.js';
import { listContainers } from './list.js';
import type { ContainerRecord } from './model.js';
import { Monitor } from './monitor.js';
import { Health } from './health.js';
import type { Execs } from './exec.js';
import { launch, startContainer } from './start.js';
import { inspectJSON, summaryJSON, type NetworkView } from '../compat/container-json.js';

export class Containers {
  readonly monitor: Monitor;
  readonly health: Health;
  /** Set by the daemon once the network service exists (inspect and ps show its view). */
  network: NetworkView | undefined;

  constructor(readonly ctx: EngineContext, readonly execs: Execs) {
    this.monitor = new Monitor(
      ctx,
      (c) => ctx.store.lock(c.id, () => launch(ctx, c)),
      // AutoRemove takes the container's anonymous volumes too (moby's RemoveVolume: true).
      (c) => this.remove(c.id, { force: true, volumes: true }),
    );
    this.health = new Health(ctx, execs);
    ctx.onStart = (c) => {
      this.monitor.watch(c);
      this.health.start(c);
    };
    ctx.onExit = (c) => this.health.stop(c.id);
    ctx.onStartFailed = (c) => this.remove(c.id, { force: true, volumes: true }).catch((e: unknown) => ctx.log(`auto-remove of ${c.id} after a failed start: ${(e as Error).message}`));
  }

  create(body: Record<string, any>, name?: string) {
    return createContainer(this.ctx, body, name);
  }

  start(ref: string) {
    return startContainer(this.ctx, ref);
  }

  stop(ref: string, opts: { timeout?: number; signal?: string } = {}) {
    return stopContainer(this.ctx, this.monitor, ref, opts);
  }

  kill(ref: string, signal?: string) {
    return killContainer(this.ctx, this.monitor, ref, signal);
  }

  async restart(ref: string, opts: { timeout?: number; signal?: string } = {}) {
    const c = this.ctx.store.get(ref);
    await this.stop(ref, opts).catch((e: unknown) => {
      if (!isEngineError(e, 'not-modified')) throw e;
    });
    await startContainer(this.ctx, c.id);
    this.ctx.events.publish('container', 'restart', c.id, eventAttrs(c));
  }

  pause(ref: string) {
    return pauseContainer(this.ctx, ref);
  }

  unpause(ref: string) {
    return unpauseContainer(this.ctx, ref);
  }

  wait(ref: string, condition?: string, signal?: AbortSignal) {
    return waitContainer(this.ctx, ref, condition, signal);
  }

  async remove(ref: string, opts: { force?: boolean; volumes?: boolean } = {}) {
    const c = this.ctx.store.get(ref);
    await removeContainer(this.ctx, this.monitor, ref, opts);
    this.execs.dropContainer(c.id);
  }

  rename(ref: string, name: string) {
    return renameContainer(this.ctx, ref, name);
  }

  get(ref: string): ContainerRecord {
    return this.ctx.store.get(ref);
  }

  inspect(ref: string, execIds: string[] = []) {
    return inspectJSON(this.ctx.store.get(ref), { execIds, ...(this.network ? { network: this.network } : {}) });
  }

  list(opts: { all?: boolean; limit?: number; filters?: Record<string, string[]> }) {
    const now = Date.now();
    return listContainers(this.ctx.store, opts).map((c) => summaryJSON(c, now, this.network));
  }

  async prune(filters: Record<string, string[]> = {}) {
    const deleted: string[] = [];
    for (const c of listContainers(this.ctx.store, { all: true, filters: { status: ['exited', 'created', 'dead'], ...(filters.label ? { label: filters.label } : {}) } })) {
      if (filters.until?.length && Date.parse(c.created) >= Date.parse(filters.until[0]!)) continue;
      await this.remove(c.id).then(() => deleted.push(c.id), (e: unknown) => this.ctx.log(`prune ${c.id}: ${(e as Error).message}`));
    }
    this.ctx.events.publish('container', 'prune', '', { reclaimed: '0' });
    return { ContainersDeleted: deleted, SpaceReclaimed: 0 };
  }

  /** Live restore, then the restart policies of containers that were not running. */
  async restore(): Promise<void> {
    const ctx = this.ctx;
    const toStart: ContainerRecord[] = [];
    for (const c of ctx.store.all()) {
      const was = c.state.status;
      if (was === 'running' || was === 'paused' || was === 'restarting') {
        const st = await ctx.runtime.state(c.id).catch(() => undefined);
        if (st && (st.status === 'running' || st.status === 'paused')) {
          c.state.status = st.status;
          this.ctx.onStart(c);
          continue;
        }
        if (st?.exit) {
          if (was === 'restarting') c.state.status = 'running';
          await this.monitor.exited(c.id, st.exit);
          continue;
        }
        // The shim is gone without a trace (the machine rebooted): Docker reports such a container as exited.
        c.state = { ...c.state, status: 'exited', pid: 0, exitCode: 255, finishedAt: new Date().toISOString(), error: c.state.error };
        await ctx.runtime.delete(c.id, true).catch(() => undefined);
        await ctx.store.save(c);
      }
      const policy = c.hostConfig.RestartPolicy?.Name;
      if ((policy === 'always' || (policy === 'unless-stopped' && !c.manuallyStopped)) && c.state.status === 'exited') toStart.push(c);
    }
    for (const c of toStart) await startContainer(ctx, c.id).catch((e: unknown) => ctx.log(`restart of ${c.id} on daemon start: ${(e as Error).message}`));
  }
}
