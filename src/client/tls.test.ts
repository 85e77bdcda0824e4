import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { isEngineError } from '../common/errors.js';
import { EngineClient } from './client.js';
import { resolveDaemonAddress } from './host.js';
import { demuxStream, encodeFrame, MULTIPLEXED_STREAM, STDOUT } from './stdcopy.js';

// A self-signed pair made by openssl serves as server cert, CA and client cert at once; without openssl
// there is nothing to test with, so the suite is skipped rather than failed.
function makeCert(dir: string): boolean {
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    copyFileSync(path.join(dir, 'cert.pem'), path.join(dir, 'ca.pem'));
    return true;
  } catch {
    return false;
  }
}

const dir = mkdtempSync(path.join(tmpdir(), 'berth-client-tls-'));
const haveCert = makeCert(dir);
if (!haveCert) rmSync(dir, { recursive: true, force: true });

describe('TLS from DOCKER_TLS_VERIFY and DOCKER_CERT_PATH', { skip: haveCert ? false : 'openssl not available' }, () => {
  let server: https.Server;
  let port = 0;
  const clientNames: string[] = [];

  before(async () => {
    const cert = readFileSync(path.join(dir, 'cert.pem'));
    // allowHalfOpen: unlike http.Server, https.Server would otherwise end its side when the client's stdin ends.
    server = https.createServer(
      { key: readFileSync(path.join(dir, 'key.pem')), cert, ca: cert, requestCert: true, rejectUnauthorized: true, allowHalfOpen: true },
      (req, res) => {
        clientNames.push(String((req.socket as TLSSocket).getPeerCertificate().subject?.CN ?? ''));
        if (req.url === '/_ping') res.writeHead(200, { 'Api-Version': '1.46' }).end('OK');
        else res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ url: req.url }));
      },
    );
    server.on('upgrade', (_req, socket) => {
      socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${MULTIPLEXED_STREAM}\r\n\r\n`);
      socket.on('data', (d: Buffer) => socket.write(encodeFrame(STDOUT, d)));
      socket.on('end', () => setTimeout(() => socket.end(encodeFrame(STDOUT, 'bye\n')), 30));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  const env = () => ({ DOCKER_HOST: `tcp://localhost:${port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir });

  it('verifies the server, presents the client certificate and negotiates', async () => {
    const c = new EngineClient({ address: resolveDaemonAddress({}, env()), env: {} });
    try {
      assert.deepEqual(await c.request({ path: '/info' }), { url: '/v1.46/info' });
      assert.deepEqual(clientNames.slice(-1), ['localhost']);
    } finally {
      c.close();
    }
  });

  it('keeps a hijacked TLS connection half-open after stdin ends', async () => {
    const c = new EngineClient({ address: resolveDaemonAddress({}, env()), env: {} });
    try {
      const { socket } = await c.hijack({ path: '/containers/x/attach' });
      let out = '';
      const sink = new Writable({
        write(chunk: Buffer, _e, done) {
          out += chunk.toString();
          done();
        },
      });
      const done = demuxStream(socket, sink, sink);
      socket.end('hello\n');
      await done;
      assert.equal(out, 'hello\nbye\n');
    } finally {
      c.close();
    }
  });

  it('fails early on a missing CA file and refuses a server its CA did not sign', async () => {
    assert.throws(
      () => new EngineClient({ address: resolveDaemonAddress({ tlsCaCert: '/nonexistent/berth/ca.pem' }, env()), env: {} }),
      (e: unknown) => isEngineError(e, 'invalid-argument'),
    );
    const other = mkdtempSync(path.join(tmpdir(), 'berth-client-tls-other-'));
    // A server of its own: an https.Server with allowHalfOpen (the suite's) never finishes closing after a
    // client aborted the handshake (node 20), which would hang the teardown.
    const plain = https.createServer({ key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) });
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    const plainPort = (plain.address() as AddressInfo).port;
    try {
      assert.ok(makeCert(other));
      const wrong = new EngineClient({
        address: resolveDaemonAddress({ tlsCaCert: path.join(other, 'ca.pem') }, { ...env(), DOCKER_HOST: `tcp://localhost:${plainPort}` }),
        env: {},
      });
      await assert.rejects(
        wrong.request({ path: '/info' }),
        (e: unknown) => isEngineError(e, 'unavailable') && /^error during connect: GET "https:\/\/localhost:\d+\/_ping": /.test(e.message),
      );
      wrong.close();
    } finally {
      await new Promise((r) => plain.close(r));
      rmSync(other, { recursive: true, force: true });
    }
  });
});
