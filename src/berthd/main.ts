// berthd: the daemon. Parses dockerd-style flags, opens the stores, restores containers, and serves the
// Engine API on every --host. SIGTERM/SIGINT stop the daemon only: containers keep running (live restore).
import { writeFile, rm, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { buildRoutes, containerRoutes, createApiServer, execRoutes, imageRoutes, networkRoutes, pingRoutes, stderrLogger, systemRoutes, volumeRoutes } from '../api/index.js';
import { BERTH_VERSION, BuildService, BuildWorker, ContainerVolumes, Engine, ImageService, VolumeService, registryAccess } from '../engine/index.js';
import { ImageStore, parseNormalizedNamed } from '../image/index.js';
import { containersBackend, execBackend, networksBackend, systemBackend, volumesBackend } from './backends.js';

export interface DaemonFlags {
  host: string[];
  dataRoot: string;
  execRoot: string;
  pidfile?: string;
  group?: string;
  tls?: boolean;
  tlsverify?: boolean;
  tlscacert?: string;
  tlscert?: string;
  tlskey?: string;
  cgroupParent?: string;
  debug?: boolean;
  insecureRegistry?: string[];
  registryAddr?: string;
  registryRoot?: string;
  bridge?: string;
}

export async function runDaemon(f: DaemonFlags): Promise<{ close: () => Promise<void>; addresses: string[] }> {
  const log = (m: string) => process.stderr.write(`berthd: ${m}\n`);
  await mkdir(f.dataRoot, { recursive: true, mode: 0o711 });
  const store = await ImageStore.open(path.join(f.dataRoot, 'image'), { log });
  let engine: Engine;
  const imagesLater = { get: (ref: string) => images.get(ref) };
  engine = new Engine({ dataRoot: f.dataRoot, execRoot: f.execRoot, cgroupParent: f.cgroupParent, log, imageRoot: store.dir, ...(f.bridge ? { bridge: f.bridge } : {}) }, imagesLater);
  const registry = registryAccess({ insecureRegistries: f.insecureRegistry ?? [] });
  const images = new ImageService(store, engine.store, engine.events, {
    registry: registry.factory,
    login: registry.login,
    withPaused: async (ref, fn) => {
      await engine.containers.pause(ref);
      try {
        return await fn();
      } finally {
        await engine.containers.unpause(ref).catch((e: Error) => log(`commit: unpause ${ref}: ${e.message}`));
      }
    },
    containerDir: (id) => engine.store.dir(id),
    layersRemoved: () => engine.snapshots.pruneLinks(),
  });
  // Volumes before containers: restarting one (restart policies) mounts its volumes.
  const volumes = new VolumeService(f.dataRoot, () => engine.store.all(), engine.events, log);
  engine.ctx.volumes = new ContainerVolumes(volumes, (ref) => engine.store.get(ref), { emptyDir: engine.ctx.cfg.emptyDir, scratchDir: f.execRoot });
  await volumes.load();
  await engine.start();
  // Loaded only when asked for: most daemons never serve a registry.
  const registryServer = f.registryAddr
    ? await (await import('../registry/server/index.js')).startRegistryServer({ root: f.registryRoot ?? path.join(f.dataRoot, 'registry'), listen: f.registryAddr, log })
    : undefined;
  if (registryServer) log(`registry listening on ${registryServer.url}`);
  const buildRoot = path.join(f.dataRoot, 'build');
  const builds = new BuildService({
    worker: new BuildWorker({
      store,
      images,
      containers: engine.containers,
      containerDir: (id) => engine.store.dir(id),
      pull: async (ref, o) => {
        const named = parseNormalizedNamed(ref);
        // A FROM without a tag means latest: an empty tag would ask the pull for every tag.
        const tag = named.tag ?? (named.digest ? undefined : 'latest');
        await images.pull({ image: ref, ...(tag && !named.tag ? { tag } : {}), ...(o.platform ? { platform: o.platform } : {}), signal: o.signal ?? new AbortController().signal }, o.progress);
      },
      buildRoot,
      emptyDir: engine.ctx.cfg.emptyDir,
      scratchDir: f.execRoot,
    }),
    buildRoot,
    tag: (id, ref) => images.tag(id, ref),
    log,
  });
  await builds.sweep();
  const routes = [
    ...pingRoutes(),
    ...buildRoutes(builds),
    ...systemRoutes(systemBackend(engine, images, volumes)),
    ...containerRoutes(containersBackend(engine)),
    ...execRoutes(execBackend(engine)),
    ...imageRoutes(images),
    ...networkRoutes(networksBackend(engine)),
    ...volumeRoutes(volumesBackend(volumes)),
  ];
  const tls = f.tlsverify || f.tls ? { cert: f.tlscert ?? '', key: f.tlskey ?? '', ca: f.tlscacert, verify: f.tlsverify === true } : undefined;
  const server = createApiServer(routes, {
    hosts: f.host.length ? f.host : ['unix:///run/berth/berth.sock'],
    tls,
    socketGroup: f.group,
    version: BERTH_VERSION,
    logger: f.debug ? { ...stderrLogger, debug: (m) => log(m) } : stderrLogger,
  });
  const addresses = await server.listen();
  if (f.pidfile) await writeFile(f.pidfile, `${process.pid}\n`);
  engine.events.publish('daemon', 'start', engine.id, { name: 'berthd' });
  log(`API listening on ${addresses.join(', ')}`);
  return {
    addresses,
    close: async () => {
      await server.close({ graceMs: 2000 });
      await registryServer?.close();
      engine.stop();
      if (f.pidfile) await rm(f.pidfile, { force: true });
    },
  };
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command('berthd')
    .description('Berth daemon: serves the Docker Engine API')
    .version(`Berth version ${BERTH_VERSION}`, '-v, --version')
    .option('-H, --host <address>', 'daemon socket(s) to listen on, repeatable: unix:///path, tcp://host:port (default: unix:///run/berth/berth.sock)', collect, [])
    .option('--data-root <dir>', 'root directory of persistent state', '/var/lib/berth')
    .option('--exec-root <dir>', 'root directory for execution state files', '/run/berth')
    .option('-p, --pidfile <file>', 'path to use for the daemon PID file', '/run/berth.pid')
    .option('-G, --group <group>', 'group for the unix socket', 'docker')
    .option('--tls', 'use TLS; implied by --tlsverify')
    .option('--tlsverify', 'use TLS and verify the remote')
    .option('--tlscacert <file>', 'trust certs signed only by this CA')
    .option('--tlscert <file>', 'path to TLS certificate file')
    .option('--tlskey <file>', 'path to TLS key file')
    .option('--cgroup-parent <path>', 'parent cgroup for all containers', '/berth')
    .option('--insecure-registry <registry>', 'enable insecure registry communication (CIDR or host[:port]), repeatable; 127.0.0.0/8 always is', collect, [])
    .option('--registry-addr <address>', 'also serve a registry (OCI distribution API) on this address, e.g. 127.0.0.1:5000')
    .option('--registry-root <dir>', 'storage of the --registry-addr registry (default: <data-root>/registry)')
    .option('-b, --bridge <name>', '"none" to run without the default bridge network (containers get only loopback unless --network names one)')
    .option('-D, --debug', 'enable debug output')
    .exitOverride();
  let flags: DaemonFlags;
  try {
    program.parse(argv, { from: 'user' });
    flags = program.opts() as DaemonFlags;
  } catch (e) {
    const code = (e as { code?: string }).code;
    return code === 'commander.helpDisplayed' || code === 'commander.version' ? 0 : 125;
  }
  let d: Awaited<ReturnType<typeof runDaemon>>;
  try {
    d = await runDaemon(flags);
  } catch (e) {
    process.stderr.write(`berthd: failed to start daemon: ${(e as Error).message}\n`);
    return 1;
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await d.close();
  return 0;
}
