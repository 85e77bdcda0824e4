// Watching running containers end: one held connection to each shim's control socket, which the shim closes
// after writing the exit file. On exit: record the status, clean up runtime state, publish events, wake
// waiters, then apply the restart policy (Docker's back-off) or AutoRemove.
import { eventAttrs, type EngineContext } from './context.js';
import type { ContainerRecord } from './model.js';
import type { ExitInfo } from '../../runtime/index.js';

const BACKOFF_START_MS = 100;
const BACKOFF_MAX_MS = 60_000;
/** A container that ran this long resets its back-off, as in Docker. */
const RESET_AFTER_MS = 10_000;

export class Monitor {
  private readonly backoff = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly ctx: EngineContext,
    private readonly restart: (c: ContainerRecord) => Promise<void>,
    private readonly autoRemove: (c: ContainerRecord) => Promise<void>,
  ) {}

  watch(c: ContainerRecord): void {
    const id = c.id;
    this.ctx.runtime.wait(id).then(
      (exit) => this.exited(id, exit),
      (e: unknown) => this.exited(id, { pid: 0, exitCode: 255, signal: 0, oomKilled: false, finishedAt: new Date().toISOString(), error: `container monitor: ${(e as Error).message}` }),
    );
  }

  cancelRestart(id: string): boolean {
    const t = this.timers.get(id);
    if (!t) return false;
    clearTimeout(t);
    this.timers.delete(id);
    return true;
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  /** Records an exit (also used by live restore for exits that happened while berthd was down). */
  async exited(id: string, exit: ExitInfo): Promise<void> {
    if (this.closed) return;
    const ctx = this.ctx;
    const c = ctx.store.find(id);
    if (!c) return;
    await ctx.store.lock(id, async () => {
      if (c.state.status !== 'running' && c.state.status !== 'paused') return;
      const startedMs = Date.parse(c.state.startedAt);
      ctx.onExit(c);
      await ctx.networks?.release(c).catch((e: unknown) => ctx.log(`network release ${id}: ${(e as Error).message}`));
      c.state = { ...c.state, status: 'exited', pid: 0, exitCode: exit.exitCode, oomKilled: exit.oomKilled, finishedAt: exit.finishedAt || new Date().toISOString(), error: exit.error ?? '' };
      if (c.state.health) c.state.health = { ...c.state.health, status: 'unhealthy' };
      await ctx.runtime.delete(id, true).catch((e: unknown) => ctx.log(`cleanup of ${id}: ${(e as Error).message}`));
      const restart = this.shouldRestart(c, Date.now() - startedMs);
      if (restart) c.state.status = 'restarting';
      await ctx.store.save(c);
      if (exit.oomKilled) ctx.events.publish('container', 'oom', id, eventAttrs(c));
      ctx.events.publish('container', 'die', id, eventAttrs(c, { exitCode: String(exit.exitCode), execDuration: String(Math.max(0, Math.round((Date.now() - startedMs) / 1000))) }));
      this.wake(id, exit.exitCode, ['not-running', 'next-exit']);
      if (restart) this.scheduleRestart(c, Date.now() - startedMs);
    });
    if (c.state.status === 'exited' && c.hostConfig.AutoRemove) await this.autoRemove(c).catch((e: unknown) => ctx.log(`auto-remove ${id}: ${(e as Error).message}`));
  }

  wake(id: string, code: number, conditions: string[]): void {
    const list = this.ctx.waiters.get(id);
    if (!list) return;
    const keep = list.filter((w) => !conditions.includes(w.condition));
    for (const w of list) if (conditions.includes(w.condition)) w.resolve({ StatusCode: code });
    if (keep.length) this.ctx.waiters.set(id, keep);
    else this.ctx.waiters.delete(id);
  }

  private shouldRestart(c: ContainerRecord, ranMs: number): boolean {
    const p = c.hostConfig.RestartPolicy ?? { Name: 'no' };
    if (c.manuallyStopped) return false;
    if (ranMs >= RESET_AFTER_MS) this.backoff.delete(c.id);
    switch (p.Name) {
      case 'always':
      case 'unless-stopped':
        return true;
      case 'on-failure':
        return c.state.exitCode !== 0 && (!p.MaximumRetryCount || c.restartCount < p.MaximumRetryCount);
      default:
        return false;
    }
  }

  private scheduleRestart(c: ContainerRecord, ranMs: number): void {
    const prev = ranMs >= RESET_AFTER_MS ? 0 : this.backoff.get(c.id) ?? 0;
    const delay = prev === 0 ? BACKOFF_START_MS : Math.min(prev * 2, BACKOFF_MAX_MS);
    this.backoff.set(c.id, delay);
    const t = setTimeout(() => {
      this.timers.delete(c.id);
      c.restartCount++;
      this.restart(c).catch(async (e: unknown) => {
        this.ctx.log(`restart of ${c.id}: ${(e as Error).message}`);
        c.state = { ...c.state, status: 'exited', error: (e as Error).message };
        await this.ctx.store.save(c).catch(() => undefined);
      });
    }, delay);
    t.unref();
    this.timers.set(c.id, t);
  }
}
