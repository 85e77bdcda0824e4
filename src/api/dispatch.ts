// One request, start to finish: match, build the context, run the handler, turn a throw into an answer, log.
// Requests arrive two ways. Ordinary ones come from node's 'request' event. Requests for hijack routes come
// from 'upgrade' with the raw socket — also when the client sent no Upgrade header, because a connection-level
// hook tells node's parser to treat them as upgrades; otherwise the parser would read the client's stdin as
// the next pipelined request.
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex, Readable } from 'node:stream';
import { STATUS_CLIENT_CLOSED_REQUEST } from './http-status.js';
import { setIdentityHeaders, writeEmpty, writeError, writeJson, writePlainText, type ServerIdentity } from './response.js';
import type { Router } from './router.js';
import { RequestFramer } from './stream/framer.js';
import type { AccessLogEntry, ApiLogger, ConnectionControl, RawConnection, RequestContext } from './types.js';

export interface DispatcherOptions {
  router: Router;
  identity: ServerIdentity;
  log: ApiLogger;
  onAccess?: (entry: AccessLogEntry) => void;
}

/** A request still being answered; graceful close waits for these, then cuts their sockets. */
interface InFlight {
  socket: Duplex | null;
}

/** After answering over the upgrade path the socket is ended; a client that never closes gets this long. */
const LINGER_MS = 5_000;

export class Dispatcher {
  readonly inFlight = new Set<InFlight>();
  private warnedNoHook = false;

  constructor(private readonly opts: DispatcherOptions) {}

  readonly onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    void this.run(req, res, undefined);
  };

  readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // node removed its own listeners when it let go of the socket: without this an ECONNRESET would crash.
    socket.on('error', (e) => this.opts.log.debug('connection error', { error: e }));
    if ('setTimeout' in socket && typeof socket.setTimeout === 'function') socket.setTimeout(0);
    const res = new ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket as Socket);
    const raw: RawConnection = {
      socket,
      framer: new RequestFramer(socket, head, req.headers),
      upgradeRequested: req.headers.upgrade !== undefined,
    };
    res.on('finish', () => {
      if (res.socket === socket) res.detachSocket(socket as Socket);
      socket.end();
      setTimeout(() => socket.destroy(), LINGER_MS).unref();
    });
    void this.run(req, res, raw);
  };

  /** Called for every new connection: lets hijack routes leave node's HTTP parser. */
  readonly onConnection = (socket: Duplex): void => {
    const parser = (socket as { parser?: { onIncoming?: unknown } }).parser;
    const original = parser?.onIncoming;
    if (parser === undefined || typeof original !== 'function') {
      if (!this.warnedNoHook) this.opts.log.warn('http parser hook unavailable: non-upgrade attach falls back to the response body');
      this.warnedNoHook = true;
      return;
    }
    const router = this.opts.router;
    parser.onIncoming = function (this: unknown, req: IncomingMessage & { upgrade?: boolean }, keepAlive: boolean): unknown {
      if (req.upgrade !== true && router.isHijack(req.method ?? '', req.url ?? '')) {
        req.upgrade = true;
        return 2; // llhttp: skip the body and stop parsing; node then emits 'upgrade' with the rest.
      }
      return (original as (...a: unknown[]) => unknown).call(this, req, keepAlive);
    };
  };

  private async run(req: IncomingMessage, res: ServerResponse, raw: RawConnection | undefined): Promise<void> {
    const { router, identity, log } = this.opts;
    const started = performance.now();
    const flight: InFlight = { socket: raw?.socket ?? req.socket };
    this.inFlight.add(flight);
    let hijacked = false;
    let hijackStatus = 0;
    const control: ConnectionControl = {
      raw,
      get hijacked() {
        return hijacked;
      },
      takeOver: (status) => {
        hijacked = true;
        hijackStatus = status;
        this.inFlight.delete(flight);
      },
    };
    const method = req.method ?? 'GET';
    const what = `${method} ${req.url ?? '/'}`;
    let version: string | undefined;
    let failure: unknown;
    let logged = false;
    const access = (status: number) => {
      if (logged) return;
      logged = true;
      this.inFlight.delete(flight);
      this.opts.onAccess?.({
        method, url: req.url ?? '/', status, durationMs: performance.now() - started, version,
        remote: req.socket?.remoteAddress ?? 'unix', hijacked, error: failure,
      });
    };
    const aborter = new AbortController();
    res.on('finish', () => {
      if (!hijacked) access(res.statusCode);
    });
    // A response attached to its socket emits 'close' when the socket closes; after hijack() on the upgrade
    // path it is detached, so that socket (used for this one request only) is watched directly.
    res.on('close', () => {
      if (hijacked || !res.writableFinished) aborter.abort();
      if (!hijacked && !res.writableFinished) access(STATUS_CLIENT_CLOSED_REQUEST);
    });
    raw?.socket.once('close', () => aborter.abort());
    req.on('error', (e) => log.debug('request stream error', { error: e }));
    res.on('error', (e) => log.debug('response stream error', { error: e }));
    setIdentityHeaders(res, identity);

    const match = router.match(method, req.url ?? '/');
    if (match.kind === 'not-found') return writeJson(res, 404, { message: 'page not found' });
    if (match.kind === 'bad-path') return writeJson(res, 400, { message: match.message });
    if (match.kind === 'bad-version') {
      return match.plainText ? writePlainText(res, 400, match.message) : writeJson(res, 400, { message: match.message });
    }
    version = match.version;
    const query = new URLSearchParams((req.url ?? '').split('?').slice(1).join('?'));
    const body: Readable = raw?.framer.body ?? req;
    const ctx: RequestContext = { req, res, params: match.params, query, version, body, signal: aborter.signal, log, connection: control };
    try {
      await match.route.handler(ctx);
      if (hijacked) return access(hijackStatus);
      if (!res.headersSent) writeEmpty(res, res.statusCode);
      else if (!res.writableEnded) res.end();
    } catch (err) {
      failure = err;
      if (hijacked) {
        log.error(`Handler for ${what} failed after hijacking the connection`, { error: err });
        (raw?.socket ?? req.socket)?.destroy();
        access(hijackStatus);
      } else if (aborter.signal.aborted) {
        log.debug(`request canceled by client: ${what}`, { error: err, status: STATUS_CLIENT_CLOSED_REQUEST });
        res.destroy();
      } else if (res.headersSent) {
        // The status line is gone; cutting the connection is the only way left to tell the client.
        log.error(`Handler for ${what} failed after the answer began`, { error: err });
        res.destroy();
        (raw?.socket ?? req.socket)?.destroy();
      } else {
        writeError(res, err, log, what);
      }
    }
  }
}
