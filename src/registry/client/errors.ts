// Registry failures in Docker's words. HTTP errors follow distribution's client (registry/client/errors.go:
// the bearer challenge's `error`, then the body's `errors` list) and moby's pull translation
// (distribution/errors.go); transport failures read like Go's url.Error (`Get "https://h/v2/": dial tcp …`),
// because clients and scripts match on that text.
import { EngineError, type ErrorKind } from '../../common/errors.js';
import { isDockerHub } from './resolve.js';
import type { Repository } from './types.js';

export interface RegistryErrorItem {
  code: string;
  message: string;
  detail?: unknown;
}

const DEFAULT_MESSAGES: Record<string, string> = {
  UNKNOWN: 'unknown error',
  UNSUPPORTED: 'The operation is unsupported.',
  UNAUTHORIZED: 'authentication required',
  DENIED: 'requested access to the resource is denied',
  UNAVAILABLE: 'service unavailable',
  TOOMANYREQUESTS: 'too many requests',
  DIGEST_INVALID: 'provided digest did not match uploaded content',
  SIZE_INVALID: 'provided length did not match content length',
  NAME_INVALID: 'invalid repository name',
  TAG_INVALID: 'manifest tag did not match URI',
  NAME_UNKNOWN: 'repository name not known to registry',
  MANIFEST_UNKNOWN: 'manifest unknown',
  MANIFEST_INVALID: 'manifest invalid',
  MANIFEST_UNVERIFIED: 'manifest failed signature verification',
  MANIFEST_BLOB_UNKNOWN: 'blob unknown to registry',
  BLOB_UNKNOWN: 'blob unknown to registry',
  BLOB_UPLOAD_UNKNOWN: 'blob upload unknown to registry',
  BLOB_UPLOAD_INVALID: 'blob upload invalid',
  RANGE_INVALID: 'invalid content range',
  PAGINATION_NUMBER_INVALID: 'invalid number of results requested',
};

/** errcode.Error's text: the code in lower case with spaces, then the message ("manifest unknown: …"). */
export function errcodeText(e: RegistryErrorItem): string {
  const code = e.code in DEFAULT_MESSAGES ? e.code : 'UNKNOWN';
  return `${code.toLowerCase().replace(/_/g, ' ')}: ${e.message}`;
}

const item = (code: string, message?: string): RegistryErrorItem => ({
  code,
  message: message || DEFAULT_MESSAGES[code] || '',
});

/** Parses `error`/`error_description` of a Bearer challenge (RFC 6750 §3.1) as distribution does. */
function challengeError(wwwAuthenticate: string | undefined): RegistryErrorItem | undefined {
  if (!wwwAuthenticate || !/^\s*bearer\b/i.test(wwwAuthenticate)) return undefined;
  const param = (k: string) => new RegExp(`[\\s,]${k}="([^"]*)"`, 'i').exec(` ${wwwAuthenticate}`)?.[1];
  const code = { invalid_token: 'UNAUTHORIZED', insufficient_scope: 'DENIED' }[param('error') ?? ''];
  return code === undefined ? undefined : item(code, param('error_description'));
}

export interface HttpFailure {
  status: number;
  /** The text of an error the registry did not describe in its errors list. */
  text: string;
  errors: RegistryErrorItem[];
}

/** Reads a failed response the way distribution's HandleErrorResponse does. */
export function parseHttpFailure(status: number, body: string, wwwAuthenticate?: string): HttpFailure {
  if (status < 400 || status >= 500) {
    return { status, text: `received unexpected HTTP status: ${status} ${statusText(status)}`, errors: [] };
  }
  const fromChallenge = challengeError(wwwAuthenticate);
  let errors: RegistryErrorItem[] = [];
  let text = '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (e) {
    text = `error parsing HTTP ${status} response body: ${body === '' ? 'unexpected end of JSON input' : (e as Error).message}: ${JSON.stringify(body)}`;
  }
  if (parsed !== undefined && typeof parsed === 'object' && parsed !== null) {
    const p = parsed as { details?: unknown; errors?: unknown };
    if (typeof p.details === 'string' && p.details !== '') {
      errors = [item(status === 401 ? 'UNAUTHORIZED' : status === 429 ? 'TOOMANYREQUESTS' : 'UNKNOWN', p.details)];
    } else if (Array.isArray(p.errors)) {
      errors = p.errors
        .filter((x): x is { code?: unknown; message?: unknown; detail?: unknown } => typeof x === 'object' && x !== null)
        .map((x) => ({ ...item(String(x.code ?? 'UNKNOWN'), typeof x.message === 'string' ? x.message : ''), detail: x.detail }));
    }
    if (errors.length === 0 && text === '') {
      text = `error parsing HTTP ${status} response body: no error details found in HTTP response body: ${JSON.stringify(body)}`;
    }
  } else if (text === '') {
    text = `error parsing HTTP ${status} response body: invalid character: ${JSON.stringify(body)}`;
  }
  if (fromChallenge) errors.unshift(fromChallenge);
  if (errors.length === 0 && status === 401) errors = [item('UNAUTHORIZED')];
  return { status, text, errors };
}

/** errcode.Errors' text: one error alone, or "errors:" and one per line. */
export function failureText(f: HttpFailure): string {
  if (f.errors.length === 0) return f.text;
  if (f.errors.length === 1) return errcodeText(f.errors[0]!);
  return `errors:\n${f.errors.map((e) => `${errcodeText(e)}\n`).join('')}`;
}

/** Docker's short name: `alpine` for docker.io/library/alpine, `host:5000/x` elsewhere. */
export function familiarName(repo: Repository): string {
  if (!isDockerHub(repo.domain)) return `${repo.domain}/${repo.path}`;
  const rest = repo.path.startsWith('library/') ? repo.path.slice('library/'.length) : repo.path;
  return rest.includes('/') ? repo.path : rest;
}

export function familiarString(repo: Repository, reference: string): string {
  return `${familiarName(repo)}${reference.includes(':') ? '@' : ':'}${reference}`;
}

export interface FailureContext {
  /** Pull-side requests get moby's pull wording for denied, unknown manifests and repositories. */
  pull: boolean;
  repo?: Repository;
  /** The tag or digest, for "manifest for <ref> not found". */
  reference?: string;
}

/** Maps a registry's HTTP failure to an EngineError with Docker's wording. */
export function httpError(f: HttpFailure, ctx: FailureContext): EngineError {
  const first = f.errors[0];
  const cause = failureText(f);
  if (ctx.pull && ctx.repo) {
    const denied = first?.code === 'DENIED' || f.status === 401 || f.status === 403;
    if (denied) {
      const why = first ? errcodeText(first) : cause;
      return new EngineError(
        first?.code === 'DENIED' ? 'not-found' : kindForStatus(f.status),
        `pull access denied for ${familiarName(ctx.repo)}, repository does not exist or may require 'docker login': ${why}`,
      );
    }
    if (first?.code === 'MANIFEST_UNKNOWN' && ctx.reference !== undefined) {
      return new EngineError('not-found', `manifest for ${familiarString(ctx.repo, ctx.reference)} not found: ${errcodeText(first)}`);
    }
    if (first?.code === 'NAME_UNKNOWN') {
      return new EngineError('not-found', `repository ${familiarName(ctx.repo)} not found: ${errcodeText(first)}`);
    }
  }
  return new EngineError(kindForStatus(f.status), cause);
}

export function kindForStatus(status: number): ErrorKind {
  if (status === 400) return 'invalid-argument';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 409) return 'conflict';
  if (status === 429 || status === 502 || status === 503 || status === 504) return 'unavailable';
  if (status === 501) return 'not-implemented';
  return 'internal';
}

const STATUS_TEXT: Record<number, string> = {
  200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 206: 'Partial Content',
  301: 'Moved Permanently', 302: 'Found', 307: 'Temporary Redirect', 308: 'Permanent Redirect',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  409: 'Conflict', 413: 'Request Entity Too Large', 416: 'Requested Range Not Satisfiable', 429: 'Too Many Requests',
  500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** Go's http.StatusText. */
export const statusText = (status: number): string => STATUS_TEXT[status] ?? '';

/** Go's url.Error op: "Get", "Head", "Post"… */
export const goMethod = (m: string): string => m.charAt(0).toUpperCase() + m.slice(1).toLowerCase();

/** Network-level failures worth another attempt on an idempotent request. */
export function isRetryableNetworkError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT',
    'UND_ERR_BODY_TIMEOUT', 'ECONNABORTED'].includes(String(code));
}

/** The part of Go's message after `Get "url": `, from a Node/undici error. */
export function goNetDetail(e: unknown, url: URL): string {
  const err = (e ?? {}) as { code?: string; address?: string; port?: number; message?: string };
  const port = err.port ?? (url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80);
  const ip = err.address ?? url.hostname.replace(/^\[|\]$/g, '');
  const addr = ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
  switch (err.code) {
    case 'ECONNREFUSED': return `dial tcp ${addr}: connect: connection refused`;
    case 'EHOSTUNREACH': return `dial tcp ${addr}: connect: no route to host`;
    case 'ENETUNREACH': return `dial tcp ${addr}: connect: network is unreachable`;
    case 'ENOTFOUND': return `dial tcp: lookup ${url.hostname}: no such host`;
    case 'EAI_AGAIN': return `dial tcp: lookup ${url.hostname}: Temporary failure in name resolution`;
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT': return `dial tcp ${addr}: i/o timeout`;
    case 'ECONNRESET': return `read tcp ${addr}: read: connection reset by peer`;
    case 'EPIPE': return `write tcp ${addr}: write: broken pipe`;
    case 'UND_ERR_SOCKET': return 'EOF';
    case 'UND_ERR_HEADERS_TIMEOUT': return 'net/http: timeout awaiting response headers';
    case 'UND_ERR_BODY_TIMEOUT': return 'net/http: request canceled (Client.Timeout or context cancellation while reading body)';
    case 'EPROTO':
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
    case 'ERR_SSL_PACKET_LENGTH_TOO_LONG': return 'http: server gave HTTP response to HTTPS client';
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
    case 'CERT_HAS_EXPIRED': return 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
    case 'ERR_TLS_CERT_ALTNAME_INVALID': return `tls: failed to verify certificate: x509: certificate is not valid for ${url.hostname}`;
    default: return err.message ?? String(e);
  }
}

/** A transport failure as Go words it: `Get "http://127.0.0.1:5000/v2/": dial tcp …: connection refused`. */
export function transportError(method: string, url: URL, e: unknown): EngineError {
  if (e instanceof EngineError) return e;
  return new EngineError('unavailable', `${goMethod(method)} "${url.href}": ${goNetDetail(e, url)}`, { cause: e });
}
