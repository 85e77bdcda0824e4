// A container's mounts, resolved at create the way moby's registerMountPoints does: --volumes-from first (the
// other container's mounts, lowest priority), then -v (Binds), then --mount (a clash with -v is an error),
// then Config.Volumes and the image's volumes as anonymous volumes wherever nothing is mounted yet.
// Named volumes are made when missing. At start the records become OCI mounts (parents before children).
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { invalidArgument } from '../../common/errors.js';
import type { Mount } from '../../spec/oci-runtime.js';
import { LOCAL_DRIVER, parseMount, parseVolumeSpec, parseVolumesFrom, tmpfsOptions, type ParsedMount, type WireMount } from '../../volume/index.js';
import type { VolumeService } from '../volume-service.js';
import type { MountPointRecord, VolumeUser } from './types.js';

export interface MountRequest {
  binds: string[];
  mounts: WireMount[];
  volumesFrom: string[];
  /** Config.Volumes merged with the image's. */
  volumes: string[];
}

/** Parses and checks everything without side effects (create's validation step). */
export function parseMountRequest(req: MountRequest): { binds: ParsedMount[]; mounts: ParsedMount[]; from: { container: string; mode: string }[] } {
  return {
    binds: req.binds.map((b) => parseVolumeSpec(String(b))),
    mounts: req.mounts.map((m) => parseMount(m)),
    from: req.volumesFrom.map((v) => parseVolumesFrom(v)),
  };
}

/** Docker refuses a bind whose source does not exist when it came from --mount (-v creates it). */
async function checkBindSource(m: ParsedMount): Promise<void> {
  if (m.type !== 'bind' || m.origin !== 'mount') return;
  const exists = await stat(m.source).then(() => true, () => false);
  if (!exists) throw invalidArgument(`invalid mount config for type "bind": bind source path does not exist: ${m.source}`);
}

/**
 * Resolves the request into mount point records, making the volumes it names. `made` collects the volumes
 * created here so a failed create can remove them again.
 */
export async function resolveMounts(vs: VolumeService, req: MountRequest, lookup: (ref: string) => VolumeUser, made: string[] = []): Promise<MountPointRecord[]> {
  const parsed = parseMountRequest(req);
  const byDest = new Map<string, MountPointRecord>();

  for (const f of parsed.from) {
    const other = lookup(f.container);
    for (const m of other.mountPoints ?? []) {
      const rw = m.rw && f.mode.split(',').includes('ro') === false;
      byDest.set(m.destination, { ...m, rw, mode: f.mode === 'rw' ? m.mode : f.mode, copyData: false });
    }
  }

  const fromBinds = new Set<string>();
  const volumeOf = async (p: ParsedMount): Promise<MountPointRecord> => {
    if (p.type === 'tmpfs') return { type: 'tmpfs', source: '', destination: p.destination, mode: '', rw: p.rw, propagation: '', copyData: false, tmpfs: p.tmpfs };
    if (p.type === 'bind') {
      await checkBindSource(p);
      return { type: 'bind', source: p.source, destination: p.destination, mode: p.mode, rw: p.rw, propagation: p.propagation, copyData: false, ...(p.nonRecursive ? { nonRecursive: true } : {}) };
    }
    const opts = { driver: p.driver, labels: p.volumeOptions?.labels, driverOpts: p.volumeOptions?.driverOpts };
    const existed = p.source !== '' && vs.driver.get(p.source) !== undefined;
    const v = p.source ? await vs.ensure(p.source, opts) : await vs.anonymous(opts);
    if (!existed) made.push(v.name);
    // moby's setBindModeIfNull: local volumes without a mode show "z"
    return { type: 'volume', name: v.name, source: vs.driver.dataPath(v.name), destination: p.destination, driver: LOCAL_DRIVER, mode: p.mode || 'z', rw: p.rw, propagation: '', copyData: p.copyData };
  };

  for (const p of parsed.binds) {
    if (fromBinds.has(p.destination)) throw invalidArgument(`Duplicate mount point: ${p.destination}`);
    fromBinds.add(p.destination);
    byDest.set(p.destination, await volumeOf(p));
  }
  for (const p of parsed.mounts) {
    if (fromBinds.has(p.destination)) throw invalidArgument(`Duplicate mount point: ${p.destination}`);
    fromBinds.add(p.destination);
    byDest.set(p.destination, await volumeOf(p));
  }
  for (const raw of req.volumes) {
    const dest = path.posix.normalize(raw);
    if (!dest.startsWith('/')) throw invalidArgument(`invalid volume specification: '${raw}'`);
    if (byDest.has(dest)) continue;
    const v = await vs.anonymous();
    made.push(v.name);
    byDest.set(dest, { type: 'volume', name: v.name, source: vs.driver.dataPath(v.name), destination: dest, driver: LOCAL_DRIVER, mode: '', rw: true, propagation: '', copyData: true });
  }
  return [...byDest.values()];
}

/** Parents before children (moby's sortMounts), so a mount at /a/b lands inside the one at /a. */
function depth(p: string): number {
  return p.split('/').filter(Boolean).length;
}

/** The OCI mounts of a container's records; volumes resolve through the service (missing → no such volume). */
export function ociMounts(vs: VolumeService, mps: MountPointRecord[]): Mount[] {
  const out = mps.map((m): Mount => {
    const rw = m.rw ? 'rw' : 'ro';
    if (m.type === 'volume') return vs.ociMount(m.name!, m.destination, !m.rw);
    if (m.type === 'tmpfs') return { destination: m.destination, type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'noexec', ...tmpfsOptions(m.tmpfs, !m.rw)] };
    return { destination: m.destination, type: 'bind', source: m.source, options: [m.nonRecursive ? 'bind' : 'rbind', rw, m.propagation || 'rprivate'] };
  });
  return out.sort((a, b) => depth(a.destination) - depth(b.destination));
}

/** Inspect's Mounts, in Docker's field order. */
export function mountsJSON(mps: MountPointRecord[]): Record<string, unknown>[] {
  return mps.map((m) => ({
    Type: m.type,
    ...(m.type === 'volume' ? { Name: m.name } : {}),
    Source: m.source,
    Destination: m.destination,
    ...(m.type === 'volume' ? { Driver: m.driver ?? LOCAL_DRIVER } : {}),
    Mode: m.mode,
    RW: m.rw,
    Propagation: m.propagation,
  }));
}
