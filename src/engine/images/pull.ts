// docker pull: resolve the reference, fetch the manifest (picking this platform from an index), the config,
// then the missing layers — several at once, each streamed from the registry through decompression and
// hashing into tar, never to a temporary file — and publish the image only when everything verified. A
// failure or a client that hangs up discards the staged layers: an interrupted pull leaves no half image.
// The progress lines are dockerd's, in its order per layer: Pulling fs layer / Already exists, Downloading,
// Verifying Checksum, Download complete, Extracting, Pull complete.
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { EngineError, invalidArgument, notFound } from '../../common/errors.js';
import type { ProgressSink } from '../../spec/progress.js';
import { chainIds, familiarName, familiarString, parseNormalizedNamed, referenceString, trimNamed, withDigest, withTag, type ImageStore, type NamedReference, type StagedImageLayer } from '../../image/index.js';
import { isIndexMediaType, isManifestMediaType, hostPlatform, isNondistributable, parsePlatform, PULL_ACCEPT, selectManifest, type Index, type Manifest } from '../../registry/client/index.js';
import type { EventBus } from '../events.js';
import type { RegistryPort } from './registry-port.js';

export interface PullRequest {
  image: string;
  tag?: string;
  platform?: string;
  signal: AbortSignal;
}

/** Docker's max-concurrent-downloads default. */
const CONCURRENT_DOWNLOADS = 3;
const PROGRESS_INTERVAL_MS = 100;
const READ_AHEAD = 16 << 20;

export async function pullImage(store: ImageStore, registry: RegistryPort, events: EventBus, req: PullRequest, progress: ProgressSink): Promise<void> {
  const named = parseNormalizedNamed(req.image);
  if (req.tag) {
    // The tag parameter may carry a digest (docker pull name@sha256:…).
    if (req.tag.includes(':')) return pullOne(store, registry, events, withDigest(named, parseDigestParam(req.tag)), req, progress);
    return pullOne(store, registry, events, withTag(named, req.tag), req, progress);
  }
  if (named.tag !== undefined || named.digest !== undefined) return pullOne(store, registry, events, named, req, progress);
  // No tag at all: every tag of the repository (docker pull --all-tags).
  const tags = await registry.listTags(named);
  if (tags.length === 0) throw notFound(`no tags found for ${familiarName(named)}`);
  for (const tag of tags) await pullOne(store, registry, events, withTag(named, tag), req, progress);
}

function parseDigestParam(tag: string): string {
  if (!/^sha256:[a-f0-9]{64}$/.test(tag)) throw invalidArgument(`invalid reference format`);
  return tag;
}

async function pullOne(store: ImageStore, registry: RegistryPort, events: EventBus, ref: NamedReference, req: PullRequest, progress: ProgressSink): Promise<void> {
  const tagOrDigest = ref.digest ?? ref.tag ?? 'latest';
  const top = await registry.getManifest({ domain: ref.domain, path: ref.path, reference: tagOrDigest }, PULL_ACCEPT);
  let manifestBytes = top.bytes;
  let mediaType = top.mediaType;
  const manifests: Buffer[] = [top.bytes];
  if (isIndexMediaType(mediaType) || (mediaType === '' && 'manifests' in parseJson(top.bytes))) {
    const want = req.platform ? parsePlatform(req.platform) : hostPlatform();
    const desc = selectManifest(parseJson(top.bytes) as Index, want);
    const m = await registry.getManifest({ domain: ref.domain, path: ref.path, reference: desc.digest }, PULL_ACCEPT);
    manifestBytes = m.bytes;
    mediaType = m.mediaType;
    manifests.push(m.bytes);
  }
  const manifest = parseJson(manifestBytes) as Manifest;
  if (!isManifestMediaType(mediaType) && !(mediaType === '' && manifest.config && Array.isArray(manifest.layers))) {
    throw invalidArgument(`unsupported manifest media type and no default available: ${mediaType}`);
  }
  if (!manifest.config?.digest || !Array.isArray(manifest.layers)) throw invalidArgument('invalid manifest: missing config or layers');

  progress({ id: tagOrDigest, status: `Pulling from ${familiarName(ref)}` });

  const configBlob = await registry.openBlob(ref, manifest.config.digest);
  const configBytes = await collect(configBlob.body, 16 << 20);
  const config = parseJson(configBytes) as { rootfs?: { diff_ids?: string[] } };
  const diffIds = config.rootfs?.diff_ids ?? [];
  const layers = manifest.layers;
  if (diffIds.length !== layers.length) throw invalidArgument(`invalid image: ${layers.length} layers in the manifest, ${diffIds.length} diff IDs in the config`);
  for (const l of layers) if (isNondistributable(l.mediaType) && l.urls?.length) throw new EngineError('not-implemented', `foreign layer ${l.digest} is not supported`);
  const chain = chainIds(diffIds);

  const present = await Promise.all(chain.map((c) => store.hasLayer(c)));
  const shortId = (i: number) => layers[i]!.digest.replace(/^sha256:/, '').slice(0, 12);
  for (let i = 0; i < layers.length; i++) progress({ id: shortId(i), status: present[i] ? 'Already exists' : 'Pulling fs layer', detail: true });

  const staged: (StagedImageLayer | undefined)[] = new Array(layers.length).fill(undefined);
  const failed = new AbortController();
  const signal = AbortSignal.any([req.signal, failed.signal]);
  const pending = layers.map((_, i) => i).filter((i) => !present[i]);
  let next = 0;
  const worker = async () => {
    while (next < pending.length && !signal.aborted) {
      const i = pending[next++]!;
      staged[i] = await downloadLayer(store, registry, ref, layers[i]!.digest, diffIds[i]!, i === 0, shortId(i), signal, progress);
    }
  };
  try {
    const workers = Array.from({ length: Math.min(CONCURRENT_DOWNLOADS, pending.length) }, () =>
      worker().catch((e) => {
        failed.abort(e);
        throw e;
      }),
    );
    const results = await Promise.allSettled(workers);
    const error = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (error) throw error.reason;
    if (req.signal.aborted) throw new EngineError('canceled', 'context canceled');
  } catch (e) {
    await Promise.all(staged.map((l) => (l ? store.discardLayer(l).catch(() => undefined) : undefined)));
    throw e;
  }

  const before = ref.tag !== undefined ? await store.get(referenceString(ref)).then((i) => i.id, () => undefined) : undefined;
  const repoDigest = referenceString(withDigest(trimNamed(ref), top.digest));
  const references = ref.digest !== undefined ? [repoDigest] : [referenceString(ref), repoDigest];
  const { id } = await store.addImage({ configBytes, expectedId: manifest.config.digest, layers: staged, references, manifests });
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i]!;
    await store.recordDistribution(diffIds[i]!, { digest: l.digest, repository: `${ref.domain}/${ref.path}`, mediaType: l.mediaType, size: l.size }).catch(() => undefined);
  }
  events.publish('image', 'pull', familiarString(ref), { name: familiarString(ref) });
  progress({ status: `Digest: ${top.digest}` });
  const shown = familiarString(ref);
  progress({ status: before === id ? `Status: Image is up to date for ${shown}` : `Status: Downloaded newer image for ${shown}` });
}

async function downloadLayer(
  store: ImageStore,
  registry: RegistryPort,
  repo: NamedReference,
  digest: string,
  diffId: string,
  isBase: boolean,
  id: string,
  signal: AbortSignal,
  progress: ProgressSink,
): Promise<StagedImageLayer> {
  const blob = await registry.openBlob(repo, digest);
  let current = 0;
  let last = 0;
  const counted = async function* (): AsyncGenerator<Buffer> {
    for await (const chunk of blob.body) {
      if (signal.aborted) throw new EngineError('canceled', 'context canceled');
      current += chunk.length;
      const now = Date.now();
      if (now - last >= PROGRESS_INTERVAL_MS) {
        last = now;
        progress({ id, status: 'Downloading', current, total: blob.size });
      }
      yield chunk;
    }
    // The client's body verified the digest before it ended; only now is the download complete.
    progress({ id, status: 'Verifying Checksum', detail: true });
    progress({ id, status: 'Download complete', detail: true });
  };
  // A read-ahead buffer decouples the network from extraction: without it each side waits on the other's
  // small chunks, and the pull runs at half the speed of either.
  const buffered = new PassThrough({ highWaterMark: READ_AHEAD });
  pipeline(Readable.from(counted()), buffered).catch((e: unknown) => buffered.destroy(e as Error));
  const layer = await store.stageLayer(buffered, { isBase });
  if (layer.diffId !== diffId) {
    await store.discardLayer(layer);
    throw invalidArgument(`filesystem layer verification failed for digest ${digest}`);
  }
  progress({ id, status: 'Extracting', current: blob.size, total: blob.size });
  progress({ id, status: 'Pull complete', detail: true });
  return layer;
}

function parseJson(bytes: Buffer): Record<string, any> {
  try {
    const v = JSON.parse(bytes.toString('utf8')) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, any>;
  } catch (e) {
    throw invalidArgument(`invalid JSON from registry: ${(e as Error).message}`, e);
  }
}

async function collect(body: AsyncIterable<Buffer>, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of body) {
    size += c.length;
    if (size > limit) throw invalidArgument(`blob larger than ${limit} bytes`);
    chunks.push(c);
  }
  return Buffer.concat(chunks, size);
}
