// Writes tar-split records (see tar-split-format.ts) to a gzip file (level 1: the records are mostly tar
// headers, which compress well even at the fastest level). Small records are gathered into 64 KiB writes;
// raw bytes are copied since the tar's chunks are handed on to the extractor.
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createGzip, type Gzip } from 'node:zlib';
import { encodeEnd, encodeFile, RAW_MAX, SPLIT_MAGIC, varint } from './tar-split-format.js';

const FLUSH_AT = 64 * 1024;

export class SplitWriter {
  private readonly gzip: Gzip;
  private readonly file: WriteStream;
  private readonly done: Promise<void>;
  private parts: Buffer[] = [SPLIT_MAGIC];
  private partBytes = SPLIT_MAGIC.length;
  private raw: Buffer[] = [];
  private rawBytes = 0;
  /** Set when gzip's buffer is full; resolves at its next 'drain', which may come before anyone waits. */
  private blocked: Promise<unknown> | undefined;
  private failure: unknown;

  constructor(readonly filename: string) {
    this.gzip = createGzip({ level: 1 });
    this.file = createWriteStream(filename, { mode: 0o600 });
    this.gzip.pipe(this.file);
    const failed = (e: unknown) => {
      this.failure ??= e;
    };
    this.gzip.on('error', failed);
    this.file.on('error', failed);
    this.done = new Promise((resolve, reject) => {
      this.file.once('close', () => (this.failure === undefined ? resolve() : reject(this.failure)));
      this.file.once('error', reject);
      this.gzip.once('error', reject);
    });
    this.done.catch(() => undefined);
  }

  /** Bytes of the tar kept as they are. */
  addRaw(data: Buffer): void {
    if (data.length === 0) return;
    this.raw.push(Buffer.from(data));
    this.rawBytes += data.length;
    if (this.rawBytes >= RAW_MAX) this.flushRaw();
  }

  addFile(p: string, size: number): void {
    this.flushRaw();
    this.push(encodeFile(p, size));
  }

  /** True when the gzip stream wants the caller to wait (`drain()`). */
  get needsDrain(): boolean {
    return this.blocked !== undefined;
  }

  async drain(): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    if (this.blocked) {
      await this.blocked;
      this.blocked = undefined;
    }
  }

  async end(total: number): Promise<void> {
    this.flushRaw();
    this.push(encodeEnd(total));
    this.flush();
    this.gzip.end();
    await this.done;
  }

  /** Stops writing after a failure; the caller deletes the file. */
  async abort(): Promise<void> {
    this.gzip.destroy();
    this.file.destroy();
    await this.done.catch(() => undefined);
  }

  private flushRaw(): void {
    if (this.rawBytes === 0) return;
    const data = this.raw.length === 1 ? this.raw[0]! : Buffer.concat(this.raw, this.rawBytes);
    this.raw = [];
    this.rawBytes = 0;
    for (let i = 0; i < data.length; i += RAW_MAX) {
      const piece = data.subarray(i, Math.min(i + RAW_MAX, data.length));
      this.push(Buffer.from('R'));
      this.push(varint(piece.length));
      this.push(piece);
    }
  }

  private push(b: Buffer): void {
    this.parts.push(b);
    this.partBytes += b.length;
    if (this.partBytes >= FLUSH_AT) this.flush();
  }

  private flush(): void {
    if (this.partBytes === 0) return;
    const data = Buffer.concat(this.parts, this.partBytes);
    this.parts = [];
    this.partBytes = 0;
    if (!this.gzip.write(data) && !this.blocked) {
      this.blocked = once(this.gzip, 'drain');
      this.blocked.catch(() => undefined);
    }
  }
}
