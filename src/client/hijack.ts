// Attach and exec-start take over the HTTP connection: after the response head, the socket carries stdin one
// way and output the other. node:http cannot do this for a 200 answer (older daemons hijack without 101,
// and node would then parse the output as a body and frame our stdin as chunks), so the request is written
// and the response head parsed here, on a socket we own, which also lets us keep it half-open.
import net from 'node:net';
import tls from 'node:tls';
import { EngineError } from '../common/errors.js';
import { connectionError, daemonError, describeRequest, isAbort } from './errors.js';
import type { DaemonAddress, TlsMaterial } from './host.js';

export interface HijackTarget {
  address: DaemonAddress;
  tls?: TlsMaterial;
  userAgent: string;
}

export interface HijackRequest {
  method: string;
  /** Full request path, version prefix and query included. */
  path: string;
  headers?: Record<string, string>;
  body?: Buffer;
  signal?: AbortSignal;
}

export interface HijackedConnection {
  /**
   * Write stdin here and read output from here. `end()` after stdin's EOF only closes our sending side;
   * output keeps coming until the daemon closes its side, after which the socket closes itself.
   */
  socket: net.Socket;
  /** `application/vnd.docker.multiplexed-stream` (stdcopy frames) or `application/vnd.docker.raw-stream` (TTY). */
  contentType: string;
  statusCode: number;
}

const MAX_HEAD = 64 * 1024;

export function hijackConnection(target: HijackTarget, req: HijackRequest): Promise<HijackedConnection> {
  const what = describeRequest(target.address, req.method, req.path);
  return new Promise<HijackedConnection>((resolve, reject) => {
    if (req.signal?.aborted) {
      reject(new EngineError('canceled', 'context canceled'));
      return;
    }
    const requestText = requestHead(target, req);
    const socket = connect(target);
    let head: Buffer = Buffer.alloc(0);
    let settled = false;

    const onAbort = () => socket.destroy(new DOMException('This operation was aborted', 'AbortError'));
    const cleanup = () => {
      socket.removeListener('readable', onReadable);
      socket.removeListener('end', onEnd);
      socket.removeListener('error', onError);
      req.signal?.removeEventListener('abort', onAbort);
    };
    const fail = (e: unknown) => {
      if (settled) return;
      settled = true;
      cleanup();
      socket.destroy();
      reject(isAbort(e) ? new EngineError('canceled', 'context canceled', { cause: e }) : connectionError(e, target.address, what));
    };
    const onError = (e: Error) => fail(e);
    const onEnd = () => fail(new EngineError('unavailable', `error during connect: ${what}: connection closed before the response`));
    const onReadable = () => {
      let chunk: Buffer | null;
      while (!settled && (chunk = socket.read() as Buffer | null) !== null) {
        head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) {
          if (head.length > MAX_HEAD) fail(new EngineError('internal', `${what}: response head too large`));
          continue;
        }
        settled = true;
        cleanup();
        const rest = head.subarray(end + 4);
        let parsed: ParsedHead;
        try {
          parsed = parseHead(head.subarray(0, end).toString('latin1'));
        } catch (e) {
          socket.destroy();
          reject(e);
          return;
        }
        if (parsed.status === 101 || (parsed.status >= 200 && parsed.status < 300)) {
          if (rest.length > 0) socket.unshift(rest);
          // Once the daemon has sent everything there is nothing left to say to it, and with allowHalfOpen
          // the socket would otherwise stay open (and keep the process alive) until the caller ends it.
          socket.once('end', () => socket.end());
          resolve({ socket, contentType: parsed.headers['content-type'] ?? '', statusCode: parsed.status });
          return;
        }
        readErrorBody(socket, rest, parsed.headers).then(
          (body) => {
            socket.destroy();
            reject(daemonError(parsed.status, body, `${req.method} ${req.path}`));
          },
          (e: unknown) => {
            socket.destroy();
            reject(connectionError(e, target.address, what));
          },
        );
        return;
      }
    };

    socket.on('readable', onReadable);
    socket.on('end', onEnd);
    socket.on('error', onError);
    req.signal?.addEventListener('abort', onAbort, { once: true });
    socket.write(requestText);
    if (req.body && req.body.length > 0) socket.write(req.body);
  });
}

function connect(target: HijackTarget): net.Socket {
  const a = target.address;
  if (a.kind === 'unix') return net.connect({ path: a.socketPath, allowHalfOpen: true });
  if (a.tls) {
    // allowHalfOpen is honoured by tls.connect (it is passed on to the TLSSocket) but missing from its types.
    const options: tls.ConnectionOptions & { allowHalfOpen: boolean } = {
      host: a.host,
      port: a.port,
      ...(net.isIP(a.host) === 0 ? { servername: a.host } : {}),
      ...target.tls,
      allowHalfOpen: true,
    };
    return tls.connect(options);
  }
  return net.connect({ host: a.host, port: a.port, allowHalfOpen: true });
}

function requestHead(target: HijackTarget, req: HijackRequest): string {
  const a = target.address;
  const host = a.kind === 'unix' ? 'localhost' : `${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;
  const headers: Record<string, string> = {
    Host: host,
    'User-Agent': target.userAgent,
    ...req.headers,
    Connection: 'Upgrade',
    Upgrade: 'tcp',
  };
  if (req.body && req.body.length > 0) {
    headers['Content-Type'] ??= 'application/json';
    headers['Content-Length'] = String(req.body.length);
  } else {
    headers['Content-Length'] = '0';
  }
  let s = `${req.method} ${req.path} HTTP/1.1\r\n`;
  for (const [k, v] of Object.entries(headers)) {
    if (/[\r\n]/.test(k) || /[\r\n]/.test(v)) throw new EngineError('invalid-argument', `invalid header ${JSON.stringify(k)}`);
    s += `${k}: ${v}\r\n`;
  }
  return `${s}\r\n`;
}

interface ParsedHead {
  status: number;
  headers: Record<string, string>;
}

function parseHead(text: string): ParsedHead {
  const lines = text.split('\r\n');
  const m = /^HTTP\/\d\.\d (\d{3})/.exec(lines[0] ?? '');
  if (!m) throw new EngineError('internal', `malformed response from daemon: ${JSON.stringify(lines[0] ?? '')}`);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(m[1]), headers };
}

/** The body of an error answer: by Content-Length, chunked, or up to the close. */
async function readErrorBody(socket: net.Socket, rest: Buffer, headers: Record<string, string>): Promise<string> {
  const length = headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
  const chunked = /chunked/i.test(headers['transfer-encoding'] ?? '');
  let data = rest;
  const complete = () =>
    length !== undefined ? data.length >= length : chunked ? /(^|\r\n)0\r\n\r\n/.test(data.toString('latin1')) : false;
  if (!complete()) {
    for await (const c of socket) {
      data = Buffer.concat([data, c as Buffer]);
      if (complete()) break;
    }
  }
  if (length !== undefined) data = data.subarray(0, length);
  else if (chunked) data = dechunk(data);
  return data.toString('utf8');
}

function dechunk(data: Buffer): Buffer {
  const out: Buffer[] = [];
  let off = 0;
  for (;;) {
    const eol = data.indexOf('\r\n', off);
    if (eol < 0) break;
    const size = parseInt(data.subarray(off, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    out.push(data.subarray(eol + 2, eol + 2 + size));
    off = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}
