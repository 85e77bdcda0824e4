import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { isEngineError, type ErrorKind } from '../common/errors.js';
import { EngineClient, queryString } from './client.js';
import { DaemonError } from './errors.js';
import { startFakeDaemon, type FakeDaemon, type FakeDaemonOptions } from './fake-daemon.js';

async function withDaemon(options: FakeDaemonOptions, fn: (d: FakeDaemon, c: EngineClient) => Promise<void>): Promise<void> {
  const d = await startFakeDaemon(options);
  const c = new EngineClient({ address: d.address, env: {} });
  try {
    await fn(d, c);
  } finally {
    c.close();
    await d.close();
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const echo = (req: IncomingMessage, res: ServerResponse) => {
  void body(req).then((b) =>
    json(res, 200, { method: req.method, url: req.url, type: req.headers['content-type'] ?? null, body: b.toString() }),
  );
};

describe('version negotiation', () => {
  it('uses the server version below the client maximum (unix socket), pinging once', async () => {
    await withDaemon({ on: 'unix', apiVersion: '1.44', handler: echo }, async (d, c) => {
      const [a, b] = await Promise.all([
        c.request<{ url: string }>({ path: '/containers/json' }),
        c.request<{ url: string }>({ path: 'info' }),
      ]);
      assert.equal(a.url, '/v1.44/containers/json');
      assert.equal(b.url, '/v1.44/info');
      await c.request({ path: '/version' });
      assert.equal(d.seen.filter((s) => s === 'GET /_ping').length, 1);
      assert.equal(await c.apiVersion(), '1.44');
    });
  });

  it('caps a newer server at 1.50 (tcp)', async () => {
    await withDaemon({ on: 'tcp', apiVersion: '1.51', handler: echo }, async (_d, c) => {
      assert.equal((await c.request<{ url: string }>({ path: '/containers/json' })).url, '/v1.50/containers/json');
    });
  });

  it('takes a server without Api-Version for 1.24', async () => {
    await withDaemon({ on: 'tcp', apiVersion: null, handler: echo }, async (_d, c) => {
      assert.equal((await c.request<{ url: string }>({ path: '/x' })).url, '/v1.24/x');
    });
  });

  it('DOCKER_API_VERSION pins the version without a ping', async () => {
    const d = await startFakeDaemon({ on: 'tcp', apiVersion: '1.44', handler: echo });
    const c = new EngineClient({ address: d.address, env: { DOCKER_API_VERSION: '1.41' } });
    try {
      assert.equal((await c.request<{ url: string }>({ path: '/x' })).url, '/v1.41/x');
      assert.deepEqual(d.seen, ['GET /v1.41/x']);
    } finally {
      c.close();
      await d.close();
    }
    assert.throws(() => new EngineClient({ address: d.address, env: { DOCKER_API_VERSION: 'latest' } }), /invalid API version/);
  });

  it('reports ping headers', async () => {
    await withDaemon({ on: 'unix', apiVersion: '1.47' }, async (_d, c) => {
      assert.deepEqual(await c.ping(), { apiVersion: '1.47', osType: 'linux', experimental: false });
    });
  });

  it('prefixes a tcp base path', async () => {
    await withDaemon({ on: 'tcp', apiVersion: '1.44', handler: echo }, async (d, _c) => {
      const c = new EngineClient({ address: { ...d.address, basePath: '/proxy', url: 'x' } as typeof d.address, env: {} });
      try {
        assert.equal((await c.request<{ url: string }>({ path: '/x' })).url, '/proxy/v1.44/x');
        assert.equal(d.seen[0], 'GET /proxy/_ping');
      } finally {
        c.close();
      }
    });
  });
});

describe('requests', () => {
  it('sends JSON bodies and encodes queries the way the docker CLI does', async () => {
    await withDaemon({ on: 'unix', apiVersion: '1.44', handler: echo }, async (_d, c) => {
      const r = await c.request<{ method: string; url: string; type: string; body: string }>({
        method: 'POST',
        path: '/containers/create',
        query: { name: 'web 1', all: true, force: false, skip: undefined, n: 3, filters: { label: ['a=b'] }, t: ['x:1', 'y:2'] },
        body: { Image: 'alpine', Cmd: ['sh'] },
      });
      assert.equal(r.method, 'POST');
      assert.equal(
        r.url,
        '/v1.44/containers/create?name=web%201&all=1&force=0&n=3&filters=%7B%22label%22%3A%5B%22a%3Db%22%5D%7D&t=x%3A1&t=y%3A2',
      );
      assert.equal(r.type, 'application/json');
      assert.deepEqual(JSON.parse(r.body), { Image: 'alpine', Cmd: ['sh'] });
    });
    assert.equal(queryString({}), '');
  });

  it('returns undefined for 204, 304 and empty bodies', async () => {
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      if (req.url?.endsWith('/start')) res.writeHead(304).end();
      else if (req.url?.endsWith('/stop')) res.writeHead(204).end();
      else res.writeHead(200).end();
    };
    await withDaemon({ on: 'unix', apiVersion: '1.44', handler }, async (_d, c) => {
      assert.equal(await c.request({ method: 'POST', path: '/containers/a/start' }), undefined);
      assert.equal(await c.request({ method: 'POST', path: '/containers/a/stop' }), undefined);
      assert.equal(await c.request({ method: 'POST', path: '/containers/a/kill' }), undefined);
    });
  });

  it('maps error statuses to kinds and keeps the server message verbatim', async () => {
    const table: Array<[number, ErrorKind]> = [
      [400, 'invalid-argument'],
      [401, 'unauthorized'],
      [403, 'forbidden'],
      [404, 'not-found'],
      [409, 'conflict'],
      [500, 'internal'],
      [501, 'not-implemented'],
      [502, 'internal'],
      [503, 'unavailable'],
    ];
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      const status = Number(req.url?.split('/').pop());
      json(res, status, { message: `No such container: c${status} "quoted" ✓` });
    };
    await withDaemon({ on: 'tcp', apiVersion: '1.44', handler }, async (_d, c) => {
      for (const [status, kind] of table) {
        await assert.rejects(c.request({ path: `/s/${status}` }), (e: unknown) => {
          assert.ok(e instanceof DaemonError);
          assert.equal(e.kind, kind);
          assert.equal(e.statusCode, status);
          assert.equal(e.message, `No such container: c${status} "quoted" ✓`);
          return true;
        });
      }
    });
  });

  it('uses plain-text bodies as messages, and docker\'s sentence for empty ones', async () => {
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      if (req.url?.endsWith('/text')) res.writeHead(502, { 'Content-Type': 'text/plain' }).end('bad gateway\n');
      else res.writeHead(404).end();
    };
    await withDaemon({ on: 'unix', apiVersion: '1.44', handler }, async (_d, c) => {
      await assert.rejects(c.request({ path: '/text' }), (e: unknown) => isEngineError(e, 'internal') && e.message === 'bad gateway');
      await assert.rejects(
        c.request({ path: '/empty' }),
        (e: unknown) =>
          isEngineError(e, 'not-found') &&
          e.message === 'request returned 404 Not Found for API route and version GET /v1.44/empty, check if the server supports the requested API version',
      );
    });
  });

  it('turns errors on streaming routes into DaemonError too', async () => {
    await withDaemon({ on: 'unix', apiVersion: '1.44' }, async (_d, c) => {
      await assert.rejects(c.stream({ path: '/containers/x/logs' }), (e: unknown) => isEngineError(e, 'not-found') && e.message === 'page not found');
    });
  });

  it('cancels with an AbortSignal', async () => {
    const handler = (_req: IncomingMessage, _res: ServerResponse) => {}; // never answers
    await withDaemon({ on: 'unix', apiVersion: '1.44', handler }, async (_d, c) => {
      const ac = new AbortController();
      const p = c.request({ path: '/hang', signal: ac.signal });
      setTimeout(() => ac.abort(), 20);
      await assert.rejects(p, (e: unknown) => isEngineError(e, 'canceled'));
    });
  });
});

describe('streams', () => {
  it('jsonLines reads objects split across chunk boundaries', async () => {
    const events = [
      { Type: 'container', Action: 'start', Actor: { ID: 'abc', Attributes: { name: 'wëb {1}' } } },
      { status: 'Downloading', progressDetail: { current: 10, total: 20 } },
      { Type: 'network', Action: 'connect' },
    ];
    const wire = Buffer.from(events.map((e) => `${JSON.stringify(e)}\r\n`).join(''));
    const cuts = [3, 17, 41, 42, 43, 80, wire.length - 5, wire.length];
    const handler = (_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
      let from = 0;
      const next = (i: number) => {
        if (i === cuts.length) {
          res.end();
          return;
        }
        res.write(wire.subarray(from, cuts[i]));
        from = cuts[i]!;
        setTimeout(() => next(i + 1), 5);
      };
      next(0);
    };
    await withDaemon({ on: 'tcp', apiVersion: '1.44', handler }, async (_d, c) => {
      const res = await c.stream({ path: '/events' });
      const got: unknown[] = [];
      for await (const e of c.jsonLines(res)) got.push(e);
      assert.deepEqual(got, events);
    });
  });

  it('uploads a streamed body with its content type and method', async () => {
    await withDaemon({ on: 'unix', apiVersion: '1.44', handler: echo }, async (_d, c) => {
      const parts = ['tar', 'ball ', 'bytes'];
      const res = await c.upload('/containers/x/archive', { path: '/tmp' }, Readable.from(parts.map((p) => Buffer.from(p))), 'application/x-tar', {
        method: 'PUT',
      });
      const r = JSON.parse((await body(res)).toString()) as { method: string; url: string; type: string; body: string };
      assert.deepEqual(r, { method: 'PUT', url: '/v1.44/containers/x/archive?path=%2Ftmp', type: 'application/x-tar', body: 'tarball bytes' });
    });
  });

  it('reports a refusal that comes before the upload is read, and stops the upload', async () => {
    const handler = (_req: IncomingMessage, res: ServerResponse) => json(res, 404, { message: 'No such container: x' });
    await withDaemon({ on: 'tcp', apiVersion: '1.44', handler }, async (_d, c) => {
      let produced = 0;
      const endless = new Readable({
        read() {
          produced++;
          setTimeout(() => this.push(Buffer.alloc(64 * 1024)), 1);
        },
      });
      await assert.rejects(
        c.upload('/containers/x/archive', { path: '/' }, endless, 'application/x-tar', { method: 'PUT' }),
        (e: unknown) => isEngineError(e, 'not-found') && e.message === 'No such container: x',
      );
      assert.equal(endless.destroyed, true);
      assert.ok(produced < 10_000);
    });
  });
});

describe('upload body failures', () => {
  it('reports the body stream\'s own error, not a connection error', async () => {
    const handler = (req: IncomingMessage, _res: ServerResponse) => req.resume(); // reads, never answers
    await withDaemon({ on: 'unix', apiVersion: '1.44', handler }, async (_d, c) => {
      const failing = new Readable({
        read() {
          this.push(Buffer.from('part'));
          setTimeout(() => this.destroy(new Error('ENOENT: no such file, open context.tar')), 5);
        },
      });
      await assert.rejects(
        c.upload('/build', {}, failing, 'application/x-tar'),
        (e: unknown) => isEngineError(e, 'internal') && /reading the request body: ENOENT: no such file/.test(e.message),
      );
    });
  });
});

describe('connection failures', () => {
  it('says docker\'s sentence when nothing listens on the tcp port', async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as net.AddressInfo).port;
    await new Promise<void>((r) => srv.close(() => r()));
    const c = new EngineClient({ address: { kind: 'tcp', host: '127.0.0.1', port, basePath: '', url: `tcp://127.0.0.1:${port}` }, env: {} });
    await assert.rejects(
      c.request({ path: '/info' }),
      (e: unknown) =>
        isEngineError(e, 'unavailable') &&
        e.message === `Cannot connect to the Docker daemon at tcp://127.0.0.1:${port}. Is the docker daemon running?`,
    );
    c.close();
  });

  it('says the same when the socket file is missing, and retries negotiation next time', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'berth-client-test-'));
    const socketPath = path.join(dir, 'missing.sock');
    const c = new EngineClient({ address: { kind: 'unix', socketPath, url: `unix://${socketPath}` }, env: {} });
    try {
      const want = `Cannot connect to the Docker daemon at unix://${socketPath}. Is the docker daemon running?`;
      await assert.rejects(c.request({ path: '/info' }), (e: unknown) => isEngineError(e, 'unavailable') && e.message === want);
      await assert.rejects(c.ping(), (e: unknown) => isEngineError(e, 'unavailable') && e.message === want);
      const d = await startFakeDaemon({ on: 'unix', socketPath, apiVersion: '1.45', handler: echo });
      try {
        assert.equal((await c.request<{ url: string }>({ path: '/info' })).url, '/v1.45/info');
      } finally {
        await d.close();
      }
    } finally {
      c.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
