// Test support for the API layer and the route folders built on it: an in-process server on a unix socket
// in a temp directory, and a plain HTTP client for it. Not part of the server; nothing in berthd imports it.
import http from 'node:http';
import net from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createApiServer, type ApiServerOptions } from './server.js';
import type { AccessLogEntry, ApiLogger, Route } from './types.js';

export interface LogRecord {
  level: 'error' | 'warn' | 'debug';
  message: string;
  fields?: Record<string, unknown>;
}

export function recordingLogger(): ApiLogger & { records: LogRecord[] } {
  const records: LogRecord[] = [];
  return {
    records,
    error: (message, fields) => records.push({ level: 'error', message, fields }),
    warn: (message, fields) => records.push({ level: 'warn', message, fields }),
    debug: (message, fields) => records.push({ level: 'debug', message, fields }),
  };
}

export interface TestServer {
  dir: string;
  socketPath: string;
  /** Bound addresses as listen() returned them (the unix socket first). */
  addresses: string[];
  log: ReturnType<typeof recordingLogger>;
  access: AccessLogEntry[];
  close(graceMs?: number): Promise<void>;
}

/** Starts a server on `<tmp>/api.sock` plus any extra hosts; close() also removes the directory. */
export async function startTestServer(
  routes: readonly Route[],
  opts: Partial<ApiServerOptions> & { extraHosts?: string[] } = {},
): Promise<TestServer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'berth-api-'));
  const socketPath = path.join(dir, 'api.sock');
  const log = recordingLogger();
  const access: AccessLogEntry[] = [];
  const server = createApiServer(routes, {
    logger: log,
    onAccess: (e) => access.push(e),
    ...opts,
    hosts: [`unix://${socketPath}`, ...(opts.extraHosts ?? [])],
  });
  let addresses: string[];
  try {
    addresses = await server.listen();
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    dir, socketPath, addresses, log, access,
    close: async (graceMs = 0) => {
      await server.close({ graceMs });
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface TestResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
  json(): unknown;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Connection target; the unix socket by default. */
  connect?: { socketPath: string } | { host: string; port: number };
}

export function request(server: { socketPath: string }, method: string, target: string, opts: RequestOptions = {}): Promise<TestResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { ...(opts.connect ?? { socketPath: server.socketPath }), method, path: target, headers: opts.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          const text = body.toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text, json: () => JSON.parse(text) });
        });
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** A raw connection that collects everything the server sends; for hand-written HTTP. */
export function rawConnect(socketPath: string): Promise<net.Socket & { received(): string; ended: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ path: socketPath, allowHalfOpen: true });
    const chunks: Buffer[] = [];
    sock.on('data', (c: Buffer) => chunks.push(c));
    const ended = new Promise<void>((r) => sock.once('end', () => r()));
    sock.once('error', reject);
    sock.once('connect', () => resolve(Object.assign(sock, { received: () => Buffer.concat(chunks).toString('latin1'), ended })));
  });
}

/** Polls until `check` holds; tests wait on conditions, never on fixed sleeps. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
