// `berth build -`: stdin is either an archive (a tar, or one compressed with gzip, bzip2, xz or zstd, told by
// its first bytes as the docker CLI's detectArchiveReader does), sent as it is, or a Dockerfile, sent as a
// one-file tar. Only the first kilobyte is read ahead; the rest streams through.
import { Readable } from 'node:stream';

const MAGIC = [
  [0x1f, 0x8b, 0x08], // gzip
  [0x42, 0x5a, 0x68], // bzip2
  [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], // xz
  [0x28, 0xb5, 0x2f, 0xfd], // zstd
];

/** isArchive: compression magic, or a first block that reads as a tar header (its checksum holds). */
export function isArchive(head: Buffer): boolean {
  if (MAGIC.some((m) => head.length >= m.length && m.every((b, i) => head[i] === b))) return true;
  if (head.length < 512) return false;
  const block = head.subarray(0, 512);
  if (block.every((b) => b === 0)) return false;
  const field = block.subarray(148, 156).toString('latin1').replace(/[\0 ]+$/, '').trim();
  if (!/^[0-7]+$/.test(field)) return false;
  let unsigned = 0;
  for (let i = 0; i < 512; i++) unsigned += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return parseInt(field, 8) === unsigned;
}

/** A tar of one regular file (ustar, owner 0:0), ended by two zero blocks as Go's tar writer ends it. */
export function singleFileTar(name: string, data: Buffer, mode = 0o644, mtime = new Date()): Buffer {
  const h = Buffer.alloc(512);
  const put = (off: number, len: number, s: string) => h.write(s, off, len, 'latin1');
  const oct = (off: number, len: number, n: number) => put(off, len, `${n.toString(8).padStart(len - 1, '0')}\0`);
  put(0, 100, name);
  oct(100, 8, mode);
  oct(108, 8, 0);
  oct(116, 8, 0);
  oct(124, 12, data.length);
  oct(136, 12, Math.floor(mtime.getTime() / 1000));
  put(148, 8, '        ');
  put(156, 1, '0');
  put(257, 8, 'ustar\x0000');
  let sum = 0;
  for (const b of h) sum += b;
  put(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  const pad = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([h, data, pad, Buffer.alloc(1024)]);
}

/**
 * GetContextFromReader: the body to send and the Dockerfile name to ask for. `dockerfileFlag` is -f's value;
 * a Dockerfile on stdin cannot be combined with -f.
 */
export async function stdinContext(stdin: AsyncIterable<Buffer | string>, dockerfileFlag: string): Promise<{ body: Readable; relDockerfile: string }> {
  const it = stdin[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < 1024) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    const c = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
    head.push(c);
    size += c.length;
  }
  const first = Buffer.concat(head);
  if (isArchive(first)) {
    async function* rest(): AsyncGenerator<Buffer> {
      yield first;
      if (done) return;
      for (let r = await it.next(); !r.done; r = await it.next()) yield typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
    }
    return { body: Readable.from(rest(), { objectMode: false }), relDockerfile: dockerfileFlag };
  }
  if (dockerfileFlag === '-') throw new Error('build context is not an archive');
  if (dockerfileFlag !== '') throw new Error('ambiguous Dockerfile source: both stdin and flag correspond to Dockerfiles');
  const parts: Uint8Array[] = [first];
  if (!done) for (let r = await it.next(); !r.done; r = await it.next()) parts.push(typeof r.value === 'string' ? Buffer.from(r.value) : r.value);
  return { body: Readable.from([singleFileTar('Dockerfile', Buffer.concat(parts))]), relDockerfile: 'Dockerfile' };
}
