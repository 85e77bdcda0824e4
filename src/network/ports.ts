// Host ports for published container ports. Each published port is held by a listening socket in berthd
// (as docker-proxy does): that makes "is it taken?" a plain bind(), keeps other programs off the port, and
// serves the traffic the kernel cannot DNAT: connections to 127.0.0.1 (iptables' OUTPUT jump skips 127/8,
// since DNAT of loopback sources would need route_localnet and a MASQUERADE on every bridge). Traffic to
// other host addresses never reaches this socket: the nat BERTH chain DNATs it first.
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { readFile } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import { conflict, errnoCode, EngineError } from '../common/errors.js';
import type { PortMapping, Proto } from './port-spec.js';

export interface Target {
  ip: string;
  port: number;
}

export interface PublishedPort {
  proto: Proto;
  hostIp: string;
  hostPort: number;
  containerIp: string;
  containerPort: number;
  close(): Promise<void>;
}

export async function readEphemeralRange(file = '/proc/sys/net/ipv4/ip_local_port_range'): Promise<[number, number]> {
  try {
    const [a, b] = (await readFile(file, 'utf8')).trim().split(/\s+/).map(Number);
    if (a && b && a <= b) return [a, b];
  } catch {
    // not Linux or no procfs: Docker's defaults below
  }
  return [32768, 60999];
}

function allocatedError(hostIp: string, port: number): EngineError {
  return conflict(`Bind for ${hostIp || '0.0.0.0'}:${port} failed: port is already allocated`);
}

/** Hands out host ports and holds them; one per berthd. */
export class PortPublisher {
  private readonly taken = new Set<string>();

  constructor(private readonly range: [number, number] = [32768, 60999]) {}

  static async create(): Promise<PortPublisher> {
    return new PortPublisher(await readEphemeralRange());
  }

  /**
   * Binds the host side of `m` (a random free port when m.hostPort is 0, any free one of a host range) and
   * proxies what arrives there to `target`.
   */
  async publish(m: PortMapping, target: Target): Promise<PublishedPort> {
    if (m.hostPort !== 0 && m.hostPortEnd === undefined) return this.bindOne(m, m.hostPort, target);
    const [lo, hi] = m.hostPort !== 0 ? [m.hostPort, m.hostPortEnd!] : this.range;
    const span = hi - lo + 1;
    const start = Math.floor(Math.random() * span);
    for (let i = 0; i < span; i++) {
      const port = lo + ((start + i) % span);
      try {
        return await this.bindOne(m, port, target);
      } catch (e) {
        if (e instanceof EngineError && e.kind === 'conflict') continue;
        throw e;
      }
    }
    if (m.hostPort !== 0) throw allocatedError(m.hostIp, m.hostPort);
    throw new EngineError('unavailable', `all ports are allocated`);
  }

  private async bindOne(m: PortMapping, port: number, target: Target): Promise<PublishedPort> {
    const host = m.hostIp === '' ? '0.0.0.0' : m.hostIp;
    const key = `${m.proto}/${host}/${port}`;
    const wildKey = `${m.proto}/0.0.0.0/${port}`;
    if (this.taken.has(key) || this.taken.has(wildKey)) throw allocatedError(m.hostIp, port);
    if (host === '0.0.0.0' && [...this.taken].some((k) => k.startsWith(`${m.proto}/`) && k.endsWith(`/${port}`))) {
      throw allocatedError(m.hostIp, port);
    }
    let closeFn: () => Promise<void>;
    try {
      if (m.proto === 'tcp') closeFn = await tcpProxy(host, port, target);
      else if (m.proto === 'udp') closeFn = await udpProxy(host, port, target);
      else closeFn = async () => undefined; // sctp: no proxy in Node; iptables DNAT only
    } catch (e) {
      if (errnoCode(e) === 'EADDRINUSE' || errnoCode(e) === 'EACCES') throw allocatedError(m.hostIp, port);
      throw e;
    }
    this.taken.add(key);
    return {
      proto: m.proto,
      hostIp: m.hostIp,
      hostPort: port,
      containerIp: target.ip,
      containerPort: target.port,
      close: async () => {
        this.taken.delete(key);
        await closeFn();
      },
    };
  }
}

function tcpProxy(host: string, port: number, target: Target): Promise<() => Promise<void>> {
  // half-open on both sides: a client's FIN must reach the container while its reply still flows back
  const server: Server = createServer({ pauseOnConnect: true, allowHalfOpen: true }, (client) => {
    const up = connect({ host: target.ip, port: target.port, allowHalfOpen: true });
    up.once('connect', () => client.resume());
    client.pipe(up);
    up.pipe(client);
    const end = () => {
      client.destroy();
      up.destroy();
    };
    client.on('error', end);
    up.on('error', end);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      const open = new Set<import('node:net').Socket>();
      server.on('connection', (s) => {
        open.add(s);
        s.on('close', () => open.delete(s));
      });
      resolve(() => new Promise<void>((done) => {
        for (const s of open) s.destroy();
        server.close(() => done());
      }));
    });
  });
}

/** Datagrams from each client go out through a socket of their own, so replies find their way back. */
function udpProxy(host: string, port: number, target: Target): Promise<() => Promise<void>> {
  const front: UdpSocket = createSocket({ type: 'udp4', reuseAddr: false });
  const flows = new Map<string, { sock: UdpSocket; timer: NodeJS.Timeout }>();
  const IDLE_MS = 90_000;
  front.on('message', (msg: Buffer, from: RemoteInfo) => {
    const id = `${from.address}:${from.port}`;
    let f = flows.get(id);
    if (!f) {
      const sock = createSocket('udp4');
      sock.on('message', (reply) => front.send(reply, from.port, from.address));
      sock.on('error', () => sock.close());
      f = { sock, timer: setTimeout(() => undefined, 0) };
      flows.set(id, f);
    }
    clearTimeout(f.timer);
    const flow = f;
    flow.timer = setTimeout(() => {
      flows.delete(id);
      flow.sock.close();
    }, IDLE_MS).unref();
    flow.sock.send(msg, target.port, target.ip);
  });
  return new Promise((resolve, reject) => {
    front.once('error', reject);
    front.bind({ address: host, port, exclusive: true }, () => {
      front.off('error', reject);
      resolve(async () => {
        for (const f of flows.values()) {
          clearTimeout(f.timer);
          f.sock.close();
        }
        flows.clear();
        await new Promise<void>((done) => front.close(() => done()));
      });
    });
  });
}
