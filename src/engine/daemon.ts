// The engine's composition root: builds the stores and services from a config and brings the daemon's
// state back (live restore). It holds no HTTP: bin/berthd.ts hands these services to the API routes.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { OverlaySnapshotter } from '../image/index.js';
import { NetworkService } from './network-service.js';
import { EngineError } from '../common/errors.js';
import { Runtime, initBinaryPath, loadLayout } from '../runtime/index.js';
import { Containers } from './container/service.js';
import type { EngineConfig, EngineContext, ImageLookup } from './container/context.js';
import { Execs } from './container/exec.js';
import { ContainerStore } from './container/store.js';
import { EventBus } from './events.js';

export interface DaemonOptions {
  dataRoot: string;
  execRoot: string;
  cgroupParent?: string;
  log?: (msg: string) => void;
  /** `none`: no default bridge network (dockerd's --bridge none). */
  bridge?: string;
  /** The image store's directory: container snapshots link its layers by short names from there. */
  imageRoot?: string;
}

/** Unix socket paths are limited to 107 bytes; a container's shim sockets live at <execRoot>/r/<64-hex id>/attach. */
const MAX_EXEC_ROOT = 107 - '/r/'.length - 64 - '/attach'.length;

export class Engine {
  readonly events = new EventBus();
  readonly store: ContainerStore;
  readonly networks: NetworkService;
  /** Container rootfs snapshots; its short layer links go stale when images are removed (pruneLinks). */
  readonly snapshots: OverlaySnapshotter;
  readonly runtime: Runtime;
  readonly containers: Containers;
  readonly execs: Execs;
  readonly ctx: EngineContext;
  id = '';
  cgroupVersion: '1' | '2' = '1';

  constructor(readonly opts: DaemonOptions, images: ImageLookup) {
    if (opts.execRoot.length > MAX_EXEC_ROOT) {
      throw new EngineError('invalid-argument', `exec-root ${opts.execRoot} is too long: at most ${MAX_EXEC_ROOT} characters (container sockets must fit in a unix socket path)`);
    }
    const cfg: EngineConfig = {
      dataRoot: opts.dataRoot,
      execRoot: opts.execRoot,
      cgroupParent: opts.cgroupParent ?? '/berth',
      emptyDir: path.join(opts.dataRoot, 'empty'),
      defaultCgroupns: 'host',
      initPath: initBinaryPath(),
    };
    this.store = new ContainerStore(path.join(opts.dataRoot, 'containers'));
    this.snapshots = new OverlaySnapshotter({
      root: opts.imageRoot ?? path.join(opts.dataRoot, 'image'),
      // Each container's snapshot is its fs/ dir, where containers made before the snapshotter have it too.
      dirOf: (id) => path.join(this.store.dir(id), 'fs'),
    });
    this.runtime = new Runtime(path.join(opts.execRoot, 'r'));
    this.ctx = {
      cfg,
      store: this.store,
      runtime: this.runtime,
      images,
      snapshotter: this.snapshots,
      events: this.events,
      waiters: new Map(),
      pendingAttach: new Map(),
      onStart: () => undefined,
      onExit: () => undefined,
      onStartFailed: async () => undefined,
      log: opts.log ?? ((m) => process.stderr.write(`berthd: ${m}\n`)),
    };
    this.execs = new Execs(this.ctx);
    this.containers = new Containers(this.ctx, this.execs);
    this.networks = new NetworkService(opts.dataRoot, this.store, this.events, this.ctx.log, opts.bridge !== 'none');
    this.ctx.networks = this.networks;
    this.containers.network = this.networks;
  }

  async start(): Promise<void> {
    const { dataRoot, execRoot } = this.opts;
    await mkdir(dataRoot, { recursive: true, mode: 0o711 });
    await mkdir(execRoot, { recursive: true, mode: 0o711 });
    await mkdir(this.ctx.cfg.emptyDir, { recursive: true });
    const idFile = path.join(dataRoot, 'engine-id');
    this.id = await readFile(idFile, 'utf8').catch(async () => {
      const id = randomUUID();
      await writeFile(idFile, id);
      return id;
    });
    this.cgroupVersion = (await loadLayout()).mode === 'v2' ? '2' : '1';
    await this.snapshots.pruneLinks().catch((e: Error) => this.ctx.log(`snapshots: pruning layer links: ${e.message}`));
    this.ctx.cfg.defaultCgroupns = this.cgroupVersion === '2' ? 'private' : 'host';
    await this.store.load(this.ctx.log);
    // Networks before containers: restoring a container may release its endpoints (it exited while down).
    await this.networks.start();
    await this.containers.restore();
  }

  stop(): void {
    // Containers keep running (live restore): only the daemon's own timers, servers and proxies stop.
    this.containers.monitor.close();
    this.containers.health.close();
    void this.networks.stop();
  }
}
