// skopeo, a real client of the distribution API, pushes a hand-made OCI layout to the registry, copies it
// back and inspects it: the digests must survive the round trip byte for byte.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { sha256, startTestRegistry, tinyImage, writeOciLayout } from './testing.testkit.js';

const run = promisify(execFile);

async function hasSkopeo(): Promise<boolean> {
  try {
    await run('skopeo', ['--version']);
    return true;
  } catch {
    return false;
  }
}

test('skopeo pushes, pulls and inspects an image through the registry', { skip: !(await hasSkopeo()) && 'skopeo not installed' }, async () => {
  const work = await mkdtemp(path.join(tmpdir(), 'berth-registry-skopeo-'));
  const reg = await startTestRegistry();
  try {
    const img = tinyImage();
    const src = path.join(work, 'src');
    const out = path.join(work, 'out');
    await writeOciLayout(src, img, 'v1');
    const hostPort = new URL(reg.url).host;
    const remote = `docker://${hostPort}/test/img:v1`;
    // --dest-tls-verify=false lets skopeo fall back to plain http on a loopback registry without TLS.
    await run('skopeo', ['copy', '--dest-tls-verify=false', `oci:${src}:v1`, remote]);

    const inspected = JSON.parse((await run('skopeo', ['inspect', '--tls-verify=false', remote])).stdout) as { Digest: string; Layers: string[] };
    assert.equal(inspected.Digest, img.manifestDigest);
    assert.deepEqual(inspected.Layers, [img.layerDigest]);
    const raw = (await run('skopeo', ['inspect', '--raw', '--tls-verify=false', remote], { encoding: 'buffer' })).stdout;
    assert.equal(sha256(raw), img.manifestDigest);

    await run('skopeo', ['copy', '--src-tls-verify=false', remote, `oci:${out}:v1`]);
    const index = JSON.parse(await readFile(path.join(out, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    assert.equal(index.manifests[0]?.digest, img.manifestDigest);
    const layer = await readFile(path.join(out, 'blobs', 'sha256', img.layerDigest.slice(7)));
    assert.equal(sha256(layer), img.layerDigest);

    // Registry to registry in Docker's schema2 format: new manifest and config bytes, layers mounted
    // from the first repository rather than uploaded again.
    const docker = `docker://${hostPort}/test/docker-format:v2s2`;
    await run('skopeo', ['copy', '--src-tls-verify=false', '--dest-tls-verify=false', '--format', 'v2s2', remote, docker]);
    const v2s2 = JSON.parse((await run('skopeo', ['inspect', '--raw', '--tls-verify=false', docker])).stdout) as { mediaType: string; layers: { digest: string }[] };
    assert.equal(v2s2.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
    assert.equal(v2s2.layers[0]?.digest, img.layerDigest);
    const head = await fetch(`${reg.url}/v2/test/docker-format/manifests/v2s2`, { method: 'HEAD' });
    assert.equal(head.headers.get('content-type'), 'application/vnd.docker.distribution.manifest.v2+json');

    const tags = (await (await fetch(`${reg.url}/v2/test/img/tags/list`)).json()) as { tags: string[] };
    assert.deepEqual(tags.tags, ['v1']);
    assert.ok(reg.logs.some((l) => /^PUT \/v2\/test\/img\/manifests\/v1 201 /.test(l)), reg.logs.join('\n'));
    assert.ok(reg.logs.some((l) => /^POST \/v2\/test\/docker-format\/blobs\/uploads\/\?\S*mount=\S+ 201 /.test(l)), 'the layer was mounted');
  } finally {
    await reg.stop();
    await rm(work, { recursive: true, force: true });
  }
});
