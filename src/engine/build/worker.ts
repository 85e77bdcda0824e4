// The engine's side of a Dockerfile build: the steps a builder asks for, each producing a new image whose
// configuration the builder wrote (history entry included). RUN runs in a real container through Berth's
// runtime, exactly like `docker run`, and its writable layer becomes the step's layer; COPY/ADD turn a tar
// of the files into a layer; metadata steps add a configuration only. Step images are untagged; the builder's
// cache finds them again by (parent, the step's created_by).
import { EngineError } from '../../common/errors.js';
import type { OciImage } from '../../spec/oci-image.js';
import { packLayer, type ImageStore } from '../../image/index.js';
import type { Containers } from '../container/service.js';
import { readLogs } from '../container/logs.js';
import { rootfsLayout } from '../container/rootfs.js';

export interface RunStep {
  /** The argv to run, already wrapped in the stage's SHELL for the shell form. */
  cmd: string[];
  env: string[];
  user: string;
  workdir: string;
  /** RUN --network / the build's network mode: default, none or host. */
  network?: string;
  extraHosts?: string[];
  /** Each line of the step's output, as it is shown in the build stream. */
  output: (text: string) => void;
}

const SCRATCH_CONFIG = (): OciImage => ({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: {} });

export class BuildWorker {
  constructor(
    private readonly store: ImageStore,
    private readonly containers: Containers,
    private readonly containerDir: (id: string) => string,
  ) {}

  /** The configuration of a FROM image (or of `scratch`), to start a stage from. */
  async base(ref: string): Promise<{ id: string | null; config: OciImage }> {
    if (ref === 'scratch') return { id: null, config: SCRATCH_CONFIG() };
    const img = await this.store.get(ref);
    return { id: img.id, config: img.config };
  }

  /** A step image made earlier from the same parent by the same instruction: the classic builder's cache. */
  async cached(parent: string | null, createdBy: string): Promise<string | undefined> {
    for (const img of await this.store.list()) {
      if ((img.parent ?? null) !== parent) continue;
      const last = img.config.history?.at(-1);
      if (last?.created_by === createdBy) return img.id;
    }
    return undefined;
  }

  /** A metadata step (ENV, CMD, LABEL, …): the parent's layers under a new configuration. */
  async configOnly(parent: string | null, config: OciImage): Promise<string> {
    const layers = parent ? (await this.store.get(parent)).diffIds.map(() => undefined) : [];
    const { id } = await this.store.addImage({ configBytes: Buffer.from(JSON.stringify(config)), layers, ...(parent ? { parent } : {}) });
    return id;
  }

  /** COPY/ADD: one new layer from a tar of the files, placed as they will appear in the image. */
  async addLayer(parent: string | null, tar: AsyncIterable<Buffer>, config: OciImage): Promise<string> {
    const base = parent ? await this.store.get(parent) : undefined;
    const layer = await this.store.stageLayer(tar, { isBase: !base || base.diffIds.length === 0 });
    const next: OciImage = { ...config, rootfs: { type: 'layers', diff_ids: [...(base?.diffIds ?? []), layer.diffId] } };
    const { id } = await this.store.addImage({
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
    const { Id } = await this.containers.create({
      Image: parent,
      Cmd: step.cmd,
      Entrypoint: [],
      Env: step.env,
      User: step.user,
      WorkingDir: step.workdir,
      Labels: {},
      HostConfig: { NetworkMode: step.network && step.network !== 'default' ? step.network : 'bridge', ExtraHosts: step.extraHosts ?? [] },
    });
    try {
      const exited = this.containers.wait(Id, 'next-exit');
      await this.containers.start(Id);
      const { StatusCode } = await exited;
      const c = this.containers.ctx.store.get(Id);
      for await (const e of readLogs(c.logPath, { stdout: true, stderr: true, follow: false, isRunning: () => false })) step.output(e.data);
      if (StatusCode !== 0) {
        const shown = step.cmd.join(' ');
        throw new EngineError('internal', `The command '${shown}' returned a non-zero code: ${StatusCode}`, { exitCode: StatusCode });
      }
      const upper = rootfsLayout(this.containerDir(Id), []).upper;
      return await this.addLayer(parent, packLayer(upper, { fromOverlayUpper: true }), config);
    } finally {
      await this.containers.remove(Id, { force: true, volumes: true }).catch(() => undefined);
    }
  }

  async tag(id: string, ref: string): Promise<void> {
    await this.store.tag(id, ref);
  }
}
