// A small streaming tar writer for COPY/ADD layers: one header per entry, built in memory (512 bytes or a
// few more with PAX records), the content streamed by the caller. ustar fields where they fit; PAX records
// ('x' entries) for what does not: names over ustar's 100+155 bytes, non-ASCII names (so every reader sees
// UTF-8 the same way), long link targets, sizes of 8 GiB and more, and ids past ustar's 7 octal digits.

export type TarType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

export interface TarEntry {
  /** Relative path inside the layer ('usr/bin/x'); directories without the trailing '/' (added here). */
  name: string;
  type: TarType;
  /** Permission bits with setuid/setgid/sticky (07777). */
  mode: number;
  uid: number;
  gid: number;
  /** Content length (files only). */
  size?: number;
  /** Seconds since the epoch. */
  mtime: number;
  /** symlink target or hard-link target path. */
  linkname?: string;
  devmajor?: number;
  devminor?: number;
}

const BLOCK = 512;
const TYPEFLAG: Record<TarType, string> = { file: '0', hardlink: '1', symlink: '2', char: '3', block: '4', dir: '5', fifo: '6' };

/** The two zero blocks that end an archive. */
export const TAR_END = Buffer.alloc(BLOCK * 2);

/** Zero bytes that pad `size` bytes of content to a whole block. */
export function tarPadding(size: number): Buffer {
  const rest = size % BLOCK;
  return rest === 0 ? Buffer.alloc(0) : Buffer.alloc(BLOCK - rest);
}

/** The header block(s) for one entry: a PAX extended header first when a field does not fit ustar. */
export function tarHeader(e: TarEntry): Buffer {
  const name = e.type === 'dir' && !e.name.endsWith('/') ? `${e.name}/` : e.name;
  const size = e.type === 'file' ? (e.size ?? 0) : 0;
  const link = e.linkname ?? '';
  const mtime = Math.max(0, Math.floor(e.mtime));
  const pax: [string, string][] = [];

  const split = splitName(name);
  if (!split) pax.push(['path', name]);
  if (Buffer.byteLength(link) > 100 || !isAscii(link)) pax.push(['linkpath', link]);
  if (size > 0o77777777777) pax.push(['size', String(size)]);
  if (e.uid > 0o7777777) pax.push(['uid', String(e.uid)]);
  if (e.gid > 0o7777777) pax.push(['gid', String(e.gid)]);
  if (mtime > 0o77777777777) pax.push(['mtime', String(mtime)]);

  const main = ustar({
    name: split ? split.name : asciiCut(name, 100),
    prefix: split ? split.prefix : '',
    mode: e.mode & 0o7777,
    uid: e.uid > 0o7777777 ? 0 : e.uid,
    gid: e.gid > 0o7777777 ? 0 : e.gid,
    size: size > 0o77777777777 ? 0 : size,
    mtime: mtime > 0o77777777777 ? 0 : mtime,
    typeflag: TYPEFLAG[e.type],
    linkname: Buffer.byteLength(link) > 100 || !isAscii(link) ? asciiCut(link, 100) : link,
    devmajor: e.devmajor ?? 0,
    devminor: e.devminor ?? 0,
  });
  if (pax.length === 0) return main;
  const body = Buffer.from(pax.map(([k, v]) => paxRecord(k, v)).join(''), 'utf8');
  const base = name.replace(/\/$/, '').split('/').pop() ?? 'x';
  const xhdr = ustar({
    name: asciiCut(`PaxHeaders.0/${base}`, 100),
    prefix: '',
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: body.length,
    mtime,
    typeflag: 'x',
    linkname: '',
    devmajor: 0,
    devminor: 0,
  });
  return Buffer.concat([xhdr, body, tarPadding(body.length), main]);
}

interface Fields {
  name: string;
  prefix: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: string;
  linkname: string;
  devmajor: number;
  devminor: number;
}

function ustar(f: Fields): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.write(f.name, 0, 100, 'utf8');
  octal(b, 100, 8, f.mode);
  octal(b, 108, 8, f.uid);
  octal(b, 116, 8, f.gid);
  octal(b, 124, 12, f.size);
  octal(b, 136, 12, f.mtime);
  b.fill(0x20, 148, 156);
  b.write(f.typeflag, 156, 1, 'latin1');
  b.write(f.linkname, 157, 100, 'utf8');
  b.write('ustar\u000000', 257, 8, 'latin1');
  octal(b, 329, 8, f.devmajor);
  octal(b, 337, 8, f.devminor);
  b.write(f.prefix, 345, 155, 'utf8');
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += b[i]!;
  b.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'latin1');
  return b;
}

/** Zero-padded octal digits and a NUL, as ustar readers expect. */
function octal(b: Buffer, off: number, width: number, n: number): void {
  b.write(`${Math.floor(n).toString(8).padStart(width - 1, '0')}\u0000`, off, width, 'latin1');
}

/** ustar's name/prefix split of an ASCII path, or undefined when PAX must carry it. */
function splitName(name: string): { name: string; prefix: string } | undefined {
  if (!isAscii(name)) return undefined;
  if (name.length <= 100) return { name, prefix: '' };
  // The prefix ends at a '/', which the split drops; a directory's trailing '/' stays in `name`.
  for (let i = name.indexOf('/'); i !== -1; i = name.indexOf('/', i + 1)) {
    if (i > 155) break;
    const rest = name.slice(i + 1);
    if (rest.length <= 100 && rest !== '' && rest !== '/') return { name: rest, prefix: name.slice(0, i) };
  }
  return undefined;
}

function isAscii(s: string): boolean {
  return /^[\x01-\x7f]*$/.test(s);
}

function asciiCut(s: string, n: number): string {
  return s.replace(/[^\x01-\x7f]/g, '_').slice(0, n);
}

/** One PAX record: "<len> <key>=<value>\n", where len counts the whole record, its own digits included. */
function paxRecord(key: string, value: string): string {
  const rest = Buffer.byteLength(` ${key}=${value}\n`);
  let len = rest + String(rest).length;
  if (String(len).length !== String(rest).length) len = rest + String(len).length;
  return `${len} ${key}=${value}\n`;
}
