// How failures reach the client's callers: a daemon's error response, or no daemon at all.
import { STATUS_CODES } from 'node:http';
import { EngineError, errnoCode, type ErrorKind } from '../common/errors.js';
import type { DaemonAddress } from './host.js';

/**
 * An error response from the daemon. A subclass so the CLI can tell the daemon's words (printed as
 * `Error response from daemon: <message>`) from its own, and still switch on `kind` like any EngineError.
 */
export class DaemonError extends EngineError {
  readonly statusCode: number;

  constructor(statusCode: number, message: string) {
    super(kindForStatus(statusCode), message);
    this.name = 'DaemonError';
    this.statusCode = statusCode;
  }
}

export function kindForStatus(status: number): ErrorKind {
  switch (status) {
    case 304:
      return 'not-modified';
    case 400:
      return 'invalid-argument';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not-found';
    case 409:
      return 'conflict';
    case 501:
      return 'not-implemented';
    case 503:
      return 'unavailable';
    default:
      return 'internal';
  }
}

/**
 * The server's `message` verbatim when the body is Docker's `{"message": …}`; the body text for servers that
 * answer in plain text (proxies); docker's own sentence when there is no body at all.
 */
export function daemonError(status: number, body: string, route: string): DaemonError {
  const text = body.trim();
  if (text === '') {
    return new DaemonError(
      status,
      `request returned ${status} ${statusText(status)} for API route and version ${route}, ` +
        'check if the server supports the requested API version',
    );
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { message?: unknown }).message === 'string') {
      return new DaemonError(status, (parsed as { message: string }).message);
    }
  } catch {
    // Not JSON: the text itself is the best message there is.
  }
  return new DaemonError(status, text);
}

/**
 * Turns a failure to reach the daemon into an EngineError. The refused/missing-socket wording is docker's,
 * word for word, including "Docker daemon": scripts, CI helpers and testcontainers-style libraries match on
 * "Cannot connect to the Docker daemon", and this client may well be talking to dockerd itself.
 */
export function connectionError(e: unknown, address: DaemonAddress, what: string): EngineError {
  if (e instanceof EngineError) return e;
  const code = errnoCode(e);
  if (isAbort(e)) return new EngineError('canceled', 'context canceled', { cause: e });
  if (code === 'ECONNREFUSED' || code === 'ENOENT') {
    return new EngineError(
      'unavailable',
      `Cannot connect to the Docker daemon at ${address.url}. Is the docker daemon running?`,
      { cause: e },
    );
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new EngineError(
      'forbidden',
      `permission denied while trying to connect to the Docker daemon socket at ${address.url}: ${what}: ${errMessage(e)}`,
      { cause: e },
    );
  }
  return new EngineError('unavailable', `error during connect: ${what}: ${errMessage(e)}`, { cause: e });
}

/** How a request is named in connection errors: docker's `Get "http://%2Frun%2F…sock/v1.44/info"` style. */
export function describeRequest(address: DaemonAddress, method: string, path: string): string {
  const base =
    address.kind === 'unix'
      ? `http://${encodeURIComponent(address.socketPath)}`
      : `${address.tls ? 'https' : 'http'}://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
  return `${method} "${base}${path}"`;
}

export function isAbort(e: unknown): boolean {
  return (
    typeof e === 'object' &&
    e !== null &&
    ((e as { name?: unknown }).name === 'AbortError' || errnoCode(e) === 'ABORT_ERR')
  );
}

function errMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function statusText(status: number): string {
  return STATUS_CODES[status] ?? '';
}
