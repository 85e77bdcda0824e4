// The few pieces of the tar format Berth reads and writes itself, below what tar-stream offers: numbers in
// octal or base-256, PAX records with binary values (xattrs are bytes, not UTF-8), and ustar headers with a
// PAX header in front when a field does not fit. Used by the tar-split walker, the image archive writer and
// the whiteout rewrite of packLayer.

export const BLOCK = 512;

export type EntryType = 'file' | 'link' | 'symlink' | 'char' | 'block' | 'dir' | 'fifo';

const TYPEFLAG: Record<EntryType, string> = { file: '0', link: '1', symlink: '2', char: '3', block: '4', dir: '5', fifo: '6' };

export function paddedSize(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}

/** A numeric header field: octal text, or base-256 when the high bit of the first byte is set (GNU, Go). */
export function readNumber(block: Buffer, offset: number, length: number): number {
  if (block[offset]! & 0x80) {
    let n = block[offset]! & 0x7f;
    for (let i = 1; i < length; i++) n = n * 256 + block[offset + i]!;
    return n;
  }
  let s = '';
  for (let i = offset; i < offset + length; i++) {
    const c = block[i]!;
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  const t = s.trim();
  return t === '' ? 0 : parseInt(t, 8);
}

export function readString(block: Buffer, offset: number, length: number): string {
  const end = block.indexOf(0, offset);
  return block.toString('utf8', offset, end === -1 || end > offset + length ? offset + length : end);
}

/** True for a header block whose checksum is right (signed or unsigned sum, as readers accept both). */
export function validChecksum(block: Buffer): boolean {
  const stored = readNumber(block, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return stored === unsigned || stored === signed;
}

export function isZeroBlock(block: Buffer, offset = 0): boolean {
  for (let i = offset; i < offset + BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

/** The name in a ustar header; old GNU headers use the prefix field for times, so only ustar gets it. */
export function headerName(block: Buffer): string {
  const name = readString(block, 0, 100);
  const ustar = block.toString('latin1', 257, 263) === 'ustar\0';
  if (ustar && block[345] !== 0) return `${readString(block, 345, 155)}/${name}`;
  return name;
}

/** PAX records `len key=value\n`; values stay bytes. Malformed input ends the parse (as GNU tar warns). */
export function parsePax(data: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let i = 0;
  while (i < data.length) {
    const space = data.indexOf(0x20, i);
    if (space === -1) break;
    const len = parseInt(data.toString('latin1', i, space), 10);
    if (!Number.isInteger(len) || len <= 0 || i + len > data.length) break;
    const record = data.subarray(space + 1, i + len - 1);
    const eq = record.indexOf(0x3d);
    if (eq !== -1) out.set(record.toString('utf8', 0, eq), record.subarray(eq + 1));
    i += len;
  }
  return out;
}

export function paxRecord(key: string, value: Buffer | string): Buffer {
  const v = typeof value === 'string' ? Buffer.from(value) : value;
  const body = Buffer.byteLength(key) + v.length + 3; // ' ' '=' '\n'
  let len = body + String(body).length;
  if (String(len).length !== String(body).length) len = body + String(len).length;
  return Buffer.concat([Buffer.from(`${len} ${key}=`), v, Buffer.from('\n')]);
}

export interface HeaderFields {
  name: string;
  type: EntryType;
  size?: number;
  mode?: number;
  uid?: number;
  gid?: number;
  /** Seconds since the epoch. */
  mtime?: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  /** Extra PAX records (xattrs as `SCHILY.xattr.<name>`). */
  pax?: Map<string, Buffer>;
}

const MAX_OCTAL_7 = 0o7777777;
const MAX_OCTAL_11 = 0o77777777777;

/**
 * One entry's header blocks: a ustar header, preceded by a PAX header when the name, link name, ids or size
 * do not fit in ustar fields or extra records were given (Go's archive/tar, and so Docker, does the same).
 */
export function encodeHeader(h: HeaderFields): Buffer {
  const size = h.size ?? 0;
  const uid = h.uid ?? 0;
  const gid = h.gid ?? 0;
  const pax = new Map(h.pax ?? []);
  const split = splitName(h.name);
  if (!split) pax.set('path', Buffer.from(h.name));
  const linkname = h.linkname ?? '';
  if (Buffer.byteLength(linkname) > 100) pax.set('linkpath', Buffer.from(linkname));
  if (uid > MAX_OCTAL_7) pax.set('uid', Buffer.from(String(uid)));
  if (gid > MAX_OCTAL_7) pax.set('gid', Buffer.from(String(gid)));
  if (size > MAX_OCTAL_11) pax.set('size', Buffer.from(String(size)));
  const ustar = ustarHeader({ ...h, name: split?.name ?? h.name.slice(0, 100), prefix: split?.prefix ?? '', size, uid, gid, linkname });
  if (pax.size === 0) return ustar;
  const body = Buffer.concat([...pax].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => paxRecord(k, v)));
  const paxName = `PaxHeaders.0/${(split?.name ?? h.name).slice(-80)}`;
  const paxHeader = ustarHeader({ name: paxName, prefix: '', type: 'file', size: body.length, mode: 0o644, uid: 0, gid: 0, mtime: h.mtime ?? 0, linkname: '' }, 'x');
  return Buffer.concat([paxHeader, body, Buffer.alloc(paddedSize(body.length) - body.length), ustar]);
}

function splitName(name: string): { name: string; prefix: string } | undefined {
  if (Buffer.byteLength(name) <= 100) return { name, prefix: '' };
  for (let i = name.indexOf('/'); i !== -1; i = name.indexOf('/', i + 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100 && rest !== '') return { name: rest, prefix };
  }
  return undefined;
}

interface UstarFields extends HeaderFields {
  prefix: string;
  size: number;
  uid: number;
  gid: number;
  linkname: string;
}

function ustarHeader(h: UstarFields, typeflag = TYPEFLAG[h.type]): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.write(h.name, 0, 100, 'utf8');
  octal(b, 100, 8, (h.mode ?? 0o644) & 0o7777);
  octal(b, 108, 8, Math.min(h.uid, MAX_OCTAL_7));
  octal(b, 116, 8, Math.min(h.gid, MAX_OCTAL_7));
  octal(b, 124, 12, Math.min(h.size, MAX_OCTAL_11));
  octal(b, 136, 12, Math.max(0, Math.min(Math.floor(h.mtime ?? 0), MAX_OCTAL_11)));
  b.write(typeflag, 156, 1, 'latin1');
  b.write(h.linkname, 157, 100, 'utf8');
  b.write('ustar\0', 257, 6, 'latin1');
  b.write('00', 263, 2, 'latin1');
  if (h.type === 'char' || h.type === 'block') {
    octal(b, 329, 8, h.devmajor ?? 0);
    octal(b, 337, 8, h.devminor ?? 0);
  }
  b.write(h.prefix, 345, 155, 'utf8');
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += b[i]!;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  return b;
}

function octal(b: Buffer, offset: number, length: number, value: number): void {
  b.write(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, length, 'latin1');
}
