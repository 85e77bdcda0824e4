import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { Writable, type Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { isEngineError } from '../common/errors.js';
import { EngineClient } from './client.js';
import { startFakeDaemon, type FakeDaemonOptions } from './fake-daemon.js';
import { demuxStream, encodeFrame, MULTIPLEXED_STREAM, RAW_STREAM, STDERR, STDOUT } from './stdcopy.js';

class Sink extends Writable {
  private readonly chunks: Buffer[] = [];
  override _write(chunk: Buffer, _e: BufferEncoding, done: () => void): void {
    this.chunks.push(chunk);
    done();
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

interface Seen {
  headers: IncomingMessage['headers'];
  body: string;
}

/**
 * A daemon-like attach/exec endpoint: reads the request body by Content-Length, answers with `status`, sends
 * a first frame in the same write as the head, echoes stdin as stdout frames, and after stdin's EOF keeps
 * talking for a while before closing, which is what a half-close must survive.
 */
function echoUpgrade(status: 101 | 200, seen: Seen[]): FakeDaemonOptions['upgrade'] {
  return (req, socket: Duplex, head: Buffer) => {
    let bodyLeft = Number(req.headers['content-length'] ?? 0);
    const record: Seen = { headers: req.headers, body: '' };
    seen.push(record);
    const statusLine = status === 101 ? 'HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n' : 'HTTP/1.1 200 OK\r\n';
    socket.write(Buffer.concat([Buffer.from(`${statusLine}Content-Type: ${MULTIPLEXED_STREAM}\r\n\r\n`), encodeFrame(STDOUT, 'ready\n')]));
    const onData = (d: Buffer) => {
      if (bodyLeft > 0) {
        const n = Math.min(bodyLeft, d.length);
        record.body += d.subarray(0, n).toString();
        bodyLeft -= n;
        d = d.subarray(n);
      }
      if (d.length > 0) socket.write(encodeFrame(STDOUT, d));
    };
    if (head.length > 0) onData(head);
    socket.on('data', onData);
    socket.on('end', () => {
      setTimeout(() => {
        socket.write(encodeFrame(STDERR, 'stdin closed\n'));
        setTimeout(() => socket.end(encodeFrame(STDOUT, 'bye\n')), 20);
      }, 30);
    });
  };
}

for (const [status, on] of [
  [101, 'unix'],
  [200, 'tcp'],
] as const) {
  describe(`hijack answered with ${status} (${on})`, () => {
    it('writes stdin, half-closes, and still receives all output', async () => {
      const seen: Seen[] = [];
      const d = await startFakeDaemon({ on, apiVersion: '1.44', upgrade: echoUpgrade(status, seen) });
      const c = new EngineClient({ address: d.address, env: {} });
      try {
        const { socket, contentType, statusCode } = await c.hijack({
          path: '/exec/abc/start',
          body: { Detach: false, Tty: false },
        });
        assert.equal(statusCode, status);
        assert.equal(contentType, MULTIPLEXED_STREAM);
        const out = new Sink();
        const err = new Sink();
        const done = demuxStream(socket, out, err);
        socket.write('line one\n');
        await sleep(10);
        socket.write('line two\n');
        socket.end();
        await done;
        assert.equal(out.text(), 'ready\nline one\nline two\nbye\n');
        assert.equal(err.text(), 'stdin closed\n');
        assert.deepEqual(d.seen, ['GET /_ping', 'POST /v1.44/exec/abc/start']);
        assert.equal(seen[0]?.headers.upgrade, 'tcp');
        assert.equal(seen[0]?.headers.connection, 'Upgrade');
        assert.equal(seen[0]?.headers['content-type'], 'application/json');
        assert.deepEqual(JSON.parse(seen[0]?.body ?? ''), { Detach: false, Tty: false });
        await new Promise((r) => (socket.destroyed ? r(undefined) : socket.once('close', r)));
      } finally {
        c.close();
        await d.close();
      }
    });
  });
}

describe('hijack', () => {
  it('hands over a raw (TTY) stream that plain data listeners can read', async () => {
    const upgrade: FakeDaemonOptions['upgrade'] = (_req, socket) => {
      socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${RAW_STREAM}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n$ `);
      socket.on('data', (b: Buffer) => socket.write(b.toString().toUpperCase()));
      socket.on('end', () => socket.end('exit\r\n'));
    };
    const d = await startFakeDaemon({ on: 'unix', apiVersion: '1.45', upgrade });
    const c = new EngineClient({ address: d.address, env: {} });
    try {
      const { socket, contentType } = await c.hijack({ path: '/containers/x/attach', query: { stream: true, stdin: true, stdout: true } });
      assert.equal(contentType, RAW_STREAM);
      await sleep(20); // output that arrived before anyone listened must not be lost
      let text = '';
      socket.on('data', (b: Buffer) => {
        text += b.toString();
        if (text === '$ ') socket.end('echo hi\r\n');
      });
      await new Promise((r) => socket.once('end', r));
      assert.equal(text, '$ ECHO HI\r\nexit\r\n');
      assert.equal(d.seen[1], 'POST /v1.45/containers/x/attach?stream=1&stdin=1&stdout=1');
    } finally {
      c.close();
      await d.close();
    }
  });

  it('turns an error answer into DaemonError, by Content-Length or chunked', async () => {
    const upgrade: FakeDaemonOptions['upgrade'] = (req, socket) => {
      if (req.url?.includes('/exec/')) {
        const b = JSON.stringify({ message: 'No such exec instance: abc' });
        socket.end(`HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(b)}\r\n\r\n${b}`);
      } else {
        socket.write('HTTP/1.1 409 Conflict\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
        const chunk = (t: string) => `${Buffer.byteLength(t).toString(16)}\r\n${t}\r\n`;
        socket.write(chunk('{"message":"cont'));
        // Left open afterwards: the terminating chunk alone must end the read.
        setTimeout(() => socket.write(`${chunk('ainer x is not running"}\n')}0\r\n\r\n`), 10);
      }
    };
    const d = await startFakeDaemon({ on: 'tcp', apiVersion: '1.44', upgrade });
    const c = new EngineClient({ address: d.address, env: {} });
    try {
      await assert.rejects(
        c.hijack({ path: '/exec/abc/start', body: {} }),
        (e: unknown) => isEngineError(e, 'not-found') && e.message === 'No such exec instance: abc',
      );
      await assert.rejects(
        c.hijack({ path: '/containers/x/attach' }),
        (e: unknown) => isEngineError(e, 'conflict') && e.message === 'container x is not running',
      );
    } finally {
      c.close();
      await d.close();
    }
  });

  it('reports a connection dropped before any answer as unavailable', async () => {
    const d = await startFakeDaemon({ on: 'unix', apiVersion: '1.44' }); // default upgrade handler destroys the socket
    const c = new EngineClient({ address: d.address, env: {} });
    try {
      await assert.rejects(c.hijack({ path: '/containers/x/attach' }), (e: unknown) => isEngineError(e, 'unavailable'));
    } finally {
      c.close();
      await d.close();
    }
  });
});
