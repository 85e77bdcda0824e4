// /volumes/*: list, inspect, create, remove, prune — moby's volume router: 201 for create, 204 for remove,
// and prune's API-version rule (before 1.42 it removed every unused volume, not only anonymous ones).
import { invalidArgument } from '../../../common/errors.js';
import type { Volume, VolumeListResponse, VolumePruneResponse } from '../../../spec/engine-api/index.js';
import { readJson } from '../../body.js';
import { boolValue, filtersValue } from '../../query.js';
import { writeEmpty, writeJson } from '../../response.js';
import { compareVersions } from '../../router.js';
import type { Route } from '../../types.js';

export interface VolumeCreateInput {
  Name?: string;
  Driver?: string;
  DriverOpts?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

/** What the volume routes need; errors carry dockerd's wording ("get x: no such volume", "… is in use - […]"). */
export interface VolumesBackend {
  /** Filter keys name, label, dangling, driver; others are invalid-argument "invalid filter 'k'". */
  list(filters: Record<string, string[]>): Promise<VolumeListResponse> | VolumeListResponse;
  inspect(name: string): Promise<Volume> | Volume;
  create(req: VolumeCreateInput): Promise<Volume>;
  remove(name: string, opts: { force: boolean }): Promise<void>;
  /** Filter keys label, label!, all; only anonymous volumes unless all=true. */
  prune(filters: Record<string, string[]>): Promise<VolumePruneResponse>;
}

function stringMap(v: unknown, field: string): Record<string, string> | null | undefined {
  if (v === undefined || v === null) return v as null | undefined;
  if (typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string')) {
    throw invalidArgument(`json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v} into Go struct field CreateOptions.${field} of type map[string]string`);
  }
  return v as Record<string, string>;
}

function optString(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalidArgument(`json: cannot unmarshal ${typeof v} into Go struct field CreateOptions.${field} of type string`);
  return v;
}

export function decodeVolumeCreate(body: unknown): VolumeCreateInput {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw invalidArgument(`json: cannot unmarshal ${Array.isArray(body) ? 'array' : typeof body} into Go value of type volume.CreateOptions`);
  const b = body as Record<string, unknown>;
  return { Name: optString(b.Name, 'Name'), Driver: optString(b.Driver, 'Driver'), DriverOpts: stringMap(b.DriverOpts, 'DriverOpts'), Labels: stringMap(b.Labels, 'Labels') };
}

export function volumeRoutes(b: VolumesBackend): Route[] {
  return [
    {
      method: 'GET',
      path: '/volumes',
      handler: async (ctx) => {
        const res = await b.list(filtersValue(ctx.query));
        writeJson(ctx.res, 200, { Volumes: res.Volumes ?? [], Warnings: res.Warnings ?? null });
      },
    },
    {
      method: 'GET',
      path: '/volumes/{name:.*}',
      handler: async (ctx) => writeJson(ctx.res, 200, await b.inspect(ctx.params.name!)),
    },
    {
      method: 'POST',
      path: '/volumes/create',
      handler: async (ctx) => writeJson(ctx.res, 201, await b.create(decodeVolumeCreate(await readJson(ctx)))),
    },
    {
      method: 'POST',
      path: '/volumes/prune',
      handler: async (ctx) => {
        const filters = filtersValue(ctx.query);
        // API < 1.42 pruned every unused volume; newer clients ask for that with all=true.
        if (compareVersions(ctx.version, '1.42') < 0 && !filters.all) filters.all = ['true'];
        const r = await b.prune(filters);
        writeJson(ctx.res, 200, { VolumesDeleted: r.VolumesDeleted ?? null, SpaceReclaimed: r.SpaceReclaimed ?? 0 });
      },
    },
    {
      method: 'DELETE',
      path: '/volumes/{name:.*}',
      handler: async (ctx) => {
        await b.remove(ctx.params.name!, { force: boolValue(ctx.query, 'force') });
        writeEmpty(ctx.res, 204);
      },
    },
  ];
}
