// Berth's embedded DNS server. berthd runs one per user-defined network, bound to the bridge's gateway
// address, port 53; containers' resolv.conf names the gateway. Names of containers on the network come
// from a resolver callback (the engine's view); everything else is forwarded to the upstream servers and
// the reply passed back as is. Each forwarded query uses its own ephemeral socket, so upstream replies are
// matched by socket and query ID without a shared ID table.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { buildResponse, parseQuery, RCODE_NOERROR, RCODE_SERVFAIL, TYPE_A } from './dns-message.js';

/** Addresses for a name as seen from `client` (a container address), or undefined when not ours. */
export type Resolver = (name: string, client: string) => readonly string[] | undefined;

export interface DnsServerOptions {
  address: string;
  port?: number;
  resolve: Resolver;
  /** Upstream servers ("ip" or "ip:port") for a client; --dns of that container, else the host's. */
  upstreams: (client: string) => readonly string[];
  /** Per upstream attempt. */
  timeoutMs?: number;
  onError?: (err: Error) => void;
}

export interface DnsServer {
  address: string;
  port: number;
  close(): Promise<void>;
}

export async function startDnsServer(o: DnsServerOptions): Promise<DnsServer> {
  const sock = createSocket({ type: 'udp4' });
  const timeoutMs = o.timeoutMs ?? 2000;
  sock.on('message', (msg, from) => {
    handle(sock, msg, from, o, timeoutMs).catch((e: unknown) => o.onError?.(e as Error));
  });
  sock.on('error', (e) => o.onError?.(e));
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind({ address: o.address, port: o.port ?? 53, exclusive: true }, () => {
      sock.off('error', reject);
      resolve();
    });
  });
  return {
    address: o.address,
    port: sock.address().port,
    close: () => new Promise<void>((done) => sock.close(() => done())),
  };
}

async function handle(sock: Socket, msg: Buffer, from: RemoteInfo, o: DnsServerOptions, timeoutMs: number): Promise<void> {
  const q = parseQuery(msg);
  if (!q) return;
  const reply = (b: Buffer) => sock.send(b, from.port, from.address);
  const name = q.name.replace(/\.$/, '');
  const ips = name === '' ? undefined : o.resolve(name, from.address);
  if (ips !== undefined) {
    // a name we own: A gets the addresses, other types an empty NOERROR (the name exists)
    return reply(buildResponse(msg, q, RCODE_NOERROR, q.type === TYPE_A ? ips : []));
  }
  for (const up of o.upstreams(from.address)) {
    const answer = await forward(msg, up, timeoutMs).catch(() => undefined);
    if (answer) return reply(answer);
  }
  reply(buildResponse(msg, q, RCODE_SERVFAIL));
}

function forward(msg: Buffer, upstream: string, timeoutMs: number): Promise<Buffer> {
  const [host, portText] = upstream.includes(':') && !upstream.includes('::') ? upstream.split(':') : [upstream, '53'];
  const id = msg.readUInt16BE(0);
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    const done = (err?: Error, buf?: Buffer) => {
      clearTimeout(timer);
      s.close();
      if (err) reject(err);
      else resolve(buf!);
    };
    const timer = setTimeout(() => done(new Error(`DNS upstream ${upstream} timed out`)), timeoutMs);
    s.on('error', (e) => done(e));
    s.on('message', (b) => {
      if (b.length >= 12 && b.readUInt16BE(0) === id) done(undefined, b);
    });
    s.send(msg, Number(portText), host!);
  });
}
