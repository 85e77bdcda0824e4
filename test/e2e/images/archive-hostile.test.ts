// save/load round trips through the docker CLI, archives readable by skopeo, and what hostile input must
// not do: layers escaping their directory, blobs whose digest lies, pulls cut off half way, and removing an
// image a container still uses.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { startDaemon, type Daemon } from '../../helpers/daemon.js';
import { buildTar } from '../../../src/image/tar.testkit.js';

const run = promisify(execFile);
const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('image archives and hostile input', { timeout: 120_000 }, () => {
  let d: Daemon;
  let scratch: string;

  before(async () => {
    d = await startDaemon('e2e-images-archive', { netns: false });
    scratch = await mkdtemp(join(tmpdir(), 'berth-e2e-archive-'));
  });
  after(async () => {
    await d?.cleanup();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  const id = async (ref: string) => (await d.dockerOk(['image', 'inspect', '-f', '{{.Id}}', ref])).trim();
  const staging = async () => (await readdir(join(d.dataRoot, 'image', 'tmp'))).length;

  test('save then load keeps image IDs and tags; skopeo reads the archive', async () => {
    await d.dockerOk(['tag', 'busybox', 'saved/one:v1']);
    const cid = (await d.dockerOk(['create', 'busybox', 'sh', '-c', 'echo layered > /added'])).trim();
    await d.dockerOk(['start', '-a', cid]);
    const committed = (await d.dockerOk(['commit', '-c', 'CMD ["cat", "/added"]', cid, 'saved/two:v2'])).trim();
    await d.dockerOk(['rm', cid]);
    const before = { one: await id('saved/one:v1'), two: await id('saved/two:v2') };
    assert.equal(committed, before.two);

    const file = join(scratch, 'two.tar');
    await d.dockerOk(['save', '-o', file, 'saved/one:v1', 'saved/two:v2']);
    // Docker 25+'s layout names each manifest by its tag alone (org.opencontainers.image.ref.name).
    const { stdout } = await run('skopeo', ['inspect', `oci-archive:${file}:v2`]);
    assert.equal(JSON.parse(stdout).Layers.length, 2);

    await d.dockerOk(['rmi', 'saved/one:v1', 'saved/two:v2']);
    const load = await d.dockerOk(['load', '-i', file]);
    assert.match(load, /Loaded image: saved\/one:v1/);
    assert.match(load, /Loaded image: saved\/two:v2/);
    assert.deepEqual({ one: await id('saved/one:v1'), two: await id('saved/two:v2') }, before);
    assert.equal(await d.dockerOk(['run', '--rm', 'saved/two:v2']), 'layered\n');
    assert.equal(await staging(), 0);
  });

  test('a layer that tries to escape writes nothing outside its directory', async () => {
    const outside = join(scratch, 'escaped');
    const layer = buildTar([
      { name: 'ok', data: 'fine\n' },
      { name: '../../../../../../../../..' + outside, data: 'dotdot\n' },
      { name: 'abs', type: 'symlink', linkname: scratch },
      { name: 'abs/escaped', data: 'through-symlink\n' },
      { name: 'hard', type: 'hardlink', linkname: '/etc/passwd' },
    ]);
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha(layer)] }, config: {} }));
    const manifest = [{ Config: `${sha(config).slice(7)}.json`, RepoTags: ['hostile:v1'], Layers: ['l/layer.tar'] }];
    const archive = buildTar([
      { name: `${sha(config).slice(7)}.json`, data: config },
      { name: 'l/layer.tar', data: layer },
      { name: 'manifest.json', data: JSON.stringify(manifest) },
    ]);
    const r = await d.docker(['load'], { input: archive });
    assert.equal(existsSync(outside), false, `load wrote ${outside}: ${r.stdout}${r.stderr}`);
    assert.equal(await readFile('/etc/passwd', 'utf8').then((s) => s.includes('through-symlink')), false);
    assert.equal(await staging(), 0);
  });

  test('an archive entry climbing out is refused', async () => {
    const r = await d.docker(['load'], { input: buildTar([{ name: '../../evil.json', data: '{}' }]) });
    assert.notEqual(r.code, 0);
    assert.equal(existsSync(join(d.dataRoot, '..', 'evil.json')), false);
    assert.equal(await staging(), 0);
  });

  test('removing an image a container uses answers 409 in docker words', async () => {
    const cid = (await d.dockerOk(['create', 'busybox', 'true'])).trim();
    await d.dockerOk(['tag', 'busybox', 'inuse:v1']);
    await d.dockerOk(['rmi', 'inuse:v1']); // untag only: another name remains
    const r = await d.docker(['rmi', await id('busybox')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /conflict: unable to delete [0-9a-f]{12} \(must be forced\) - image is (being used by stopped container [0-9a-f]{12}|referenced in multiple repositories)/);
    await d.dockerOk(['rm', cid]);
  });

  describe('against a registry that misbehaves', () => {
    let server: Server;
    let host: string;
    const layer = gzipSync(buildTar([{ name: 'payload', data: Buffer.alloc(4 << 20, 7) }]));
    const rawLayer = buildTar([{ name: 'payload', data: Buffer.alloc(4 << 20, 7) }]);
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha(rawLayer)] }, config: {} }));
    const manifestFor = (layerDigest: string) =>
      Buffer.from(JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: sha(config) },
        layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: layer.length, digest: layerDigest }],
      }));
    const wrongDigest = sha(Buffer.from('something else'));

    before(async () => {
      server = createServer((req, res) => {
        const url = req.url ?? '';
        if (url === '/v2/') return void res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
        const m = /^\/v2\/bad\/(lying|cut)\/(manifests|blobs)\/(.+)$/.exec(url);
        if (!m) return void res.writeHead(404).end();
        const [, kind, what, ref] = m;
        if (what === 'manifests') {
          const body = manifestFor(kind === 'lying' ? wrongDigest : sha(layer));
          res.writeHead(200, { 'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json', 'Docker-Content-Digest': sha(body), 'Content-Length': body.length });
          return void res.end(req.method === 'HEAD' ? undefined : body);
        }
        if (ref === sha(config)) return void res.writeHead(200, { 'Content-Length': config.length }).end(config);
        // The lying registry serves real bytes under a digest they do not have; the other cuts off.
        res.writeHead(200, { 'Content-Length': layer.length });
        if (kind === 'lying') return void res.end(layer);
        res.write(layer.subarray(0, layer.length >> 1), () => res.destroy());
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const a = server.address();
      host = `127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
    });
    after(async () => {
      server?.closeAllConnections();
      await new Promise((resolve) => server?.close(resolve));
    });

    for (const kind of ['lying', 'cut']) {
      test(`a ${kind} blob leaves no image and no staged layer`, async () => {
        const before = await readdir(join(d.dataRoot, 'image', 'layers'));
        const r = await d.docker(['pull', `${host}/bad/${kind}:v1`]);
        assert.notEqual(r.code, 0, r.stdout);
        assert.match(r.stderr, kind === 'lying' ? /digest|verif/i : /EOF|closed|terminated|socket|aborted|reset/i);
        assert.equal((await d.docker(['image', 'inspect', `${host}/bad/${kind}:v1`])).code, 1);
        assert.deepEqual(await readdir(join(d.dataRoot, 'image', 'layers')), before);
        assert.equal(await staging(), 0);
      });
    }
  });
});

