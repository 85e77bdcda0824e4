// The tar-split file of a layer: how to regenerate the layer's original tar, byte for byte, from its
// unpacked directory. A gzip stream of records, after a magic line:
//   'R' len bytes      raw bytes of the tar (headers, padding, end marker, trailing data, or content that
//                      cannot be read back from the directory)
//   'F' size pathLen path   `size` bytes of content read from <diffDir>/<path>
//   'E' total          end: the tar's total length (so a save can announce the size before streaming)
// Numbers are unsigned LEB128. Raw records are at most RAW_MAX bytes so a reader never holds more.
import { createReadStream } from 'node:fs';
import { constants, open } from 'node:fs/promises';
import path from 'node:path';
import { createGunzip } from 'node:zlib';
import { internal, invalidArgument } from '../../common/errors.js';

export const SPLIT_MAGIC = Buffer.from('berth-tar-split-1\n');
export const RAW_MAX = 1 << 20;

export type SplitRecord =
  | { kind: 'raw'; data: Buffer }
  | { kind: 'file'; path: string; size: number }
  | { kind: 'end'; total: number };

export function varint(n: number): Buffer {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return Buffer.from(out);
}

export function encodeRaw(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += RAW_MAX) {
    const piece = data.subarray(i, Math.min(i + RAW_MAX, data.length));
    out.push(Buffer.from('R'), varint(piece.length), piece);
  }
  return out;
}

export function encodeFile(p: string, size: number): Buffer {
  const name = Buffer.from(p);
  return Buffer.concat([Buffer.from('F'), varint(size), varint(name.length), name]);
}

export function encodeEnd(total: number): Buffer {
  return Buffer.concat([Buffer.from('E'), varint(total)]);
}

/** Decodes a split file's records in order; fails on anything malformed or a missing end record. */
export async function* readSplit(splitFile: string): AsyncGenerator<SplitRecord> {
  let buf: Buffer = Buffer.alloc(0);
  let pos = 0;
  let magicChecked = false;
  let ended = false;
  const bad = (why: string) => internal(`tar-split ${splitFile}: ${why}`);
  const readVarint = (): number | undefined => {
    let n = 0;
    let mul = 1;
    for (let i = pos; i < buf.length; i++) {
      const b = buf[i]!;
      n += (b & 0x7f) * mul;
      mul *= 128;
      if ((b & 0x80) === 0) {
        pos = i + 1;
        return n;
      }
      if (i - pos > 8) throw bad('bad number');
    }
    return undefined;
  };
  for await (const chunk of createReadStream(splitFile).pipe(createGunzip())) {
    buf = pos < buf.length ? Buffer.concat([buf.subarray(pos), chunk as Buffer]) : (chunk as Buffer);
    pos = 0;
    if (!magicChecked) {
      if (buf.length < SPLIT_MAGIC.length) continue;
      if (!buf.subarray(0, SPLIT_MAGIC.length).equals(SPLIT_MAGIC)) throw bad('not a tar-split file');
      pos = SPLIT_MAGIC.length;
      magicChecked = true;
    }
    for (;;) {
      if (ended && pos < buf.length) throw bad('data after the end record');
      const start = pos;
      const tag = buf[pos++];
      const rec = tag === undefined ? undefined : decodeOne(tag);
      if (rec === undefined) {
        pos = start;
        break;
      }
      if (rec.kind === 'end') ended = true;
      yield rec;
    }
  }
  if (!ended) throw bad('truncated');

  function decodeOne(tag: number): SplitRecord | undefined {
    switch (tag) {
      case 0x52: { // R
        const len = readVarint();
        if (len === undefined || buf.length - pos < len) return undefined;
        if (len > RAW_MAX) throw bad('raw record too large');
        const data = buf.subarray(pos, pos + len);
        pos += len;
        return { kind: 'raw', data };
      }
      case 0x46: { // F
        const size = readVarint();
        const len = size === undefined ? undefined : readVarint();
        if (size === undefined || len === undefined || buf.length - pos < len) return undefined;
        const p = buf.toString('utf8', pos, pos + len);
        pos += len;
        return { kind: 'file', path: p, size };
      }
      case 0x45: { // E
        const total = readVarint();
        return total === undefined ? undefined : { kind: 'end', total };
      }
      default:
        throw bad(`unknown record ${tag}`);
    }
  }
}

/** The original tar's length, from the split's end record. */
export async function splitTarSize(splitFile: string): Promise<number> {
  for await (const rec of readSplit(splitFile)) if (rec.kind === 'end') return rec.total;
  throw internal(`tar-split ${splitFile}: no end record`);
}

const READ_CHUNK = 1 << 20;

/**
 * Regenerates a layer's original tar from its directory and split file. Every file is read with
 * O_NOFOLLOW and must still have the size the tar gave it; the caller verifies the diffID of the result.
 */
export async function* layerTarStream(diffDir: string, splitFile: string): AsyncGenerator<Buffer> {
  for await (const rec of readSplit(splitFile)) {
    if (rec.kind === 'raw') yield Buffer.from(rec.data);
    else if (rec.kind === 'file') yield* readContent(diffDir, rec.path, rec.size);
  }
}

async function* readContent(diffDir: string, rel: string, size: number): AsyncGenerator<Buffer> {
  if (rel.split('/').some((c) => c === '..' || c === '' || c === '.')) throw invalidArgument(`tar-split: invalid path ${rel}`);
  const file = path.join(diffDir, rel);
  const fh = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const st = await fh.stat();
    if (!st.isFile() || st.size !== size) throw internal(`layer file ${file} changed: expected ${size} bytes, found ${st.size}`);
    let done = 0;
    while (done < size) {
      const want = Math.min(READ_CHUNK, size - done);
      const buf = Buffer.allocUnsafe(want);
      const { bytesRead } = await fh.read(buf, 0, want, done);
      if (bytesRead === 0) throw internal(`layer file ${file} shrank while being read`);
      done += bytesRead;
      yield bytesRead === want ? buf : buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}
