// For the client's tests only (not exported from index.ts): a throwaway node:http server on a unix socket or
// on 127.0.0.1:0 that answers `_ping` like a daemon and hands every other request to the test.
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DaemonAddress } from './host.js';

export interface FakeDaemonOptions {
  on: 'unix' | 'tcp';
  /** For 'unix': listen here instead of in a fresh temp dir (which the caller then owns). */
  socketPath?: string;
  /** Api-Version sent by `_ping`; null sends none. */
  apiVersion?: string | null;
  handler?: (req: http.IncomingMessage, res: http.ServerResponse) => void;
  upgrade?: (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void;
}

export interface FakeDaemon {
  address: DaemonAddress;
  /** `METHOD url` of every request, pings included, in arrival order. */
  seen: string[];
  close(): Promise<void>;
}

export async function startFakeDaemon(options: FakeDaemonOptions): Promise<FakeDaemon> {
  const seen: string[] = [];
  const sockets = new Set<Duplex>();
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (req.url === '/_ping' || req.url?.endsWith('/_ping')) {
      const headers: Record<string, string> = { 'Content-Type': 'text/plain', OSType: 'linux' };
      if (options.apiVersion !== null) headers['Api-Version'] = options.apiVersion ?? '1.50';
      res.writeHead(200, headers).end('OK');
      return;
    }
    if (options.handler) options.handler(req, res);
    else res.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message: `page not found` }));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    seen.push(`${req.method} ${req.url}`);
    if (options.upgrade) options.upgrade(req, socket, head);
    else socket.destroy();
  });
  let dir: string | undefined;
  let address: DaemonAddress;
  if (options.on === 'unix') {
    let socketPath = options.socketPath;
    if (socketPath === undefined) {
      dir = mkdtempSync(path.join(tmpdir(), 'berth-client-test-'));
      socketPath = path.join(dir, 'd.sock');
    }
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    address = { kind: 'unix', socketPath, url: `unix://${socketPath}` };
  } else {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    address = { kind: 'tcp', host: '127.0.0.1', port, basePath: '', url: `tcp://127.0.0.1:${port}` };
  }
  return {
    address,
    seen,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
