import assert from 'node:assert/strict';
import { PassThrough, Readable, Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { isEngineError } from '../common/errors.js';
import { demuxStream, encodeFrame, StdcopyDemuxer, STDERR, STDIN, STDOUT, SYSTEMERR } from './stdcopy.js';

class Sink extends Writable {
  readonly chunks: Buffer[] = [];
  constructor(private readonly slow = false) {
    super({ highWaterMark: 1 });
  }
  override _write(chunk: Buffer, _e: BufferEncoding, done: () => void): void {
    this.chunks.push(chunk);
    if (this.slow) setImmediate(done);
    else done();
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

async function demux(chunks: Buffer[], slow = false): Promise<{ out: string; err: string }> {
  const out = new Sink(slow);
  const err = new Sink(slow);
  await demuxStream(Readable.from(chunks), out, err);
  return { out: out.text(), err: err.text() };
}

const STREAM = Buffer.concat([
  encodeFrame(STDOUT, 'hello '),
  encodeFrame(STDERR, 'oops\n'),
  encodeFrame(STDOUT, ''),
  encodeFrame(STDOUT, 'wörld ✓\n'),
  encodeFrame(STDIN, '<in>'),
  encodeFrame(STDERR, Buffer.alloc(300, 0x41)),
]);
const WANT = { out: 'hello wörld ✓\n<in>', err: `oops\n${'A'.repeat(300)}` };

describe('stdcopy', () => {
  it('encodes the 8-byte header', () => {
    assert.deepEqual([...encodeFrame(STDERR, 'ab')], [2, 0, 0, 0, 0, 0, 0, 2, 0x61, 0x62]);
    assert.equal(encodeFrame(STDOUT, Buffer.alloc(70000)).readUInt32BE(4), 70000);
  });

  it('demultiplexes whole frames', async () => {
    assert.deepEqual(await demux([STREAM]), WANT);
  });

  it('survives a split at every byte boundary', async () => {
    for (let i = 0; i <= STREAM.length; i++) {
      assert.deepEqual(await demux([STREAM.subarray(0, i), STREAM.subarray(i)]), WANT, `split at ${i}`);
    }
  });

  it('survives three-way splits and one byte per chunk, with a slow consumer', async () => {
    for (let i = 1; i < 40; i++) {
      for (let j = i; j < 60; j += 3) {
        assert.deepEqual(
          await demux([STREAM.subarray(0, i), STREAM.subarray(i, j), STREAM.subarray(j)]),
          WANT,
          `split at ${i},${j}`,
        );
      }
    }
    assert.deepEqual(await demux([...STREAM].map((b) => Buffer.from([b])), true), WANT);
  });

  it('fails with the daemon message of a system-error frame', async () => {
    const s = Buffer.concat([encodeFrame(STDOUT, 'partial'), encodeFrame(SYSTEMERR, 'container died')]);
    await assert.rejects(demux([s.subarray(0, 20), s.subarray(20)]), (e: unknown) => isEngineError(e, 'internal') && /container died/.test(e.message));
  });

  it('fails on an unknown stream byte', async () => {
    await assert.rejects(demux([encodeFrame(7, 'x')]), /Unrecognized input header: 7/);
  });

  it('ends quietly on a truncated last frame and leaves the targets open unless asked', async () => {
    const out = new PassThrough();
    const err = new PassThrough();
    const s = Buffer.concat([encodeFrame(STDOUT, 'ok'), encodeFrame(STDOUT, 'cut off').subarray(0, 10)]);
    await demuxStream(Readable.from([s]), out, err);
    assert.equal(out.read()?.toString(), 'okcu');
    const cutHeader = Buffer.concat([encodeFrame(STDOUT, 'ok'), encodeFrame(STDERR, 'x').subarray(0, 5)]);
    assert.deepEqual(await demux([cutHeader]), { out: 'ok', err: '' });
    assert.equal(out.writableEnded, false);
    const out2 = new PassThrough();
    const err2 = new PassThrough();
    const d = new StdcopyDemuxer(out2, err2, { end: true });
    d.end(encodeFrame(STDERR, 'e'));
    await new Promise((r) => d.on('finish', r));
    assert.equal(out2.writableEnded && err2.writableEnded, true);
  });
});
