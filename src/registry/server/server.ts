// The registry's HTTP front: binds a tcp or unix address (TLS optional), gives every request a context and
// the API-version header, turns errors into spec error bodies, and logs one line per request.
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { lstat, mkdir, unlink } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { EngineError, errnoCode } from '../../common/errors.js';
import { RegistryError } from './errors.js';
import { sendError, type Ctx } from './context.js';
import { dispatch } from './routes.js';
import { Storage } from './storage.js';
import { Uploads } from './uploads.js';

export interface RegistryServerOptions {
  /** Directory holding blobs/, repositories/, uploads/. */
  root: string;
  /** "127.0.0.1:5000", ":5000" (all interfaces), "tcp://host:port", "[::1]:5000", or "unix:///path". */
  listen: string;
  /** PEM text or paths to PEM files. */
  tls?: { cert: string; key: string };
  log?: (msg: string) => void;
  /** Answers writes with 405 UNSUPPORTED, as distribution's read-only maintenance mode does. */
  readOnly?: boolean;
}

export interface RegistryServer {
  /** http(s)://host:port, or unix:///path. */
  url: string;
  port?: number;
  close(): Promise<void>;
}

const STALE_UPLOAD_MS = 7 * 24 * 3600 * 1000;

type Address = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

export function parseListen(spec: string): Address {
  if (spec.startsWith('unix://')) {
    const p = spec.slice('unix://'.length);
    if (!p.startsWith('/')) throw new EngineError('invalid-argument', `invalid listen address ${spec}: expected unix:///absolute/path`);
    return { kind: 'unix', path: p };
  }
  const rest = spec.startsWith('tcp://') ? spec.slice('tcp://'.length) : spec;
  const m = /^(?:\[([^\]]+)\]|([^:/[\]]*)):(\d+)$/.exec(rest);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new EngineError('invalid-argument', `invalid listen address ${spec}: expected host:port or unix:///path`);
  return { kind: 'tcp', host: m[1] ?? m[2] ?? '', port };
}

function pem(v: string): string {
  return v.includes('-----BEGIN') ? v : readFileSync(v, 'utf8');
}

/** Where a client should connect: an unspecified bind address is reachable on loopback. */
function urlHost(host: string): string {
  if (host === '' || host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

export async function startRegistryServer(opts: RegistryServerOptions): Promise<RegistryServer> {
  const addr = parseListen(opts.listen);
  const storage = new Storage(opts.root);
  await storage.init();
  const uploads = new Uploads(storage);
  const log = opts.log ?? (() => undefined);
  if (!opts.readOnly) {
    for (const uuid of await uploads.purgeStale(STALE_UPLOAD_MS)) log(`removed upload ${uuid}: untouched for a week`);
  }
  const scheme = opts.tls ? 'https' : 'http';

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'http://registry.invalid');
    const host = req.headers.host;
    const ctx: Ctx = {
      req, res, url, storage, uploads, readOnly: opts.readOnly === true,
      base: host ? `${scheme}://${host}` : '', bytesIn: 0,
    };
    res.setHeader('Docker-Distribution-API-Version', 'registry/2.0');
    res.on('close', () => {
      const ms = Number((process.hrtime.bigint() - started) / 1_000_000n);
      const out = req.method === 'HEAD' ? 0 : Number(res.getHeader('content-length') ?? 0);
      const status = res.writableFinished ? String(res.statusCode) : `${res.statusCode}(aborted)`;
      log(`${req.method} ${req.url} ${status} ${ctx.bytesIn + out} ${ms}ms`);
    });
    dispatch(ctx).catch((e: unknown) => {
      if (res.headersSent) {
        // Mid-stream there is no way to report an error but to cut the connection.
        if (errnoCode(e) !== 'ERR_STREAM_PREMATURE_CLOSE') log(`${req.method} ${req.url}: ${(e as Error).message}`);
        res.destroy();
        return;
      }
      // A client that went away mid-body gets no answer; a body read to its end is no sign of that.
      if (res.destroyed || (req.destroyed && !req.complete)) {
        res.destroy();
        return;
      }
      if (e instanceof RegistryError) {
        sendError(ctx, e);
      } else {
        log(`${req.method} ${req.url}: internal error: ${(e as Error).stack ?? String(e)}`);
        sendError(ctx, new RegistryError('UNKNOWN', (e as Error).message));
      }
    });
  };

  // No overall request deadline: a multi-gigabyte layer on a slow link may take longer than Node's 5 minutes.
  const serverOpts = { requestTimeout: 0 };
  const server = opts.tls
    ? https.createServer({ ...serverOpts, cert: pem(opts.tls.cert), key: pem(opts.tls.key) }, onRequest)
    : http.createServer(serverOpts, onRequest);

  if (addr.kind === 'unix') await prepareUnixSocket(addr.path);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const done = () => {
      server.off('error', reject);
      resolve();
    };
    if (addr.kind === 'unix') server.listen(addr.path, done);
    else if (addr.host === '') server.listen(addr.port, done);
    else server.listen(addr.port, addr.host, done);
  });
  server.on('error', (e) => log(`server error: ${e.message}`));

  let url: string;
  let port: number | undefined;
  if (addr.kind === 'unix') {
    url = `unix://${addr.path}`;
  } else {
    port = (server.address() as AddressInfo).port;
    url = `${scheme}://${urlHost(addr.host)}:${port}`;
  }

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      // Answers in progress get a moment to finish; a stalled upload must not hold shutdown forever.
      setTimeout(() => server.closeAllConnections(), 2000).unref();
    }).then(async () => {
      if (addr.kind === 'unix') await unlink(addr.path).catch(() => undefined);
    });
    return closing;
  };
  return { url, ...(port !== undefined ? { port } : {}), close };
}

/** A stale socket from a killed server would make bind fail; anything that is not a socket is left alone. */
async function prepareUnixSocket(p: string): Promise<void> {
  await mkdir(path.dirname(p), { recursive: true, mode: 0o755 });
  try {
    if (!(await lstat(p)).isSocket()) throw new EngineError('conflict', `can't listen on ${p}: a file that is not a socket is in the way`);
    await unlink(p);
  } catch (e) {
    if (errnoCode(e) !== 'ENOENT') throw e;
  }
}
