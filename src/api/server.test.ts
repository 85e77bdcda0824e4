import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { EngineError, type ErrorKind } from '../common/errors.js';
import { readJson } from './body.js';
import { lookupGroup } from './listen.js';
import { writeJson } from './response.js';
import { createApiServer } from './server.js';
import { recordingLogger, request, startTestServer, waitFor, type TestServer } from './testing.js';
import type { Route } from './types.js';

let release: (() => void) | undefined;
const routes: Route[] = [
  {
    method: 'GET',
    path: '/echo/{name}',
    handler: (ctx) => writeJson(ctx.res, 200, { name: ctx.params.name, version: ctx.version, all: ctx.query.get('all') }),
  },
  { method: 'POST', path: '/json', handler: async (ctx) => writeJson(ctx.res, 201, await readJson(ctx)) },
  {
    method: 'GET',
    path: '/fail/{kind}',
    handler: (ctx) => {
      throw new EngineError(ctx.params.kind as ErrorKind, `failed with ${ctx.params.kind}`);
    },
  },
  {
    method: 'GET',
    path: '/crash',
    handler: () => {
      throw new TypeError('kaboom');
    },
  },
  {
    method: 'GET',
    path: '/late-crash',
    handler: async (ctx) => {
      ctx.res.writeHead(200, { 'Content-Type': 'application/json' });
      ctx.res.write('{"partial":');
      await new Promise((r) => setTimeout(r, 10));
      throw new Error('failed after the headers');
    },
  },
  { method: 'GET', path: '/silent', handler: () => undefined },
  {
    method: 'GET',
    path: '/slow',
    handler: async (ctx) => {
      await new Promise<void>((r) => (release = r));
      writeJson(ctx.res, 200, { done: true });
    },
  },
];

describe('API server over unix and tcp', () => {
  let srv: TestServer;
  let tcp: { host: string; port: number };
  before(async () => {
    srv = await startTestServer(routes, { extraHosts: ['tcp://127.0.0.1:0'], version: '9.9.9' });
    const m = /^tcp:\/\/127\.0\.0\.1:(\d+)$/.exec(srv.addresses[1] ?? '');
    assert.ok(m, `tcp address ${srv.addresses[1]}`);
    tcp = { host: '127.0.0.1', port: Number(m[1]) };
  });
  after(() => srv.close());

  it('creates the unix socket with mode 0660 and the socket group (or its own group without one)', async () => {
    assert.equal(srv.addresses[0], `unix://${srv.socketPath}`);
    const st = statSync(srv.socketPath);
    assert.ok(st.isSocket());
    assert.equal(st.mode & 0o777, 0o660);
    const docker = await lookupGroup('docker');
    assert.equal(st.gid, docker ?? process.getgid!());
    if (docker === undefined) assert.ok(srv.log.records.some((r) => r.level === 'warn' && /group docker not found/.test(r.message)));
  });

  it('serves the same routes on tcp', async () => {
    const r = await request(srv, 'GET', '/v1.44/echo/web.1?all=1', { connect: tcp });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json(), { name: 'web.1', version: '1.44', all: '1' });
  });

  it('puts Docker identity headers on every answer', async () => {
    for (const target of ['/echo/x', '/nowhere', '/fail/conflict']) {
      const r = await request(srv, 'GET', target);
      assert.equal(r.headers['api-version'], '1.50', target);
      assert.equal(r.headers['docker-experimental'], 'false', target);
      assert.equal(r.headers['ostype'], 'linux', target);
      assert.equal(r.headers['server'], 'Berth/9.9.9 (linux)', target);
    }
  });

  it('answers /_ping for GET and HEAD with dockerd headers', async () => {
    for (const method of ['GET', 'HEAD']) {
      const r = await request(srv, method, '/v1.40/_ping');
      assert.equal(r.status, 200);
      assert.equal(r.text, method === 'GET' ? 'OK' : '');
      assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
      assert.equal(r.headers['cache-control'], 'no-cache, no-store, must-revalidate');
      assert.equal(r.headers['pragma'], 'no-cache');
      assert.equal(r.headers['builder-version'], '1');
      assert.equal(r.headers['swarm'], 'inactive');
      assert.equal(r.headers['api-version'], '1.50');
    }
  });

  it('answers unknown paths and wrong methods with 404 page not found', async () => {
    for (const [method, target] of [['GET', '/nowhere'], ['GET', '/v1.50/nowhere'], ['DELETE', '/echo/x'], ['POST', '/_ping']]) {
      const r = await request(srv, method!, target!);
      assert.equal(r.status, 404, `${method} ${target}`);
      assert.equal(r.headers['content-type'], 'application/json');
      assert.equal(r.text, '{"message":"page not found"}\n');
    }
  });

  it('refuses unsupported versions: JSON when too new, plain text when older than 1.24', async () => {
    const tooNew = await request(srv, 'GET', '/v1.99/_ping');
    assert.equal(tooNew.status, 400);
    assert.deepEqual(tooNew.json(), { message: 'client version 1.99 is too new. Maximum supported API version is 1.50' });
    const tooOld = await request(srv, 'GET', '/v1.12/_ping');
    assert.equal(tooOld.status, 400);
    assert.equal(tooOld.headers['content-type'], 'text/plain; charset=utf-8');
    assert.match(tooOld.text, /^client version 1\.12 is too old\. Minimum supported API version is 1\.24, please upgrade/);
  });

  it('maps thrown EngineErrors to statuses with {"message"} bodies', async () => {
    for (const [kind, status] of [['not-found', 404], ['invalid-argument', 400], ['conflict', 409], ['unavailable', 503], ['not-implemented', 501]] as const) {
      const r = await request(srv, 'GET', `/fail/${kind}`);
      assert.equal(r.status, status, kind);
      assert.equal(r.headers['content-type'], 'application/json');
      assert.deepEqual(r.json(), { message: `failed with ${kind}` });
    }
    const notModified = await request(srv, 'GET', '/fail/not-modified');
    assert.equal(notModified.status, 304);
    assert.equal(notModified.text, '');
  });

  it('turns other exceptions into a logged 500', async () => {
    const r = await request(srv, 'GET', '/crash');
    assert.equal(r.status, 500);
    assert.deepEqual(r.json(), { message: 'kaboom' });
    assert.ok(srv.log.records.some((x) => x.level === 'error' && x.message.includes('GET /crash') && x.message.includes('kaboom')));
  });

  it('parses JSON bodies and reports body errors as 400', async () => {
    const ok = await request(srv, 'POST', '/json', { headers: { 'Content-Type': 'application/json' }, body: '{"a":[1]}' });
    assert.equal(ok.status, 201);
    assert.deepEqual(ok.json(), { a: [1] });
    const wrongType = await request(srv, 'POST', '/json', { headers: { 'Content-Type': 'text/plain' }, body: '{}' });
    assert.equal(wrongType.status, 400);
    assert.deepEqual(wrongType.json(), { message: "unsupported Content-Type header (text/plain): must be 'application/json'" });
    const bad = await request(srv, 'POST', '/json', { headers: { 'Content-Type': 'application/json' }, body: '{"a":}' });
    assert.deepEqual(bad.json(), { message: "invalid JSON: invalid character '}' looking for beginning of value" });
  });

  it('cuts the connection when a handler fails after the headers, and keeps serving', async () => {
    const outcome = await new Promise<string>((resolve) => {
      const req = http.get({ socketPath: srv.socketPath, path: '/late-crash', agent: false }, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => resolve('ended'));
        res.on('error', (e) => resolve(`error: ${e.message}`));
        res.on('aborted', () => resolve('aborted'));
      });
      req.on('error', (e) => resolve(`request error: ${e.message}`));
    });
    assert.notEqual(outcome, 'ended');
    assert.ok(srv.log.records.some((x) => x.level === 'error' && /after the answer began/.test(x.message)));
    assert.equal((await request(srv, 'GET', '/_ping')).status, 200);
  });

  it('finishes a handler that wrote nothing with 200 and an empty body', async () => {
    const r = await request(srv, 'GET', '/silent');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-length'], '0');
  });

  it('serves many requests on one keep-alive connection without piling up listeners', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const sockets = new Set<unknown>();
      for (let i = 0; i < 30; i++) {
        const r = await new Promise<http.IncomingMessage>((resolve, reject) => {
          const req = http.get({ socketPath: srv.socketPath, path: `/echo/n${i}`, agent }, resolve);
          req.on('socket', (sock) => sockets.add(sock));
          req.on('error', reject);
        });
        r.resume();
        await new Promise((done) => r.on('end', done));
      }
      assert.equal(sockets.size, 1, 'all requests shared one connection');
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(warnings.map((w) => w.name), []);
    } finally {
      process.off('warning', onWarning);
      agent.destroy();
    }
  });

  it('reports each request to the access log hook', async () => {
    await request(srv, 'GET', '/v1.43/echo/logged');
    await waitFor(() => srv.access.some((e) => e.url === '/v1.43/echo/logged'), 'access entry');
    const entry = srv.access.find((e) => e.url === '/v1.43/echo/logged')!;
    assert.equal(entry.method, 'GET');
    assert.equal(entry.status, 200);
    assert.equal(entry.version, '1.43');
    assert.equal(entry.hijacked, false);
    assert.ok(entry.durationMs >= 0);
  });
});

describe('API server listening and closing', () => {
  it('replaces a stale socket left by a killed daemon and refuses to delete other files', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'berth-api-stale-'));
    try {
      const stale = path.join(dir, 'run', 'stale.sock');
      spawnSync('mkdir', ['-p', path.dirname(stale)]);
      spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(stale)}, () => process.kill(process.pid, 'SIGKILL'))`]);
      assert.ok(statSync(stale).isSocket(), 'the killed process left its socket behind');
      const log = recordingLogger();
      const server = createApiServer([], { hosts: [`unix://${stale}`], logger: log });
      await server.listen();
      assert.equal((await request({ socketPath: stale }, 'GET', '/_ping')).text, 'OK');
      await server.close();
      assert.equal(existsSync(stale), false, 'close removes the socket file');

      const file = path.join(dir, 'plain-file');
      writeFileSync(file, 'keep me');
      await assert.rejects(createApiServer([], { hosts: [`unix://${file}`], logger: log }).listen(), /not a socket/);
      assert.equal(existsSync(file), true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('closes gracefully: idle keep-alive connections go, answers in progress finish', async () => {
    const srv = await startTestServer(routes);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      let idleClosed = false;
      const idle = await new Promise<http.IncomingMessage>((resolve) => {
        const req = http.get({ socketPath: srv.socketPath, path: '/_ping', agent }, resolve);
        req.on('socket', (s) => s.once('close', () => (idleClosed = true)));
      });
      idle.resume();
      await new Promise((r) => idle.on('end', r));

      release = undefined;
      const slow = request(srv, 'GET', '/slow');
      await waitFor(() => release !== undefined, 'slow handler to start');
      const closing = srv.close(5_000);
      await waitFor(() => idleClosed, 'idle keep-alive connection to close');
      await assert.rejects(request(srv, 'GET', '/_ping'), /ENOENT|ECONNREFUSED/);
      release!();
      assert.deepEqual((await slow).json(), { done: true });
      await closing;
    } finally {
      agent.destroy();
    }
  });

  it('rejects addresses dockerd rejects', () => {
    assert.throws(() => createApiServer([], { hosts: ['fd://'] }), /fd:\/\/ .* not supported/);
    assert.throws(() => createApiServer([], { hosts: ['udp://1.2.3.4:5'] }), /unsupported proto 'udp'/);
    assert.throws(() => createApiServer([], { hosts: ['tcp://1.2.3.4:5/x'] }), /path element/);
  });
});
