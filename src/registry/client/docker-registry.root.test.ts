// The client against a real registry: Debian's docker-registry (distribution 2.8) on loopback.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { RegistryClient } from './client.js';
import { bcryptHash, haveDockerRegistry, type RunningRegistry, startDockerRegistry } from './docker-registry.testkit.js';
import { checkLogin } from './login.js';
import { MediaType } from './types.js';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const noRegistry = haveDockerRegistry() ? false : 'needs /usr/bin/docker-registry (apt install docker-registry)';
async function drain(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of it) parts.push(c);
  return Buffer.concat(parts);
}
const streamOf = (b: Buffer) => async function* () {
  for (let i = 0; i < b.length; i += 65536) yield b.subarray(i, i + 65536);
};

describe('docker-registry 2.8', { skip: noRegistry }, () => {
  let reg: RunningRegistry;
  let client: RegistryClient;
  before(async () => {
    reg = await startDockerRegistry();
    client = new RegistryClient({ retries: { attempts: 2, baseDelayMs: 10 } });
  });
  after(async () => {
    await client?.close();
    await reg?.stop();
  });

  it('pushes chunked, mounts, puts a schema2 manifest, lists tags and pulls back', async () => {
    const src = { domain: reg.host, path: 'berth/src' };
    const dst = { domain: reg.host, path: 'berth/dst' };
    const layer = randomBytes(5 * 1024 * 1024 + 123);
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha(layer)] } }));

    const layerDigest = await client.pushBlob(src, { body: streamOf(layer) }, { chunkSize: 2 * 1024 * 1024 });
    assert.equal(layerDigest, sha(layer));
    assert.equal(await client.blobExists(src, layerDigest), layer.length);
    assert.equal(await client.blobExists(dst, layerDigest), undefined);

    assert.equal(await client.mountBlob(dst, layerDigest, src), true);
    assert.equal(await client.blobExists(dst, layerDigest), layer.length);
    // A mount of a blob the source does not have starts an upload, which the client cancels.
    assert.equal(await client.mountBlob(dst, sha(Buffer.from('absent')), src), false);

    const configDigest = await client.pushBlob(dst, { digest: sha(config), size: config.length, body: streamOf(config) });
    assert.equal(configDigest, sha(config));

    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.dockerManifest,
      config: { mediaType: MediaType.dockerConfig, size: config.length, digest: configDigest },
      layers: [{ mediaType: MediaType.dockerLayer, size: layer.length, digest: layerDigest }],
    }));
    const manifestDigest = await client.putManifest(dst, 'v1', MediaType.dockerManifest, manifest);
    assert.equal(manifestDigest, sha(manifest));
    await client.putManifest(dst, 'v2', MediaType.dockerManifest, manifest);
    assert.deepEqual((await client.listTags(dst)).sort(), ['v1', 'v2']);

    const got = await client.getManifest({ ...dst, reference: 'v1' }, [MediaType.dockerManifest, MediaType.ociManifest]);
    assert.deepEqual(got, { digest: manifestDigest, mediaType: MediaType.dockerManifest, bytes: manifest });
    const head = await client.headManifest({ ...dst, reference: 'v1' }, [MediaType.dockerManifest]);
    assert.deepEqual(head, { digest: manifestDigest, mediaType: MediaType.dockerManifest, size: manifest.length });
    await client.getManifest({ ...dst, reference: manifestDigest }, [MediaType.dockerManifest]);

    const blob = await client.openBlob(dst, layerDigest);
    assert.equal(blob.size, layer.length);
    assert.deepEqual(await drain(blob.body), layer);
    // distribution honours Range: resume from the middle.
    const half = 3_000_000;
    const resumed = await client.openBlob(dst, layerDigest, { offset: half, hash: createHash('sha256').update(layer.subarray(0, half)) });
    assert.equal(resumed.size, layer.length);
    assert.deepEqual(await drain(resumed.body), layer.subarray(half));
  });

  it("words an unknown manifest as docker does", async () => {
    await assert.rejects(
      client.getManifest({ domain: reg.host, path: 'berth/dst', reference: 'nope' }, [MediaType.dockerManifest]),
      (e: Error & { kind?: string }) => e.kind === 'not-found' && e.message === `manifest for ${reg.host}/berth/dst:nope not found: manifest unknown: manifest unknown`,
    );
  });
});

const hash = haveDockerRegistry() ? bcryptHash('s3cret') : undefined;
describe('docker-registry 2.8 with htpasswd', { skip: noRegistry || (hash ? false : 'no bcrypt: perl crypt() cannot make $2b$ hashes here') }, () => {
  let reg: RunningRegistry;
  before(async () => {
    reg = await startDockerRegistry({ htpasswd: { user: 'berth', hash: hash! } });
  });
  after(async () => {
    await reg?.stop();
  });

  it('logs in and pushes with Basic credentials, and refuses wrong ones', async () => {
    assert.deepEqual(await checkLogin(reg.host, { username: 'berth', password: 's3cret' }), { status: 'Login Succeeded' });
    await assert.rejects(
      checkLogin(reg.host, { username: 'berth', password: 'wrong' }),
      (e: Error & { kind?: string }) => e.kind === 'unauthorized' && e.message === `login attempt to http://${reg.host}/v2/ failed with status: 401 Unauthorized`,
    );
    const client = new RegistryClient({ credentials: () => ({ username: 'berth', password: 's3cret' }) });
    const anon = new RegistryClient({ retries: { attempts: 0 } });
    try {
      const data = randomBytes(100_000);
      const repo = { domain: reg.host, path: 'private/x' };
      assert.equal(await client.pushBlob(repo, { body: streamOf(data) }), sha(data));
      assert.deepEqual(await drain((await client.openBlob(repo, sha(data))).body), data);
      await assert.rejects(anon.openBlob(repo, sha(data)), /no basic auth credentials/);
    } finally {
      await client.close();
      await anon.close();
    }
  });
});
