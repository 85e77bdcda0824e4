// GET/HEAD/DELETE /v2/<name>/blobs/<digest>: content streamed from disk, with single byte ranges (resumed
// pulls), ETag and long caching since the content behind a digest never changes.
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { registryError } from './errors.js';
import { isHead, sendEmpty, writeGuard, type Ctx } from './context.js';
import { checkName, isDigest, sha256HexOf } from './names.js';
import { STREAM_CHUNK } from './uploads.js';

function blobHex(digest: string): string {
  if (!isDigest(digest)) throw registryError('DIGEST_INVALID', `invalid digest: ${digest}`);
  const hex = sha256HexOf(digest);
  if (hex === undefined) throw registryError('BLOB_UNKNOWN', digest);
  return hex;
}

export async function getBlob(ctx: Ctx, [rawName, digest]: string[]): Promise<void> {
  const name = checkName(rawName!);
  const hex = blobHex(digest!);
  const size = await ctx.storage.repoBlobSize(name, hex);
  if (size === undefined) throw registryError('BLOB_UNKNOWN', digest);
  const { res, req } = ctx;
  res.setHeader('Docker-Content-Digest', `sha256:${hex}`);
  res.setHeader('ETag', `"sha256:${hex}"`);
  res.setHeader('Cache-Control', 'max-age=31536000');
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Content-Type', 'application/octet-stream');
  const inm = req.headers['if-none-match'];
  if (inm !== undefined && inm.split(',').some((t) => t.trim().replace(/^W\//, '').replace(/"/g, '') === `sha256:${hex}`)) {
    res.writeHead(304);
    res.end();
    return;
  }
  let start = 0;
  let end = size - 1;
  let status = 200;
  const range = parseRange(req.headers.range, size);
  if (range === 'unsatisfiable') {
    res.setHeader('Content-Range', `bytes */${size}`);
    sendEmpty(ctx, 416);
    return;
  }
  if (range) {
    [start, end] = range;
    status = 206;
    res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
  }
  res.setHeader('Content-Length', String(end - start + 1));
  res.writeHead(status);
  if (isHead(ctx) || size === 0) {
    res.end();
    return;
  }
  await pipeline(createReadStream(ctx.storage.blobPath(hex), { start, end, highWaterMark: STREAM_CHUNK }), res);
}

export async function deleteBlob(ctx: Ctx, [rawName, digest]: string[]): Promise<void> {
  writeGuard(ctx);
  const name = checkName(rawName!);
  const hex = blobHex(digest!);
  if (!(await ctx.storage.unlinkLayer(name, hex))) throw registryError('BLOB_UNKNOWN', digest);
  sendEmpty(ctx, 202, { 'Docker-Content-Digest': `sha256:${hex}` });
}

/**
 * One `bytes=` range (first-last, first-, -suffix). Several ranges are answered with the whole blob, which
 * RFC 9110 allows; a range that starts past the end is unsatisfiable.
 */
export function parseRange(header: string | undefined, size: number): [number, number] | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    return [Math.max(0, size - suffix), size - 1];
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size) return 'unsatisfiable';
  if (end < start) return undefined;
  return [start, end];
}
