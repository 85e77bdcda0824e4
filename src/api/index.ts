// The Engine API server's infrastructure: transport (unix/tcp/TLS listeners), routing with Docker's /v1.NN
// prefix and version negotiation, the one error → status mapping, body/query parsing with dockerd's
// semantics, and the streaming primitives (hijack, stdcopy framing, JSON streams).
// It must not import engine (or anything beyond spec and common): each route folder under routes/ declares
// the backend interface it needs, and bin/berthd.ts wires the engine in. Handlers stay thin: parse, call the
// backend, write Docker's JSON.
export type {
  AccessLogEntry, ApiLogger, ConnectionControl, Handler, HttpMethod, RawConnection, RequestContext, Route,
} from './types.js';
export { API_VERSION, MIN_API_VERSION, Router, compareVersions, type RouteMatch } from './router.js';
export { STATUS_CLIENT_CLOSED_REQUEST, classify, errorResponse, statusForKind, type ErrorResponse } from './http-status.js';
export { DEFAULT_JSON_LIMIT, checkForJson, hasBody, parseJsonBody, readBody, readJson } from './body.js';
export {
  boolValue, boolValueOrDefault, filtersValue, intValueOrDefault, intValueOrZero, parseFilters, validateFilters, type Filters,
} from './query.js';
export { writeEmpty, writeError, writeJson, writePlainText } from './response.js';
export { createApiServer, pingRoutes, stderrLogger, type ApiServer, type ApiServerOptions, type TlsOptions } from './server.js';
export { parseHost, formatHost, type HostAddress } from './listen.js';
export { hijack, streamContentType, MULTIPLEXED_STREAM, RAW_STREAM, type Hijacked, type HijackOptions } from './stream/hijack.js';
export {
  STDIN, STDOUT, STDERR, SYSTEMERR, StdDemuxer, StdWriter, demuxAll, encodeFrame, frameHeader, frames, type Frame, type StreamId,
} from './stream/stdcopy.js';
export { JSON_SEQ, openJsonStream, pipeJsonStream, type JsonStream, type JsonStreamOptions } from './stream/json-stream.js';
export { containerRoutes, parseTimestamp } from './routes/containers/routes.js';
export type { ContainersBackend } from './routes/containers/backend.js';
export { execRoutes, type ExecBackend } from './routes/exec/routes.js';
export { systemRoutes, eventMatches, type SystemBackend, type EventLike } from './routes/system/routes.js';
export { imageRoutes, type ImagesBackend } from './routes/images/routes.js';
export { buildRoutes } from './routes/build/routes.js';
export type { BuildBackend, BuildRequest as ApiBuildRequest } from './routes/build/backend.js';
export { networkRoutes, type EndpointInput, type NetworkCreateInput, type NetworkFilters, type NetworksBackend } from './routes/networks/routes.js';
export { decodeVolumeCreate, volumeRoutes, type VolumeCreateInput, type VolumesBackend } from './routes/volumes/routes.js';
