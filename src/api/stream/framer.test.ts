import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, type Readable } from 'node:stream';
import { RequestFramer } from './framer.js';

async function collect(r: Readable): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts).toString('latin1');
}

/** Feeds `bytes` (after `head`) one write per `step` bytes, then ends the socket. */
function run(headers: Record<string, string>, head: string, bytes: string, step = bytes.length || 1) {
  const socket = new PassThrough();
  const framer = new RequestFramer(socket, Buffer.from(head, 'latin1'), headers);
  const body = collect(framer.body);
  const rest = collect(framer.rest);
  void (async () => {
    for (let i = 0; i < bytes.length; i += step) {
      socket.write(Buffer.from(bytes.slice(i, i + step), 'latin1'));
      await new Promise((r) => setImmediate(r));
    }
    socket.end();
  })();
  return { framer, body, rest };
}

describe('RequestFramer', () => {
  it('splits a Content-Length body from the raw bytes after it, however the bytes arrive', async () => {
    for (const step of [1, 3, 100]) {
      const { body, rest } = run({ 'content-length': '17' }, '{"Detach"', ':false}\x01\x02raw stdin', step);
      assert.equal(await body, '{"Detach":false}\x01', `step ${step}`);
      assert.equal(await rest, '\x02raw stdin', `step ${step}`);
    }
  });

  it('has an empty body without Content-Length', async () => {
    const { body, rest } = run({}, 'abc', 'def');
    assert.equal(await body, '');
    assert.equal(await rest, 'abcdef');
  });

  it('decodes chunked bodies with extensions and trailers, then passes raw bytes', async () => {
    const wire = '4;ext=1\r\nping\r\n6\r\n, pong\r\n0\r\nX-Trailer: y\r\n\r\nafter';
    for (const step of [1, 2, 7, 1000]) {
      const { body, rest, framer } = run({ 'transfer-encoding': 'chunked' }, '', wire, step);
      assert.equal(framer.chunked, true);
      assert.equal(await body, 'ping, pong', `step ${step}`);
      assert.equal(await rest, 'after', `step ${step}`);
    }
  });

  it("takes docker-modem's empty chunked body before stdin", async () => {
    const { body, rest } = run({ 'transfer-encoding': 'chunked' }, '0\r\n\r\n', 'stdin');
    assert.equal(await body, '');
    assert.equal(await rest, 'stdin');
  });

  it('fails the body on malformed chunked encoding', async () => {
    const { body, rest } = run({ 'transfer-encoding': 'chunked' }, '', 'zz\r\nxx');
    await assert.rejects(body, /malformed chunked encoding: bad chunk size "zz"/);
    assert.equal(await rest, '');
  });

  it('ends both streams when the client goes away mid-body', async () => {
    const { body, rest } = run({ 'content-length': '100' }, '', 'short');
    assert.equal(await body, 'short');
    assert.equal(await rest, '');
  });
});
