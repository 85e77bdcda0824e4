// ADD's local archives: a source that is a tar (plain, gzip, bzip2, xz or zstd — told by magic bytes, never
// by the name, like moby's isArchivePath) is unpacked into the destination instead of copied. Its entries
// are re-emitted under the destination directory: names climbing out (`../`), hard links and relative
// symlinks pointing out of it, and entries reached through a symlink the same archive made, are refused
// with moby's breakout wording, so an archive can only ever add files below the destination.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract, type Header } from 'tar-stream';
import { errnoCode, invalidArgument } from '../../common/errors.js';
import type { Ids } from './owner.js';
import { tarHeader, tarPadding, type TarEntry, type TarType } from './tar-writer.js';

export type Compression = 'none' | 'gzip' | 'bzip2' | 'xz' | 'zstd';

export function detectCompression(head: Buffer): Compression {
  const starts = (...bytes: number[]) => head.length >= bytes.length && bytes.every((b, i) => head[i] === b);
  if (starts(0x1f, 0x8b, 0x08)) return 'gzip';
  if (starts(0x42, 0x5a, 0x68)) return 'bzip2';
  if (starts(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) return 'xz';
  if (starts(0x28, 0xb5, 0x2f, 0xfd)) return 'zstd';
  return 'none';
}

const TOOLS: Record<'bzip2' | 'xz' | 'zstd', [string, string[]]> = { bzip2: ['bzip2', ['-dc']], xz: ['xz', ['-dc']], zstd: ['zstd', ['-dcq']] };

/** The decompressed bytes of `input`. */
export function decompress(input: AsyncIterable<Buffer>, c: Compression): AsyncIterable<Buffer> {
  if (c === 'none') return input;
  if (c === 'gzip') {
    const gz = createGunzip();
    pipeline(Readable.from(input), gz).catch(() => undefined); // a failure destroys gz, which its reader sees
    return gz;
  }
  const [cmd, args] = TOOLS[c];
  return viaProcess(cmd, args, input);
}

async function* viaProcess(cmd: string, args: string[], input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 4096) stderr += d.toString();
  });
  const exit = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  exit.catch(() => undefined);
  const feed = pipeline(Readable.from(input), child.stdin).then(() => undefined, (e: unknown) => e);
  try {
    for await (const chunk of child.stdout) yield chunk as Buffer;
    const code = await exit;
    if (code !== 0) throw invalidArgument(`${cmd}: ${stderr.trim() || `exit status ${code}`}`);
    const fed = await feed;
    if (fed !== undefined && errnoCode(fed) !== 'EPIPE') throw fed;
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

async function readHead(file: string, n: number): Promise<Buffer> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Whether the file is a tar archive: its (decompressed) first block is a valid, non-empty tar header. */
export async function isTarArchive(file: string): Promise<boolean> {
  const c = detectCompression(await readHead(file, 6));
  let block = Buffer.alloc(0);
  try {
    for await (const chunk of decompress(fs.createReadStream(file), c)) {
      block = Buffer.concat([block, chunk]);
      if (block.length >= 512) break;
    }
  } catch {
    return false;
  }
  return block.length >= 512 && validHeader(block.subarray(0, 512));
}

function validHeader(b: Buffer): boolean {
  if (b.every((x) => x === 0)) return false;
  const field = b.subarray(148, 156).toString('latin1').replace(/[\0 ]+$/g, '').trim();
  if (!/^[0-7]+$/.test(field)) return false;
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < 512; i++) {
    const v = i >= 148 && i < 156 ? 0x20 : b[i]!;
    unsigned += v;
    signed += v > 127 ? v - 256 : v;
  }
  const want = parseInt(field, 8);
  return want === unsigned || want === signed;
}

const TYPES: Partial<Record<Header['type'], TarType>> = {
  file: 'file',
  'contiguous-file': 'file',
  directory: 'dir',
  symlink: 'symlink',
  link: 'hardlink',
  'character-device': 'char',
  'block-device': 'block',
  fifo: 'fifo',
};

/**
 * The layer entries (headers, content, padding) of the archive `file` unpacked into `destDir` (relative to
 * the image root, '' for root). Owners are the archive's unless `ids` (--chown) is given.
 */
export async function* archiveChunks(file: string, destDir: string, ids?: Ids, signal?: AbortSignal): AsyncGenerator<Buffer> {
  const c = detectCompression(await readHead(file, 6));
  const ex = extract();
  const feeding = pipeline(Readable.from(decompress(fs.createReadStream(file), c)), ex).then(() => undefined, (e: unknown) => e);
  const symlinks = new Set<string>();
  const dest = `/${destDir}`;
  try {
    for await (const entry of ex) {
      signal?.throwIfAborted();
      const h = entry.header;
      const type = TYPES[h.type];
      const rel = inside(h.name);
      if (rel === undefined) throw breakout(`${JSON.stringify(h.name)} is outside of ${JSON.stringify(dest)}`);
      if (type === undefined || rel === '') {
        entry.resume();
        continue;
      }
      if ([...ancestors(rel)].some((a) => symlinks.has(a))) throw breakout(`${JSON.stringify(h.name)} is outside of ${JSON.stringify(dest)}`);
      const out: TarEntry = {
        name: path.posix.join(destDir, rel),
        type,
        mode: h.mode,
        uid: ids?.uid ?? h.uid,
        gid: ids?.gid ?? h.gid,
        mtime: h.mtime.getTime() / 1000,
        ...(type === 'file' ? { size: h.size } : {}),
        ...(type === 'char' || type === 'block' ? { devmajor: h.devmajor, devminor: h.devminor } : {}),
      };
      if (type === 'hardlink') {
        const target = inside(h.linkname);
        if (target === undefined || target === '') throw breakout(`invalid hardlink ${JSON.stringify(h.linkname)} -> ${JSON.stringify(h.name)}`);
        out.linkname = path.posix.join(destDir, target);
      } else if (type === 'symlink') {
        // An absolute target means the image's root at run time; only a relative one can climb out of dest.
        if (!h.linkname.startsWith('/') && inside(path.posix.join(path.posix.dirname(rel), h.linkname)) === undefined) {
          throw breakout(`invalid symlink ${JSON.stringify(h.linkname)} -> ${JSON.stringify(h.name)}`);
        }
        out.linkname = h.linkname;
        symlinks.add(rel);
      } else symlinks.delete(rel);
      yield tarHeader(out);
      if (type === 'file') {
        for await (const chunk of entry) yield chunk as Buffer;
        yield tarPadding(h.size);
      } else entry.resume();
    }
    const fed = await feeding;
    if (fed !== undefined) throw invalidArgument(`failed to extract ${path.basename(file)}: ${(fed as Error).message}`, fed);
  } finally {
    ex.destroy();
  }
}

/** `name` (a path inside the archive) cleaned, '' for the top, or undefined when it climbs out of it. */
function inside(name: string): string | undefined {
  const clean = path.posix.normalize(`./${name.replace(/^\/+/, '')}`).replace(/\/+$/, '');
  if (clean === '..' || clean.startsWith('../')) return undefined;
  return clean === '.' ? '' : clean;
}

function* ancestors(rel: string): Generator<string> {
  const parts = rel.split('/');
  for (let i = 1; i < parts.length; i++) yield parts.slice(0, i).join('/');
}

function breakout(msg: string): Error {
  return invalidArgument(`Error processing tar file: ${msg}`);
}
