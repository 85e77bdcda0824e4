// The Engine API client. It owns talking HTTP to an Engine API server (berthd, and any dockerd works too):
// where the daemon is (host.ts), version negotiation and error mapping (client.ts, errors.ts), streaming
// bodies (json-lines.ts), hijacked attach/exec connections (hijack.ts) and their stdcopy framing
// (stdcopy.ts). It must not import the engine or any server-side module (it speaks the wire protocol only,
// so it stays honest about compatibility), and it must not format anything for humans: tables, progress
// bars and `Error response from daemon:` prefixes belong to the CLI.
export {
  EngineClient,
  MAX_API_VERSION,
  FALLBACK_API_VERSION,
  queryString,
  compareVersions,
  type ClientOptions,
  type RequestOptions,
  type UploadOptions,
  type HijackOptions,
  type PingInfo,
  type Query,
  type QueryValue,
} from './client.js';
export { type HijackedConnection } from './hijack.js';
export {
  resolveDaemonAddress,
  resolveTls,
  parseHostAddress,
  loadTlsMaterial,
  DEFAULT_UNIX_SOCKET,
  DEFAULT_HTTP_PORT,
  DEFAULT_TLS_PORT,
  type HostFlags,
  type TlsSettings,
  type TlsMaterial,
  type DaemonAddress,
} from './host.js';
export { DaemonError, kindForStatus } from './errors.js';
export { jsonLines, JsonSplitter } from './json-lines.js';
export {
  StdcopyDemuxer,
  demuxStream,
  encodeFrame,
  MULTIPLEXED_STREAM,
  RAW_STREAM,
  STDIN,
  STDOUT,
  STDERR,
  SYSTEMERR,
  type DemuxOptions,
} from './stdcopy.js';
