import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { STDERR, STDIN, STDOUT, SYSTEMERR, StdDemuxer, StdWriter, demuxAll, encodeFrame, frameHeader, frames, type Frame } from './stdcopy.js';

async function* pieces(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

describe('stdcopy', () => {
  it('writes the 8-byte header: stream, three zeros, big-endian size', () => {
    assert.deepEqual([...frameHeader(STDERR, 0x01020304)], [2, 0, 0, 0, 1, 2, 3, 4]);
    assert.deepEqual([...encodeFrame(STDOUT, 'hi')], [1, 0, 0, 0, 0, 0, 0, 2, 0x68, 0x69]);
  });

  it('splits chunks larger than a frame can describe', () => {
    const parts = frames(STDOUT, Buffer.from('abcdefg'), 3);
    assert.deepEqual(parts.map((p) => p.toString('latin1')), [
      '\x01\0\0\0\0\0\0\x03', 'abc', '\x01\0\0\0\0\0\0\x03', 'def', '\x01\0\0\0\0\0\0\x01', 'g',
    ]);
    assert.deepEqual(frames(STDOUT, Buffer.alloc(0)), []);
  });

  it('round-trips interleaved streams through any chunking', async () => {
    const wire = Buffer.concat([
      encodeFrame(STDOUT, 'out 1\n'), encodeFrame(STDERR, 'err 1\n'), encodeFrame(STDOUT, Buffer.alloc(70_000, 0x61)),
      encodeFrame(STDIN, 'in\n'), encodeFrame(SYSTEMERR, 'daemon error'), encodeFrame(STDERR, 'err 2\n'),
    ]);
    for (const size of [1, 5, 8, 9, 4096, wire.length]) {
      const { stdout, stderr, systemerr } = await demuxAll(pieces(wire, size));
      assert.equal(stdout.toString(), `out 1\n${'a'.repeat(70_000)}in\n`, `size ${size}`);
      assert.equal(stderr.toString(), 'err 1\nerr 2\n');
      assert.equal(systemerr.toString(), 'daemon error');
    }
  });

  it('emits frames in order with their stream ids', async () => {
    const d = new StdDemuxer();
    const got: Frame[] = [];
    d.on('data', (f: Frame) => got.push(f));
    d.end(Buffer.concat([encodeFrame(STDERR, 'e'), encodeFrame(STDOUT, 'o')]));
    await new Promise((r) => d.on('end', r));
    assert.deepEqual(got.map((f) => [f.stream, f.data.toString()]), [[2, 'e'], [1, 'o']]);
  });

  it('rejects unknown stream ids and truncated frames', async () => {
    await assert.rejects(demuxAll(pieces(Buffer.from([9, 0, 0, 0, 0, 0, 0, 1, 0]), 9)), /Unrecognized input header: 9/);
    await assert.rejects(demuxAll(pieces(encodeFrame(STDOUT, 'abc').subarray(0, 9), 9)), /unexpected EOF/);
  });

  it('frames what is piped through a StdWriter into a shared sink', async () => {
    const sink = new PassThrough();
    const out = new StdWriter(STDOUT, sink);
    const err = new StdWriter(STDERR, sink);
    out.write('one');
    err.write('two');
    out.end('three');
    await new Promise((r) => out.on('finish', r));
    err.end();
    await new Promise((r) => err.on('finish', r));
    sink.end();
    const { stdout, stderr } = await demuxAll(sink);
    assert.equal(stdout.toString(), 'onethree');
    assert.equal(stderr.toString(), 'two');
  });
});
