// docker push: for each layer, skip it when the registry already has a blob this store knows it unpacks to
// ("Layer already exists"), mount it from another repository of the same registry ("Mounted from …"), or
// regenerate the layer's exact tar (same diff ID as the config says), gzip it and upload it ("Pushed");
// then the config and a schema2 manifest under the tag. The pushed digest is recorded as the image's repo
// digest and each layer's blob in the distribution metadata, so the next push of a shared layer is free.
import { EngineError, notFound } from '../../common/errors.js';
import type { ProgressSink } from '../../spec/progress.js';
import { familiarString, parseNormalizedNamed, referenceString, trimNamed, withDigest, withTag, type ImageStore, type NamedReference, type StoredImage } from '../../image/index.js';
import { MediaType } from '../../registry/client/index.js';
import type { EventBus } from '../events.js';
import { adaptiveGzip } from './gzip.js';
import type { RegistryPort, Repo } from './registry-port.js';

export interface PushRequest {
  name: string;
  tag?: string;
  all: boolean;
  signal: AbortSignal;
}

/** Docker's max-concurrent-uploads default. */
const CONCURRENT_UPLOADS = 5;
const PROGRESS_INTERVAL_MS = 100;

export async function pushImage(store: ImageStore, registry: RegistryPort, events: EventBus, req: PushRequest, progress: ProgressSink): Promise<void> {
  const named = parseNormalizedNamed(req.name);
  const repoName = `${named.domain}/${named.path}`;
  const targets: { ref: NamedReference; image: StoredImage }[] = [];
  const tag = req.tag ?? named.tag;
  if (tag !== undefined) {
    const ref = withTag(trimNamed(named), tag);
    const image = await store.get(referenceString(ref)).catch(() => {
      throw notFound(`An image does not exist locally with the tag: ${familiarString(trimNamed(named))}`);
    });
    targets.push({ ref, image });
  } else {
    for (const img of await store.list()) {
      for (const r of img.references) {
        const n = parseNormalizedNamed(r);
        if (n.tag !== undefined && n.digest === undefined && `${n.domain}/${n.path}` === repoName) targets.push({ ref: n, image: img });
      }
    }
    if (targets.length === 0) throw notFound(`An image does not exist locally with the tag: ${familiarString(trimNamed(named))}`);
    targets.sort((a, b) => (a.ref.tag ?? '').localeCompare(b.ref.tag ?? ''));
  }
  progress({ status: `The push refers to repository [${repoName}]` });
  for (const t of targets) await pushOne(store, registry, events, t.ref, t.image, req.signal, progress);
}

async function pushOne(store: ImageStore, registry: RegistryPort, events: EventBus, ref: NamedReference, image: StoredImage, signal: AbortSignal, progress: ProgressSink): Promise<void> {
  const repo: Repo = { domain: ref.domain, path: ref.path };
  const n = image.diffIds.length;
  const shortId = (i: number) => image.diffIds[i]!.replace(/^sha256:/, '').slice(0, 12);
  // dockerd lists the layers top first.
  const order = [...Array(n).keys()].reverse();
  for (const i of order) progress({ id: shortId(i), status: 'Preparing', detail: true });
  const descriptors: { mediaType: string; size: number; digest: string }[] = new Array(n);
  let next = 0;
  const work = async () => {
    while (next < order.length) {
      if (signal.aborted) throw new EngineError('canceled', 'context canceled');
      const i = order[next++]!;
      descriptors[i] = await pushLayer(store, registry, repo, image, i, shortId(i), signal, progress);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENT_UPLOADS, n) }, work));

  const configBytes = await store.configBytes(image.id);
  if ((await registry.blobExists(repo, image.id)) === undefined) {
    await registry.pushBlob(repo, { digest: image.id, size: configBytes.length, body: () => one(configBytes) }, { signal });
  }
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaType.dockerManifest,
    config: { mediaType: MediaType.dockerConfig, size: configBytes.length, digest: image.id },
    layers: descriptors,
  };
  const bytes = Buffer.from(JSON.stringify(manifest, null, 3));
  const tag = ref.tag ?? 'latest';
  const digest = await registry.putManifest(repo, tag, MediaType.dockerManifest, bytes);
  await store.addImage({ configBytes, layers: new Array(n).fill(undefined), references: [referenceString(withDigest(trimNamed(ref), digest))], manifests: [bytes] });
  events.publish('image', 'push', familiarString(ref), { name: familiarString(ref) });
  progress({ status: `${tag}: digest: ${digest} size: ${bytes.length}` });
  progress({ aux: { Tag: tag, Digest: digest, Size: bytes.length } });
}

async function pushLayer(
  store: ImageStore,
  registry: RegistryPort,
  repo: Repo,
  image: StoredImage,
  i: number,
  id: string,
  signal: AbortSignal,
  progress: ProgressSink,
): Promise<{ mediaType: string; size: number; digest: string }> {
  const diffId = image.diffIds[i]!;
  const repoName = `${repo.domain}/${repo.path}`;
  const known = store.distribution.sources(diffId).filter((s) => s.repository.startsWith(`${repo.domain}/`));
  // Blobs this registry is known to hold: this repository's first, then mountable ones from others.
  known.sort((a, b) => Number(b.repository === repoName) - Number(a.repository === repoName));
  for (const src of known) {
    const desc = { mediaType: src.mediaType, size: src.size, digest: src.digest };
    if (src.repository === repoName) {
      if ((await registry.blobExists(repo, src.digest).catch(() => undefined)) !== undefined) {
        progress({ id, status: 'Layer already exists', detail: true });
        return desc;
      }
      continue;
    }
    const fromPath = src.repository.slice(repo.domain.length + 1);
    if (await registry.mountBlob(repo, src.digest, { domain: repo.domain, path: fromPath }).catch(() => false)) {
      await store.recordDistribution(diffId, { ...src, repository: repoName });
      progress({ id, status: `Mounted from ${fromPath}`, detail: true });
      return desc;
    }
  }

  const total = await store.layerTarSize(image.chainIds[i]!).catch(() => undefined);
  let last = 0;
  let size = 0;
  const digest = await registry.pushBlob(
    repo,
    {
      body: () => {
        size = 0;
        return counting(adaptiveGzip(store.layerTar(image.chainIds[i]!)), (n) => (size += n));
      },
    },
    {
      signal,
      onProgress: (sent) => {
        const now = Date.now();
        if (now - last < PROGRESS_INTERVAL_MS) return;
        last = now;
        progress({ id, status: 'Pushing', current: sent, ...(total ? { total } : {}) });
      },
    },
  );
  const desc = { mediaType: MediaType.dockerLayer, size, digest };
  await store.recordDistribution(diffId, { ...desc, repository: repoName });
  progress({ id, status: 'Pushed', detail: true });
  return desc;
}

async function* counting(src: AsyncIterable<Buffer>, add: (n: number) => void): AsyncGenerator<Buffer> {
  for await (const c of src) {
    add(c.length);
    yield c;
  }
}

async function* one(b: Buffer): AsyncGenerator<Buffer> {
  yield b;
}
