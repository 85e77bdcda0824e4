// POST /containers/{id}/start: build the OCI spec from the container's config and image, hand it to the
// runtime (overlay rootfs assembled in the container's own mount namespace), connect any attach streams
// that were waiting, then let the process run.
import { openSync, closeSync } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EngineError, conflict, invalidArgument } from '../../common/errors.js';
import { OVERLAY_ANNOTATION, OVERLAY_BASEDIR_ANNOTATION, seccompArch } from '../../runtime/index.js';
import { StartStepError, eventAttrs, type EngineContext } from './context.js';
import { isRunning, type ContainerRecord } from './model.js';
import { buildSpec } from './oci-spec.js';
import { readLayered, rootfsLayout, rootfsMount } from './rootfs.js';
import { resolveUser } from './user.js';

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** json-file's max-size ("10m", "1g", bytes) and max-file options. */
export function logRotation(opts: Record<string, string> = {}): { maxSize: number; maxFiles: number } {
  let maxSize = 0;
  if (opts['max-size'] && opts['max-size'] !== '-1') {
    // Docker's units.FromHumanSize: decimal multiples whatever the suffix says (10m, 10MB, 10MiB = 10^7).
    const m = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b)?$/i.exec(opts['max-size']);
    if (!m) throw invalidArgument(`invalid max-size: ${opts['max-size']}`);
    maxSize = Math.floor(Number(m[1]) * 1000 ** ' kmgtp'.indexOf((m[2] || ' ').toLowerCase()));
    if (maxSize <= 0) throw invalidArgument('max-size must be a positive number');
  }
  const maxFiles = opts['max-file'] ? Number(opts['max-file']) : 1;
  if (!Number.isInteger(maxFiles) || maxFiles < 1) throw invalidArgument('max-file cannot be less than 1');
  if (maxFiles > 1 && maxSize === 0) throw invalidArgument('max-file cannot be set without max-size');
  return { maxSize, maxFiles };
}

function namespacePathOf(ctx: EngineContext, mode: string | undefined, ns: string): string | undefined {
  if (!mode?.startsWith('container:')) return undefined;
  const other = ctx.store.get(mode.slice('container:'.length));
  if (other.state.status !== 'running') throw conflict(`cannot join network namespace of a non running container: container ${other.id} is ${other.state.status === 'paused' ? 'paused' : 'not running'}`);
  return `/proc/${other.state.pid}/ns/${ns}`;
}

export async function launch(ctx: EngineContext, c: ContainerRecord): Promise<void> {
  const image = await ctx.images.get(c.imageId);
  const dir = ctx.store.dir(c.id);
  const layout = rootfsLayout(dir, image.layers);
  const [passwd, group] = await Promise.all([readLayered(layout, '/etc/passwd'), readLayered(layout, '/etc/group')]);
  const hc = c.hostConfig;
  const user = resolveUser(c.config.User ?? '', passwd, group, hc.GroupAdd ?? []);
  const env: string[] = [...(c.config.Env ?? [])];
  if (!env.some((e) => e.startsWith('PATH='))) env.unshift(DEFAULT_PATH);
  if (!env.some((e) => e.startsWith('HOSTNAME='))) env.push(`HOSTNAME=${c.config.Hostname}`);
  if (c.config.Tty && !env.some((e) => e.startsWith('TERM='))) env.push('TERM=xterm');
  if (!env.some((e) => e.startsWith('HOME='))) env.push(`HOME=${user.home}`);
  const hostNet = hc.NetworkMode === 'host';
  // Before the spec: it decides whether resolv.conf (which this writes) is mounted.
  const networked = ctx.networks ? await ctx.networks.prepare(c) : false;
  // Mounts resolved at create (c.mountPoints) replace Binds and Mounts; empty volumes get the image's files first.
  const volumeMounts = ctx.volumes && c.mountPoints ? await ctx.volumes.mounts(c, layout) : undefined;
  const spec = buildSpec(c.config, volumeMounts ? { ...hc, Binds: null, Mounts: null } : hc, {
    id: c.id,
    rootfs: layout.merged,
    args: [c.path, ...c.args],
    env,
    user,
    cwd: c.config.WorkingDir || '/',
    hostname: c.config.Hostname,
    files: { hostname: c.hostnamePath, hosts: hostNet ? '/etc/hosts' : c.hostsPath, resolvConf: hostNet || !(await hasContent(c.resolvConfPath)) ? (hostNet ? '/etc/resolv.conf' : undefined) : c.resolvConfPath },
    cgroupsPath: path.posix.join(hc.CgroupParent || ctx.cfg.cgroupParent, c.id),
    joinNamespaces: {
      network: namespacePathOf(ctx, hc.NetworkMode, 'net'),
      pid: namespacePathOf(ctx, hc.PidMode, 'pid'),
      ipc: namespacePathOf(ctx, hc.IpcMode, 'ipc'),
    },
    initPath: hc.Init ? requireInit(ctx.cfg.initPath) : undefined,
    arch: seccompArch(),
    volumeMounts,
  });
  const rootfs = await rootfsMount(ctx.snapshotter, c.id, image.layers);
  spec.annotations = { [OVERLAY_ANNOTATION]: rootfs.data, [OVERLAY_BASEDIR_ANNOTATION]: rootfs.baseDir };
  await writeFile(path.join(dir, 'config.json'), JSON.stringify(spec));

  const pending = ctx.pendingAttach.get(c.id) ?? [];
  ctx.pendingAttach.delete(c.id);
  const logCfg = hc.LogConfig ?? { Type: 'json-file', Config: {} };
  const shimLog = openSync(path.join(dir, 'shim.log'), 'a');
  let pid: number;
  try {
    ({ pid } = await ctx.runtime.create(c.id, dir, {
      spec,
      // A networked container waits between create and start for its veths and ports.
      start: pending.length === 0 && !networked,
      io: {
        mode: 'pipes',
        log: logCfg.Type === 'none' ? undefined : { path: c.logPath, ...logRotation(logCfg.Config ?? {}) },
        stdin: c.config.OpenStdin === true,
        stdinOnce: c.config.StdinOnce === true,
        shimLog,
      },
    }));
  } finally {
    closeSync(shimLog);
  }
  if (pending.length || networked) {
    try {
      if (networked) await ctx.networks!.attach(c, pid);
      const sock = path.join(ctx.runtime.dir(c.id), 'attach');
      await Promise.all(pending.map((connect) => connect(sock).catch((e: unknown) => ctx.log(`attach ${c.id}: ${(e as Error).message}`))));
      await ctx.runtime.start(c.id);
    } catch (e) {
      if (networked) await ctx.networks!.release(c).catch(() => undefined);
      await ctx.runtime.delete(c.id, true).catch(() => undefined);
      throw e;
    }
  }
  c.state = { ...c.state, status: 'running', pid, exitCode: 0, error: '', oomKilled: false, startedAt: new Date().toISOString() };
  if (c.config.Healthcheck?.Test && c.config.Healthcheck.Test[0] !== 'NONE') c.state.health = { status: 'starting', failingStreak: 0, log: [] };
  c.hasBeenStarted = true;
  await ctx.store.save(c);
  ctx.events.publish('container', 'start', c.id, eventAttrs(c));
  ctx.onStart(c);
}

function requireInit(p: string | undefined): string {
  if (!p) throw invalidArgument('--init needs berth-init, which was not built (no static libc when Berth was installed)');
  return p;
}

async function hasContent(file: string): Promise<boolean> {
  return stat(file).then((s) => s.size > 0, () => false);
}

export async function startContainer(ctx: EngineContext, ref: string): Promise<'started' | 'already'> {
  const c = ctx.store.get(ref);
  return ctx.store.lock(c.id, async () => {
    if (c.state.status === 'paused') throw conflict('cannot start a paused container, try unpause instead');
    if (isRunning(c)) return 'already';
    if (c.state.status === 'removing' || c.state.status === 'dead') throw conflict(`container is marked for removal and cannot be started`);
    c.manuallyStopped = false;
    try {
      await launch(ctx, c);
    } catch (e) {
      // Docker records the failure on the container and answers with the runtime's message.
      const msg = e instanceof Error ? e.message : String(e);
      c.state = { ...c.state, status: c.hasBeenStarted ? 'exited' : 'created', error: msg, exitCode: e instanceof EngineError && e.exitCode ? e.exitCode : 128 };
      await ctx.store.save(c);
      // Docker removes an AutoRemove container whose start failed: `run --rm` clients wait for "removed".
      if (c.hostConfig.AutoRemove) queueMicrotask(() => void ctx.onStartFailed(c));
      if (e instanceof EngineError && e.kind === 'invalid-argument') throw e;
      if (e instanceof StartStepError) throw e;
      const full = `failed to create task for container: failed to create shim task: OCI runtime create failed: unable to start container process: ${msg}: unknown`;
      throw new EngineError(e instanceof EngineError && e.exitCode ? 'invalid-argument' : 'internal', full, { cause: e, exitCode: e instanceof EngineError ? e.exitCode : undefined });
    }
    return 'started';
  });
}
