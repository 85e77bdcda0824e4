// The engine's services seen through the route folders' backend interfaces: the one place where api and
// engine meet (bin/berthd.ts → src/berthd/main.ts).
import type { Duplex } from 'node:stream';
import { EngineError } from '../common/errors.js';
import type { ContainersBackend, ExecBackend, NetworksBackend, SystemBackend, VolumesBackend } from '../api/index.js';
import type { Network } from '../spec/engine-api/index.js';
import {
  attachContainer,
  changesOf,
  exportContainer,
  getArchive,
  infoJSON,
  logFrames,
  putArchive,
  resizeContainer,
  statPath,
  statsStream,
  topContainer,
  updateContainer,
  versionJSON,
  type Engine,
  type ImageService,
  type VolumeService,
} from '../engine/index.js';


export function containersBackend(engine: Engine): ContainersBackend {
  const c = engine.containers;
  const ctx = engine.ctx;
  return {
    create: (body, name) => c.create(body, name),
    start: (ref) => c.start(ref),
    stop: (ref, o) => c.stop(ref, o),
    restart: (ref, o) => c.restart(ref, o),
    kill: (ref, sig) => c.kill(ref, sig),
    pause: (ref) => c.pause(ref),
    unpause: (ref) => c.unpause(ref),
    wait: (ref, cond, signal) => c.wait(ref, cond, signal),
    remove: (ref, o) => c.remove(ref, o),
    rename: (ref, name) => c.rename(ref, name),
    update: (ref, body) => updateContainer(ctx, ref, body),
    inspect: (ref) => c.inspect(ref, engine.execs.idsOf(c.get(ref).id)),
    list: (o) => c.list(o),
    prune: (f) => c.prune(f),
    top: (ref, ps) => topContainer(ctx, ref, ps),
    tty: (ref) => c.get(ref).config.Tty === true,
    logs(ref, o) {
      const rec = c.get(ref);
      if (rec.hostConfig.LogConfig?.Type === 'none' || !rec.logPath) {
        throw new EngineError('invalid-argument', 'configured logging driver does not support reading');
      }
      return logFrames(rec.logPath, { ...o, tty: rec.config.Tty === true, isRunning: () => rec.state.status === 'running' || rec.state.status === 'paused' || rec.state.status === 'restarting' });
    },
    stats: (ref, o) => statsStream(ctx, ref, o),
    attach: (ref, o, conn: Duplex) => attachContainer(ctx, ref, o, conn),
    resize: (ref, h, w) => resizeContainer(ctx, ref, h, w),
    changes: async (ref) => {
      const changes = await changesOf(ctx, ref);
      return changes.length ? changes : null; // Docker answers null, not [], when nothing changed
    },
    export: (ref, signal) => exportContainer(ctx, ref, { signal }),
    archiveStat: (ref, p) => statPath(ctx, ref, p) as unknown as Promise<Record<string, unknown>>,
    archiveGet: (ref, p, signal) => getArchive(ctx, ref, p, { signal }) as unknown as Promise<{ stat: Record<string, unknown>; stream: import('node:stream').Readable }>,
    archivePut: (ref, p, body, o) => putArchive(ctx, ref, p, body, o),
  };
}

export function execBackend(engine: Engine): ExecBackend {
  const e = engine.execs;
  return {
    create: (container, cfg) => e.create(container, cfg),
    start: (id, o, conn) => e.start(id, o, conn),
    resize: (id, h, w) => e.resize(id, h, w),
    inspect: (id) => e.inspect(id),
    tty: (id) => e.get(id).config.Tty === true,
  };
}

export function systemBackend(engine: Engine, images: ImageService, volumes?: VolumeService): SystemBackend {
  return {
    version: () => versionJSON(),
    info: async () => infoJSON({ id: engine.id, store: engine.store, images: await images.count(), dataRoot: engine.opts.dataRoot, cgroupVersion: engine.cgroupVersion, events: engine.events }),
    df: async () => {
      const imgs = (await images.list({ all: true, digests: false, filters: {} })) as { Size: number }[];
      return {
      LayersSize: imgs.reduce((a, i) => a + i.Size, 0),
      Images: imgs,
      Containers: engine.containers.list({ all: true }),
      Volumes: volumes ? await volumes.df() : [],
      BuildCache: [],
      };
    },
    subscribe: (onEvent, o) => engine.events.subscribe(onEvent, o),
  };
}

export function networksBackend(engine: Engine): NetworksBackend {
  const n = engine.networks;
  return {
    list: async ({ filters }) => n.list(filters) as unknown as Network[],
    inspect: async (term) => n.inspect(term) as unknown as Network,
    create: (req) => n.create(req as Parameters<typeof n.create>[0]),
    remove: (term) => n.remove(term),
    connect: (term, container, endpoint) => n.connect(term, container, endpoint as Record<string, unknown> | null),
    disconnect: (term, container, force) => n.disconnect(term, container, force),
    prune: (filters) => n.prune(filters),
  };
}

export function volumesBackend(v: VolumeService): VolumesBackend {
  return {
    list: (filters) => v.list(filters),
    inspect: (name) => v.inspect(name),
    create: (req) => v.create(req),
    remove: (name, o) => v.remove(name, o),
    prune: (filters) => v.prune(filters),
  };
}
