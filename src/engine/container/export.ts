// GET /containers/{id}/export (`docker export`): a tar of the container's filesystem as its processes see
// the rootfs, without /proc, /sys, /dev contents or volumes (Docker exports the rootfs layers, not mounts).
// The overlay is only ever mounted inside a container's own mount namespace, so the export mounts a view of
// its own in a private mount namespace held open by a helper process: a read-only overlay whose lowers are
// the container's upper dir on top of the image layers. Needing no upperdir or workdir, it can coexist with
// the running container's own mount of the same upper (the kernel only warns that a lower is in use as an
// upper elsewhere), and reading a layer while it changes is undefined but safe: at worst the export misses
// or mixes a change made during it, which Docker's export of a running container also allows.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rmdir, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { EngineError, conflict, internal } from '../../common/errors.js';
import { eventAttrs, type EngineContext } from './context.js';
import { overlayOptions, rootfsLayout, type RootfsLayout } from './rootfs.js';
import { fdPath, openScopeRoot } from './safe-path.js';

export interface OverlayView {
  /** The view's root, opened: every access goes through it (`fdPath(root.fd)`), never through a path. */
  root: FileHandle;
  close(): Promise<void>;
}

// Waits on stdin so that the namespace (and with it the mount) goes away when berthd closes the pipe or dies.
// Lowerdirs are the snapshotter's short names relative to $3, so deep images fit in the option string.
const HOLD_SCRIPT = 'cd "$3" || exit 1; mount -t overlay overlay -o "$1" "$2" || exit 1; echo ready; exec cat >/dev/null';

/** A read-only overlay of the container's upper dir over its image layers: no workdir, nothing locked. */
export function readOnlyOverlayOptions(l: RootfsLayout, emptyLower: string): string {
  const lowers = [l.upper, ...(l.lowers.length ? l.lowers : [emptyLower])];
  return `ro,lowerdir=${lowers.join(':')}`;
}

/**
 * Mounts the container's overlay in a private mount namespace and opens its root. `writable` mounts the real
 * upper and workdir: only for a container that is not running, under the container's lock (two overlays
 * sharing an upper are undefined behaviour). The mount point is a fresh directory under `scratchDir`; the
 * host never sees anything mounted on it.
 */
export async function openOverlayView(
  l: RootfsLayout,
  emptyLower: string,
  opts: { writable: boolean; scratchDir?: string; snapshot?: { baseDir: string; options: string[] } },
): Promise<OverlayView> {
  const scratch = opts.scratchDir ?? os.tmpdir();
  const mnt = await mkdtemp(path.join(scratch, 'berth-view-'));
  const { data, baseDir } = viewMount(l, emptyLower, opts.writable, opts.snapshot);
  const helper = spawn('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c', HOLD_SCRIPT, 'berth-view', data, mnt, baseDir], { stdio: ['pipe', 'pipe', 'pipe'] });
  helper.stdin!.on('error', () => undefined); // EPIPE when the helper failed before we let it go
  const stop = async () => {
    helper.stdin?.end();
    if (helper.exitCode === null && helper.signalCode === null) await once(helper, 'close').catch(() => undefined);
    await rmdir(mnt).catch(() => undefined);
  };
  try {
    await waitReady(helper);
    // Opened through the helper's root, the path crosses into its namespace's mount; once open, the handle
    // keeps the mount alive even if something removes the mount point meanwhile.
    const root = await openScopeRoot(`/proc/${helper.pid}/root${mnt}`);
    return {
      root,
      close: async () => {
        await root.close().catch(() => undefined);
        await stop();
      },
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The snapshotter's mount (short relative lowerdirs) when given; absolute paths otherwise. */
function viewMount(l: RootfsLayout, emptyLower: string, writable: boolean, snap?: { baseDir: string; options: string[] }): { data: string; baseDir: string } {
  if (!snap) return { data: writable ? overlayOptions(l, emptyLower) : readOnlyOverlayOptions(l, emptyLower), baseDir: '/' };
  if (writable) return { data: snap.options.join(','), baseDir: snap.baseDir };
  const lowers = snap.options.find((o) => o.startsWith('lowerdir='))!.slice('lowerdir='.length);
  return { data: `ro,lowerdir=${l.upper}:${lowers}`, baseDir: snap.baseDir };
}

async function waitReady(helper: ChildProcess): Promise<void> {
  let stderr = '';
  helper.stderr!.on('data', (d: Buffer) => {
    if (stderr.length < 4096) stderr += d.toString();
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready\n')) {
        helper.stdout!.off('data', onData);
        resolve();
      }
    };
    helper.stdout!.on('data', onData);
    helper.once('error', (e) => reject(internal(`mounting a view of the container filesystem: ${e.message}`, e)));
    helper.once('close', (code) => reject(internal(`mounting a view of the container filesystem failed (exit ${code}): ${stderr.trim()}`)));
  });
}

export interface TarStreamOptions {
  /** Open files the child gets as fds 3, 4, …; `-C /proc/self/fd/3` makes tar start from a handle. */
  fds?: number[];
  /** Written to tar's stdin (a `-T -` list), then closed. */
  input?: string;
  /** Runs once tar has exited, however it ended (close handles, unmount views). */
  cleanup?: () => Promise<void>;
  signal?: AbortSignal;
}

/**
 * Runs GNU tar and returns its output. Exit status 1 ("file changed as we read it", a live container) still
 * ends the stream normally; anything worse destroys it with tar's message, which is all a stream already
 * sent with a 200 can say. Destroying the returned stream (the client went away) kills tar.
 */
export function tarStream(args: string[], opts: TarStreamOptions = {}): Readable {
  const out = new PassThrough();
  const child = spawn('tar', args, { stdio: ['pipe', 'pipe', 'pipe', ...(opts.fds ?? [])] });
  let stderr = '';
  let finished = false;
  child.stderr!.on('data', (d: Buffer) => {
    if (stderr.length < 8192) stderr += d.toString();
  });
  child.stdin!.on('error', () => undefined); // tar may exit before reading its list
  child.stdin!.end(opts.input ?? '');
  child.stdout!.pipe(out, { end: false });
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  out.on('close', () => {
    if (!finished) kill();
  });
  opts.signal?.addEventListener('abort', kill, { once: true });
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    opts.signal?.removeEventListener('abort', kill);
    await opts.cleanup?.().catch(() => undefined);
  };
  child.once('error', (e) => {
    finished = true;
    void cleanup();
    out.destroy(internal(`tar: ${e.message}`, e));
  });
  child.once('close', (code, signal) => {
    finished = true;
    // The stream ends only once the views and handles behind it are released.
    void cleanup().then(() => {
      if (out.destroyed) return;
      if (code === 0 || code === 1) out.end();
      else out.destroy(internal(`tar exited with ${signal ?? code}: ${stderr.trim()}`));
    });
  });
  return out;
}

/** GNU tar flags shared by export and cp: numeric owners, capabilities kept, no per-file pax noise. */
export const TAR_CREATE_FLAGS = [
  '--numeric-owner',
  '--xattrs',
  '--xattrs-include=security.capability',
  '--format=posix',
  '--pax-option=delete=atime,delete=ctime,delete=mtime',
  '--sort=name',
];

/** Byte order, as Go sorts paths (not UTF-16 order). */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * The tar of a container filesystem given its layout. Entries are named as Docker names them: `bin/`,
 * `etc/passwd`, … (no `./` entry for the root).
 */
export async function exportRootfs(
  l: RootfsLayout,
  emptyLower: string,
  opts: { signal?: AbortSignal; scratchDir?: string; snapshot?: { baseDir: string; options: string[] } } = {},
): Promise<Readable> {
  const view = await openOverlayView(l, emptyLower, { writable: false, scratchDir: opts.scratchDir, ...(opts.snapshot ? { snapshot: opts.snapshot } : {}) });
  try {
    const names = (await readdir(fdPath(view.root.fd))).sort(compareBytes);
    return tarStream(['-c', '-f', '-', '-C', '/proc/self/fd/3', ...TAR_CREATE_FLAGS, '--null', '--verbatim-files-from', '-T', '-'], {
      fds: [view.root.fd],
      input: names.map((n) => `${n}\0`).join(''),
      cleanup: view.close,
      signal: opts.signal,
    });
  } catch (e) {
    await view.close();
    throw e;
  }
}

/** GET /containers/{id}/export, with Docker's refusals for dead and departing containers. */
export async function exportContainer(ctx: EngineContext, ref: string, opts: { signal?: AbortSignal } = {}): Promise<Readable> {
  const c = ctx.store.get(ref);
  if (c.state.status === 'dead') throw conflict(`You cannot export container ${c.id} which is Dead`);
  if (c.state.status === 'removing') throw conflict(`You cannot export container ${c.id} which is being removed`);
  const image = await ctx.images.get(c.imageId);
  let stream: Readable;
  try {
    const snapshot = await ctx.snapshotter.prepare(c.id, image.layers);
    stream = await exportRootfs(rootfsLayout(ctx.store.dir(c.id), image.layers), ctx.cfg.emptyDir, { signal: opts.signal, scratchDir: ctx.cfg.execRoot, snapshot });
  } catch (e) {
    throw new EngineError('internal', `Error exporting container ${ref}: ${(e as Error).message}`, { cause: e });
  }
  ctx.events.publish('container', 'export', c.id, eventAttrs(c));
  return stream;
}
