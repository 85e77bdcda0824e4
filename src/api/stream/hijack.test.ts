import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type net from 'node:net';
import { EngineError } from '../../common/errors.js';
import { readJson } from '../body.js';
import { rawConnect, request, startTestServer, waitFor, type TestServer } from '../testing.js';
import type { RequestContext, Route } from '../types.js';
import { writeEmpty } from '../response.js';
import { MULTIPLEXED_STREAM, RAW_STREAM, hijack, streamContentType, type Hijacked } from './hijack.js';
import { STDERR, STDOUT, demuxAll, encodeFrame } from './stdcopy.js';

const events: string[] = [];
let lastSession: Hijacked | undefined;

/** Echoes stdin as stdout frames; when stdin ends, says so on stderr (output still flows) and ends. */
async function echo(h: Hijacked, tag: string): Promise<void> {
  for await (const chunk of h.stdin) {
    if (!h.write(encodeFrame(STDOUT, Buffer.concat([Buffer.from('echo:'), chunk as Buffer])))) await h.drained();
  }
  events.push(`${tag}: stdin ended`);
  h.write(encodeFrame(STDERR, 'stdin closed\n'));
  h.end();
}

let backpressure: string[] = [];

const routes: Route[] = [
  {
    method: 'POST',
    path: '/big/{n}',
    hijack: true,
    handler: async (ctx) => {
      const h = hijack(ctx, { contentType: RAW_STREAM });
      let written = 0;
      while (h.write(Buffer.alloc(256 * 1024, 0x62))) written++;
      backpressure.push(`full after ${written + 1} chunks`);
      await h.drained();
      backpressure.push('drained');
      h.end();
    },
  },
  {
    method: 'POST',
    path: '/containers/{name}/attach',
    hijack: true,
    handler: (ctx: RequestContext) => {
      if (ctx.params.name === 'missing') throw new EngineError('not-found', 'No such container: missing');
      const h = hijack(ctx, { contentType: streamContentType(ctx, { tty: ctx.params.name === 'tty' }) });
      lastSession = h;
      h.write(encodeFrame(STDOUT, 'attached\n'));
      void echo(h, ctx.params.name!); // handed over: the handler returns while the session lives on
    },
  },
  {
    method: 'POST',
    path: '/exec/{id}/start',
    hijack: true,
    handler: async (ctx: RequestContext) => {
      const opts = (await readJson<{ Detach?: boolean; Tty?: boolean }>(ctx)) ?? {};
      if (opts.Detach === true) return writeEmpty(ctx.res, 200);
      const h = hijack(ctx, { contentType: streamContentType(ctx, { tty: opts.Tty === true }) });
      h.write(encodeFrame(STDOUT, `${JSON.stringify(opts)}\n`));
      await echo(h, `exec ${ctx.params.id}`);
    },
  },
];

function split(raw: string): { head: string; rest: Buffer } {
  const at = raw.indexOf('\r\n\r\n');
  return { head: raw.slice(0, at), rest: Buffer.from(raw.slice(at + 4), 'latin1') };
}

async function* once(b: Buffer) {
  yield b;
}

async function demux(raw: string) {
  const { stdout, stderr } = await demuxAll(once(split(raw).rest));
  return { stdout: stdout.toString(), stderr: stderr.toString() };
}

describe('hijack', () => {
  let srv: TestServer;
  before(async () => (srv = await startTestServer(routes)));
  after(() => srv.close());

  it('upgrades like dockerd for the docker CLI: JSON body, 101, stdin, half-close, output after it', async () => {
    const sock = await rawConnect(srv.socketPath);
    const body = '{"Detach":false,"Tty":false}';
    sock.write(
      `POST /v1.50/exec/e1/start HTTP/1.1\r\nHost: api\r\nUser-Agent: Docker-Client/28.0.0 (linux)\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n${body}`,
    );
    await waitFor(() => sock.received().includes('{"Detach"'), 'the 101 and the first frame');
    const { head } = split(sock.received());
    const lines = head.split('\r\n');
    assert.equal(lines[0], 'HTTP/1.1 101 UPGRADED');
    assert.ok(lines.includes(`Content-Type: ${MULTIPLEXED_STREAM}`), head);
    assert.ok(lines.includes('Connection: Upgrade') && lines.includes('Upgrade: tcp'), head);
    assert.ok(lines.includes('Api-Version: 1.50') && lines.includes('Ostype: linux'), head);

    sock.write('ping');
    await waitFor(() => sock.received().includes('echo:ping'), 'the echo');
    sock.end(); // CloseWrite: stdin is over, but the answer is not
    await sock.ended;
    assert.deepEqual(await demux(sock.received()), { stdout: '{"Detach":false,"Tty":false}\necho:ping', stderr: 'stdin closed\n' });
    assert.ok(events.includes('exec e1: stdin ended'));
    await waitFor(() => srv.access.some((e) => e.url === '/v1.50/exec/e1/start'), 'access entry');
    const entry = srv.access.find((e) => e.url === '/v1.50/exec/e1/start')!;
    assert.equal(entry.status, 101);
    assert.equal(entry.hijacked, true);
  });

  it('tells clients before API 1.42, and TTY sessions, that the stream is raw', async () => {
    for (const [target, expected] of [['/v1.41/containers/c1/attach?stream=1', RAW_STREAM], ['/v1.50/containers/tty/attach', RAW_STREAM]] as const) {
      const sock = await rawConnect(srv.socketPath);
      sock.write(`POST ${target} HTTP/1.1\r\nHost: api\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
      await waitFor(() => sock.received().includes('attached'), 'attach');
      assert.ok(split(sock.received()).head.includes(`Content-Type: ${expected}`), target);
      sock.destroy();
    }
  });

  it('takes the socket of a plain POST and reads stdin from the same connection', async () => {
    const sock = await rawConnect(srv.socketPath);
    sock.write('POST /containers/c2/attach?stdin=1&stdout=1 HTTP/1.1\r\nHost: api\r\nContent-Length: 0\r\n\r\nfirst');
    await waitFor(() => sock.received().includes('echo:first'), 'the echo of bytes sent with the request');
    const { head } = split(sock.received());
    assert.equal(head.split('\r\n')[0], 'HTTP/1.1 200 OK');
    assert.ok(head.includes(`Content-Type: ${RAW_STREAM}`));
    assert.ok(!/Transfer-Encoding|Content-Length/i.test(head), head);
    sock.write('second');
    await waitFor(() => sock.received().includes('echo:second'), 'the second echo');
    sock.end();
    await sock.ended;
    assert.deepEqual(await demux(sock.received()), { stdout: 'attached\necho:firstecho:second', stderr: 'stdin closed\n' });
  });

  it("drops docker-modem's empty chunked body before the raw stdin", async () => {
    const sock = await rawConnect(srv.socketPath);
    sock.write('POST /containers/c3/attach?stdin=1 HTTP/1.1\r\nHost: api\r\nTransfer-Encoding: chunked\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n0\r\n\r\n');
    await waitFor(() => sock.received().includes('attached'), 'attach');
    sock.end('raw');
    await sock.ended;
    assert.equal((await demux(sock.received())).stdout, 'attached\necho:raw');
  });

  it('reads stdin from a chunked request body when the client did not upgrade (dockerode openStdin)', async () => {
    const out: Buffer[] = [];
    const done = new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request(
        { socketPath: srv.socketPath, method: 'POST', path: '/containers/c4/attach?stdin=1', headers: { 'Transfer-Encoding': 'chunked' }, agent: false },
        (res) => {
          let step = 0;
          res.on('data', (c: Buffer) => {
            out.push(c);
            const all = Buffer.concat(out);
            if (step === 0 && all.includes('attached')) (step = 1), req.write('ping');
            if (step === 1 && all.includes('echo:ping')) (step = 2), req.end();
          });
          res.on('end', () => resolve(res));
        },
      );
      req.on('error', reject);
      req.flushHeaders();
    });
    const res = await done;
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], RAW_STREAM);
    const { stdout, stderr } = await demuxAll(once(Buffer.concat(out)));
    assert.equal(stdout.toString(), 'attached\necho:ping');
    assert.equal(stderr.toString(), 'stdin closed\n');
  });

  it('answers errors raised before the hijack as ordinary JSON and closes', async () => {
    const sock = await rawConnect(srv.socketPath);
    sock.write('POST /containers/missing/attach HTTP/1.1\r\nHost: api\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
    await sock.ended;
    const { head, rest } = split(sock.received());
    assert.match(head, /^HTTP\/1\.1 404 Not Found\r\n/);
    assert.match(head, /Connection: close/);
    assert.match(head, /Content-Type: application\/json/);
    assert.equal(rest.toString(), '{"message":"No such container: missing"}\n');
    sock.destroy();
  });

  it('answers a non-hijacked exec start normally, also over the upgrade path', async () => {
    const sock = await rawConnect(srv.socketPath);
    const body = '{"Detach":true}';
    sock.write(`POST /exec/e2/start HTTP/1.1\r\nHost: api\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n${body}`);
    await sock.ended;
    assert.match(sock.received(), /^HTTP\/1\.1 200 OK\r\n/);
    sock.destroy();
  });

  it('answers an Upgrade request for an ordinary route like any request', async () => {
    const sock = await rawConnect(srv.socketPath);
    sock.write('GET /_ping HTTP/1.1\r\nHost: api\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
    await sock.ended;
    const { head, rest } = split(sock.received());
    assert.match(head, /^HTTP\/1\.1 200 OK\r\n/);
    assert.equal(rest.toString(), 'OK');
    sock.destroy();
  });

  it('hijacks after earlier requests on the same keep-alive connection', async () => {
    const sock = await rawConnect(srv.socketPath);
    sock.write('GET /_ping HTTP/1.1\r\nHost: api\r\n\r\n');
    await waitFor(() => sock.received().endsWith('OK'), 'ping answer');
    sock.write('POST /containers/c5/attach HTTP/1.1\r\nHost: api\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
    await waitFor(() => sock.received().includes('HTTP/1.1 101 UPGRADED'), 'upgrade');
    sock.end('x');
    await sock.ended;
    assert.match(sock.received(), /echo:x/);
  });

  it('reports backpressure and drains when the client reads', async () => {
    backpressure = [];
    const sock = await rawConnect(srv.socketPath);
    sock.pause();
    sock.write('POST /big/1 HTTP/1.1\r\nHost: api\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
    await waitFor(() => backpressure.length === 1, 'the connection buffer to fill');
    assert.match(backpressure[0]!, /^full after \d+ chunks$/);
    sock.resume();
    await sock.ended;
    assert.deepEqual(backpressure.slice(1), ['drained']);
    sock.destroy();
  });

  it("aborts the session's signal when the client disconnects", async () => {
    const sock = await rawConnect(srv.socketPath);
    sock.write('POST /containers/c6/attach HTTP/1.1\r\nHost: api\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
    await waitFor(() => sock.received().includes('attached'), 'attach');
    const session = lastSession!;
    assert.equal(session.signal.aborted, false);
    sock.destroy();
    await waitFor(() => session.signal.aborted, 'signal to abort');
    assert.equal((await request(srv, 'GET', '/_ping')).status, 200);
  });
});

describe('hijack fallback without the parser hook', () => {
  it('streams over an ordinary close-delimited response with the request body as stdin', async () => {
    const server = http.createServer((req, res) => {
      const ctx = {
        req, res, params: {}, query: new URLSearchParams(), version: '1.50', body: req, signal: new AbortController().signal,
        log: { error() {}, warn() {}, debug() {} },
        connection: { raw: undefined, hijacked: false, takeOver() { (this as { hijacked: boolean }).hijacked = true; } },
      } as RequestContext;
      const h = hijack(ctx, { contentType: RAW_STREAM });
      void echo(h, 'fallback');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const out: Buffer[] = [];
      const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { 'Transfer-Encoding': 'chunked' }, agent: false }, (r) => {
          r.on('data', (c: Buffer) => {
            out.push(c);
            if (!req.writableEnded && Buffer.concat(out).includes('echo:hi')) req.end();
          });
          r.on('end', () => resolve(r));
        });
        req.on('error', reject);
        req.write('hi');
      });
      assert.equal(res.headers['transfer-encoding'], undefined);
      assert.equal(res.headers['connection'], 'close');
      const { stdout, stderr } = await demuxAll(once(Buffer.concat(out)));
      assert.equal(stdout.toString(), 'echo:hi');
      assert.equal(stderr.toString(), 'stdin closed\n');
    } finally {
      server.close();
    }
  });
});

describe('hijacked connections and the server around them', () => {
  it('survive a graceful close: they belong to their handlers', async () => {
    const srv = await startTestServer(routes);
    const sock = await rawConnect(srv.socketPath);
    const body = '{"Tty":false}';
    sock.write(`POST /exec/e9/start HTTP/1.1\r\nHost: api\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n${body}`);
    await waitFor(() => sock.received().includes('{"Tty":false}'), 'the session to start');
    const started = Date.now();
    await srv.close(2_000);
    assert.ok(Date.now() - started < 1_000, 'close did not wait for the hijacked session');
    sock.end('still here');
    await sock.ended;
    assert.equal((await demux(sock.received())).stdout, '{"Tty":false}\necho:still here');
  });

  it('are cut when their handler fails after the takeover, and the failure is logged', async () => {
    const failing: Route[] = [
      {
        method: 'POST',
        path: '/containers/{name}/attach',
        hijack: true,
        handler: async (ctx) => {
          const h = hijack(ctx, { contentType: RAW_STREAM });
          h.write('partial');
          throw new Error('backend vanished');
        },
      },
    ];
    const srv = await startTestServer(failing);
    try {
      const sock = await rawConnect(srv.socketPath);
      sock.write('POST /containers/x/attach HTTP/1.1\r\nHost: api\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
      await sock.ended;
      sock.destroy();
      assert.match(sock.received(), /partial$/);
      assert.ok(srv.log.records.some((r) => r.level === 'error' && /failed after hijacking/.test(r.message)));
    } finally {
      await srv.close();
    }
  });
});
