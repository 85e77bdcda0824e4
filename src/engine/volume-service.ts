// The volume backend: Docker's volume service over the local driver. Create is idempotent, remove refuses a
// volume any container (running or not) mounts, prune takes only anonymous volumes unless all=true, list
// filters like dockerd. References are read from the container records, so they survive restarts.
import path from 'node:path';
import { conflict, invalidArgument, notFound } from '../common/errors.js';
import type { Volume, VolumeListResponse, VolumePruneResponse } from '../spec/engine-api/index.js';
import { ANONYMOUS_LABEL, LOCAL_DRIVER, LocalDriver, anonymousVolumeName, localVolumeMount, type VolumeRecord } from '../volume/index.js';
import type { Mount } from '../spec/oci-runtime.js';
import type { EventBus } from './events.js';
import type { VolumeUser } from './volumes/types.js';
import { labelMatch } from './filters.js';

export type VolumeFilters = Record<string, string[]>;

const LIST_FILTERS = new Set(['name', 'label', 'dangling', 'driver']);
const PRUNE_FILTERS = new Set(['label', 'label!', 'all']);

function truthy(key: string, v: string): boolean {
  if (['1', 'true', 'True', 'TRUE', 't'].includes(v)) return true;
  if (['0', 'false', 'False', 'FALSE', 'f'].includes(v)) return false;
  throw invalidArgument(`invalid filter '${key}=${v}'`);
}

export class VolumeService {
  readonly driver: LocalDriver;

  constructor(
    dataRoot: string,
    private readonly containers: () => Iterable<VolumeUser>,
    private readonly events?: EventBus,
    private readonly log: (m: string) => void = () => undefined,
  ) {
    this.driver = new LocalDriver(path.join(dataRoot, 'volumes'));
  }

  load(): Promise<void> {
    return this.driver.load(this.log);
  }

  /** IDs of the containers that mount the volume. */
  refs(name: string): string[] {
    const out: string[] = [];
    for (const c of this.containers()) {
      if ((c.mountPoints ?? []).some((m) => m.type === 'volume' && m.name === name)) out.push(c.id);
    }
    return out;
  }

  toJSON(r: VolumeRecord): Volume {
    return {
      CreatedAt: r.createdAt,
      Driver: r.driver,
      Labels: Object.keys(r.labels).length ? r.labels : null,
      Mountpoint: this.driver.dataPath(r.name),
      Name: r.name,
      Options: Object.keys(r.options).length ? r.options : null,
      Scope: 'local',
    };
  }

  private checkDriver(driver: string | undefined, name: string): void {
    if (driver && driver !== LOCAL_DRIVER) throw notFound(`create ${name}: error looking up volume plugin ${driver}: plugin "${driver}" not found`);
  }

  /** POST /volumes/create; an empty name makes an anonymous volume, as Docker does. */
  async create(req: { Name?: string; Driver?: string; DriverOpts?: Record<string, string> | null; Labels?: Record<string, string> | null }): Promise<Volume> {
    const anonymous = !req.Name;
    const name = req.Name || anonymousVolumeName();
    this.checkDriver(req.Driver, name);
    const labels = { ...(req.Labels ?? {}), ...(anonymous ? { [ANONYMOUS_LABEL]: '' } : {}) };
    const { record, created } = await this.driver.create(name, { labels, options: req.DriverOpts });
    if (created) this.events?.publish('volume', 'create', name, { driver: LOCAL_DRIVER });
    return this.toJSON(record);
  }

  /** For containers: the named volume, made if missing (with the mount's labels and options). */
  async ensure(name: string, opts: { driver?: string; labels?: Record<string, string>; driverOpts?: Record<string, string> } = {}): Promise<VolumeRecord> {
    this.checkDriver(opts.driver, name);
    const existing = this.driver.get(name);
    if (existing) return existing;
    await this.create({ Name: name, Labels: opts.labels, DriverOpts: opts.driverOpts });
    return this.driver.get(name)!;
  }

  /** A new anonymous volume for a container. */
  async anonymous(opts: { driver?: string; labels?: Record<string, string>; driverOpts?: Record<string, string> } = {}): Promise<VolumeRecord> {
    const v = await this.create({ Driver: opts.driver, Labels: opts.labels, DriverOpts: opts.driverOpts });
    return this.driver.get(v.Name)!;
  }

  get(name: string): VolumeRecord {
    const r = this.driver.get(name);
    if (!r) throw notFound(`get ${name}: no such volume`);
    return r;
  }

  inspect(name: string): Volume {
    return this.toJSON(this.get(name));
  }

  list(filters: VolumeFilters = {}): VolumeListResponse {
    for (const k of Object.keys(filters)) if (!LIST_FILTERS.has(k)) throw invalidArgument(`invalid filter '${k}'`);
    const dangling = filters.dangling?.length ? filters.dangling.map((v) => truthy('dangling', v)) : undefined;
    const out = this.driver.list().filter((r) => {
      if (filters.name?.length && !filters.name.some((n) => r.name.includes(n))) return false;
      if (filters.driver?.length && !filters.driver.includes(r.driver)) return false;
      if (filters.label?.length && !filters.label.every((l) => labelMatch(r.labels, l))) return false;
      if (dangling && !dangling.includes(this.refs(r.name).length === 0)) return false;
      return true;
    });
    return { Volumes: out.map((r) => this.toJSON(r)), Warnings: null };
  }

  /** DELETE /volumes/{name}; force removes a volume that does not exist without error (not one in use). */
  async remove(name: string, opts: { force?: boolean } = {}): Promise<void> {
    if (!this.driver.get(name)) {
      if (opts.force) return;
      throw notFound(`get ${name}: no such volume`);
    }
    const refs = this.refs(name);
    if (refs.length) throw conflict(`remove ${name}: volume is in use - [${refs.join(', ')}]`);
    await this.driver.remove(name);
    this.events?.publish('volume', 'destroy', name, { driver: LOCAL_DRIVER });
  }

  async prune(filters: VolumeFilters = {}): Promise<VolumePruneResponse> {
    for (const k of Object.keys(filters)) if (!PRUNE_FILTERS.has(k)) throw invalidArgument(`invalid filter '${k}'`);
    const all = (filters.all ?? []).some((v) => truthy('all', v));
    const deleted: string[] = [];
    let reclaimed = 0;
    for (const r of this.driver.list()) {
      if (!all && !(ANONYMOUS_LABEL in r.labels)) continue;
      if (filters.label?.length && !filters.label.every((l) => labelMatch(r.labels, l))) continue;
      if (filters['label!']?.length && filters['label!'].some((l) => labelMatch(r.labels, l))) continue;
      if (this.refs(r.name).length) continue;
      const size = await this.driver.usage(r.name);
      try {
        await this.driver.remove(r.name);
      } catch (e) {
        this.log(`volume prune ${r.name}: ${(e as Error).message}`);
        continue;
      }
      this.events?.publish('volume', 'destroy', r.name, { driver: LOCAL_DRIVER });
      deleted.push(r.name);
      reclaimed += Math.max(size, 0);
    }
    this.events?.publish('volume', 'prune', '', { reclaimed: String(reclaimed) });
    return { VolumesDeleted: deleted.length ? deleted : null, SpaceReclaimed: reclaimed };
  }

  /** The Volumes part of GET /system/df: each volume with its size and reference count. */
  async df(): Promise<Volume[]> {
    const out: Volume[] = [];
    for (const r of this.driver.list()) {
      out.push({ ...this.toJSON(r), UsageData: { Size: await this.driver.usage(r.name), RefCount: this.refs(r.name).length } });
    }
    return out;
  }

  /** The OCI mount of a volume at `destination` (a bind of _data, or what its options ask for). */
  ociMount(name: string, destination: string, readOnly: boolean): Mount {
    const r = this.get(name);
    return localVolumeMount(r.options, this.driver.dataPath(name), destination, readOnly);
  }

  /** Removes volumes when their container goes (rm -v, AutoRemove): anonymous ones only, in use or not elsewhere. */
  async removeAnonymousOf(c: VolumeUser): Promise<void> {
    for (const m of c.mountPoints ?? []) {
      if (m.type !== 'volume' || !m.name) continue;
      const r = this.driver.get(m.name);
      if (!r || !(ANONYMOUS_LABEL in r.labels)) continue;
      await this.remove(m.name).catch((e: Error) => this.log(`remove volume ${m.name} of ${c.id}: ${e.message}`));
    }
  }
}
