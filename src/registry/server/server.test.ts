// Transport: listen addresses, unix sockets, TLS, raw paths that URL clients would have normalized.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { parseListen, startRegistryServer } from './index.js';

function get(opts: https.RequestOptions, client: typeof http | typeof https = http): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    client
      .get(opts, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

test('parseListen takes host:port, :port, [v6]:port, tcp:// and unix:// forms', () => {
  assert.deepEqual(parseListen('127.0.0.1:5000'), { kind: 'tcp', host: '127.0.0.1', port: 5000 });
  assert.deepEqual(parseListen(':0'), { kind: 'tcp', host: '', port: 0 });
  assert.deepEqual(parseListen('[::1]:5000'), { kind: 'tcp', host: '::1', port: 5000 });
  assert.deepEqual(parseListen('tcp://localhost:80'), { kind: 'tcp', host: 'localhost', port: 80 });
  assert.deepEqual(parseListen('unix:///run/r.sock'), { kind: 'unix', path: '/run/r.sock' });
  for (const bad of ['5000', 'host', 'unix://relative', 'a:b', '1.2.3.4:70000']) assert.throws(() => parseListen(bad), /invalid listen address/, bad);
});

test('serves on a unix socket and removes it on close; ":0" is reachable on loopback', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'berth-registry-unix-'));
  const sock = path.join(dir, 'registry.sock');
  try {
    const s = await startRegistryServer({ root: path.join(dir, 'root'), listen: `unix://${sock}` });
    assert.equal(s.url, `unix://${sock}`);
    assert.equal(s.port, undefined);
    assert.deepEqual(await get({ socketPath: sock, path: '/v2/' }), { status: 200, body: '{}' });
    await s.close();
    assert.equal(existsSync(sock), false);
    const any = await startRegistryServer({ root: path.join(dir, 'root'), listen: ':0' });
    assert.match(any.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await fetch(`${any.url}/v2/`)).status, 200);
    await any.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('dot segments in a raw path never reach the disk: the name grammar refuses them', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'berth-registry-raw-'));
  const s = await startRegistryServer({ root: dir, listen: '127.0.0.1:0' });
  try {
    // Plain dot segments are resolved by URL parsing, leaving a path outside /v2/.
    assert.equal((await get({ host: '127.0.0.1', port: s.port, path: '/v2/a/../../../../etc/tags/list' })).status, 404);
    // Encoded slashes survive parsing and are decoded into the name, which the grammar then refuses.
    const r = await get({ host: '127.0.0.1', port: s.port, path: '/v2/a%2F..%2F..%2Fetc/tags/list' });
    assert.equal(r.status, 400);
    assert.match(r.body, /NAME_INVALID/);
    const u = await get({ host: '127.0.0.1', port: s.port, path: '/v2/a/blobs/uploads/..%2F..%2Fx' });
    assert.equal(u.status, 404);
    assert.match(u.body, /BLOB_UPLOAD_UNKNOWN/);
  } finally {
    await s.close();
    await rm(dir, { recursive: true, force: true });
  }
});

const haveOpenssl = spawnSync('openssl', ['version']).status === 0;

test('serves https with a certificate given as file paths', { skip: !haveOpenssl && 'openssl not installed' }, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'berth-registry-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'key.pem',
      '-out', 'cert.pem', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { cwd: dir, stdio: 'pipe' });
    const cert = path.join(dir, 'cert.pem');
    const s = await startRegistryServer({ root: path.join(dir, 'root'), listen: '127.0.0.1:0', tls: { cert, key: path.join(dir, 'key.pem') } });
    try {
      assert.match(s.url, /^https:\/\//);
      const r = await get({ host: '127.0.0.1', port: s.port, path: '/v2/', ca: await readFile(cert) }, https);
      assert.deepEqual(r, { status: 200, body: '{}' });
    } finally {
      await s.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
