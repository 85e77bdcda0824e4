// Image archives with a fake layer sink (no extraction): Docker 20.10's legacy layout, Docker 25's OCI
// layout, a plain OCI layout, our own writer's output, and hostile or inconsistent archives.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { isEngineError } from '../../common/errors.js';
import { buildTar } from '../tar.testkit.js';
import { readImageArchive, type LayerSink } from './read.js';
import { imageArchiveStream, type ArchiveImage } from './write.js';

const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const hex = (d: string) => d.slice('sha256:'.length);

class FakeSink implements LayerSink {
  readonly live = new Map<number, Buffer>();
  private next = 0;
  async stageLayer(stream: AsyncIterable<Buffer>) {
    const parts: Buffer[] = [];
    for await (const c of stream) parts.push(c);
    let bytes = Buffer.concat(parts);
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
    const handle = this.next++;
    this.live.set(handle, bytes);
    return { diffId: sha(bytes), handle };
  }
  async discard(handle: unknown) {
    assert.ok(this.live.delete(handle as number), `discarding unknown handle ${String(handle)}`);
  }
}

interface Entry {
  name: string;
  data?: Buffer | string;
  type?: 'file' | 'symlink' | 'directory' | 'link';
  linkname?: string;
}

async function tarOf(entries: Entry[]): Promise<Buffer> {
  const p = pack();
  const out: Buffer[] = [];
  const done = (async () => {
    for await (const c of p) out.push(c as Buffer);
  })();
  for (const e of entries) {
    if (e.type === 'symlink' || e.type === 'link' || e.type === 'directory') p.entry({ name: e.name, type: e.type, linkname: e.linkname ?? '' });
    else p.entry({ name: e.name }, Buffer.from(e.data ?? ''));
  }
  p.finalize();
  await done;
  return Buffer.concat(out);
}

const layerA = buildTar([{ name: 'a', data: 'layer a' }]);
const layerB = buildTar([{ name: 'b', data: 'layer b' }]);
const config = (diffIds: string[], extra = '') =>
  Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Env: [extra] }, rootfs: { type: 'layers', diff_ids: diffIds } }));

const load = (archive: Buffer, sink = new FakeSink()) => readImageArchive(Readable.from([archive]), sink);
const invalid = (e: unknown) => isEngineError(e, 'invalid-argument');

describe('readImageArchive', () => {
  it("loads Docker 20.10's legacy layout, with a duplicate layer linked as docker save does", async () => {
    const c1 = config([sha(layerA), sha(layerB)], 'one');
    const c2 = config([sha(layerA)], 'two');
    const archive = await tarOf([
      { name: 'aaaa/', type: 'directory' },
      { name: 'aaaa/VERSION', data: '1.0' },
      { name: 'aaaa/json', data: '{"id":"aaaa"}' },
      { name: 'aaaa/layer.tar', data: layerA },
      { name: 'bbbb/layer.tar', data: layerB },
      { name: 'cccc/layer.tar', type: 'symlink', linkname: '../aaaa/layer.tar' },
      { name: `${hex(sha(c1))}.json`, data: c1 },
      { name: `${hex(sha(c2))}.json`, data: c2 },
      { name: 'repositories', data: '{"one":{"latest":"bbbb"}}' },
      {
        name: 'manifest.json',
        data: JSON.stringify([
          { Config: `${hex(sha(c1))}.json`, RepoTags: ['one:latest', 'reg.example:5000/x/one:v1'], Layers: ['aaaa/layer.tar', 'bbbb/layer.tar'] },
          { Config: `${hex(sha(c2))}.json`, RepoTags: null, Layers: ['cccc/layer.tar'] },
        ]),
      },
    ]);
    const sink = new FakeSink();
    const { images } = await load(archive, sink);
    assert.equal(images.length, 2);
    assert.equal(images[0]!.configDigest, sha(c1));
    assert.deepEqual(images[0]!.repoTags, ['one:latest', 'reg.example:5000/x/one:v1']);
    assert.deepEqual(images[0]!.layers.map((l) => l.diffId), [sha(layerA), sha(layerB)]);
    assert.deepEqual(images[1]!.repoTags, []);
    assert.equal(images[1]!.layers[0]!.handle, images[0]!.layers[0]!.handle, 'the shared layer is staged once');
    assert.equal(sink.live.size, 2);
  });

  it("loads Docker 25's OCI layout with manifest.json, a gzip layer and an unreferenced blob", async () => {
    const gz = gzipSync(layerB);
    const c = config([sha(layerA), sha(layerB)]);
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, config: { digest: sha(c), size: c.length }, layers: [{ digest: sha(layerA) }, { digest: sha(gz) }] }));
    const stray = buildTar([{ name: 'unused', data: 'nobody references me' }]);
    const archive = await tarOf([
      { name: `blobs/sha256/${hex(sha(layerA))}`, data: layerA },
      { name: `blobs/sha256/${hex(sha(gz))}`, data: gz },
      { name: `blobs/sha256/${hex(sha(stray))}`, data: stray },
      { name: `blobs/sha256/${hex(sha(c))}`, data: c },
      { name: `blobs/sha256/${hex(sha(manifest))}`, data: manifest },
      { name: 'index.json', data: JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(manifest), size: manifest.length }] }) },
      { name: 'manifest.json', data: JSON.stringify([{ Config: `blobs/sha256/${hex(sha(c))}`, RepoTags: ['busybox:latest'], Layers: [`blobs/sha256/${hex(sha(layerA))}`, `blobs/sha256/${hex(sha(gz))}`] }]) },
      { name: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' },
    ]);
    const sink = new FakeSink();
    const { images } = await load(archive, sink);
    assert.equal(images.length, 1);
    assert.deepEqual(images[0]!.repoTags, ['busybox:latest']);
    assert.deepEqual(images[0]!.layers.map((l) => l.diffId), [sha(layerA), sha(layerB)]);
    assert.equal(sink.live.size, 2, 'the unreferenced layer was discarded');
  });

  it('loads a plain OCI layout through a nested index, tags from annotations', async () => {
    const c = config([sha(layerA)]);
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, config: { digest: sha(c), size: c.length }, layers: [{ digest: sha(layerA) }] }));
    const inner = Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(manifest), size: manifest.length }] }));
    const archive = await tarOf([
      { name: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' },
      {
        name: 'index.json',
        data: JSON.stringify({
          schemaVersion: 2,
          manifests: [
            { mediaType: 'application/vnd.oci.image.index.v1+json', digest: sha(inner), size: inner.length, annotations: { 'io.containerd.image.name': 'docker.io/library/alpine:3.19', 'org.opencontainers.image.ref.name': '3.19' } },
            { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(manifest), size: manifest.length, annotations: { 'org.opencontainers.image.ref.name': 'example.com/app:v2' } },
          ],
        }),
      },
      { name: `blobs/sha256/${hex(sha(inner))}`, data: inner },
      { name: `blobs/sha256/${hex(sha(manifest))}`, data: manifest },
      { name: `blobs/sha256/${hex(sha(c))}`, data: c },
      { name: `blobs/sha256/${hex(sha(layerA))}`, data: layerA },
    ]);
    const { images } = await load(archive);
    assert.equal(images.length, 1);
    assert.deepEqual(images[0]!.repoTags, ['alpine:3.19', 'example.com/app:v2']);
  });

  it('reads back what writeImageArchive wrote: same IDs, tags and layer bytes', async () => {
    const c1 = config([sha(layerA), sha(layerB)], 'x');
    const c2 = config([sha(layerA)], 'y');
    const layers = new Map([[sha(layerA), layerA], [sha(layerB), layerB]]);
    const image = (cfg: Buffer, diffIds: string[], repoTags: string[]): ArchiveImage => ({
      id: sha(cfg),
      configBytes: cfg,
      diffIds,
      repoTags,
      openLayer: (i) => Readable.from([layers.get(diffIds[i]!)!]),
      layerSize: (i) => layers.get(diffIds[i]!)!.length,
    });
    const parts: Buffer[] = [];
    for await (const c of imageArchiveStream([image(c1, [sha(layerA), sha(layerB)], ['busybox:latest', 'busybox:1']), image(c2, [sha(layerA)], [])])) parts.push(c);
    const sink = new FakeSink();
    const { images } = await load(Buffer.concat(parts), sink);
    assert.deepEqual(images.map((i) => i.configDigest), [sha(c1), sha(c2)]);
    assert.deepEqual(images[0]!.repoTags, ['busybox:latest', 'busybox:1']);
    assert.deepEqual(images[1]!.repoTags, []);
    assert.ok(sink.live.get(images[0]!.layers[1]!.handle as number)!.equals(layerB));
    assert.equal(sink.live.size, 2);
  });

  it('writeImageArchive refuses a layer that does not match its size or diffID', async () => {
    const c = config([sha(layerA)]);
    const run = async (bytes: Buffer, size: number) => {
      for await (const _ of imageArchiveStream([{ id: sha(c), configBytes: c, diffIds: [sha(layerA)], repoTags: [], openLayer: () => Readable.from([bytes]), layerSize: () => size }])) void _;
    };
    await assert.rejects(run(layerB, layerB.length), /digest/);
    await assert.rejects(run(layerA, layerA.length - 1), /longer than/);
  });
});

describe('readImageArchive refuses bad archives and leaves nothing staged', () => {
  const c = config([sha(layerA)]);
  const manifest = (layers: string[]) => ({ name: 'manifest.json', data: JSON.stringify([{ Config: `${hex(sha(c))}.json`, RepoTags: ['x:1'], Layers: layers }]) });
  const cases: [string, () => Promise<Entry[]>, RegExp][] = [
    ['a layer whose diffID is not the config\'s', async () => [{ name: 'l/layer.tar', data: layerB }, { name: `${hex(sha(c))}.json`, data: c }, manifest(['l/layer.tar'])], /invalid diffID for layer 0: expected "sha256:[a-f0-9]{64}", got "sha256:/],
    ['fewer layers than diff_ids', async () => [{ name: `${hex(sha(c))}.json`, data: c }, manifest([])], /layers length mismatch: expected 1, got 0/],
    ['a blob that does not hash to its name', async () => [{ name: `blobs/sha256/${hex(sha(layerB))}`, data: layerA }], /content has digest/],
    ['a config that does not hash to its name', async () => [{ name: 'l/layer.tar', data: layerA }, { name: `${hex(sha('other'))}.json`, data: c }, { name: 'manifest.json', data: JSON.stringify([{ Config: `${hex(sha('other'))}.json`, RepoTags: [], Layers: ['l/layer.tar'] }]) }], /has digest/],
    ['an entry climbing out', async () => [{ name: 'l/layer.tar', data: layerA }, { name: '../evil', data: 'x' }], /escapes/],
    ['an absolute entry name', async () => [{ name: '/etc/evil', data: 'x' }], /absolute/],
    ['a symlink out of the archive', async () => [{ name: 'l/layer.tar', type: 'symlink', linkname: '../../etc/passwd' }], /outside/],
    ['an absolute symlink', async () => [{ name: 'l/layer.tar', type: 'symlink', linkname: '/etc/passwd' }], /absolute/],
    ['a manifest.json over 16 MiB', async () => [{ name: 'l/layer.tar', data: layerA }, { name: 'manifest.json', data: `[${' '.repeat(17 * 1024 * 1024)}]` }], /larger than/],
    ['no manifest at all', async () => [{ name: 'l/layer.tar', data: layerA }], /manifest.json: no such file/],
    ['a missing layer', async () => [{ name: `${hex(sha(c))}.json`, data: c }, manifest(['nope/layer.tar'])], /not found in the archive/],
    ['a link loop', async () => [{ name: 'a', type: 'symlink', linkname: 'b' }, { name: 'b', type: 'symlink', linkname: 'a' }, { name: `${hex(sha(c))}.json`, data: c }, manifest(['a'])], /too many levels/],
  ];
  for (const [what, entries, message] of cases) {
    it(what, async () => {
      const sink = new FakeSink();
      await assert.rejects(load(await tarOf(await entries()), sink), (e: unknown) => invalid(e) && message.test((e as Error).message));
      assert.equal(sink.live.size, 0);
    });
  }

  it('a truncated archive', async () => {
    const sink = new FakeSink();
    const whole = await tarOf([{ name: 'l/layer.tar', data: layerA }, { name: 'x.json', data: '{}' }]);
    await assert.rejects(load(whole.subarray(0, 700), sink), invalid);
    assert.equal(sink.live.size, 0);
  });
});
