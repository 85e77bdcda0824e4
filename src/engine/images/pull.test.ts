// Pulls into a real image store (temp dir) from the client's in-process fake registry: every layer
// compression, OCI indexes with platform selection, bearer auth, layers already present, and failures
// that must leave no image and no staged layer behind.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { ImageStore } from '../../image/index.js';
import { buildTar } from '../../image/tar.testkit.js';
import { MediaType, RegistryClient } from '../../registry/client/index.js';
import { FakeRegistry } from '../../registry/client/fake-registry.testkit.js';
import type { ProgressEvent } from '../../spec/progress.js';
import { EventBus } from '../events.js';
import { pullImage } from './pull.js';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const HOST_ARCH = process.arch === 'x64' ? 'amd64' : process.arch;

function zstd(b: Buffer): Buffer {
  const r = spawnSync('zstd', ['-q', '-c'], { input: b });
  if (r.status !== 0) throw new Error(`zstd: ${r.stderr}`);
  return r.stdout;
}

interface Built {
  manifest: Buffer;
  configId: string;
}

/** Puts a one-or-two-layer image into the fake registry and returns its manifest. */
function publish(reg: FakeRegistry, repo: string, tag: string, layers: { tar: Buffer; compress: 'gzip' | 'zstd' | 'none' }[], arch = HOST_ARCH, oci = false): Built {
  const descs = layers.map(({ tar, compress }) => {
    const blob = compress === 'gzip' ? gzipSync(tar) : compress === 'zstd' ? zstd(tar) : tar;
    reg.putBlob(blob);
    const mediaType = compress === 'gzip' ? (oci ? MediaType.ociLayerGzip : MediaType.dockerLayer) : compress === 'zstd' ? MediaType.ociLayerZstd : MediaType.ociLayer;
    return { mediaType, size: blob.length, digest: sha(blob) };
  });
  const config = Buffer.from(JSON.stringify({ architecture: arch, os: 'linux', config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: layers.map((l) => sha(l.tar)) } }));
  reg.putBlob(config);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: oci ? MediaType.ociManifest : MediaType.dockerManifest,
    config: { mediaType: oci ? MediaType.ociConfig : MediaType.dockerConfig, size: config.length, digest: sha(config) },
    layers: descs,
  }));
  putManifest(reg, repo, tag, manifest, oci ? MediaType.ociManifest : MediaType.dockerManifest);
  return { manifest, configId: sha(config) };
}

function putManifest(reg: FakeRegistry, repo: string, tag: string, bytes: Buffer, type: string): void {
  reg.manifests.set(`${repo}@${sha(bytes)}`, { type, bytes });
  const t = reg.tags.get(repo) ?? new Map<string, string>();
  t.set(tag, sha(bytes));
  reg.tags.set(repo, t);
}

describe('pullImage', () => {
  let reg: FakeRegistry;
  let dir: string;
  let store: ImageStore;
  const events = new EventBus();

  before(async () => {
    reg = await new FakeRegistry({ auth: 'bearer', users: { alice: 'secret' } }).start();
    dir = await mkdtemp(path.join(tmpdir(), 'berth-pull-'));
    store = await ImageStore.open(dir);
  });
  after(async () => {
    await reg?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const client = () => new RegistryClient({ credentials: () => ({ username: 'alice', password: 'secret' }) });
  const pull = async (image: string, tag: string, opts: { platform?: string } = {}) => {
    const events_: ProgressEvent[] = [];
    const c = client();
    try {
      await pullImage(store, c, events, { image: `${reg.host}/${image}`, tag, signal: new AbortController().signal, ...opts }, (e) => events_.push(e));
    } finally {
      await c.close();
    }
    return events_;
  };
  const staged = async () => (await readdir(path.join(dir, 'tmp'))).length;

  test('gzip, zstd and uncompressed layers unpack into one image with the registry digest', async () => {
    const base = buildTar([{ name: 'etc/', type: 'dir' }, { name: 'etc/base', data: 'base\n' }]);
    const top = buildTar([{ name: 'etc/top', data: 'top\n' }, { name: 'etc/.wh.base', data: '' }]);
    const third = buildTar([{ name: 'third', data: 'x'.repeat(10000) }]);
    const built = publish(reg, 'multi/comp', 'v1', [{ tar: base, compress: 'gzip' }, { tar: top, compress: 'zstd' }, { tar: third, compress: 'none' }], HOST_ARCH, true);
    const progress = await pull('multi/comp', 'v1');
    const img = await store.get(`${reg.host}/multi/comp:v1`);
    assert.equal(img.id, built.configId);
    assert.ok(img.references.includes(`${reg.host}/multi/comp@${sha(built.manifest)}`));
    const statuses = progress.map((p) => p.status);
    assert.equal(statuses.filter((s) => s === 'Pull complete').length, 3);
    assert.equal(statuses.at(-1), `Status: Downloaded newer image for ${reg.host}/multi/comp:v1`);
    assert.equal(statuses.at(-2), `Digest: ${sha(built.manifest)}`);

    // A second pull finds everything there.
    const again = await pull('multi/comp', 'v1');
    assert.equal(again.filter((p) => p.status === 'Already exists').length, 3);
    assert.equal(again.at(-1)!.status, `Status: Image is up to date for ${reg.host}/multi/comp:v1`);
    assert.equal(await staged(), 0);
  });

  test('an index resolves to the manifest of the platform asked for', async () => {
    const amd = publish(reg, 'multi/arch', 'amd64-only', [{ tar: buildTar([{ name: 'arch', data: 'amd64\n' }]), compress: 'gzip' }], 'amd64', true);
    const arm = publish(reg, 'multi/arch', 'arm64-only', [{ tar: buildTar([{ name: 'arch', data: 'arm64\n' }]), compress: 'gzip' }], 'arm64', true);
    const index = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.ociIndex,
      manifests: [
        { mediaType: MediaType.ociManifest, size: amd.manifest.length, digest: sha(amd.manifest), platform: { os: 'linux', architecture: 'amd64' } },
        { mediaType: MediaType.ociManifest, size: arm.manifest.length, digest: sha(arm.manifest), platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
      ],
    }));
    putManifest(reg, 'multi/arch', 'latest', index, MediaType.ociIndex);
    await pull('multi/arch', 'latest', { platform: 'linux/arm64' });
    const img = await store.get(`${reg.host}/multi/arch:latest`);
    assert.equal(img.id, arm.configId);
    // The repo digest is the index's, as docker records it.
    assert.ok(img.references.includes(`${reg.host}/multi/arch@${sha(index)}`));
    await assert.rejects(pull('multi/arch', 'latest', { platform: 'linux/s390x' }), /no matching manifest for linux\/s390x/);
  });

  test('a pull by digest records only the digest reference', async () => {
    const built = publish(reg, 'bydigest/x', 'v1', [{ tar: buildTar([{ name: 'f', data: 'digest\n' }]), compress: 'gzip' }]);
    await pull('bydigest/x', sha(built.manifest));
    const img = await store.get(`${reg.host}/bydigest/x@${sha(built.manifest)}`);
    assert.deepEqual(img.references, [`${reg.host}/bydigest/x@${sha(built.manifest)}`]);
  });

  test('a corrupt layer blob fails the pull and leaves nothing behind', async () => {
    const tar = buildTar([{ name: 'evil', data: 'y'.repeat(5000) }]);
    publish(reg, 'bad/corrupt', 'v1', [{ tar, compress: 'gzip' }]);
    reg.corrupt.add(sha(gzipSync(tar)));
    const layersBefore = await readdir(path.join(dir, 'layers'));
    await assert.rejects(pull('bad/corrupt', 'v1'), /verification failed|digest/i);
    await assert.rejects(store.get(`${reg.host}/bad/corrupt:v1`), /No such image/);
    assert.deepEqual(await readdir(path.join(dir, 'layers')), layersBefore);
    assert.equal(await staged(), 0);
  });

  test('a config whose diff IDs do not match the layers is refused', async () => {
    const real = buildTar([{ name: 'a', data: 'a\n' }]);
    const blob = gzipSync(real);
    reg.putBlob(blob);
    const config = Buffer.from(JSON.stringify({ architecture: HOST_ARCH, os: 'linux', rootfs: { type: 'layers', diff_ids: [sha(Buffer.from('not the layer'))] } }));
    reg.putBlob(config);
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.dockerManifest, config: { mediaType: MediaType.dockerConfig, size: config.length, digest: sha(config) }, layers: [{ mediaType: MediaType.dockerLayer, size: blob.length, digest: sha(blob) }] }));
    putManifest(reg, 'bad/diffid', 'v1', manifest, MediaType.dockerManifest);
    await assert.rejects(pull('bad/diffid', 'v1'), /filesystem layer verification failed/);
    assert.equal(await staged(), 0);
  });

  test('unknown tags and denied repositories answer in docker words', async () => {
    await assert.rejects(pull('nothing/here', 'v1'), /manifest unknown|not found/);
    reg.denied.add('secret/repo');
    await assert.rejects(pull('secret/repo', 'v1'), /pull access denied|denied|unauthorized/);
  });
});
