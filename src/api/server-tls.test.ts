import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import https from 'node:https';
import path from 'node:path';
import tls from 'node:tls';
import { hijack, RAW_STREAM } from './stream/hijack.js';
import { startTestServer, waitFor, type TestServer } from './testing.js';
import type { Route } from './types.js';

const haveOpenssl = spawnSync('openssl', ['version']).status === 0;

/** A CA, a server certificate for 127.0.0.1 and a client certificate, as `docker --tlsverify` setups have. */
function makeCerts(dir: string): Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey', string> {
  const p = (name: string) => path.join(dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=berth-test-ca');
  for (const [name, ext] of [
    ['server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n'],
    ['client', 'extendedKeyUsage=clientAuth\n'],
  ] as const) {
    writeFileSync(p(`${name}.ext`), ext);
    ssl('req', ...ec, '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', `${name}.ext`);
  }
  return { ca: p('ca.pem'), serverCert: p('server.pem'), serverKey: p('server-key.pem'), clientCert: p('client.pem'), clientKey: p('client-key.pem') };
}

const routes: Route[] = [
  {
    method: 'POST',
    path: '/containers/{name}/attach',
    hijack: true,
    handler: async (ctx) => {
      const h = hijack(ctx, { contentType: RAW_STREAM });
      const chunks: Buffer[] = [];
      for await (const c of h.stdin) chunks.push(c as Buffer);
      h.write(`got ${Buffer.concat(chunks).toString()} after half-close`);
      h.end();
    },
  },
];

describe('API server over TLS with --tlsverify', { skip: haveOpenssl ? false : 'openssl is not installed' }, () => {
  let srv: TestServer;
  let certDir: string;
  let certs: ReturnType<typeof makeCerts>;
  let port: number;
  before(async () => {
    certDir = await mkdtemp(path.join(os.tmpdir(), 'berth-api-tls-'));
    certs = makeCerts(certDir);
    srv = await startTestServer(routes, {
      extraHosts: ['tcp://127.0.0.1:0'],
      tls: { cert: certs.serverCert, key: certs.serverKey, ca: certs.ca, verify: true },
    });
    port = Number(/:(\d+)$/.exec(srv.addresses[1]!)![1]);
  });
  after(async () => {
    await srv?.close();
    await rm(certDir, { recursive: true, force: true });
  });

  const client = (withCert: boolean): tls.ConnectionOptions => ({
    host: '127.0.0.1', port, ca: readFileSync(certs.ca),
    ...(withCert ? { cert: readFileSync(certs.clientCert), key: readFileSync(certs.clientKey) } : {}),
  });

  it('serves clients presenting a certificate signed by the CA', async () => {
    const body = await new Promise<string>((resolve, reject) => {
      https.get({ ...client(true), path: '/_ping', agent: false }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve(`${res.statusCode} ${res.headers['api-version']} ${text}`));
      }).on('error', reject);
    });
    assert.equal(body, '200 1.50 OK');
  });

  it('refuses clients without a certificate and keeps running', async () => {
    const outcome = await new Promise<string>((resolve) => {
      https.get({ ...client(false), path: '/_ping', agent: false }, (res) => resolve(`answered ${res.statusCode}`)).on('error', (e) => resolve(`refused: ${e.message}`));
    });
    assert.match(outcome, /^refused/);
    assert.equal(srv.addresses.length, 2);
  });

  it('keeps half-close semantics for hijacked connections over TLS', async () => {
    // allowHalfOpen is honoured by tls.connect (it reaches net.Socket) but missing from its typings.
    const sock = tls.connect({ ...client(true), allowHalfOpen: true } as tls.ConnectionOptions);
    await new Promise((r) => sock.once('secureConnect', r));
    let received = '';
    sock.on('data', (c) => (received += c));
    const ended = new Promise((r) => sock.once('end', r));
    sock.write('POST /containers/t/attach HTTP/1.1\r\nHost: api\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
    await waitFor(() => received.includes('101 UPGRADED'), 'upgrade over TLS');
    sock.end('stdin');
    await ended;
    assert.match(received, /\r\n\r\ngot stdin after half-close$/);
  });

  it('takes over a plain POST over TLS too (the parser hook also sits on TLS connections)', async () => {
    const sock = tls.connect({ ...client(true), allowHalfOpen: true } as tls.ConnectionOptions);
    await new Promise((r) => sock.once('secureConnect', r));
    let received = '';
    sock.on('data', (c) => (received += c));
    const ended = new Promise((r) => sock.once('end', r));
    sock.write('POST /containers/t/attach HTTP/1.1\r\nHost: api\r\nContent-Length: 0\r\n\r\nraw bytes');
    await waitFor(() => received.startsWith('HTTP/1.1 200 OK'), 'the 200 answer');
    sock.end();
    await ended;
    assert.match(received, /\r\n\r\ngot raw bytes after half-close$/);
  });
});
