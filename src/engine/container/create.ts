// POST /containers/create: validate the request, claim the name, resolve the image, and lay out the
// container's directory. Nothing runs yet: the OCI spec is made at start, as Docker does.
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { invalidArgument } from '../../common/errors.js';
import { eventAttrs, type EngineContext } from './context.js';
import { newState, type ContainerRecord, type WireConfig, type WireHostConfig } from './model.js';
import { generateName, normalizeName } from './names.js';
import { parseMount, parseVolumeSpec, parseVolumesFrom } from '../../volume/index.js';
import { prepareRootfs, rootfsLayout } from './rootfs.js';

const RESTART_POLICIES = new Set(['', 'no', 'always', 'unless-stopped', 'on-failure']);

export function validateHostConfig(hc: WireHostConfig, withNetworks = false): void {
  const rp = hc.RestartPolicy ?? {};
  const name = rp.Name ?? '';
  if (!RESTART_POLICIES.has(name)) {
    throw invalidArgument(`invalid restart policy: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
  }
  // An empty name with a retry count is accepted (old clients send it), as Docker does.
  if (name !== 'on-failure' && name !== '' && rp.MaximumRetryCount) {
    throw invalidArgument(`invalid restart policy: maximum retry count can only be used with 'on-failure'${rp.MaximumRetryCount < 0 ? ' and cannot be negative' : ''}`);
  }
  if (rp.MaximumRetryCount < 0) throw invalidArgument('invalid restart policy: maximum retry count cannot be negative');
  if (hc.AutoRemove && name !== '' && name !== 'no') {
    throw invalidArgument(`can't create 'AutoRemove' container with restart policy`);
  }
  // -v, --mount and --volumes-from as moby's parser reads them; ctx.volumes resolves them at create.
  for (const b of hc.Binds ?? []) parseVolumeSpec(String(b));
  for (const m of hc.Mounts ?? []) parseMount(m);
  for (const v of hc.VolumesFrom ?? []) parseVolumesFrom(String(v));
  const mode = hc.NetworkMode ?? '';
  if (!withNetworks && !['', 'default', 'bridge', 'none', 'host'].includes(mode) && !mode.startsWith('container:')) {
    throw invalidArgument(`network ${mode} not found`);
  }
  if (hc.Memory !== undefined && hc.Memory !== 0 && hc.Memory < 6 * 1024 * 1024) throw invalidArgument('Minimum memory limit allowed is 6MB');
  if (hc.CpuShares !== undefined && hc.CpuShares < 0) throw invalidArgument('invalid CPU shares');
  const log = hc.LogConfig?.Type ?? '';
  if (!['', 'json-file', 'none'].includes(log)) throw invalidArgument(`logger: no log driver named '${log}' is registered`);
}

export async function createContainer(ctx: EngineContext, body: WireConfig & { HostConfig?: WireHostConfig; NetworkingConfig?: any }, requestedName?: string): Promise<{ Id: string; Warnings: string[] }> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidArgument('config cannot be empty in order to create a container');
  const { HostConfig: hostConfig = {}, NetworkingConfig: networkingConfig, ...config } = body;
  if (!config.Image) throw invalidArgument('No image was specified');
  validateHostConfig(hostConfig, !!ctx.networks);
  // Named networks must exist at create, as in moby (404 "network x not found").
  ctx.networks?.checkCreate(hostConfig.NetworkMode, networkingConfig?.EndpointsConfig);
  const image = await ctx.images.get(config.Image);
  const imageCfg = image.config ?? {};
  const hasCmd = Array.isArray(config.Cmd) && config.Cmd.length > 0;
  const hasEntrypoint = Array.isArray(config.Entrypoint) ? config.Entrypoint.length > 0 : typeof config.Entrypoint === 'string';
  const entrypoint: string[] = hasEntrypoint ? (typeof config.Entrypoint === 'string' ? [config.Entrypoint] : config.Entrypoint) : (config.Entrypoint === undefined || config.Entrypoint === null ? imageCfg.Entrypoint ?? [] : []);
  // A new entrypoint drops the image's Cmd (Docker's rule).
  const cmd: string[] = hasCmd ? config.Cmd : hasEntrypoint ? [] : imageCfg.Cmd ?? [];
  const argv = [...entrypoint, ...cmd];
  if (argv.length === 0) throw invalidArgument('no command specified');

  const id = randomBytes(32).toString('hex');
  const name = requestedName ? normalizeName(requestedName) : `/${generateName((n) => ctx.store.nameTaken(n))}`;
  ctx.store.reserveName(name, id);
  let dropVolumes: (() => Promise<void>) | undefined;
  try {
    if (!ctx.volumes && (hostConfig.Binds ?? []).some((b: unknown) => !String(b).startsWith('/'))) throw invalidArgument('named volumes are not supported without a volume service');
    const imageVolumes = { ...(imageCfg.Volumes ?? {}), ...(config.Volumes ?? {}) };
    const vols = await ctx.volumes?.resolve(hostConfig, imageVolumes);
    dropVolumes = vols?.rollback;
    const dir = ctx.store.dir(id);
    await mkdir(dir, { recursive: true, mode: 0o710 });
    await prepareRootfs(rootfsLayout(dir, image.layers));
    const hostname = config.Hostname || id.slice(0, 12);
    const hc = normalizeHostConfig(hostConfig, ctx.cfg.defaultCgroupns);
    const rec: ContainerRecord = {
      id,
      name,
      created: new Date().toISOString(),
      path: argv[0]!,
      args: argv.slice(1),
      imageRef: config.Image,
      imageId: image.id,
      config: {
        ...config,
        Hostname: hostname,
        Env: mergeEnv(imageCfg.Env ?? [], config.Env ?? []),
        Cmd: hasCmd ? config.Cmd : hasEntrypoint ? null : imageCfg.Cmd ?? null,
        Entrypoint: entrypoint.length ? entrypoint : null,
        WorkingDir: config.WorkingDir || imageCfg.WorkingDir || '',
        User: config.User || imageCfg.User || '',
        Labels: { ...(imageCfg.Labels ?? {}), ...(config.Labels ?? {}) },
        StopSignal: config.StopSignal || imageCfg.StopSignal || undefined,
        Healthcheck: config.Healthcheck ?? imageCfg.Healthcheck,
        // Docker merges the image's volumes and exposed ports into the container's config (-P publishes them).
        Volumes: Object.keys(imageVolumes).length ? imageVolumes : config.Volumes ?? null,
        ...(imageCfg.ExposedPorts || config.ExposedPorts ? { ExposedPorts: { ...(imageCfg.ExposedPorts ?? {}), ...(config.ExposedPorts ?? {}) } } : {}),
      },
      hostConfig: hc,
      networkingConfig,
      state: newState(),
      restartCount: 0,
      hasBeenStarted: false,
      manuallyStopped: false,
      logPath: hc.LogConfig.Type === 'none' ? '' : path.join(dir, `${id}-json.log`),
      hostnamePath: path.join(dir, 'hostname'),
      hostsPath: path.join(dir, 'hosts'),
      resolvConfPath: path.join(dir, 'resolv.conf'),
      networkMode: hc.NetworkMode,
      ...(vols ? { mountPoints: vols.mountPoints } : {}),
    };
    await writeFile(rec.hostnamePath, `${hostname}\n`);
    await writeFile(rec.hostsPath, hostsFile(hostname, hc.ExtraHosts ?? []));
    await writeFile(rec.resolvConfPath, resolvConf(hc));
    await ctx.store.save(rec);
    ctx.events.publish('container', 'create', id, eventAttrs(rec));
    return { Id: id, Warnings: [] };
  } catch (e) {
    ctx.store.releaseName(name, id);
    await dropVolumes?.();
    await rm(ctx.store.dir(id), { recursive: true, force: true });
    throw e;
  }
}

/** The defaults dockerd fills in at create, so that inspect shows what Docker's would. */
export function normalizeHostConfig(h: WireHostConfig, defaultCgroupns: 'host' | 'private' = 'host'): WireHostConfig {
  const hc: WireHostConfig = { ...h };
  hc.NetworkMode = !h.NetworkMode || h.NetworkMode === 'default' ? 'bridge' : h.NetworkMode;
  const rp = h.RestartPolicy ?? {};
  hc.RestartPolicy = { Name: rp.Name || 'no', MaximumRetryCount: rp.MaximumRetryCount ?? 0 };
  hc.LogConfig = h.LogConfig?.Type ? { Type: h.LogConfig.Type, Config: h.LogConfig.Config ?? {} } : { Type: 'json-file', Config: h.LogConfig?.Config ?? {} };
  if (h.Memory && !h.MemorySwap) hc.MemorySwap = h.Memory * 2;
  if (!h.ShmSize) hc.ShmSize = 64 * 1024 * 1024;
  if (h.PidsLimit !== undefined && h.PidsLimit !== null && h.PidsLimit <= 0) hc.PidsLimit = null;
  if (h.MemorySwappiness === -1) hc.MemorySwappiness = null;
  // Docker's default: a private cgroup namespace on cgroup v2 hosts, the host's on v1.
  if (hc.CgroupnsMode === undefined || hc.CgroupnsMode === '') hc.CgroupnsMode = defaultCgroupns;
  if (hc.IpcMode === undefined || hc.IpcMode === '') hc.IpcMode = 'private';
  return hc;
}

/** Image Env first, then the container's: a later KEY=value replaces an earlier one in place. */
export function mergeEnv(base: string[], over: string[]): string[] {
  const out = [...base];
  for (const kv of over) {
    const key = kv.includes('=') ? kv.slice(0, kv.indexOf('=')) : kv;
    const i = out.findIndex((e) => (e.includes('=') ? e.slice(0, e.indexOf('=')) : e) === key);
    if (i >= 0) out[i] = kv;
    else out.push(kv);
  }
  return out;
}

function hostsFile(hostname: string, extra: string[]): string {
  const lines = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback', 'fe00::0\tip6-localnet', 'ff00::0\tip6-mcastprefix', 'ff02::1\tip6-allnodes', 'ff02::2\tip6-allrouters', `127.0.1.1\t${hostname}`];
  for (const h of extra) {
    const i = h.indexOf(':');
    if (i < 0) throw invalidArgument(`invalid argument "${h}" for "--add-host" flag: bad format for add-host: "${h}"`);
    lines.push(`${h.slice(i + 1)}\t${h.slice(0, i)}`);
  }
  return `${lines.join('\n')}\n`;
}

function resolvConf(hc: WireHostConfig): string {
  const lines: string[] = [];
  for (const s of hc.Dns ?? []) lines.push(`nameserver ${s}`);
  if ((hc.DnsSearch ?? []).length) lines.push(`search ${hc.DnsSearch.join(' ')}`);
  if ((hc.DnsOptions ?? []).length) lines.push(`options ${hc.DnsOptions.join(' ')}`);
  return lines.length ? `${lines.join('\n')}\n` : '';
}
