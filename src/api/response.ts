// Writing answers the way Go's net/http + moby's httputils write them: JSON with a trailing newline and a
// Content-Length, errors as {"message": …}, and no body at all where HTTP forbids one.
import type { ServerResponse } from 'node:http';
import { errorResponse } from './http-status.js';
import type { ApiLogger } from './types.js';

/** The header set dockerd puts on its answers (moby's version and experimental middlewares). */
export interface ServerIdentity {
  apiVersion: string;
  /** `Server:` value. Clients (docker CLI, docker-modem, docker-py) ignore it; Podman sends `Libpod/…`. */
  server: string;
  experimental: boolean;
}

export function setIdentityHeaders(res: ServerResponse, id: ServerIdentity): void {
  res.setHeader('Api-Version', id.apiVersion);
  res.setHeader('Docker-Experimental', String(id.experimental));
  res.setHeader('Ostype', 'linux');
  res.setHeader('Server', id.server);
}

const NO_BODY = new Set([204, 304]);

export function writeJson(res: ServerResponse, status: number, value: unknown): void {
  if (NO_BODY.has(status)) {
    writeEmpty(res, status);
    return;
  }
  const body = `${JSON.stringify(value) ?? 'null'}\n`;
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** 204 No Content, 304, or a 200/201 whose body is empty (moby's `w.WriteHeader(http.StatusOK)`). */
export function writeEmpty(res: ServerResponse, status = 204): void {
  if (!NO_BODY.has(status)) res.setHeader('Content-Length', 0);
  res.writeHead(status);
  res.end();
}

/** Go's http.Error: moby uses it for clients so old they would print a JSON body verbatim. */
export function writePlainText(res: ServerResponse, status: number, message: string): void {
  const body = `${message}\n`;
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'X-Content-Type-Options': 'nosniff',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

/**
 * Answers with the error's status and `{"message": …}`. Server-side failures are logged with their cause;
 * client mistakes only at debug level, as moby does.
 */
export function writeError(res: ServerResponse, err: unknown, log: ApiLogger, what: string): number {
  const { status, message, log: loud } = errorResponse(err);
  if (loud) log.error(`Handler for ${what} returned error: ${message}`, { status, error: err });
  else log.debug(`Handler for ${what} returned error: ${message}`, { status });
  writeJson(res, status, { message });
  return status;
}
