// /networks/*: list, inspect, create, remove, connect, disconnect, prune — moby's network router: the same
// paths (in its registration order), bodies decoded as Go decodes them, and its statuses (201 create, 204 rm,
// 200 with an empty body for connect/disconnect).
import { invalidArgument } from '../../../common/errors.js';
import { readJson } from '../../body.js';
import { filtersValue, validateFilters } from '../../query.js';
import { writeEmpty, writeJson } from '../../response.js';
import { compareVersions } from '../../router.js';
import type { Route } from '../../types.js';
import type { EndpointInput, NetworkCreateInput, NetworksBackend } from './backend.js';
import { decodeStruct, type Schema } from './decode.js';

export type { EndpointInput, NetworkCreateInput, NetworkFilters, NetworksBackend } from './backend.js';

const LIST_FILTERS = ['dangling', 'driver', 'id', 'label', 'name', 'scope', 'type'];
const PRUNE_FILTERS = ['until', 'label', 'label!'];

const IPAM_CONFIG: Schema = { Subnet: 'string', IPRange: 'string', Gateway: 'string', AuxiliaryAddresses: 'map' };
const CREATE: Schema = {
  Name: 'string',
  CheckDuplicate: 'bool',
  Driver: 'string',
  Scope: 'string',
  EnableIPv4: 'bool',
  EnableIPv6: 'bool',
  IPAM: { struct: 'IPAM', fields: { Driver: 'string', Config: { list: { struct: 'IPAMConfig', fields: IPAM_CONFIG } }, Options: 'map' } },
  Internal: 'bool',
  Attachable: 'bool',
  Ingress: 'bool',
  ConfigOnly: 'bool',
  ConfigFrom: { struct: 'ConfigReference', fields: { Network: 'string' } },
  Options: 'map',
  Labels: 'map',
};
const ENDPOINT: Schema = {
  IPAMConfig: { struct: 'EndpointIPAMConfig', fields: { IPv4Address: 'string', IPv6Address: 'string', LinkLocalIPs: 'strings' } },
  Links: 'strings',
  Aliases: 'strings',
  MacAddress: 'string',
  DriverOpts: 'map',
  GwPriority: 'int',
  NetworkID: 'string',
  EndpointID: 'string',
  Gateway: 'string',
  IPAddress: 'string',
  IPPrefixLen: 'int',
  IPv6Gateway: 'string',
  GlobalIPv6Address: 'string',
  GlobalIPv6PrefixLen: 'int',
  DNSNames: 'strings',
};
const CONNECT: Schema = { Container: 'string', EndpointConfig: { struct: 'EndpointSettings', fields: ENDPOINT } };
const DISCONNECT: Schema = { Container: 'string', Force: 'bool' };

/** Go's strconv.ParseBool, with dockerd's wrapping for ?verbose=. */
function parseVerbose(v: string | null): boolean {
  if (v === null || v === '') return false;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  throw invalidArgument(`invalid value for verbose: ${v}: strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
}

export function decodeCreate(body: unknown, apiVersion: string): NetworkCreateInput {
  const d = decodeStruct(body, 'CreateRequest', CREATE);
  const req = {
    Driver: '', Scope: '', Internal: false, Attachable: false, Ingress: false, ConfigOnly: false, ...d, Name: (d.Name as string | undefined) ?? '',
  } as NetworkCreateInput;
  // Before API 1.48 the field did not exist; dockerd drops it so old clients get the default (IPv4 on).
  if (compareVersions(apiVersion, '1.48') < 0) delete req.EnableIPv4;
  return req;
}

export function networkRoutes(b: NetworksBackend): Route[] {
  const list: Route['handler'] = async (ctx) => {
    const filters = filtersValue(ctx.query);
    validateFilters(filters, LIST_FILTERS);
    const detailed = compareVersions(ctx.version, '1.28') < 0;
    writeJson(ctx.res, 200, (await b.list({ filters, detailed })) ?? []);
  };
  return [
    { method: 'GET', path: '/networks', handler: list },
    { method: 'GET', path: '/networks/', handler: list },
    {
      method: 'GET',
      path: '/networks/{id:.+}',
      handler: async (ctx) => {
        const verbose = parseVerbose(ctx.query.get('verbose'));
        writeJson(ctx.res, 200, await b.inspect(ctx.params.id!, { verbose, scope: ctx.query.get('scope') ?? '' }));
      },
    },
    {
      method: 'POST',
      path: '/networks/create',
      handler: async (ctx) => {
        const req = decodeCreate(await readJson(ctx), ctx.version);
        // libnetwork's check; dockerd reaches it after its other validation, with this text.
        if (req.Name === '') throw invalidArgument('invalid name: name is empty');
        const res = await b.create(req);
        writeJson(ctx.res, 201, { Id: res.Id, Warning: res.Warning ?? '' });
      },
    },
    {
      method: 'POST',
      path: '/networks/{id:.*}/connect',
      handler: async (ctx) => {
        const d = decodeStruct(await readJson(ctx), 'ConnectOptions', CONNECT);
        const endpoint = (d.EndpointConfig as EndpointInput | undefined) ?? null;
        await b.connect(ctx.params.id!, (d.Container as string | undefined) ?? '', endpoint);
        writeEmpty(ctx.res, 200);
      },
    },
    {
      method: 'POST',
      path: '/networks/{id:.*}/disconnect',
      handler: async (ctx) => {
        const d = decodeStruct(await readJson(ctx), 'DisconnectOptions', DISCONNECT);
        await b.disconnect(ctx.params.id!, (d.Container as string | undefined) ?? '', (d.Force as boolean | undefined) ?? false);
        writeEmpty(ctx.res, 200);
      },
    },
    {
      method: 'POST',
      path: '/networks/prune',
      handler: async (ctx) => {
        const filters = filtersValue(ctx.query);
        validateFilters(filters, PRUNE_FILTERS);
        const report = await b.prune(filters);
        writeJson(ctx.res, 200, { NetworksDeleted: report.NetworksDeleted ?? null });
      },
    },
    {
      method: 'DELETE',
      path: '/networks/{id:.*}',
      handler: async (ctx) => {
        await b.remove(ctx.params.id!);
        writeEmpty(ctx.res, 204);
      },
    },
  ];
}
