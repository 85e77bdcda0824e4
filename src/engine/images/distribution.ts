// GET /distribution/{name}/json: what the registry says the reference is (the descriptor of its top
// manifest and the platforms it offers), without pulling; docker buildx and `docker manifest` ask it.
import { parseNormalizedNamed } from '../../image/index.js';
import { isIndexMediaType, PULL_ACCEPT } from '../../registry/client/index.js';
import type { RegistryPort } from './registry-port.js';

export type DistributionProbe = Pick<RegistryPort, 'getManifest' | 'openBlob'>;

export async function distributionInspect(registry: DistributionProbe, name: string) {
  const named = parseNormalizedNamed(name);
  const reference = named.digest ?? named.tag ?? 'latest';
  const m = await registry.getManifest({ domain: named.domain, path: named.path, reference }, PULL_ACCEPT);
  const doc = JSON.parse(m.bytes.toString('utf8')) as { manifests?: { platform?: Record<string, unknown> }[]; config?: { digest: string } };
  let platforms: Record<string, unknown>[] = [];
  if (isIndexMediaType(m.mediaType) || Array.isArray(doc.manifests)) {
    platforms = (doc.manifests ?? []).map((d) => d.platform).filter((p): p is Record<string, unknown> => p !== undefined);
  } else if (doc.config?.digest) {
    const blob = await registry.openBlob(named, doc.config.digest);
    const chunks: Buffer[] = [];
    for await (const c of blob.body) chunks.push(c);
    const cfg = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    platforms = [{ architecture: cfg.architecture, os: cfg.os, ...(cfg.variant ? { variant: cfg.variant } : {}) }];
  }
  return { Descriptor: { mediaType: m.mediaType, digest: m.digest, size: m.bytes.length }, Platforms: platforms };
}
