import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { request, startTestServer, waitFor, type TestServer } from '../testing.js';
import type { Route } from '../types.js';
import { JSON_SEQ, openJsonStream, pipeJsonStream } from './json-stream.js';

let sourceClosed = false;
let producerSignal: AbortSignal | undefined;
let handlerReturned = false;

/** Yields one event at once, then waits for events that never come, like an idle event subscription. */
async function* idleEvents(signal: AbortSignal): AsyncGenerator<unknown> {
  producerSignal = signal;
  try {
    yield { Type: 'container', Action: 'start' };
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  } finally {
    sourceClosed = true;
  }
}

const routes: Route[] = [
  {
    method: 'GET',
    path: '/events',
    handler: async (ctx) => {
      await pipeJsonStream(ctx, idleEvents);
      handlerReturned = true;
    },
  },
  {
    method: 'GET',
    path: '/progress',
    handler: async (ctx) => {
      const seq = ctx.query.get('seq') === '1';
      const stream = openJsonStream(ctx, seq ? { contentType: JSON_SEQ } : {});
      for (let i = 1; i <= 3; i++) assert.equal(await stream.write({ status: 'Downloading', progress: i }), true);
      await stream.write(undefined);
      stream.end();
    },
  },
];

describe('JSON streams', () => {
  let srv: TestServer;
  before(async () => (srv = await startTestServer(routes)));
  after(() => srv.close());

  it('writes one JSON document per line', async () => {
    const r = await request(srv, 'GET', '/progress');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.headers['transfer-encoding'], 'chunked');
    assert.deepEqual(r.text.split('\n'), [
      '{"status":"Downloading","progress":1}', '{"status":"Downloading","progress":2}', '{"status":"Downloading","progress":3}', 'null', '',
    ]);
  });

  it('prefixes records with RS for application/json-seq', async () => {
    const r = await request(srv, 'GET', '/progress?seq=1');
    assert.equal(r.headers['content-type'], JSON_SEQ);
    assert.ok(r.text.startsWith('\x1e{"status"'));
    assert.equal(r.text.split('\x1e').length, 5);
  });

  it('sends headers and each record at once, and stops the producer when the client leaves', async () => {
    const first = await new Promise<{ req: http.ClientRequest; line: string; status: number }>((resolve, reject) => {
      const req = http.get({ socketPath: srv.socketPath, path: '/events', agent: false }, (res) => {
        res.once('data', (c: Buffer) => resolve({ req, line: c.toString(), status: res.statusCode ?? 0 }));
        res.on('error', () => undefined);
      });
      req.on('error', reject);
    });
    assert.equal(first.status, 200);
    assert.equal(first.line, '{"Type":"container","Action":"start"}\n');
    assert.equal(producerSignal?.aborted, false);
    first.req.destroy();
    await waitFor(() => producerSignal?.aborted === true, 'the signal to abort');
    await waitFor(() => sourceClosed && handlerReturned, 'the producer to close and the handler to return');
    await waitFor(() => srv.access.some((e) => e.url === '/events'), 'access entry');
    assert.equal(srv.access.find((e) => e.url === '/events')!.status, 499);
  });
});
