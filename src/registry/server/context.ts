// What every handler gets, and the few ways a registry answers: empty with headers, JSON, or a spec error.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RegistryError } from './errors.js';
import type { Storage } from './storage.js';
import type { Uploads } from './uploads.js';

export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  storage: Storage;
  uploads: Uploads;
  readOnly: boolean;
  /** `scheme://host` of this request, for absolute Location headers as distribution sends them. */
  base: string;
  /** Request body bytes taken in, for the access log. */
  bytesIn: number;
}

export type Handler = (ctx: Ctx, params: string[]) => Promise<void>;

export function isHead(ctx: Ctx): boolean {
  return ctx.req.method === 'HEAD';
}

/** An answer without a body; Content-Length: 0 is explicit because some clients wait for it on 202. */
export function sendEmpty(ctx: Ctx, status: number, headers: Record<string, string> = {}): void {
  for (const [k, v] of Object.entries(headers)) ctx.res.setHeader(k, v);
  ctx.res.setHeader('Content-Length', '0');
  ctx.res.writeHead(status);
  ctx.res.end();
}

export function sendJson(ctx: Ctx, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = Buffer.from(JSON.stringify(value));
  for (const [k, v] of Object.entries(headers)) ctx.res.setHeader(k, v);
  ctx.res.setHeader('Content-Type', 'application/json; charset=utf-8');
  ctx.res.setHeader('Content-Length', String(body.length));
  ctx.res.writeHead(status);
  ctx.res.end(isHead(ctx) ? undefined : body);
}

export function sendError(ctx: Ctx, err: RegistryError): void {
  const body = Buffer.from(err.body());
  ctx.res.setHeader('Content-Type', 'application/json; charset=utf-8');
  ctx.res.setHeader('Content-Length', String(body.length));
  ctx.res.writeHead(err.status);
  ctx.res.end(isHead(ctx) ? undefined : body);
}

export function writeGuard(ctx: Ctx): void {
  if (ctx.readOnly) throw new RegistryError('UNSUPPORTED', 'the registry is read-only');
}

/** Whether the request carries a body (a Content-Length above 0, or a chunked one). */
export function hasBody(ctx: Ctx): boolean {
  const cl = ctx.req.headers['content-length'];
  if (cl !== undefined) return Number(cl) > 0;
  return ctx.req.headers['transfer-encoding'] !== undefined;
}

export function blobUrl(ctx: Ctx, name: string, digest: string): string {
  return `${ctx.base}/v2/${name}/blobs/${digest}`;
}

export function uploadUrl(ctx: Ctx, name: string, uuid: string): string {
  return `${ctx.base}/v2/${name}/blobs/uploads/${uuid}`;
}

/** distribution's Range for an upload: the last byte's offset, and "0-0" for an empty one. */
export function uploadRange(size: number): string {
  return `0-${size > 0 ? size - 1 : 0}`;
}
