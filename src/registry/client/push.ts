// Blob upload (distribution spec "pushing blobs"): POST opens an upload, the bytes go in one streamed PATCH
// or in PATCHes of chunkSize, and PUT ?digest= commits. A small blob of known digest and size goes in the
// PUT itself. On a 5xx or a dropped connection the whole upload starts again from a freshly opened body.
import { EngineError, isEngineError } from '../../common/errors.js';
import { parseDigest, newHash } from './digest.js';
import { httpError, isRetryableNetworkError, parseHttpFailure } from './errors.js';
import { header, type RegistryResponse, type Transport } from './transport.js';
import type { Repository } from './types.js';

export interface PushBlobSource {
  /** Known up front (it is for layers in a store); computed while streaming otherwise. */
  digest?: string;
  size?: number;
  /** Opens the bytes; called again when an upload has to start over. */
  body: () => AsyncIterable<Buffer>;
}

export interface PushBlobOptions {
  /** Send PATCHes of this many bytes (buffered in memory) instead of one streamed PATCH. */
  chunkSize?: number;
  /** Blobs of known digest up to this size go in a single PUT (default 1 MiB). */
  monolithicMax?: number;
  onProgress?: (bytesSent: number) => void;
  signal?: AbortSignal;
}

/** A failure worth starting the upload again for. */
class RetryUpload extends Error {
  constructor(readonly error: EngineError) {
    super(error.message);
  }
}

const OCTET = 'application/octet-stream';

export async function pushBlob(
  t: Transport,
  repo: Repository,
  scopes: readonly string[],
  src: PushBlobSource,
  opts: PushBlobOptions,
): Promise<string> {
  if (src.digest !== undefined) parseDigest(src.digest);
  for (let attempt = 0; ; attempt++) {
    try {
      return await uploadOnce(t, repo, scopes, src, opts);
    } catch (e) {
      const retry = e instanceof RetryUpload || (isEngineError(e, 'unavailable') && isRetryableNetworkError(e.cause));
      if (!retry || attempt >= t.retryPolicy.attempts || opts.signal?.aborted) throw e instanceof RetryUpload ? e.error : e;
      await t.backoff(attempt, opts.signal);
    }
  }
}

async function expect(res: RegistryResponse, status: number, repo: Repository): Promise<void> {
  if (res.status === status) {
    await res.body.dump();
    return;
  }
  const text = await res.body.text().catch(() => '');
  const err = httpError(parseHttpFailure(res.status, text, header(res, 'www-authenticate')), { pull: false, repo });
    // A 401 mid-upload is an expired token: the transport dropped it, and a new upload gets a fresh one.
  throw res.status >= 500 || res.status === 401 ? new RetryUpload(err) : err;
}

function nextLocation(res: RegistryResponse, current: string): string {
  const loc = header(res, 'location');
  return loc ? new URL(loc, res.url).href : current;
}

const withDigest = (location: string, digest: string) =>
  `${location}${location.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`;

async function uploadOnce(t: Transport, repo: Repository, scopes: readonly string[], src: PushBlobSource, opts: PushBlobOptions): Promise<string> {
  const signal = opts.signal ? { signal: opts.signal } : {};
  const started = await t.send(repo.domain, { method: 'POST', url: `/v2/${repo.path}/blobs/uploads/`, scopes, idempotent: true, ...signal });
  await expect(started, 202, repo);
  let location = nextLocation(started, '');
  if (location === '') throw new EngineError('internal', 'registry started an upload without a Location');

  const algorithm = src.digest ? parseDigest(src.digest).algorithm : 'sha256';
  const hash = newHash(algorithm);
  let sent = 0;
  const counted = async function* (it: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const c of it) {
      hash.update(c);
      sent += c.length;
      opts.onProgress?.(sent);
      yield c;
    }
  };

  if (src.digest !== undefined && src.size !== undefined && src.size <= (opts.monolithicMax ?? 1 << 20)) {
    const body = counted(src.body());
    const res = await t.send(repo.domain, {
      method: 'PUT', url: withDigest(location, src.digest), scopes, idempotent: false, body: () => body, replayable: false,
      headers: { 'content-type': OCTET, 'content-length': String(src.size) }, ...signal,
    });
    await expect(res, 201, repo);
    return src.digest;
  }

  if (opts.chunkSize !== undefined && opts.chunkSize > 0) {
    for await (const chunk of chunks(src.body(), opts.chunkSize)) {
      hash.update(chunk);
      const res = await t.send(repo.domain, {
        method: 'PATCH', url: location, scopes, idempotent: false, body: () => chunk,
        headers: { 'content-type': OCTET, 'content-length': String(chunk.length), 'content-range': `${sent}-${sent + chunk.length - 1}` },
        ...signal,
      });
      await expect(res, 202, repo);
      location = nextLocation(res, location);
      sent += chunk.length;
      opts.onProgress?.(sent);
    }
  } else {
    const body = counted(src.body());
    const headers: Record<string, string> = { 'content-type': OCTET };
    if (src.size !== undefined) headers['content-length'] = String(src.size);
    const res = await t.send(repo.domain, { method: 'PATCH', url: location, scopes, idempotent: false, body: () => body, replayable: false, headers, ...signal });
    await expect(res, 202, repo);
    location = nextLocation(res, location);
  }

  const digest = `${algorithm}:${hash.digest('hex')}`;
  if (src.digest !== undefined && digest !== src.digest) {
    throw new EngineError('invalid-argument', `blob digest mismatch: expected ${src.digest}, read ${digest}`);
  }
  if (src.size !== undefined && sent !== src.size) {
    throw new EngineError('invalid-argument', `blob size mismatch: expected ${src.size} bytes, read ${sent}`);
  }
  const done = await t.send(repo.domain, {
    method: 'PUT', url: withDigest(location, digest), scopes, idempotent: true, body: () => null,
    headers: { 'content-length': '0' }, ...signal,
  });
  await expect(done, 201, repo);
  return digest;
}

/** Re-cuts a stream into buffers of exactly `size` bytes (the last may be shorter). */
export async function* chunks(it: AsyncIterable<Buffer>, size: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let have = 0;
  for await (let c of it) {
    while (have + c.length >= size) {
      const take = size - have;
      parts.push(c.subarray(0, take));
      yield Buffer.concat(parts, size);
      c = c.subarray(take);
      parts = [];
      have = 0;
    }
    if (c.length > 0) {
      parts.push(c);
      have += c.length;
    }
  }
  if (have > 0) yield Buffer.concat(parts, have);
}
