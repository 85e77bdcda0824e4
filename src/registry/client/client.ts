// RegistryClient: the distribution API's verbs over one Transport. It moves manifests and blobs and checks
// every byte against its digest; it knows nothing of the image store, of progress output or of which
// manifests an image needs: the engine orchestrates pulls and pushes.
import type { Hash } from 'node:crypto';
import { EngineError } from '../../common/errors.js';
import { type Action, repositoryScope } from './challenge.js';
import { digestOf, isDigest, newHash, parseDigest } from './digest.js';
import { type FailureContext, httpError, parseHttpFailure } from './errors.js';
import { pushBlob, type PushBlobOptions, type PushBlobSource } from './push.js';
import { header, type RegistryResponse, Transport, type TransportOptions } from './transport.js';
import type { ManifestRef, Repository } from './types.js';

export type RegistryClientOptions = TransportOptions;

/** distribution's and containerd's ceiling for a manifest: more is an attack or a mistake. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface FetchedManifest {
  digest: string;
  mediaType: string;
  bytes: Buffer;
}

export interface OpenedBlob {
  /** The blob's total size. */
  size: number;
  /** Iterate once. Throws at the end when the bytes do not match the digest: trust nothing before that. */
  body: AsyncIterable<Buffer>;
}

export interface OpenBlobOptions {
  /** Resume: bytes before this offset are not sent again. */
  offset?: number;
  /** With an offset: a hash that has already consumed the first `offset` bytes, so the whole blob is checked. */
  hash?: Hash;
  signal?: AbortSignal;
}

const GENERIC_TYPES = new Set(['', 'application/json', 'text/plain', 'application/octet-stream']);

export class RegistryClient {
  readonly transport: Transport;

  constructor(opts: RegistryClientOptions = {}) {
    this.transport = new Transport(opts);
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  private scope(repo: Repository, ...actions: Action[]): string[] {
    return [repositoryScope(repo.path, actions)];
  }

  private async fail(res: RegistryResponse, ctx: FailureContext): Promise<never> {
    const text = res.status === 204 || res.body === undefined ? '' : await res.body.text().catch(() => '');
    throw httpError(parseHttpFailure(res.status, text, header(res, 'www-authenticate')), ctx);
  }

  async getManifest(ref: ManifestRef, accept: readonly string[], opts: { signal?: AbortSignal } = {}): Promise<FetchedManifest> {
    const res = await this.transport.send(ref.domain, {
      method: 'GET',
      url: `/v2/${ref.path}/manifests/${ref.reference}`,
      headers: { accept: accept.join(', ') },
      scopes: this.scope(ref, 'pull'),
      idempotent: true,
      followRedirects: true,
      ...opts,
    });
    if (res.status !== 200) return this.fail(res, { pull: true, repo: ref, reference: ref.reference });
    const bytes = await readLimited(res, MAX_MANIFEST_BYTES);
    const digest = verifyManifest(ref.reference, bytes, header(res, 'docker-content-digest'));
    return { digest, mediaType: manifestMediaType(header(res, 'content-type'), bytes), bytes };
  }

  /** Digest, media type and size without the body; undefined when the registry does not have it. */
  async headManifest(
    ref: ManifestRef,
    accept: readonly string[],
    opts: { forPush?: boolean; signal?: AbortSignal } = {},
  ): Promise<{ digest: string; mediaType: string; size: number } | undefined> {
    const res = await this.transport.send(ref.domain, {
      method: 'HEAD',
      url: `/v2/${ref.path}/manifests/${ref.reference}`,
      headers: { accept: accept.join(', ') },
      scopes: this.scope(ref, ...(opts.forPush ? (['pull', 'push'] as const) : (['pull'] as const))),
      idempotent: true,
      followRedirects: true,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    await res.body.dump();
    if (res.status === 404) return undefined;
    if (res.status !== 200) return this.fail(res, { pull: !opts.forPush, repo: ref, reference: ref.reference });
    const digest = header(res, 'docker-content-digest') ?? (isDigest(ref.reference) ? ref.reference : undefined);
    if (digest === undefined) {
      // Without the header a tag's digest is only known from the bytes.
      const m = await this.getManifest(ref, accept, opts);
      return { digest: m.digest, mediaType: m.mediaType, size: m.bytes.length };
    }
    parseDigest(digest);
    return { digest, mediaType: manifestMediaType(header(res, 'content-type'), Buffer.alloc(0)), size: Number(header(res, 'content-length') ?? 0) };
  }

  async putManifest(repo: Repository, reference: string, mediaType: string, bytes: Buffer): Promise<string> {
    if (bytes.length > MAX_MANIFEST_BYTES) throw new EngineError('invalid-argument', `manifest too big: ${bytes.length} bytes`);
    const digest = digestOf(bytes);
    if (isDigest(reference) && digestOf(bytes, reference) !== reference) {
      throw new EngineError('invalid-argument', `manifest digest ${digest} does not match reference ${reference}`);
    }
    const res = await this.transport.send(repo.domain, {
      method: 'PUT',
      url: `/v2/${repo.path}/manifests/${reference}`,
      headers: { 'content-type': mediaType },
      body: () => bytes,
      scopes: this.scope(repo, 'pull', 'push'),
      idempotent: true,
    });
    if (res.status !== 201 && res.status !== 200) return this.fail(res, { pull: false, repo });
    await res.body.dump();
    return digest;
  }

  /** Every tag, following the registry's Link pagination. */
  async listTags(repo: Repository): Promise<string[]> {
    const tags: string[] = [];
    let next: string | undefined = `/v2/${repo.path}/tags/list`;
    while (next !== undefined) {
      const res: RegistryResponse = await this.transport.send(repo.domain, {
        method: 'GET', url: next, scopes: this.scope(repo, 'pull'), idempotent: true,
      });
      if (res.status !== 200) return this.fail(res, { pull: true, repo });
      const body = JSON.parse((await readLimited(res, MAX_MANIFEST_BYTES * 4)).toString('utf8')) as { tags?: string[] | null };
      tags.push(...(body.tags ?? []));
      const link = /<([^>]+)>\s*;\s*rel="?next"?/.exec(header(res, 'link') ?? '')?.[1];
      next = link === undefined ? undefined : new URL(link, res.url).href;
    }
    return tags;
  }

  /** The blob's size when the repository has it, undefined when not. */
  async blobExists(repo: Repository, digest: string, opts: { forPush?: boolean } = {}): Promise<number | undefined> {
    parseDigest(digest);
    const res = await this.transport.send(repo.domain, {
      method: 'HEAD',
      url: `/v2/${repo.path}/blobs/${digest}`,
      scopes: this.scope(repo, ...(opts.forPush ? (['pull', 'push'] as const) : (['pull'] as const))),
      idempotent: true,
      followRedirects: true,
    });
    await res.body.dump();
    if (res.status === 404) return undefined;
    if (res.status !== 200) return this.fail(res, { pull: !opts.forPush, repo });
    return Number(header(res, 'content-length') ?? 0);
  }

  /** Streams a blob; the iterator verifies the digest at its end and throws on a mismatch. */
  async openBlob(repo: Repository, digest: string, opts: OpenBlobOptions = {}): Promise<OpenedBlob> {
    const parsed = parseDigest(digest);
    const offset = opts.offset ?? 0;
    if (offset > 0 && !opts.hash) throw new EngineError('invalid-argument', 'resuming a blob needs the hash of the bytes before the offset');
    const res = await this.transport.send(repo.domain, {
      method: 'GET',
      url: `/v2/${repo.path}/blobs/${digest}`,
      headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
      scopes: this.scope(repo, 'pull'),
      idempotent: true,
      followRedirects: true,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    if (res.status !== 200 && res.status !== 206) return this.fail(res, { pull: true, repo });
    // A server that ignores Range sends everything: skip what the caller already has.
    const skip = res.status === 200 ? offset : 0;
    const range = /\/(\d+)$/.exec(header(res, 'content-range') ?? '');
    const length = Number(header(res, 'content-length') ?? NaN);
    const size = res.status === 206 && range ? Number(range[1]) : res.status === 200 ? length : offset + length;
    const hash = opts.hash ?? newHash(parsed.algorithm);
    return { size, body: verified(res.body, hash, digest, parsed.hex, skip, size - offset) };
  }

  /** Cross-repository mount: true when the registry mounted it (201); an upload it started instead is cancelled. */
  async mountBlob(repo: Repository, digest: string, from: Repository): Promise<boolean> {
    parseDigest(digest);
    if (from.domain !== repo.domain) return false;
    const res = await this.transport.send(repo.domain, {
      method: 'POST',
      url: `/v2/${repo.path}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from.path)}`,
      scopes: [...this.scope(repo, 'pull', 'push'), repositoryScope(from.path, ['pull'])],
      idempotent: true,
    });
    if (res.status === 201) {
      await res.body.dump();
      return true;
    }
    if (res.status !== 202) return this.fail(res, { pull: false, repo });
    await res.body.dump();
    const location = header(res, 'location');
    if (location) await this.cancelUpload(repo, new URL(location, res.url).href);
    return false;
  }

  /** Uploads a blob (POST, streamed PATCHes, PUT ?digest=); answers its digest. */
  pushBlob(repo: Repository, source: PushBlobSource, opts: PushBlobOptions = {}): Promise<string> {
    return pushBlob(this.transport, repo, this.scope(repo, 'pull', 'push'), source, opts);
  }

  /** Best effort: an abandoned upload expires on the registry anyway. */
  private async cancelUpload(repo: Repository, url: string): Promise<void> {
    try {
      const res = await this.transport.send(repo.domain, { method: 'DELETE', url, scopes: this.scope(repo, 'pull', 'push'), idempotent: false });
      await res.body.dump();
    } catch {
      /* the registry garbage-collects stale uploads */
    }
  }
}

async function readLimited(res: RegistryResponse, limit: number): Promise<Buffer> {
  const declared = Number(header(res, 'content-length') ?? NaN);
  if (declared > limit) {
    res.body.destroy();
    throw new EngineError('invalid-argument', `manifest too big: ${declared} bytes exceeds ${limit}`);
  }
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of res.body as AsyncIterable<Buffer>) {
    n += c.length;
    if (n > limit) {
      res.body.destroy();
      throw new EngineError('invalid-argument', `manifest too big: more than ${limit} bytes`);
    }
    chunks.push(c);
  }
  return Buffer.concat(chunks, n);
}

/** The manifest's digest, checked against a requested digest and the registry's Docker-Content-Digest. */
function verifyManifest(reference: string, bytes: Buffer, headerDigest: string | undefined): string {
  for (const expected of [isDigest(reference) ? reference : undefined, headerDigest]) {
    if (expected === undefined) continue;
    parseDigest(expected);
    if (digestOf(bytes, expected) !== expected) {
      throw new EngineError('internal', `manifest verification failed for digest ${expected}`);
    }
  }
  return isDigest(reference) ? reference : headerDigest ?? digestOf(bytes);
}

function manifestMediaType(contentType: string | undefined, bytes: Buffer): string {
  const ct = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (!GENERIC_TYPES.has(ct) || bytes.length === 0) return ct;
  try {
    const m = JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown; manifests?: unknown; schemaVersion?: unknown };
    if (typeof m.mediaType === 'string') return m.mediaType;
    if (Array.isArray(m.manifests)) return 'application/vnd.oci.image.index.v1+json';
    if (m.schemaVersion === 2) return 'application/vnd.oci.image.manifest.v1+json';
  } catch {
    /* not JSON: leave the type as served */
  }
  return ct;
}

async function* verified(
  body: AsyncIterable<Buffer> & { destroy(): void },
  hash: Hash,
  digest: string,
  hex: string,
  skip: number,
  expectedBytes: number,
): AsyncGenerator<Buffer> {
  let toSkip = skip;
  let n = 0;
  for await (let chunk of body) {
    if (toSkip > 0) {
      if (chunk.length <= toSkip) {
        toSkip -= chunk.length;
        continue;
      }
      chunk = chunk.subarray(toSkip);
      toSkip = 0;
    }
    hash.update(chunk);
    n += chunk.length;
    yield chunk;
  }
  const got = hash.digest('hex');
  if (got !== hex || (Number.isFinite(expectedBytes) && n !== expectedBytes)) {
    throw new EngineError('internal', `filesystem layer verification failed for digest ${digest}`);
  }
}
