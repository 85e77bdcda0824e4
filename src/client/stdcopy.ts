// Docker's stdcopy framing, used on attach/exec/logs of containers without a TTY: each frame is an 8-byte
// header (stream 0/1/2/3, three zero bytes, big-endian uint32 payload size) and then the payload. TCP
// chunks carry no respect for frames, so the header may itself arrive a byte at a time.
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { EngineError } from '../common/errors.js';

export const MULTIPLEXED_STREAM = 'application/vnd.docker.multiplexed-stream';
export const RAW_STREAM = 'application/vnd.docker.raw-stream';

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
/** Frame type the daemon uses to report an error in the middle of a stream. */
export const SYSTEMERR = 3;

const HEADER = 8;

/** One frame, header and payload; for servers and tests that need to produce the framing. */
export function encodeFrame(stream: number, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const header = Buffer.alloc(HEADER);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

export interface DemuxOptions {
  /** End stdout/stderr when the input ends. Off by default: they are usually process.stdout/stderr. */
  end?: boolean;
}

/**
 * A writable that splits the framing into stdout and stderr. Payload bytes are passed on as they arrive
 * rather than once a frame is whole, so interactive output is not held back and a large frame is never
 * buffered. The targets' backpressure is honoured. A SYSTEMERR frame fails the stream with its text.
 */
export class StdcopyDemuxer extends Writable {
  private readonly header = Buffer.alloc(HEADER);
  private headerFill = 0;
  private stream = -1;
  private remaining = 0;
  private errText: Buffer[] = [];

  constructor(
    private readonly stdout: Writable,
    private readonly stderr: Writable,
    private readonly options: DemuxOptions = {},
  ) {
    super();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    this.consume(chunk, 0, done);
  }

  override _final(done: (e?: Error | null) => void): void {
    const err = this.flushSystemErr();
    if (err) {
      done(err);
      return;
    }
    // The daemon went away mid-frame: like docker's StdCopy, that is the end of output, not an error (what
    // had arrived of the payload was already passed on; a partial header is dropped).
    if (!this.options.end) {
      done();
      return;
    }
    let pending = 2;
    const one = () => {
      if (--pending === 0) done();
    };
    this.stdout.end(one);
    if (this.stderr === this.stdout) one();
    else this.stderr.end(one);
  }

  private consume(chunk: Buffer, offset: number, done: (e?: Error | null) => void): void {
    let off = offset;
    while (off < chunk.length) {
      if (this.remaining === 0) {
        const take = Math.min(HEADER - this.headerFill, chunk.length - off);
        chunk.copy(this.header, this.headerFill, off, off + take);
        this.headerFill += take;
        off += take;
        if (this.headerFill < HEADER) break;
        this.headerFill = 0;
        this.stream = this.header[0]!;
        this.remaining = this.header.readUInt32BE(4);
        if (this.stream > SYSTEMERR) {
          done(new EngineError('internal', `Unrecognized input header: ${this.stream}`));
          return;
        }
        if (this.stream === SYSTEMERR && this.remaining === 0) {
          done(this.flushSystemErr());
          return;
        }
        continue;
      }
      const n = Math.min(this.remaining, chunk.length - off);
      const piece = chunk.subarray(off, off + n);
      off += n;
      this.remaining -= n;
      if (this.stream === SYSTEMERR) {
        this.errText.push(piece);
        if (this.remaining === 0) {
          done(this.flushSystemErr());
          return;
        }
        continue;
      }
      // Stdin frames only appear when a server echoes them; docker's StdCopy writes them to stdout too.
      const target = this.stream === STDERR ? this.stderr : this.stdout;
      if (n > 0 && !target.write(piece)) {
        target.once('drain', () => this.consume(chunk, off, done));
        return;
      }
    }
    done();
  }

  private flushSystemErr(): EngineError | undefined {
    if (this.stream !== SYSTEMERR) return undefined;
    const text = Buffer.concat(this.errText).toString('utf8');
    this.errText = [];
    this.stream = -1;
    return new EngineError('internal', `error from daemon in stream: ${text}`);
  }
}

/** Demultiplexes `source` into stdout and stderr; resolves when the source ends. */
export async function demuxStream(
  source: Readable,
  stdout: Writable,
  stderr: Writable,
  options: DemuxOptions = {},
): Promise<void> {
  await pipeline(source, new StdcopyDemuxer(stdout, stderr, options));
}
