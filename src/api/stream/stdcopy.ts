// Docker's multiplexed stream framing (moby's pkg/stdcopy), used by attach, exec and logs of containers
// without a TTY: every frame is [stream, 0, 0, 0, size as big-endian uint32] followed by size bytes.
import { Transform, Writable, type TransformCallback } from 'node:stream';

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
/** moby's "systemErr": the daemon's own error text, sent when a stream fails mid-way. */
export const SYSTEMERR = 3;

export type StreamId = typeof STDIN | typeof STDOUT | typeof STDERR | typeof SYSTEMERR;

export const HEADER_SIZE = 8;
const MAX_FRAME = 0xffffffff;

export function frameHeader(stream: StreamId, size: number): Buffer {
  const h = Buffer.alloc(HEADER_SIZE);
  h[0] = stream;
  h.writeUInt32BE(size, 4);
  return h;
}

/**
 * The frames for one chunk, header and payload as separate buffers (no copy of the payload). A chunk larger
 * than a frame can say is split; `maxFrame` exists so tests can see the split without 4 GiB of data.
 */
export function frames(stream: StreamId, chunk: Buffer, maxFrame = MAX_FRAME): Buffer[] {
  const out: Buffer[] = [];
  for (let off = 0; off < chunk.length; off += maxFrame) {
    const part = chunk.subarray(off, Math.min(off + maxFrame, chunk.length));
    out.push(frameHeader(stream, part.length), part);
  }
  return out;
}

/** One buffer holding the frames of `chunk`: a single write, so frames of concurrent writers never interleave. */
export function encodeFrame(stream: StreamId, chunk: Buffer | string, maxFrame = MAX_FRAME): Buffer {
  return Buffer.concat(frames(stream, typeof chunk === 'string' ? Buffer.from(chunk) : chunk, maxFrame));
}

/**
 * A Writable for one stream id that frames what is written to it into `sink`, so a container's stdout and
 * stderr can be piped into a shared connection. Ending it does not end the sink.
 */
export class StdWriter extends Writable {
  constructor(
    private readonly stream: StreamId,
    private readonly sink: { write(chunk: Buffer): boolean; once(event: 'drain', cb: () => void): unknown },
  ) {
    super();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (chunk.length === 0) return cb();
    if (this.sink.write(encodeFrame(this.stream, chunk))) cb();
    else this.sink.once('drain', () => cb());
  }
}

export interface Frame {
  stream: StreamId;
  data: Buffer;
}

/** Reassembles frames from arbitrarily split bytes; emits { stream, data } objects. */
export class StdDemuxer extends Transform {
  // Chunks are joined only once a whole frame is there: joining on every piece would be quadratic for large
  // frames arriving in small reads.
  private chunks: Buffer[] = [];
  private length = 0;
  private need = HEADER_SIZE;

  constructor() {
    super({ readableObjectMode: true });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
    if (this.length < this.need) return cb();
    let buf = Buffer.concat(this.chunks, this.length);
    this.need = HEADER_SIZE;
    while (buf.length >= HEADER_SIZE) {
      const stream = buf[0]!;
      if (stream > SYSTEMERR) return cb(new Error(`Unrecognized input header: ${stream}`));
      const size = buf.readUInt32BE(4);
      if (buf.length < HEADER_SIZE + size) {
        this.need = HEADER_SIZE + size;
        break;
      }
      this.push({ stream: stream as StreamId, data: buf.subarray(HEADER_SIZE, HEADER_SIZE + size) } satisfies Frame);
      buf = buf.subarray(HEADER_SIZE + size);
    }
    this.chunks = buf.length === 0 ? [] : [buf];
    this.length = buf.length;
    cb();
  }

  override _flush(cb: TransformCallback): void {
    cb(this.length === 0 ? null : new Error(`unexpected EOF: ${this.length} bytes of an incomplete frame`));
  }
}

/** Collects a whole multiplexed stream into its stdout and stderr (and systemerr) bytes. */
export async function demuxAll(source: AsyncIterable<Buffer>): Promise<{ stdout: Buffer; stderr: Buffer; systemerr: Buffer }> {
  // moby's StdCopy sends stdin frames to stdout.
  const parts: Buffer[][] = [[], [], [], []];
  const demuxer = new StdDemuxer();
  const feeding = (async () => {
    try {
      for await (const chunk of source) if (!demuxer.write(chunk)) await new Promise((r) => demuxer.once('drain', r));
      demuxer.end();
    } catch (e) {
      demuxer.destroy(e as Error);
    }
  })();
  for await (const f of demuxer as AsyncIterable<Frame>) parts[f.stream === STDIN ? STDOUT : f.stream]!.push(f.data);
  await feeding;
  return { stdout: Buffer.concat(parts[1]!), stderr: Buffer.concat(parts[2]!), systemerr: Buffer.concat(parts[3]!) };
}
