// Image archives with real extraction: load into layer directories with tar-splits, save them back from
// the directories, and check the result with skopeo (oci-archive: and oci: transports) and with our loader.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { buildTar } from '../tar.testkit.js';
import { applyLayerTar } from '../layer/apply.js';
import { layerTarStream, splitTarSize } from '../layer/tar-split-format.js';
import { readImageArchive, type LayerSink } from './read.js';
import { writeImageArchive, type ArchiveImage } from './write.js';

let base: string;
before(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'berth-archive-root-test-'));
});
after(async () => {
  await rm(base, { recursive: true, force: true });
});

const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Stages layers as the image store does: a directory with diff/ and tar-split.gz. */
function dirSink(root: string): LayerSink & { dirs: Set<string> } {
  let n = 0;
  const dirs = new Set<string>();
  return {
    dirs,
    async stageLayer(stream) {
      const dir = path.join(root, `layer-${n++}`);
      await mkdir(path.join(dir, 'diff'), { recursive: true });
      dirs.add(dir);
      try {
        const applied = await applyLayerTar(stream, path.join(dir, 'diff'), { isBase: true, splitFile: path.join(dir, 'tar-split.gz') });
        return { diffId: applied.diffId, handle: dir };
      } catch (e) {
        await rm(dir, { recursive: true, force: true });
        dirs.delete(dir);
        throw e;
      }
    },
    async discard(handle) {
      await rm(handle as string, { recursive: true, force: true });
      dirs.delete(handle as string);
    },
  };
}

async function save(file: string, images: { configBytes: Buffer; layers: { diffId: string; handle: unknown }[]; repoTags: string[] }[]): Promise<void> {
  const out = createWriteStream(file);
  const toSave: ArchiveImage[] = images.map((img) => ({
    id: sha(img.configBytes),
    configBytes: img.configBytes,
    diffIds: img.layers.map((l) => l.diffId),
    repoTags: img.repoTags,
    openLayer: (i) => layerTarStream(path.join(img.layers[i]!.handle as string, 'diff'), path.join(img.layers[i]!.handle as string, 'tar-split.gz')),
    layerSize: (i) => splitTarSize(path.join(img.layers[i]!.handle as string, 'tar-split.gz')),
  }));
  await writeImageArchive(toSave, out);
  out.end();
  await finished(out);
}

describe('image archives through real layer directories', () => {
  it('load, save, skopeo reads the OCI archive, and our loader reads it back with the same IDs', async () => {
    const l1 = buildTar([{ name: 'bin/', type: 'dir' }, { name: 'bin/sh', data: randomBytes(300_000), mode: 0o755 }, { name: 'dup', data: 'old' }, { name: 'dup', data: 'new' }]);
    const l2 = Buffer.concat([buildTar([{ name: 'etc/hostname', data: 'berth\n' }]), Buffer.from('trailing bytes')]);
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['/bin/sh'] }, rootfs: { type: 'layers', diff_ids: [sha(l1), sha(l2)] } }));
    const legacy = path.join(base, 'legacy.tar');
    const tarDir = path.join(base, 'legacy');
    await mkdir(path.join(tarDir, 'one'), { recursive: true });
    await mkdir(path.join(tarDir, 'two'), { recursive: true });
    await writeFile(path.join(tarDir, 'one/layer.tar'), l1);
    await writeFile(path.join(tarDir, 'two/layer.tar'), l2);
    await writeFile(path.join(tarDir, `${sha(config).slice(7)}.json`), config);
    await writeFile(path.join(tarDir, 'manifest.json'), JSON.stringify([{ Config: `${sha(config).slice(7)}.json`, RepoTags: ['berth-test:latest'], Layers: ['one/layer.tar', 'two/layer.tar'] }]));
    assert.equal(spawnSync('tar', ['-C', tarDir, '-cf', legacy, '.']).status, 0);

    const sink = dirSink(path.join(base, 'staged'));
    const { images } = await readImageArchive(createReadStream(legacy), sink);
    assert.equal(images.length, 1);
    assert.equal(images[0]!.configDigest, sha(config));
    assert.equal(sink.dirs.size, 2);

    const saved = path.join(base, 'saved.tar');
    await save(saved, images);

    const inspect = spawnSync('skopeo', ['inspect', '--raw', `oci-archive:${saved}:latest`], { encoding: 'utf8' });
    assert.equal(inspect.status, 0, inspect.stderr);
    const manifest = JSON.parse(inspect.stdout) as { config: { digest: string }; layers: { digest: string; mediaType: string }[] };
    assert.equal(manifest.config.digest, sha(config));
    assert.deepEqual(manifest.layers.map((l) => l.digest), [sha(l1), sha(l2)]);
    assert.equal(manifest.layers[0]!.mediaType, 'application/vnd.oci.image.layer.v1.tar');

    const ociDir = path.join(base, 'oci');
    const copy = spawnSync('skopeo', ['copy', '-q', `oci-archive:${saved}:latest`, `oci:${ociDir}:copied`], { encoding: 'utf8' });
    assert.equal(copy.status, 0, copy.stderr);
    // skopeo compresses layers for an oci: destination; the content must still be the original tar.
    const index = JSON.parse(readFileSync(path.join(ociDir, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    const blob = (d: string) => readFileSync(path.join(ociDir, 'blobs/sha256', d.slice(7)));
    const copied = JSON.parse(blob(index.manifests[0]!.digest).toString()) as { layers: { digest: string }[] };
    const first = blob(copied.layers[0]!.digest);
    assert.ok((first[0] === 0x1f ? gunzipSync(first) : first).equals(l1), 'the layer skopeo copied is the original tar');

    const again = await readImageArchive(createReadStream(saved), dirSink(path.join(base, 'staged-again')));
    assert.deepEqual(again.images.map((i) => [i.configDigest, i.repoTags, i.layers.map((l) => l.diffId)]), [[sha(config), ['berth-test:latest'], [sha(l1), sha(l2)]]]);
    for (const h of [...sink.dirs]) await sink.discard(h);
    assert.deepEqual(await readdir(path.join(base, 'staged')), []);
  });
});
