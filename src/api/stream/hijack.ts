// Taking a connection over for attach and exec start, as moby's handlers do after http.Hijacker.Hijack():
// the status line is written by hand (101 UPGRADED when the client sent `Upgrade: tcp`, else 200 OK), then
// both directions carry raw bytes. The client's stdin ends when it half-closes (the docker CLI's CloseWrite)
// while output keeps flowing; the handler ends the connection when the process is done.
import type { OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex, Readable, Writable } from 'node:stream';
import { compareVersions } from '../router.js';
import type { RequestContext } from '../types.js';

export const RAW_STREAM = 'application/vnd.docker.raw-stream';
export const MULTIPLEXED_STREAM = 'application/vnd.docker.multiplexed-stream';

/** After the handler ends its side, a client that never closes the connection gets this long. */
const LINGER_MS = 5_000;

export interface HijackOptions {
  contentType: string;
}

export interface Hijacked {
  /** The connection; undefined only in the fallback where node kept its parser (see hijack()). */
  readonly socket: Duplex | undefined;
  /** The client's bytes; ends when the client half-closes or sends the end of a chunked body. */
  readonly stdin: Readable;
  /** Aborts when the connection closes. */
  readonly signal: AbortSignal;
  /** Whether the answer was 101 (the client asked for an upgrade) rather than 200. */
  readonly upgraded: boolean;
  /** Returns false when the connection's buffer is full; then wait for drained() before writing more. */
  write(chunk: Buffer | string): boolean;
  /** Resolves once buffered output has drained (or the connection is gone). */
  drained(): Promise<void>;
  /** Ends the output side; the client reads EOF. */
  end(): void;
}

/**
 * moby's rule for the content type: only an upgraded connection from a client speaking API 1.42 or later is
 * told "multiplexed"; everyone else is told raw-stream even when the bytes are multiplexed (older clients
 * infer the framing from the container's TTY setting instead).
 */
export function streamContentType(ctx: RequestContext, opts: { tty: boolean }): string {
  const upgraded = ctx.connection.raw?.upgradeRequested ?? false;
  return upgraded && !opts.tty && compareVersions(ctx.version, '1.42') >= 0 ? MULTIPLEXED_STREAM : RAW_STREAM;
}

function drained(w: Writable): Promise<void> {
  if (!w.writableNeedDrain || w.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      w.off('drain', done);
      w.off('close', done);
      resolve();
    };
    w.on('drain', done);
    w.on('close', done);
  });
}

const SKIPPED = new Set(['content-type', 'content-length', 'transfer-encoding', 'connection', 'upgrade', 'date']);

function headerLines(headers: OutgoingHttpHeaders): string {
  let out = '';
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || SKIPPED.has(name.toLowerCase())) continue;
    for (const v of Array.isArray(value) ? value : [value]) out += `${canonical(name)}: ${v}\r\n`;
  }
  return out;
}

/** node lower-cases stored header names; Go writes them canonically (Api-Version, Docker-Experimental). */
function canonical(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
}

export function hijack(ctx: RequestContext, opts: HijackOptions): Hijacked {
  const control = ctx.connection;
  if (control.hijacked) throw new Error('connection already hijacked');
  const raw = control.raw;
  if (raw === undefined) return hijackResponse(ctx, opts);

  const { socket, framer, upgradeRequested } = raw;
  const res = ctx.res;
  let head = upgradeRequested ? 'HTTP/1.1 101 UPGRADED\r\n' : 'HTTP/1.1 200 OK\r\n';
  head += `Content-Type: ${opts.contentType}\r\n`;
  if (upgradeRequested) head += 'Connection: Upgrade\r\nUpgrade: tcp\r\n';
  head += `${headerLines(res.getHeaders())}\r\n`;
  if (res.socket === socket) res.detachSocket(socket as Socket);
  control.takeOver(upgradeRequested ? 101 : 200);
  socket.write(head);

  // docker-modem without hijack sends stdin as a chunked request body; everyone else sends it after the body.
  let stdin: Readable;
  if (!upgradeRequested && framer.chunked) {
    stdin = framer.body;
  } else {
    framer.discardBody();
    stdin = framer.rest;
  }
  return {
    socket,
    stdin,
    signal: ctx.signal,
    upgraded: upgradeRequested,
    write: (chunk) => (socket.destroyed || socket.writableEnded ? false : socket.write(chunk)),
    drained: () => drained(socket),
    end: () => {
      if (socket.destroyed || socket.writableEnded) return;
      socket.end();
      setTimeout(() => socket.destroy(), LINGER_MS).unref();
    },
  };
}

/**
 * The fallback when node's parser could not be bypassed: the answer is an ordinary close-delimited response
 * and stdin is the request body. Clients that stream stdin as a request body still work; raw bytes after a
 * complete request do not.
 */
function hijackResponse(ctx: RequestContext, opts: HijackOptions): Hijacked {
  const { res, req } = ctx;
  res.statusCode = 200;
  res.setHeader('Content-Type', opts.contentType);
  res.useChunkedEncodingByDefault = false;
  res.shouldKeepAlive = false;
  res.flushHeaders();
  ctx.connection.takeOver(200);
  return {
    socket: res.socket ?? undefined,
    stdin: req,
    signal: ctx.signal,
    upgraded: false,
    write: (chunk) => (res.writableEnded || res.destroyed ? false : res.write(chunk)),
    drained: () => drained(res),
    end: () => {
      if (!res.writableEnded) res.end();
    },
  };
}
