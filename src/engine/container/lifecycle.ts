// stop, kill, restart, pause, unpause, wait, remove, rename, prune: Docker's semantics and wording.
import { EngineError, conflict, invalidArgument } from '../../common/errors.js';
import { parseSignal } from '../../common/signals.js';
import { eventAttrs, type EngineContext, type Waiter } from './context.js';
import { isRunning, type ContainerRecord } from './model.js';
import { normalizeName } from './names.js';
import type { Monitor } from './monitor.js';

const notModified = (msg: string) => new EngineError('not-modified', msg);

function stopSignal(c: ContainerRecord): number {
  return c.config.StopSignal ? parseSignal(c.config.StopSignal) : 15;
}

/** Resolves when the container is no longer running, or after `ms` (false). */
function exitWithin(ctx: EngineContext, c: ContainerRecord, ms: number): Promise<boolean> {
  if (!isRunning(c) || c.state.status === 'restarting') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = ms >= 0 ? setTimeout(() => resolve(false), ms) : undefined;
    const w: Waiter = {
      condition: 'next-exit',
      resolve: () => {
        if (timer) clearTimeout(timer);
        resolve(true);
      },
    };
    ctx.waiters.set(c.id, [...(ctx.waiters.get(c.id) ?? []), w]);
  });
}

export async function killContainer(ctx: EngineContext, monitor: Monitor, ref: string, signal = 'SIGKILL'): Promise<void> {
  const c = ctx.store.get(ref);
  const sig = parseSignal(signal);
  if (c.state.status === 'restarting') {
    monitor.cancelRestart(c.id);
    c.state.status = 'exited';
    c.manuallyStopped = true;
    await ctx.store.save(c);
    return;
  }
  if (!isRunning(c)) throw conflict(`Cannot kill container: ${ref}: Container ${c.id} is not running`);
  if (sig === 9 || sig === stopSignal(c)) c.manuallyStopped = true;
  if (c.state.status === 'paused' && sig === 9) await ctx.runtime.resume(c.id).catch(() => undefined);
  ctx.events.publish('container', 'kill', c.id, eventAttrs(c, { signal: String(sig) }));
  await ctx.runtime.kill(c.id, sig).catch((e: unknown) => {
    // The process may have ended between the check and the signal; that is a finished kill.
    if (!(e instanceof EngineError && (e.kind === 'conflict' || e.kind === 'unavailable'))) throw e;
  });
}

export async function stopContainer(ctx: EngineContext, monitor: Monitor, ref: string, opts: { timeout?: number; signal?: string } = {}): Promise<void> {
  const c = ctx.store.get(ref);
  if (c.state.status === 'restarting') {
    monitor.cancelRestart(c.id);
    c.state.status = 'exited';
    c.manuallyStopped = true;
    await ctx.store.save(c);
    ctx.events.publish('container', 'stop', c.id, eventAttrs(c));
    return;
  }
  if (!isRunning(c)) throw notModified('Container already stopped');
  c.manuallyStopped = true;
  const timeout = opts.timeout ?? c.config.StopTimeout ?? 10;
  const sig = opts.signal ? parseSignal(opts.signal) : stopSignal(c);
  if (c.state.status === 'paused') await ctx.runtime.resume(c.id).catch(() => undefined);
  ctx.events.publish('container', 'kill', c.id, eventAttrs(c, { signal: String(sig) }));
  const exited = exitWithin(ctx, c, timeout < 0 ? -1 : timeout * 1000);
  await ctx.runtime.kill(c.id, sig).catch(() => undefined);
  if (!(await exited)) {
    ctx.events.publish('container', 'kill', c.id, eventAttrs(c, { signal: '9' }));
    const gone = exitWithin(ctx, c, 10_000);
    await ctx.runtime.kill(c.id, 9, true).catch(() => undefined);
    if (!(await gone)) throw new EngineError('internal', `cannot stop container: ${ref}: tried to kill container, but did not receive an exit event`);
  }
  ctx.events.publish('container', 'stop', c.id, eventAttrs(c));
}

export async function pauseContainer(ctx: EngineContext, ref: string): Promise<void> {
  const c = ctx.store.get(ref);
  await ctx.store.lock(c.id, async () => {
    if (c.state.status === 'paused') throw conflict(`Container ${c.id} is already paused`);
    if (c.state.status !== 'running') throw conflict(`Container ${c.id} is not running`);
    await ctx.runtime.pause(c.id);
    c.state.status = 'paused';
    await ctx.store.save(c);
    ctx.events.publish('container', 'pause', c.id, eventAttrs(c));
  });
}

export async function unpauseContainer(ctx: EngineContext, ref: string): Promise<void> {
  const c = ctx.store.get(ref);
  await ctx.store.lock(c.id, async () => {
    if (c.state.status !== 'paused') throw conflict(`Container ${c.id} is not paused`);
    await ctx.runtime.resume(c.id);
    c.state.status = 'running';
    await ctx.store.save(c);
    ctx.events.publish('container', 'unpause', c.id, eventAttrs(c));
  });
}

export function waitContainer(ctx: EngineContext, ref: string, condition = 'not-running', signal?: AbortSignal): Promise<{ StatusCode: number; Error?: { Message: string } }> {
  if (!['not-running', 'next-exit', 'removed', ''].includes(condition)) throw invalidArgument(`invalid condition: "${condition}"`);
  const c = ctx.store.get(ref);
  const cond = (condition || 'not-running') as Waiter['condition'];
  if (cond === 'not-running' && !isRunning(c)) return Promise.resolve({ StatusCode: c.state.exitCode });
  return new Promise((resolve) => {
    const w: Waiter = { condition: cond, resolve };
    ctx.waiters.set(c.id, [...(ctx.waiters.get(c.id) ?? []), w]);
    signal?.addEventListener('abort', () => {
      const list = ctx.waiters.get(c.id);
      if (list) ctx.waiters.set(c.id, list.filter((x) => x !== w));
    }, { once: true });
  });
}

export async function removeContainer(ctx: EngineContext, monitor: Monitor, ref: string, opts: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
  const c = ctx.store.get(ref);
  if (c.state.status === 'removing') throw conflict(`removal of container ${c.id} is already in progress`);
  if (isRunning(c) && c.state.status !== 'restarting') {
    if (!opts.force) {
      const what = c.state.status === 'paused' ? 'paused' : 'running';
      throw conflict(`cannot remove container "${c.name}": container is ${what}: stop the container before removing or force remove`);
    }
    c.manuallyStopped = true;
    const gone = exitWithin(ctx, c, 10_000);
    await ctx.runtime.kill(c.id, 9, true).catch(() => undefined);
    await ctx.runtime.delete(c.id, true).catch(() => undefined);
    await gone;
  }
  monitor.cancelRestart(c.id);
  await ctx.store.lock(c.id, async () => {
    c.state.status = 'removing';
    await ctx.runtime.delete(c.id, true).catch((e: unknown) => {
      if (!(e instanceof EngineError && e.kind === 'not-found')) ctx.log(`remove ${c.id}: runtime cleanup: ${(e as Error).message}`);
    });
    await ctx.store.remove(c);
  });
  // With -v (and for AutoRemove) the container's anonymous volumes go with it; named ones stay, as in Docker.
  await ctx.volumes?.removed(c, opts.volumes === true).catch((e: unknown) => ctx.log(`remove ${c.id}: volumes: ${(e as Error).message}`));
  ctx.events.publish('container', 'destroy', c.id, eventAttrs(c));
  monitor.wake(c.id, c.state.exitCode, ['not-running', 'next-exit', 'removed']);
}

export async function renameContainer(ctx: EngineContext, ref: string, newName: string): Promise<void> {
  if (!newName) throw invalidArgument('Neither old nor new names may be empty');
  const c = ctx.store.get(ref);
  const name = normalizeName(newName);
  if (name === c.name) throw invalidArgument('Renaming a container with the same name as its current name');
  await ctx.store.lock(c.id, async () => {
    ctx.store.reserveName(name, c.id);
    const old = c.name;
    c.name = name;
    await ctx.store.save(c);
    ctx.store.releaseName(old, c.id);
    ctx.events.publish('container', 'rename', c.id, eventAttrs(c, { oldName: old }));
  });
}
