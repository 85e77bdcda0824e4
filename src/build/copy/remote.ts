// ADD's URL sources: downloaded through the injected fetch into a private temporary directory (the body is
// streamed to disk and hashed on the way, never held in memory), named after the URL's last path segment,
// timestamped from Last-Modified like moby's downloadSource, and never extracted even when a tar.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { invalidArgument } from '../../common/errors.js';

export type Fetch = (url: string) => Promise<{ body: AsyncIterable<Uint8Array>; lastModified?: Date; size?: number }>;

/** moby's urlutil.IsURL: only http and https count. */
export function isUrl(s: string): boolean {
  return s.startsWith('http://') || s.startsWith('https://');
}

export interface Downloaded {
  file: string;
  /** The URL path's last segment ('' when the path ends in '/' or is empty). */
  name: string;
  /** Seconds since the epoch (0 when the server sent no Last-Modified). */
  mtime: number;
}

/** Downloads `url`; the temporary directory is added to `temps` for the caller to remove. */
export async function download(url: string, fetch: Fetch, temps: string[], checksum?: string): Promise<Downloaded> {
  const name = fileName(url);
  const res = await fetch(url);
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'berth-add-'));
  temps.push(dir);
  const file = path.join(dir, 'download');
  const hash = createHash('sha256');
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  await pipeline(Readable.from(res.body), tap, fs.createWriteStream(file, { mode: 0o600, flags: 'wx' }));
  const digest = `sha256:${hash.digest('hex')}`;
  if (checksum !== undefined && digest !== checksum) throw invalidArgument(`digest mismatch ${digest}: ${checksum}`);
  const mtime = res.lastModified && !Number.isNaN(res.lastModified.getTime()) ? Math.max(0, Math.floor(res.lastModified.getTime() / 1000)) : 0;
  return { file, name, mtime };
}

function fileName(url: string): string {
  let p: string;
  try {
    p = decodeURIComponent(new URL(url).pathname);
  } catch {
    throw invalidArgument(`parse "${url}": invalid URL`);
  }
  if (p === '' || p.endsWith('/')) return '';
  return path.posix.basename(p);
}
