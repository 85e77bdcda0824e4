// Manifest pushes and pulls by tag and by digest, reference checks, media types, deletion.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MEDIA } from './manifests.js';
import { sha256, startTestRegistry, tinyImage, type Bytes, type TestRegistry, type TinyImage } from './testing.testkit.js';

let reg: TestRegistry;
before(async () => {
  reg = await startTestRegistry();
});
after(async () => reg.stop());

type Errors = { errors: { code: string; detail?: unknown }[] };

async function pushBlob(name: string, data: Bytes): Promise<void> {
  const r = await fetch(`${reg.url}/v2/${name}/blobs/uploads/?digest=${sha256(data)}`, { method: 'POST', body: data });
  assert.equal(r.status, 201);
}

async function pushImage(name: string, img: TinyImage, ref: string): Promise<Response> {
  await pushBlob(name, img.layer);
  await pushBlob(name, img.config);
  return fetch(`${reg.url}/v2/${name}/manifests/${ref}`, { method: 'PUT', body: img.manifest, headers: { 'Content-Type': MEDIA.ociManifest } });
}

test('a manifest put by tag is served by tag and by digest, bytes exact, with its media type', async () => {
  const img = tinyImage('by tag');
  const r = await pushImage('library/busybox', img, 'latest');
  assert.equal(r.status, 201);
  assert.equal(r.headers.get('docker-content-digest'), img.manifestDigest);
  assert.equal(r.headers.get('location'), `${reg.url}/v2/library/busybox/manifests/${img.manifestDigest}`);
  for (const ref of ['latest', img.manifestDigest]) {
    const g = await fetch(`${reg.url}/v2/library/busybox/manifests/${ref}`);
    assert.equal(g.status, 200);
    assert.equal(g.headers.get('content-type'), MEDIA.ociManifest);
    assert.equal(g.headers.get('docker-content-digest'), img.manifestDigest);
    assert.ok(Buffer.from(await g.arrayBuffer()).equals(img.manifest));
    const h = await fetch(`${reg.url}/v2/library/busybox/manifests/${ref}`, { method: 'HEAD' });
    assert.equal(h.status, 200);
    assert.equal(h.headers.get('content-length'), String(img.manifest.length));
  }
  const cached = await fetch(`${reg.url}/v2/library/busybox/manifests/latest`, { headers: { 'If-None-Match': `"${img.manifestDigest}"` } });
  assert.equal(cached.status, 304);
});

test('a manifest put by digest must hash to that digest', async () => {
  const img = tinyImage('by digest');
  assert.equal((await pushImage('a/b/c', img, img.manifestDigest)).status, 201);
  const other = tinyImage('other');
  const bad = await pushImage('a/b/c', other, img.manifestDigest.replace(/.$/, (c) => (c === '0' ? '1' : '0')));
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as Errors).errors[0]?.code, 'DIGEST_INVALID');
  assert.equal((await fetch(`${reg.url}/v2/a/b/c/manifests/${other.manifestDigest}`)).status, 404, 'nothing stored');
});

test('a manifest naming blobs the repository lacks is MANIFEST_BLOB_UNKNOWN, each one listed', async () => {
  const img = tinyImage('missing');
  const r = await fetch(`${reg.url}/v2/lacking/manifests/v1`, { method: 'PUT', body: img.manifest, headers: { 'Content-Type': MEDIA.ociManifest } });
  assert.equal(r.status, 400);
  const body = (await r.json()) as Errors;
  assert.deepEqual(body.errors.map((e) => [e.code, e.detail]), [
    ['MANIFEST_BLOB_UNKNOWN', img.configDigest],
    ['MANIFEST_BLOB_UNKNOWN', img.layerDigest],
  ]);
  // Blobs pushed to another repository do not count.
  await pushBlob('elsewhere', img.layer);
  await pushBlob('elsewhere', img.config);
  const again = await fetch(`${reg.url}/v2/lacking/manifests/v1`, { method: 'PUT', body: img.manifest, headers: { 'Content-Type': MEDIA.ociManifest } });
  assert.equal(again.status, 400);
});

test('an index needs its manifests in the repository; docker schema2 types are kept as pushed', async () => {
  const img = tinyImage('index child');
  await pushImage('multi', img, img.manifestDigest);
  const index = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: MEDIA.dockerList,
    manifests: [{ mediaType: MEDIA.ociManifest, digest: img.manifestDigest, size: img.manifest.length, platform: { architecture: 'amd64', os: 'linux' } }],
  }));
  const put = (name: string) => fetch(`${reg.url}/v2/${name}/manifests/list`, { method: 'PUT', body: index, headers: { 'Content-Type': MEDIA.dockerList } });
  const missing = await put('multi-empty');
  assert.equal(missing.status, 400);
  assert.equal(((await missing.json()) as Errors).errors[0]?.code, 'MANIFEST_BLOB_UNKNOWN');
  assert.equal((await put('multi')).status, 201);
  const g = await fetch(`${reg.url}/v2/multi/manifests/list`);
  assert.equal(g.headers.get('content-type'), MEDIA.dockerList);
  assert.equal(g.headers.get('docker-content-digest'), sha256(index));
});

test('invalid manifests are MANIFEST_INVALID; bad tags TAG_INVALID; unknown references MANIFEST_UNKNOWN', async () => {
  const put = (ref: string, body: string, ct = MEDIA.ociManifest) =>
    fetch(`${reg.url}/v2/invalid/manifests/${ref}`, { method: 'PUT', body, headers: { 'Content-Type': ct } });
  for (const body of ['not json', '{"schemaVersion":1,"fsLayers":[]}', '{"schemaVersion":2,"mediaType":"application/x-nope","layers":[]}', '[]']) {
    const r = await put('t', body);
    assert.equal(r.status, 400, body);
    assert.equal(((await r.json()) as Errors).errors[0]?.code, 'MANIFEST_INVALID', body);
  }
  const contradicts = await put('t', JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.dockerManifest, config: {}, layers: [] }));
  assert.equal(((await contradicts.json()) as Errors).errors[0]?.code, 'MANIFEST_INVALID');
  const badTag = await put('-bad', '{}');
  assert.equal(((await badTag.json()) as Errors).errors[0]?.code, 'TAG_INVALID');
  const unknown = await fetch(`${reg.url}/v2/invalid/manifests/nope`);
  assert.equal(unknown.status, 404);
  assert.equal(((await unknown.json()) as Errors).errors[0]?.code, 'MANIFEST_UNKNOWN');
  const head = await fetch(`${reg.url}/v2/invalid/manifests/${sha256('x')}`, { method: 'HEAD' });
  assert.equal(head.status, 404);
});

test('deleting a tag keeps the manifest; deleting a digest removes it and its tags', async () => {
  const img = tinyImage('deletable');
  await pushImage('del', img, 'one');
  await fetch(`${reg.url}/v2/del/manifests/two`, { method: 'PUT', body: img.manifest, headers: { 'Content-Type': MEDIA.ociManifest } });
  assert.equal((await fetch(`${reg.url}/v2/del/manifests/one`, { method: 'DELETE' })).status, 202);
  assert.equal((await fetch(`${reg.url}/v2/del/manifests/one`)).status, 404);
  assert.equal((await fetch(`${reg.url}/v2/del/manifests/${img.manifestDigest}`)).status, 200);
  assert.equal((await fetch(`${reg.url}/v2/del/manifests/${img.manifestDigest}`, { method: 'DELETE' })).status, 202);
  assert.equal((await fetch(`${reg.url}/v2/del/manifests/two`)).status, 404);
  assert.equal((await fetch(`${reg.url}/v2/del/manifests/${img.manifestDigest}`)).status, 404);
  const again = await fetch(`${reg.url}/v2/del/manifests/${img.manifestDigest}`, { method: 'DELETE' });
  assert.equal(again.status, 404);
  assert.equal(((await again.json()) as Errors).errors[0]?.code, 'MANIFEST_UNKNOWN');
  const tags = (await (await fetch(`${reg.url}/v2/del/tags/list`)).json()) as { tags: string[] };
  assert.deepEqual(tags.tags, []);
});
