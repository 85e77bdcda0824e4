import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { isEngineError } from '../common/errors.js';
import { ImageStore } from './image-store.js';
import { buildTar } from './tar.testkit.js';

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const streamOf = (b: Buffer, chunk = 1000) =>
  Readable.from((function* () {
    for (let i = 0; i < b.length; i += chunk) yield b.subarray(i, i + chunk);
  })());

let base: string;
before(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'berth-image-store-test-'));
});
after(async () => {
  await rm(base, { recursive: true, force: true });
});

async function openStore(name: string, now?: () => Date): Promise<{ store: ImageStore; dir: string }> {
  const dir = path.join(base, name, 'image');
  const store = await ImageStore.open(dir, now ? { now } : {});
  return { store, dir };
}

function smallTar(marker: string): Buffer {
  return buildTar([
    { name: 'bin/', type: 'dir' },
    { name: 'bin/tool', data: `#!/bin/sh\necho ${marker}\n`, mode: 0o755 },
    { name: 'etc/', type: 'dir' },
    { name: 'etc/marker', data: marker },
  ]);
}

async function expectNotFound(p: Promise<unknown>, message: string): Promise<unknown> {
  let caught: unknown;
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isEngineError(e, 'not-found'), `expected not-found, got ${String(e)}`);
    assert.equal(e.message, message);
    caught = e;
    return true;
  });
  return caught;
}

describe('ImageStore.importTar', () => {
  it('stores the config as a blob whose digest is the image ID, and the layer under its diffID', async () => {
    const { store, dir } = await openStore('import-plain');
    const tar = smallTar('plain');
    const { id } = await store.importTar(streamOf(tar));
    const blob = await readFile(path.join(dir, 'blobs', 'sha256', id.slice('sha256:'.length)));
    assert.equal(sha256(blob), id);
    const img = await store.get(id);
    assert.deepEqual(img.diffIds, [sha256(tar)]);
    assert.deepEqual(img.chainIds, [sha256(tar)]);
    assert.equal(img.config.rootfs.type, 'layers');
    assert.equal(img.config.os, 'linux');
    assert.equal(img.config.architecture, { x64: 'amd64', arm64: 'arm64' }[process.arch as 'x64'] ?? img.config.architecture);
    assert.deepEqual(img.config.config, {}, "Docker's import sets no Env/Cmd of its own");
    assert.equal(img.config.history?.[0]?.comment, 'Imported from -');
    assert.equal(img.config.history?.[0]?.created, img.config.created);
    const layerDir = path.join(dir, 'layers', sha256(tar).slice('sha256:'.length));
    assert.deepEqual(img.layers, [path.join(layerDir, 'diff')]);
    assert.equal(await readFile(path.join(img.layers[0]!, 'etc', 'marker'), 'utf8'), 'plain');
    const meta = JSON.parse(await readFile(path.join(layerDir, 'meta.json'), 'utf8'));
    assert.deepEqual(meta, { diffId: sha256(tar), chainId: sha256(tar), parent: null, size: img.size });
    assert.equal(img.size, Buffer.byteLength('#!/bin/sh\necho plain\n') + Buffer.byteLength('plain'));
    assert.deepEqual(await readdir(path.join(dir, 'tmp')), []);
  });

  it('gives a gzip-compressed tar the same diffID as the plain tar', async () => {
    const { store } = await openStore('import-gzip');
    const tar = smallTar('gz');
    const plain = await store.get((await store.importTar(streamOf(tar))).id);
    const gz = await store.get((await store.importTar(streamOf(gzipSync(tar), 100))).id);
    assert.deepEqual(gz.diffIds, [sha256(tar)]);
    assert.deepEqual(gz.layers, plain.layers, 'the layer is shared, not unpacked twice');
  });

  it('hashes data after the end-of-archive marker too, though tar stops reading there', async () => {
    const { store } = await openStore('import-trailing');
    const tar = Buffer.concat([smallTar('trailing'), Buffer.alloc(300_000, 7)]);
    const img = await store.get((await store.importTar(streamOf(tar, 4096))).id);
    assert.deepEqual(img.diffIds, [sha256(tar)]);
  });

  it('applies changes, message, platform and reference', async () => {
    const now = new Date('2024-05-06T07:08:09.123Z');
    const { store } = await openStore('import-changes', () => now);
    const { id } = await store.importTar(streamOf(smallTar('changes')), {
      reference: 'me/app:1.0',
      changes: { Cmd: ['/bin/tool'], Env: ['A=1', 'PATH=/bin'], WorkingDir: '/etc', Labels: { a: 'b' }, ExposedPorts: { '80/tcp': {} } },
      message: 'hello',
      platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
    });
    const img = await store.get('me/app:1.0');
    assert.equal(img.id, id);
    assert.deepEqual(img.config.config, { Cmd: ['/bin/tool'], Env: ['A=1', 'PATH=/bin'], WorkingDir: '/etc', Labels: { a: 'b' }, ExposedPorts: { '80/tcp': {} } });
    assert.equal(img.config.comment, 'hello');
    assert.equal(img.config.created, now.toISOString());
    assert.equal(img.config.architecture, 'arm64');
    assert.equal(img.config.variant, 'v8');
    assert.deepEqual(img.references, ['docker.io/me/app:1.0']);
    assert.equal(img.lastTagTime, now.toISOString());
    assert.equal(img.storedAt, now.toISOString());
  });

  it('rejects bad requests before extracting anything', async () => {
    const { store, dir } = await openStore('import-invalid');
    const cases: [Parameters<ImageStore['importTar']>[1], string][] = [
      [{ reference: 'Bad' }, 'invalid reference format: repository name (library/Bad) must be lowercase'],
      [{ reference: `a@sha256:${'a'.repeat(64)}` }, 'cannot import digest reference'],
      [{ reference: 'sha256' }, 'refusing to create an ambiguous tag using digest algorithm as name'],
      [{ platform: { os: 'windows' } }, 'image operating system "windows" cannot be used on this platform'],
      [{ changes: { Hostname: 'x' } as never }, 'Hostname is not a valid change command'],
      [{ changes: { Cmd: 'ls' as never } }, 'invalid value for Cmd'],
    ];
    for (const [opts, message] of cases) {
      await assert.rejects(store.importTar(streamOf(smallTar('x')), opts), (e: unknown) => isEngineError(e, 'invalid-argument') && e.message === message);
    }
    assert.deepEqual(await store.list(), []);
    assert.deepEqual(await readdir(path.join(dir, 'layers')), []);
  });

  for (const [what, bytes] of [
    ['a tar cut inside a header', smallTar('trunc').subarray(0, 700)],
    ['a tar cut inside file data', smallTar('trunc').subarray(0, 1100)],
    ['a corrupt tar', Buffer.concat([Buffer.alloc(512, 0x41), Buffer.alloc(1024)])],
    ['a truncated gzip', gzipSync(smallTar('trunc-gz')).subarray(0, 60)],
    ['a corrupt gzip', Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3]), Buffer.alloc(200, 0x55)])],
  ] as const) {
    it(`leaves no image and no layer directory after ${what}`, async () => {
      const { store, dir } = await openStore(`import-${what.replace(/ /g, '-')}`);
      await assert.rejects(store.importTar(streamOf(bytes, 64)), (e: unknown) => isEngineError(e, 'invalid-argument'));
      assert.deepEqual(await store.list(), []);
      assert.deepEqual(await readdir(path.join(dir, 'layers')), []);
      assert.deepEqual(await readdir(path.join(dir, 'tmp')), []);
      assert.deepEqual(await readdir(path.join(dir, 'blobs', 'sha256')), []);
      assert.ok(!existsSync(path.join(dir, 'repositories.json')));
    });
  }

  it('leaves nothing when the source stream itself fails', async () => {
    const { store, dir } = await openStore('import-source-error');
    const tar = smallTar('broken-source');
    const source = Readable.from((async function* () {
      yield tar.subarray(0, 1024);
      throw new Error('client went away');
    })());
    await assert.rejects(store.importTar(source, { reference: 'x' }), /client went away/);
    assert.deepEqual(await store.list(), []);
    assert.deepEqual(await readdir(path.join(dir, 'layers')), []);
    assert.deepEqual(await readdir(path.join(dir, 'tmp')), []);
  });

  it('accepts an empty stream as an empty layer, as Docker does', async () => {
    const { store } = await openStore('import-empty');
    const img = await store.get((await store.importTar(Readable.from([]))).id);
    assert.deepEqual(img.diffIds, [sha256(Buffer.alloc(0))]);
    assert.deepEqual(await readdir(img.layers[0]!), []);
  });
});

describe('ImageStore lookups', () => {
  it('finds images by full ID, 64 hex, unique prefix, sha256: prefix and reference', async () => {
    const { store } = await openStore('get');
    const { id } = await store.importTar(streamOf(smallTar('get')), { reference: 'busybox' });
    const hex = id.slice('sha256:'.length);
    for (const key of [id, hex, hex.slice(0, 12), hex.slice(0, 1), `sha256:${hex.slice(0, 5)}`, 'busybox', 'busybox:latest', 'docker.io/library/busybox', 'index.docker.io/library/busybox:latest']) {
      assert.equal((await store.get(key)).id, id, key);
    }
    await expectNotFound(store.get('other'), 'No such image: other:latest');
    await expectNotFound(store.get('busybox:1'), 'No such image: busybox:1');
    await expectNotFound(store.get(`sha256:${'0'.repeat(64)}`), `No such image: sha256:${'0'.repeat(64)}`);
    await expectNotFound(store.get('0'.repeat(64)), `No such image: sha256:${'0'.repeat(64)}`);
    const wrongFirst = hex[0] === 'a' ? 'b' : 'a';
    await expectNotFound(store.get(wrongFirst), `No such image: ${wrongFirst}:latest`);
    await assert.rejects(store.get('Busybox'), (e: unknown) => isEngineError(e, 'invalid-argument'));
  });

  it('an ambiguous ID prefix is answered like an unknown one, with the ambiguity as the cause', async () => {
    const { store } = await openStore('ambiguous');
    const byFirst = new Map<string, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; !pair; i++) {
      const { id } = await store.importTar(streamOf(smallTar('amb')), { message: `image ${i}` });
      const first = id.slice('sha256:'.length)[0]!;
      const other = byFirst.get(first);
      if (other) pair = [other, id];
      byFirst.set(first, id);
    }
    const prefix = pair[0].slice('sha256:'.length)[0]!;
    const e = await expectNotFound(store.get(prefix), `No such image: ${prefix}:latest`);
    assert.ok(isEngineError((e as Error).cause, 'conflict'));
    assert.match(((e as Error).cause as Error).message, /ambiguous/);
    assert.equal((await store.get(pair[1])).id, pair[1]);
    assert.equal(new Set((await store.list()).flatMap((i) => i.layers)).size, 1, 'all share one layer');
  });
});

describe('ImageStore tag/untag/remove', () => {
  it('tags, moves tags, untags, and removes only what no remaining image shares', async () => {
    const { store, dir } = await openStore('tag-remove');
    const shared = smallTar('shared');
    const own = smallTar('own');
    const a = (await store.importTar(streamOf(shared), { reference: 'a', message: 'a' })).id;
    const b = (await store.importTar(streamOf(shared), { message: 'b' })).id;
    const c = (await store.importTar(streamOf(own), { message: 'c' })).id;
    assert.notEqual(a, b);
    const layerDirs = async () => (await readdir(path.join(dir, 'layers'))).sort();
    assert.deepEqual(await layerDirs(), [sha256(shared), sha256(own)].map((d) => d.slice(7)).sort());

    assert.equal(await store.tag(b, 'me/b:v1'), 'docker.io/me/b:v1');
    assert.equal(await store.tag('me/b:v1', 'localhost:5000/b'), 'localhost:5000/b:latest');
    // In familiar-string order, as Docker lists RepoTags.
    assert.deepEqual(await store.references(b), ['localhost:5000/b:latest', 'docker.io/me/b:v1']);
    assert.ok((await store.get(b)).lastTagTime);
    await assert.rejects(store.tag(b, `x@sha256:${'a'.repeat(64)}`), /refusing to create a tag with a digest reference/);
    await assert.rejects(store.tag(b, 'sha256:v1'), /refusing to create an ambiguous tag using digest algorithm as name/);
    await expectNotFound(store.tag('nope', 'x'), 'No such image: nope:latest');

    // Moving a tag leaves the old image untagged but present (dangling).
    await store.tag(c, 'a');
    assert.deepEqual(await store.references(a), []);
    assert.equal((await store.get('a')).id, c);

    assert.deepEqual(await store.untag('me/b:v1'), { id: b, untagged: 'me/b:v1' });
    await expectNotFound(store.untag('me/b:v1'), 'No such image: me/b:v1');
    assert.equal((await store.get(b)).id, b, 'untag keeps the image');

    // a and b share their only layer: removing a keeps it.
    assert.deepEqual(await store.remove(a), { untagged: [], deleted: [a], reclaimed: 0 });
    assert.deepEqual(await layerDirs(), [sha256(shared), sha256(own)].map((d) => d.slice(7)).sort());
    assert.ok(existsSync((await store.layers(b))[0]!));
    await expectNotFound(store.get(a), `No such image: ${a}`);

    const bSize = await store.size(b);
    assert.deepEqual(await store.remove('localhost:5000/b'), { untagged: ['localhost:5000/b:latest'], deleted: [b, sha256(shared)], reclaimed: bSize });
    assert.deepEqual(await layerDirs(), [sha256(own).slice(7)]);
    assert.deepEqual(await readdir(path.join(dir, 'blobs', 'sha256')), [c.slice(7)]);

    // Everything survives a reopen, and the references file says the same.
    const reopened = await ImageStore.open(dir);
    assert.deepEqual((await reopened.list()).map((i) => [i.id, i.references]), [[c, ['docker.io/library/a:latest']]]);
    const refsFile = JSON.parse(await readFile(path.join(dir, 'repositories.json'), 'utf8'));
    assert.deepEqual(refsFile, { references: { 'docker.io/library/a:latest': c } });
  });
});

describe('ImageStore recovery', () => {
  it('sweeps staging, orphan layers and blobs, and references to missing images at open', async () => {
    const { store, dir } = await openStore('recover');
    const { id } = await store.importTar(streamOf(smallTar('keep')), { reference: 'keep' });
    // What a crash could leave: a half-extracted staging dir, a published layer whose image record was never
    // written, a config blob without a record, a temp file, and (by hand) a reference to a missing image.
    await mkdir(path.join(dir, 'tmp', 'layer-123-abc', 'diff', 'etc'), { recursive: true });
    const orphanHex = 'e'.repeat(64);
    await mkdir(path.join(dir, 'layers', orphanHex, 'diff'), { recursive: true });
    await writeFile(path.join(dir, 'layers', orphanHex, 'meta.json'), JSON.stringify({ diffId: `sha256:${orphanHex}`, chainId: `sha256:${orphanHex}`, parent: null, size: 0 }));
    const strayBlob = Buffer.from('{"stray":true}');
    await writeFile(path.join(dir, 'blobs', 'sha256', sha256(strayBlob).slice(7)), strayBlob);
    await writeFile(path.join(dir, 'repositories.json.999.tmp'), 'junk');
    const refs = JSON.parse(await readFile(path.join(dir, 'repositories.json'), 'utf8'));
    refs.references['docker.io/library/ghost:latest'] = `sha256:${'f'.repeat(64)}`;
    await writeFile(path.join(dir, 'repositories.json'), JSON.stringify(refs));

    const logs: string[] = [];
    const reopened = await ImageStore.open(dir, { log: (m) => logs.push(m) });
    assert.deepEqual((await reopened.list()).map((i) => i.id), [id]);
    assert.deepEqual(await reopened.references(id), ['docker.io/library/keep:latest']);
    assert.deepEqual(await readdir(path.join(dir, 'tmp')), []);
    assert.deepEqual(await readdir(path.join(dir, 'layers')), [(await reopened.get(id)).chainIds[0]!.slice(7)]);
    assert.deepEqual(await readdir(path.join(dir, 'blobs', 'sha256')), [id.slice(7)]);
    assert.ok(!existsSync(path.join(dir, 'repositories.json.999.tmp')));
    assert.ok(logs.some((l) => l.includes('ghost')));
    await expectNotFound(reopened.get('ghost'), 'No such image: ghost:latest');
  });
});
