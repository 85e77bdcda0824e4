// A layer tar of a directory (`commit` of a container's upper directory, or a layer with no tar-split).
// GNU tar writes the archive: Node cannot read extended attributes at all, and tar already gets right what a
// layer needs (hard links by inode, devices, fifos, numeric owners, PAX headers only where ustar falls short,
// binary xattr values, entries sorted by name, files streamed). Node then rewrites overlayfs' whiteouts into
// the AUFS form image layers carry, as Docker does on export: a 0/0 character device becomes an empty
// `.wh.<name>` file, a directory with trusted.overlay.opaque=y gets a `.wh..wh..opq` entry, and no
// trusted.overlay.* attribute leaves the host. Every other byte passes through uncopied.
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { internal } from '../../common/errors.js';
import { BLOCK, encodeHeader, headerName, isZeroBlock, paddedSize, parsePax, readNumber, readString, type EntryType } from './tar-header.js';

export interface PackOptions {
  /** The directory is an overlay upper directory: convert its whiteouts and opaque directories. */
  fromOverlayUpper: boolean;
}

const OVERLAY_XATTR = 'SCHILY.xattr.trusted.overlay.';
const OPAQUE = `${OVERLAY_XATTR}opaque`;

export async function* packLayer(dir: string, opts: PackOptions): AsyncGenerator<Buffer> {
  // Top-level names are given sorted, so the root itself is not an entry (Docker's layers have none).
  const names = (await readdir(dir)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const args = [
    '-C', dir, '-c', '-f', '-', '--format=posix',
    '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime,delete=mtime',
    '--numeric-owner', '--xattrs', '--xattrs-include=*', '--sort=name', '--null', '-T', '-',
  ];
  const tar = spawn('tar', args, { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' } });
  let stderr = '';
  tar.stderr.setEncoding('utf8').on('data', (s: string) => {
    if (stderr.length < 4096) stderr += s;
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    tar.once('error', reject);
    tar.once('close', (code) => resolve(code));
  });
  exited.catch(() => undefined);
  tar.stdin.on('error', () => undefined);
  tar.stdin.end(names.map((n) => `${n}\0`).join(''));
  try {
    if (opts.fromOverlayUpper) yield* rewriteWhiteouts(tar.stdout);
    else for await (const c of tar.stdout) yield c as Buffer;
    const code = await exited;
    if (code !== 0) throw internal(`tar -c ${dir}: ${stderr.trim() || `exit status ${code}`}`);
  } finally {
    if (tar.exitCode === null && tar.signalCode === null) tar.kill('SIGKILL');
  }
}

interface Parsed {
  name: string;
  type: string;
  size: number;
  pax: Map<string, Buffer>;
  block: Buffer;
}

/** Walks the tar GNU tar wrote, replacing only the header groups that carry overlay metadata. */
async function* rewriteWhiteouts(source: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  let group: Buffer[] = [];
  let pax = new Map<string, Buffer>();
  let pending: Buffer = Buffer.alloc(0);
  let metaLeft = 0;
  let metaBody: Buffer[] = [];
  let dataLeft = 0;
  let ended = false;
  for await (const c of source) {
    let chunk = typeof c === 'string' ? Buffer.from(c) : c;
    if (ended) {
      yield chunk;
      continue;
    }
    if (pending.length > 0) {
      chunk = Buffer.concat([pending, chunk]);
      pending = Buffer.alloc(0);
    }
    let i = 0;
    const out: Buffer[] = [];
    while (i < chunk.length) {
      if (dataLeft > 0) {
        const n = Math.min(dataLeft, chunk.length - i);
        out.push(chunk.subarray(i, i + n));
        dataLeft -= n;
        i += n;
        continue;
      }
      if (chunk.length - i < BLOCK) {
        pending = Buffer.from(chunk.subarray(i));
        break;
      }
      if (metaLeft > 0) {
        const n = Math.min(metaLeft, chunk.length - i);
        const piece = Buffer.from(chunk.subarray(i, i + n));
        group.push(piece);
        metaBody.push(piece);
        metaLeft -= n;
        i += n;
        if (metaLeft === 0) for (const [k, v] of parsePax(Buffer.concat(metaBody))) pax.set(k, v);
        continue;
      }
      const block = Buffer.from(chunk.subarray(i, i + BLOCK));
      i += BLOCK;
      if (isZeroBlock(block)) {
        out.push(...group, block, chunk.subarray(i));
        ended = true;
        break;
      }
      const type = String.fromCharCode(block[156]!);
      if (type === 'x') {
        group.push(block);
        metaLeft = paddedSize(readNumber(block, 124, 12));
        metaBody = [];
        continue;
      }
      const paxSize = pax.get('size');
      const entry: Parsed = { name: pax.get('path')?.toString('utf8') ?? headerName(block), type, size: paxSize ? Number(paxSize.toString()) : readNumber(block, 124, 12), pax, block };
      out.push(...convert(entry, [...group, block]));
      dataLeft = type === '0' || type === '\0' || type === '7' ? paddedSize(entry.size) : 0;
      group = [];
      pax = new Map();
    }
    for (const b of out) yield b;
  }
  if (pending.length > 0) yield pending;
}

function convert(e: Parsed, original: Buffer[]): Buffer[] {
  const overlayKeys = [...e.pax.keys()].filter((k) => k.startsWith(OVERLAY_XATTR));
  const isWhiteout = e.type === '3' && readNumber(e.block, 329, 8) === 0 && readNumber(e.block, 337, 8) === 0;
  if (!isWhiteout && overlayKeys.length === 0) return original;
  const base = {
    uid: Number(e.pax.get('uid')?.toString() ?? readNumber(e.block, 108, 8)),
    gid: Number(e.pax.get('gid')?.toString() ?? readNumber(e.block, 116, 8)),
    mtime: readNumber(e.block, 136, 12),
  };
  const name = e.name.replace(/\/+$/, '');
  if (isWhiteout) {
    const slash = name.lastIndexOf('/');
    const wh = `${name.slice(0, slash + 1)}.wh.${name.slice(slash + 1)}`;
    return [encodeHeader({ ...base, name: wh, type: 'file', mode: 0o600 })];
  }
  const pax = new Map([...e.pax].filter(([k]) => !k.startsWith(OVERLAY_XATTR) && !['path', 'linkpath', 'size', 'uid', 'gid'].includes(k)));
  const mode = readNumber(e.block, 100, 8);
  const header = encodeHeader({
    ...base,
    name: e.type === '5' ? `${name}/` : name,
    type: TYPE_OF[e.type] ?? 'file',
    size: e.size,
    mode,
    linkname: e.pax.get('linkpath')?.toString('utf8') ?? readString(e.block, 157, 100),
    devmajor: readNumber(e.block, 329, 8),
    devminor: readNumber(e.block, 337, 8),
    pax,
  });
  const opaque = e.type === '5' && e.pax.get(OPAQUE)?.toString() === 'y';
  if (!opaque) return [header];
  return [header, encodeHeader({ ...base, name: `${name}/.wh..wh..opq`, type: 'file', mode: mode & 0o777 })];
}

const TYPE_OF: Record<string, EntryType> = { '0': 'file', '\0': 'file', '7': 'file', '1': 'link', '2': 'symlink', '3': 'char', '4': 'block', '5': 'dir', '6': 'fifo' };
