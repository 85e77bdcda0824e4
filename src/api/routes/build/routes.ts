// /build, /build/prune, /build/cancel as dockerd's build router answers them with the classic builder:
// the query parsed with newImageBuildOptions' defaults and error texts, the context passed through as the
// request body, and the output as Docker's JSON stream. Errors before the first line are plain HTTP errors;
// later ones travel as an error record whose errorDetail.code (a failed RUN's status) the CLI exits with.
// `q` is handled here, as dockerd does: the output is held back and, on success, only the image ID is sent;
// on failure everything held back goes out before the error, so the user sees why.
import { EngineError, invalidArgument } from '../../../common/errors.js';
import type { ProgressEvent, ProgressSink } from '../../../spec/progress.js';
import { scanJsonValue, quoteChar } from '../../json-syntax.js';
import { boolValue, filtersValue, intValueOrZero } from '../../query.js';
import { writeJson } from '../../response.js';
import { compareVersions } from '../../router.js';
import { openProgress } from '../../stream/json-progress.js';
import type { RequestContext, Route } from '../../types.js';
import type { BuildBackend, BuildRequest, RegistryAuth } from './backend.js';

export type { BuildBackend, BuildRequest, RegistryAuth } from './backend.js';

/** What answers `version=2`: BuildKit needs its gRPC session protocol, which Berth does not speak. */
export const BUILDKIT_UNSUPPORTED =
  'buildkit not supported by daemon: Berth has only the classic builder; set DOCKER_BUILDKIT=0 to build with it';

export function buildRoutes(b: BuildBackend): Route[] {
  return [
    { method: 'POST', path: '/build', handler: (ctx) => postBuild(b, ctx) },
    { method: 'POST', path: '/build/prune', handler: (ctx) => postPrune(b, ctx) },
    {
      method: 'POST',
      path: '/build/cancel',
      handler: (ctx) => {
        // Classic builds end when their client goes away; there is nothing else to cancel.
        if (!ctx.query.get('id')) throw invalidArgument('build ID not provided');
        ctx.res.setHeader('Content-Type', 'application/json');
      },
    },
  ];
}

async function postBuild(b: BuildBackend, ctx: RequestContext): Promise<void> {
  const req = parseBuildRequest(ctx);
  const p = openProgress(ctx);
  const held: ProgressEvent[] = [];
  const sink: ProgressSink = req.quiet ? (e) => void held.push(e) : (e) => p.emit(e);
  let id: string;
  try {
    ({ id } = await b.build(ctx.body, req, sink));
  } catch (e) {
    for (const ev of held) p.emit(ev);
    await p.finish(e);
    return;
  }
  if (req.quiet) p.emit({ stream: `${id}\n` });
  await p.finish();
}

/** newImageBuildOptions: dockerd's parameters, defaults and 400s. */
export function parseBuildRequest(ctx: Pick<RequestContext, 'query' | 'version' | 'req' | 'signal'>): BuildRequest {
  const q = ctx.query;
  const version = q.get('version') ?? '';
  if (version !== '' && version !== '1' && version !== '2') throw invalidArgument(`invalid version ${JSON.stringify(version)}`);
  if (version === '2') throw new EngineError('not-implemented', BUILDKIT_UNSUPPORTED);
  if (q.getAll('securityopt').length > 0) throw invalidArgument('security options are not supported on linux');
  if (boolValue(q, 'squash')) throw invalidArgument('squash is only supported with experimental mode');
  const isolation = q.get('isolation') ?? '';
  if (isolation !== '' && isolation.toLowerCase() !== 'default') throw invalidArgument(`unsupported isolation: ${JSON.stringify(isolation)}`);

  const forceRemove = boolValue(q, 'forcerm');
  const rm = q.get('rm') ?? '';
  const req: BuildRequest = {
    dockerfile: q.get('dockerfile') || 'Dockerfile',
    tags: q.getAll('t'),
    buildArgs: decodeJson(q.get('buildargs'), 'error reading build args', 'map[string]*string', isStringMap(true)) ?? {},
    labels: decodeJson(q.get('labels'), 'error reading labels', 'map[string]string', isStringMap(false)) ?? {},
    noCache: boolValue(q, 'nocache'),
    quiet: boolValue(q, 'q'),
    remove: forceRemove || rm === '' || boolValue(q, 'rm'),
    forceRemove,
    pull: boolValue(q, 'pull'),
    extraHosts: q.getAll('extrahosts'),
    cacheFrom: decodeJson(q.get('cachefrom'), 'error reading cache-from', '[]string', isStringList) ?? [],
    auth: registryConfig(ctx.req.headers['x-registry-config']),
    signal: ctx.signal,
  };
  const ulimits = decodeJson(q.get('ulimits'), 'error reading ulimit settings', '[]*container.Ulimit', Array.isArray);
  if (ulimits !== undefined) req.ulimits = ulimits;
  const target = q.get('target');
  if (target) req.target = target;
  const network = q.get('networkmode');
  if (network) req.networkMode = network;
  if (compareVersions(ctx.version, '1.32') >= 0) {
    const platform = q.get('platform');
    if (platform) req.platform = platform;
  }
  const remote = q.get('remote');
  if (remote) req.remote = remote;
  const shm = q.get('shmsize') ?? '';
  if (shm !== '') {
    if (!/^[+-]?\d+$/.test(shm)) throw invalidArgument(`strconv.ParseInt: parsing ${JSON.stringify(shm)}: invalid syntax`);
    req.shmSize = Number(shm);
  }
  for (const [key, field] of [['memory', 'memory'], ['memswap', 'memorySwap'], ['cpushares', 'cpuShares'], ['cpuperiod', 'cpuPeriod'], ['cpuquota', 'cpuQuota']] as const) {
    const n = intValueOrZero(q, key);
    if (n !== 0) req[field] = n;
  }
  for (const [key, field] of [['cpusetcpus', 'cpuSetCpus'], ['cpusetmems', 'cpuSetMems'], ['cgroupparent', 'cgroupParent']] as const) {
    const v = q.get(key);
    if (v) req[field] = v;
  }
  return req;
}

/** getAuthConfigs: base64url JSON of registry → credentials; anything undecodable counts as none. */
export function registryConfig(header: string | string[] | undefined): Record<string, RegistryAuth> {
  const raw = Array.isArray(header) ? header[0] : header;
  if (!raw) return {};
  try {
    const v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return {};
    const out: Record<string, RegistryAuth> = {};
    for (const [k, a] of Object.entries(v as Record<string, unknown>)) {
      if (typeof a === 'object' && a !== null && !Array.isArray(a)) out[k] = a as RegistryAuth;
    }
    return out;
  } catch {
    return {};
  }
}

/** json.Unmarshal of one query value into `goType`, with Go's messages after dockerd's prefix. */
function decodeJson<T>(raw: string | null, prefix: string, goType: string, check: (v: unknown) => boolean): T | undefined {
  if (raw === null || raw === '') return undefined;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (e) {
    throw invalidArgument(`${prefix}: ${goJsonSyntaxError(raw)}`, e);
  }
  if (v === null) return undefined;
  if (!check(v)) throw invalidArgument(`${prefix}: json: cannot unmarshal ${goKind(v)} into Go value of type ${goType}`);
  return v as T;
}

function goJsonSyntaxError(raw: string): string {
  const buf = Buffer.from(raw, 'utf8');
  const scan = scanJsonValue(buf);
  if (!scan.ok) return 'eof' in scan ? 'unexpected end of JSON input' : scan.message;
  let i = scan.end;
  while (i < buf.length && ' \t\r\n'.includes(String.fromCharCode(buf[i]!))) i++;
  return i < buf.length ? `invalid character ${quoteChar(buf[i]!)} after top-level value` : 'invalid JSON';
}

function goKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return typeof v; // string, number, boolean
}

const isStringMap = (nullable: boolean) => (v: unknown) =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string' || (nullable && x === null));

const isStringList = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');

async function postPrune(b: BuildBackend, ctx: RequestContext): Promise<void> {
  const q = ctx.query;
  const filters = filtersValue(q);
  // Byte limits are validated as dockerd does, though the classic cache has nothing to keep within them.
  for (const name of compareVersions(ctx.version, '1.48') >= 0 ? ['reserved-space', 'keep-storage', 'max-used-space', 'min-free-space'] : ['keep-storage']) {
    const v = q.get(name) ?? '';
    if (v !== '' && !/^[+-]?\d+$/.test(v)) {
      throw invalidArgument(`${name} is in bytes and expects an integer, got ${v}: strconv.Atoi: parsing ${JSON.stringify(v)}: invalid syntax`);
    }
  }
  const report = await b.prune({ all: boolValue(q, 'all'), filters });
  writeJson(ctx.res, 200, report);
}
