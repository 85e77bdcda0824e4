// Layer streams arrive plain or compressed; like Docker's archive.DecompressStream the format is told by
// magic bytes, not by what the sender claims. gzip runs in process (node:zlib is faster than the CLIs here);
// bzip2, xz and zstd, rare in imports and absent from Node 20's zlib, go through the system tools.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { errnoCode, invalidArgument } from '../../common/errors.js';

export type Compression = 'none' | 'gzip' | 'bzip2' | 'xz' | 'zstd';

/** Bytes needed to recognize every supported format. */
export const MAGIC_LENGTH = 6;

export function detectCompression(head: Buffer): Compression {
  const starts = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
  if (starts(0x1f, 0x8b, 0x08)) return 'gzip';
  if (starts(0x42, 0x5a, 0x68)) return 'bzip2';
  if (starts(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) return 'xz';
  if (starts(0x28, 0xb5, 0x2f, 0xfd)) return 'zstd';
  return 'none';
}

type Transform = (source: AsyncIterable<Buffer>) => AsyncIterable<Buffer>;

/** The decompressing stage for `pipeline`, or undefined for a plain stream. */
export function decompressor(c: Compression): NodeJS.ReadWriteStream | Transform | undefined {
  switch (c) {
    case 'none':
      return undefined;
    case 'gzip':
      // zlib's default 16 KiB output chunks cost a thread-pool round trip each: 1 MiB ones gunzip ~6× faster.
      return createGunzip({ chunkSize: 1 << 20 });
    case 'bzip2':
      return processFilter('bzip2', ['-dc']);
    case 'xz':
      return processFilter('xz', ['-dc']);
    case 'zstd':
      return processFilter('zstd', ['-dcq']);
  }
}

/**
 * Reads at least `n` bytes (fewer only at end of stream) and returns them with a stream that replays them
 * before the rest, so the caller can look at the head without losing it.
 */
export async function peek(input: AsyncIterable<Buffer>, n: number): Promise<{ head: Buffer; stream: AsyncIterable<Buffer> }> {
  const it = input[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let have = 0;
  let done = false;
  while (have < n) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    const chunk = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
    chunks.push(chunk);
    have += chunk.length;
  }
  const head = Buffer.concat(chunks);
  async function* replay(): AsyncGenerator<Buffer> {
    try {
      if (head.length > 0) yield head;
      if (done) return;
      for (;;) {
        const r = await it.next();
        if (r.done) {
          done = true;
          return;
        }
        yield Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
      }
    } finally {
      // Closing early (a failed extraction) must release the source, as for-await would.
      if (!done) await it.return?.();
    }
  }
  return { head, stream: replay() };
}

/** A pipeline stage that runs `cmd` as a filter and fails unless it exits 0. */
function processFilter(cmd: string, args: string[]): Transform {
  return async function* filter(source) {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      if (stderr.length < 4096) stderr += s;
    });
    const exited = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
    exited.catch(() => undefined); // a spawn failure surfaces through `spawned`
    const spawned = once(child, 'spawn');
    // The child may exit before reading everything (bad input); its stdin then fails with EPIPE, and the
    // exit status below is the error worth reporting.
    const feeding = pipeline(Readable.from(source), child.stdin).then(
      () => undefined,
      (e: unknown) => e,
    );
    try {
      await spawned;
      for await (const chunk of child.stdout) yield chunk as Buffer;
      const [code, signal] = await exited;
      const feedError = await feeding;
      // A failing source (a client hanging up) explains a truncated input better than the tool's complaint.
      if (feedError && errnoCode(feedError) !== 'EPIPE') throw feedError;
      if (code !== 0) {
        throw invalidArgument(`${cmd}: decompression failed (${signal ?? `exit ${code}`}): ${stderr.trim()}`);
      }
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  };
}
