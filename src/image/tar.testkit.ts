// Test helpers: tar archives written header by header (so tests can build archives no well-behaved tool
// would produce), and a real tar of a directory made with GNU tar.
import { spawnSync } from 'node:child_process';

export interface TarEntry {
  name: string;
  type?: 'file' | 'dir' | 'symlink' | 'hardlink' | 'fifo';
  data?: Buffer | string;
  linkname?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  /** PAX extended header records written before the entry (e.g. `path`, `SCHILY.xattr.*`). */
  pax?: Record<string, string>;
  /** Write the name through a GNU long-name ('L') entry instead of the header field. */
  gnuLongName?: boolean;
}

const TYPEFLAG = { file: '0', hardlink: '1', symlink: '2', dir: '5', fifo: '6' } as const;

export function buildTar(entries: TarEntry[]): Buffer {
  const out: Buffer[] = [];
  for (const e of entries) {
    if (e.pax) {
      const body = Buffer.from(Object.entries(e.pax).map(([k, v]) => paxRecord(k, v)).join(''));
      out.push(header({ name: 'PaxHeaders/x', typeflag: 'x', size: body.length }), pad(body));
    }
    let name = e.name;
    if (e.gnuLongName) {
      const body = Buffer.from(`${e.name}\0`);
      out.push(header({ name: '././@LongLink', typeflag: 'L', size: body.length }), pad(body));
      name = e.name.slice(0, 99);
    }
    const data = e.data === undefined ? Buffer.alloc(0) : Buffer.from(e.data);
    const type = e.type ?? 'file';
    out.push(
      header({
        name,
        typeflag: TYPEFLAG[type],
        size: type === 'file' ? data.length : 0,
        mode: e.mode ?? (type === 'dir' ? 0o755 : 0o644),
        uid: e.uid ?? 0,
        gid: e.gid ?? 0,
        linkname: e.linkname ?? '',
      }),
    );
    if (type === 'file') out.push(pad(data));
  }
  out.push(Buffer.alloc(1024));
  return Buffer.concat(out);
}

/** `tar -c` of a directory's contents, as `docker export` would hand it over. */
export function tarOfDirectory(dir: string): Buffer {
  const r = spawnSync('tar', ['--numeric-owner', '--xattrs', '-C', dir, '-cf', '-', '.'], { maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`tar -c ${dir}: ${r.stderr.toString()}`);
  return r.stdout;
}

function header(h: { name: string; typeflag: string; size: number; mode?: number; uid?: number; gid?: number; linkname?: string }): Buffer {
  const b = Buffer.alloc(512);
  b.write(h.name, 0, 100, 'utf8');
  octal(b, 100, 8, h.mode ?? 0o644);
  octal(b, 108, 8, h.uid ?? 0);
  octal(b, 116, 8, h.gid ?? 0);
  octal(b, 124, 12, h.size);
  octal(b, 136, 12, 1_700_000_000);
  b.write(h.typeflag, 156, 1, 'latin1');
  b.write(h.linkname ?? '', 157, 100, 'utf8');
  b.write('ustar\0', 257, 6, 'latin1');
  b.write('00', 263, 2, 'latin1');
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  return b;
}

function octal(b: Buffer, offset: number, length: number, value: number): void {
  b.write(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, length, 'latin1');
}

function pad(data: Buffer): Buffer {
  const rest = data.length % 512;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(512 - rest)]);
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = body.length + 1;
  while (`${len}${body}`.length !== len) len++;
  return `${len}${body}`;
}
