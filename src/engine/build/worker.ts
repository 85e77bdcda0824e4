// The engine's side of a Dockerfile build (the builder's BuildWorkerPort): each step produces a new image
// whose configuration the builder wrote (history entry included). RUN runs in a real container through
// Berth's runtime, exactly like `docker run`, and its writable layer becomes the step's layer; COPY/ADD turn
// a tar of the files into a layer; metadata steps add a configuration only. Step images are untagged; the
// builder's cache finds them again by (parent, the step's created_by).
import { createHash } from 'node:crypto';
import { chown, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { EngineError, isEngineError } from '../../common/errors.js';
import type { OciImage } from '../../spec/oci-image.js';
import type { Mount } from '../../spec/engine-api/common.js';
import type { ProgressSink } from '../../spec/progress.js';
import { OverlaySnapshotter, packLayer, type ImageStore } from '../../image/index.js';
import type { BaseImage, BuildWorkerPort, RootfsView, RunStep } from '../../build/index.js';
import type { Containers } from '../container/service.js';
import type { ImageLookup } from '../container/context.js';
import { readLogs } from '../container/logs.js';
import { rootfsLayout } from '../container/rootfs.js';
import { openOverlayView } from '../container/export.js';

const SCRATCH_CONFIG = (): OciImage => ({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: {} });

export interface BuildWorkerOptions {
  store: ImageStore;
  images: ImageLookup;
  containers: Containers;
  containerDir: (id: string) => string;
  /** Pulls an image the build names but the store lacks (or every FROM with --pull). */
  pull: (ref: string, opts: { platform?: string; progress: ProgressSink; signal?: AbortSignal }) => Promise<void>;
  /** The build's own directory in the data root: cache mounts and view scratch. */
  buildRoot: string;
  emptyDir: string;
  scratchDir: string;
}

export class BuildWorker implements BuildWorkerPort {
  /** Views name their lower layers by the image store's short links, so deep images fit the option string. */
  private readonly views: OverlaySnapshotter;

  constructor(private readonly o: BuildWorkerOptions) {
    this.views = new OverlaySnapshotter({ root: o.store.dir, dirOf: (key) => path.join(o.buildRoot, 'views', key) });
  }

  async base(ref: string, opts: { pull: boolean; platform?: string; progress: ProgressSink; signal?: AbortSignal }): Promise<BaseImage> {
    if (ref === 'scratch') return { id: null, config: SCRATCH_CONFIG() };
    let img = opts.pull ? undefined : await this.o.store.get(ref).catch((e: unknown) => {
      if (isEngineError(e, 'not-found')) return undefined;
      throw e;
    });
    if (!img) {
      await this.o.pull(ref, { ...(opts.platform ? { platform: opts.platform } : {}), progress: opts.progress, ...(opts.signal ? { signal: opts.signal } : {}) });
      img = await this.o.store.get(ref);
    }
    return { id: img.id, config: img.config };
  }

  async config(id: string): Promise<OciImage> {
    return (await this.o.store.get(id)).config;
  }

  async cached(parent: string | null, createdBy: string): Promise<string | undefined> {
    let best: { id: string; created: string } | undefined;
    for (const img of await this.o.store.list()) {
      if ((img.parent ?? null) !== parent) continue;
      const last = img.config.history?.at(-1);
      if (last?.created_by !== createdBy) continue;
      // Several builds may have made the step; the newest is the one a rebuild would make again.
      const created = img.config.created ?? '';
      if (!best || created > best.created) best = { id: img.id, created };
    }
    return best?.id;
  }

  async configOnly(parent: string | null, config: OciImage): Promise<string> {
    const base = parent ? await this.o.store.get(parent) : undefined;
    const next: OciImage = { ...config, rootfs: { type: 'layers', diff_ids: [...(base?.diffIds ?? [])] } };
    const { id } = await this.o.store.addImage({ configBytes: Buffer.from(JSON.stringify(next)), layers: (base?.diffIds ?? []).map(() => undefined), ...(parent ? { parent } : {}) });
    return id;
  }

  async addLayer(parent: string | null, tar: AsyncIterable<Buffer>, config: OciImage): Promise<string> {
    const base = parent ? await this.o.store.get(parent) : undefined;
    const layer = await this.o.store.stageLayer(tar, { isBase: !base || base.diffIds.length === 0 });
    const next: OciImage = { ...config, rootfs: { type: 'layers', diff_ids: [...(base?.diffIds ?? []), layer.diffId] } };
    const { id } = await this.o.store.addImage({
      configBytes: Buffer.from(JSON.stringify(next)),
      layers: [...(base?.diffIds ?? []).map(() => undefined), layer],
      ...(parent ? { parent } : {}),
    });
    return id;
  }

  /**
   * RUN: a container of the parent image runs the command; a non-zero exit is Docker's error; otherwise its
   * changes become one layer under `config`. The container is removed either way.
   */
  async run(parent: string | null, step: RunStep, config: OciImage): Promise<string> {
    if (!parent) throw new EngineError('invalid-argument', 'no image to run a command in: a RUN after FROM scratch needs files from a COPY first');
    const mounts: Mount[] = step.mounts.map((m) =>
      m.type === 'tmpfs'
        ? { Type: 'tmpfs', Target: m.target, TmpfsOptions: { ...(m.size ? { SizeBytes: m.size } : {}), ...(m.mode !== undefined ? { Mode: m.mode } : {}) } }
        : { Type: 'bind', Source: m.source!, Target: m.target, ReadOnly: m.readonly },
    );
    const { Id } = await this.o.containers.create({
      Image: parent,
      Cmd: step.cmd,
      Entrypoint: [],
      Env: step.env,
      User: step.user,
      WorkingDir: step.workdir,
      Labels: {},
      HostConfig: { NetworkMode: step.network && step.network !== 'default' ? step.network : 'default', ExtraHosts: step.extraHosts, Mounts: mounts },
    });
    step.started?.(Id);
    try {
      const exited = this.o.containers.wait(Id, 'next-exit');
      await this.o.containers.start(Id);
      const { StatusCode } = await exited;
      const c = this.o.containers.ctx.store.get(Id);
      for await (const e of readLogs(c.logPath, { stdout: true, stderr: true, follow: false, isRunning: () => false })) step.output(e.data.toString());
      if (StatusCode !== 0) throw new EngineError('internal', `The command '${step.shown}' returned a non-zero code: ${StatusCode}`, { exitCode: StatusCode });
      const upper = rootfsLayout(this.o.containerDir(Id), []).upper;
      return await this.addLayer(parent, packLayer(upper, { fromOverlayUpper: true }), config);
    } finally {
      await this.o.containers.remove(Id, { force: true, volumes: true }).catch(() => undefined);
    }
  }

  async view(id: string | null): Promise<RootfsView> {
    if (!id) return { root: this.o.emptyDir, close: async () => undefined };
    const img = await this.o.images.get(id);
    const key = `v${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    const mount = await this.views.view(key, img.layers);
    const layout = { upper: this.o.emptyDir, work: '', merged: '', lowers: [...img.layers].reverse() };
    try {
      const v = await openOverlayView(layout, this.o.emptyDir, { writable: false, scratchDir: this.o.scratchDir, snapshot: mount });
      return {
        // Every access goes through the open directory: the mount lives in the view helper's namespace only.
        root: `/proc/self/fd/${v.root.fd}`,
        close: async () => {
          await v.close();
          await this.views.remove(key);
        },
      };
    } catch (e) {
      await this.views.remove(key);
      throw e;
    }
  }

  async cacheDir(id: string, opts: { mode?: number; uid?: number; gid?: number }): Promise<string> {
    const dir = path.join(this.o.buildRoot, 'cache', createHash('sha256').update(id).digest('hex').slice(0, 32));
    const exists = await stat(dir).then(() => true, () => false);
    if (!exists) {
      await mkdir(dir, { recursive: true, mode: opts.mode ?? 0o755 });
      if (opts.uid !== undefined || opts.gid !== undefined) await chown(dir, opts.uid ?? 0, opts.gid ?? 0);
    }
    return dir;
  }
}
