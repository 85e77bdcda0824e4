// berthd's HTTP front: one node:http (or node:https) server per -H address, all sharing one router and one
// dispatcher. It owns transport concerns only — addresses, TLS, timeouts, the headers every answer carries,
// /_ping, graceful close — and knows nothing about containers or images.
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import type { AddressInfo, Socket } from 'node:net';
import { Dispatcher } from './dispatch.js';
import { DEFAULT_SOCKET_GROUP, formatHost, parseHost, prepareUnixSocket, secureUnixSocket, type HostAddress } from './listen.js';
import { API_VERSION, MIN_API_VERSION, Router } from './router.js';
import type { AccessLogEntry, ApiLogger, RequestContext, Route } from './types.js';

/** File paths, as dockerd's --tlscert/--tlskey/--tlscacert; `verify` is --tlsverify (client certificates required). */
export interface TlsOptions {
  cert: string;
  key: string;
  ca?: string;
  verify: boolean;
}

export interface ApiServerOptions {
  /** -H values: unix:///path, tcp://host:port (TLS when `tls` is set). */
  hosts: readonly string[];
  tls?: TlsOptions;
  /** Group owning unix sockets; the default `docker` may be absent (then a warning), a named one must exist. */
  socketGroup?: string;
  /** Berth's version, for `Server: Berth/<version> (linux)`. */
  version?: string;
  experimental?: boolean;
  /** `Builder-Version` in /_ping: 1 (the classic builder) until Berth speaks BuildKit's session protocol. */
  builderVersion?: string;
  /** `Swarm` in /_ping. */
  swarmStatus?: () => string;
  apiVersion?: string;
  minApiVersion?: string;
  logger?: ApiLogger;
  onAccess?: (entry: AccessLogEntry) => void;
}

export interface ApiServer {
  /** Binds every host; resolves to the bound addresses (tcp port 0 replaced by the real port). */
  listen(): Promise<string[]>;
  /**
   * Stops accepting, closes idle keep-alive connections, gives answers in progress `graceMs` to finish, then
   * cuts them. Hijacked connections belong to their handlers and are left alone.
   */
  close(opts?: { graceMs?: number }): Promise<void>;
}

export const stderrLogger: ApiLogger = {
  error: (m, f) => console.error(`berthd: error: ${m}`, ...(f === undefined ? [] : [f])),
  warn: (m, f) => console.error(`berthd: warning: ${m}`, ...(f === undefined ? [] : [f])),
  debug: () => undefined,
};

export function pingRoutes(opts: { builderVersion?: string; swarmStatus?: () => string } = {}): Route[] {
  const ping = (ctx: RequestContext) => {
    const { res } = ctx;
    res.setHeader('Cache-Control', 'no-cache, no-store, must-revalidate');
    res.setHeader('Pragma', 'no-cache');
    res.setHeader('Builder-Version', opts.builderVersion ?? '1');
    res.setHeader('Swarm', opts.swarmStatus?.() ?? 'inactive');
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    const body = ctx.req.method === 'HEAD' ? '' : 'OK';
    res.setHeader('Content-Length', body.length);
    res.end(body);
  };
  return [
    { method: 'GET', path: '/_ping', handler: ping },
    { method: 'HEAD', path: '/_ping', handler: ping },
  ];
}

const SERVER_OPTIONS = {
  // Attach streams stdin inside request bodies and builds upload contexts for minutes: no total deadline.
  requestTimeout: 0,
  headersTimeout: 60_000,
  // X-Registry-Auth and X-Registry-Config can be large; Go's default limit is 1 MiB.
  maxHeaderSize: 1024 * 1024,
};

export function createApiServer(routes: readonly Route[], opts: ApiServerOptions): ApiServer {
  const log = opts.logger ?? stderrLogger;
  const apiVersion = opts.apiVersion ?? API_VERSION;
  // Routes given by the caller come first, so a system router may replace the built-in /_ping.
  const router = new Router([...routes, ...pingRoutes(opts)], { min: opts.minApiVersion ?? MIN_API_VERSION, max: apiVersion });
  const dispatcher = new Dispatcher({
    router,
    log,
    onAccess: opts.onAccess,
    identity: { apiVersion, experimental: opts.experimental ?? false, server: `Berth/${opts.version ?? '0.0.0-dev'} (linux)` },
  });
  const addresses = opts.hosts.map(parseHost);
  const servers: { server: http.Server; address: HostAddress }[] = [];

  const make = (secure: boolean): http.Server => {
    const server = secure ? https.createServer({ ...SERVER_OPTIONS, ...tlsOptions(opts.tls!), allowHalfOpen: true }) : http.createServer(SERVER_OPTIONS);
    server.on('request', dispatcher.onRequest);
    server.on('upgrade', dispatcher.onUpgrade);
    server.on(secure ? 'secureConnection' : 'connection', dispatcher.onConnection);
    server.on('error', (err) => log.error('API listener error', { error: err }));
    server.on('tlsClientError', (err: Error, socket: Socket) => {
      log.debug('TLS handshake failed', { error: err.message, remote: socket.remoteAddress });
      socket.destroy();
    });
    return server;
  };

  const close = async ({ graceMs = 5_000 } = {}) => {
    for (const { server, address } of servers) {
      server.close();
      server.closeIdleConnections();
      if (address.kind === 'unix') await unlink(address.path).catch(() => undefined);
    }
    const deadline = Date.now() + graceMs;
    while (dispatcher.inFlight.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const flight of dispatcher.inFlight) flight.socket?.destroy();
    for (const { server } of servers) server.closeAllConnections();
    servers.length = 0;
  };

  const listen = async (): Promise<string[]> => {
    const bound: string[] = [];
    try {
      for (const address of addresses) {
        const server = make(address.kind === 'tcp' && opts.tls !== undefined);
        if (address.kind === 'unix') {
          await prepareUnixSocket(address.path);
          await bind(server, { path: address.path });
          servers.push({ server, address });
          await secureUnixSocket(address.path, opts.socketGroup ?? DEFAULT_SOCKET_GROUP, log);
          bound.push(formatHost(address));
        } else {
          await bind(server, { host: address.host, port: address.port });
          servers.push({ server, address });
          const port = (server.address() as AddressInfo).port;
          bound.push(formatHost({ ...address, port }));
          if (opts.tls?.verify !== true && !isLoopback(address.host)) {
            log.warn(`binding to ${formatHost(address)} without --tlsverify gives root access to anyone who can reach it`);
          }
        }
      }
    } catch (e) {
      await close({ graceMs: 0 });
      throw e;
    }
    return bound;
  };

  return { listen, close };
}

function bind(server: http.Server, where: { path: string } | { host: string; port: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.prependOnceListener('error', reject);
    server.listen(where, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function tlsOptions(tls: TlsOptions): https.ServerOptions {
  return {
    cert: readFileSync(tls.cert),
    key: readFileSync(tls.key),
    ...(tls.ca === undefined ? {} : { ca: readFileSync(tls.ca) }),
    requestCert: tls.verify,
    rejectUnauthorized: tls.verify,
    minVersion: 'TLSv1.2',
  };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
