// The docker CLI against berthd, pushing to and pulling from registries on loopback: Berth's own registry
// (berthd --registry-addr) and Debian's docker-registry (distribution 2.8); skopeo copying to and from
// Berth's registry. Every pulled image must run.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { startDaemon, type Daemon } from '../../helpers/daemon.js';
import { bcryptHash, freePort, startDockerRegistry, type RunningRegistry } from '../../../src/registry/client/docker-registry.testkit.js';

const run = promisify(execFile);

describe('registries: push, pull, skopeo', { timeout: 180_000 }, () => {
  let d: Daemon;
  let berthRegistry: string;
  let distribution: RunningRegistry;
  let scratch: string;

  before(async () => {
    const port = await freePort();
    berthRegistry = `127.0.0.1:${port}`;
    d = await startDaemon('e2e-images-registry', { args: ['--registry-addr', berthRegistry], netns: false });
    distribution = await startDockerRegistry();
    scratch = await mkdtemp(join(tmpdir(), 'berth-e2e-registry-'));
  });
  after(async () => {
    await distribution?.stop();
    await d?.cleanup();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  const id = async (ref: string) => (await d.dockerOk(['image', 'inspect', '-f', '{{.Id}}', ref])).trim();

  for (const which of ['berth', 'distribution'] as const) {
    test(`push, remove, pull and run through ${which}'s registry`, async () => {
      const host = which === 'berth' ? berthRegistry : distribution.host;
      const ref = `${host}/e2e/busybox:v1`;
      const original = await id('busybox');
      await d.dockerOk(['tag', 'busybox', ref]);
      const push = await d.dockerOk(['push', ref]);
      assert.match(push, /Pushed/);
      const digest = /v1: digest: (sha256:[0-9a-f]{64}) size: \d+/.exec(push)?.[1];
      assert.ok(digest, push);
      // A second push finds every layer there already.
      assert.match(await d.dockerOk(['push', ref]), /Layer already exists/);
      // Another repository of the same registry gets the layer mounted, not uploaded.
      await d.dockerOk(['tag', 'busybox', `${host}/e2e/other:v1`]);
      assert.match(await d.dockerOk(['push', `${host}/e2e/other:v1`]), /Mounted from e2e\/busybox|Layer already exists/);

      await d.dockerOk(['rmi', ref, `${host}/e2e/other:v1`]);
      const pull = await d.dockerOk(['pull', ref]);
      assert.match(pull, /Digest: sha256:/);
      assert.match(pull, /Status: (Downloaded newer image|Image is up to date) for/);
      assert.equal(await id(ref), original, 'the pulled image has the pushed config');
      assert.match(await d.dockerOk(['image', 'inspect', '-f', '{{json .RepoDigests}}', ref]), new RegExp(digest!.slice(7)));

      // By digest, after removing every local copy so the layers really travel.
      await d.dockerOk(['rmi', ref]);
      await d.dockerOk(['tag', 'busybox', 'keep-busybox']);
      await d.dockerOk(['rmi', '-f', original]);
      const byDigest = await d.dockerOk(['pull', `${host}/e2e/busybox@${digest}`]);
      assert.match(byDigest, /Pull complete/);
      assert.equal(await id(`${host}/e2e/busybox@${digest}`), original);
      assert.equal(await d.dockerOk(['run', '--rm', `${host}/e2e/busybox@${digest}`, 'echo', 'pulled-and-ran']), 'pulled-and-ran\n');
      await d.dockerOk(['tag', original, 'busybox']);
    });
  }

  test('unknown tag and unknown repository answer like docker', async () => {
    const r = await d.docker(['pull', `${berthRegistry}/e2e/busybox:nope`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /manifest unknown/);
    const r2 = await d.docker(['pull', `${distribution.host}/nothing/here:v1`]);
    assert.equal(r2.code, 1);
    assert.match(r2.stderr, /Error response from daemon: .*(manifest unknown|not found)/);
    const r3 = await d.docker(['push', `${berthRegistry}/never/tagged:v1`]);
    assert.equal(r3.code, 1);
    assert.match(r3.stderr, /An image does not exist locally with the tag: 127\.0\.0\.1:\d+\/never\/tagged/);
  });

  test('docker login, push with credentials, logout against a registry with basic auth', async (t) => {
    const hash = bcryptHash('s3cret');
    if (!hash) return t.skip('this host cannot make a bcrypt hash for htpasswd (perl crypt without $2b$)');
    const locked = await startDockerRegistry({ htpasswd: { user: 'alice', hash } });
    try {
      const ref = `${locked.host}/private/busybox:v1`;
      await d.dockerOk(['tag', 'busybox', ref]);
      const anonymous = await d.docker(['push', ref]);
      assert.equal(anonymous.code, 1);
      assert.match(anonymous.stderr, /no basic auth credentials|unauthorized|authentication required/);
      const bad = await d.docker(['login', '-u', 'alice', '--password-stdin', locked.host], { input: 'wrong\n' });
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /Error response from daemon: .*(unauthorized|401)/);
      const good = await d.dockerOk(['login', '-u', 'alice', '--password-stdin', locked.host], { input: 's3cret\n' });
      assert.match(good, /Login Succeeded/);
      const config = JSON.parse(await readFile(join(d.env.DOCKER_CONFIG, 'config.json'), 'utf8')) as { auths: Record<string, { auth: string }> };
      assert.equal(Buffer.from(config.auths[locked.host]!.auth, 'base64').toString(), 'alice:s3cret');
      assert.match(await d.dockerOk(['push', ref]), /Pushed/);
      await d.dockerOk(['rmi', ref]);
      assert.match(await d.dockerOk(['pull', ref]), /Status: /);
      await d.dockerOk(['logout', locked.host]);
      await d.dockerOk(['rmi', ref]);
      assert.equal((await d.docker(['pull', ref])).code, 1);
    } finally {
      await locked.stop();
    }
  });

  test('skopeo copies to and from berth registry', async () => {
    const ref = `${berthRegistry}/e2e/skopeo:v1`;
    await d.dockerOk(['tag', 'busybox', ref]);
    await d.dockerOk(['push', ref]);
    const oci = join(scratch, 'oci');
    await run('skopeo', ['copy', '--src-tls-verify=false', `docker://${ref}`, `oci:${oci}:v1`]);
    await run('skopeo', ['copy', '--dest-tls-verify=false', `oci:${oci}:v1`, `docker://${berthRegistry}/e2e/from-skopeo:v2`]);
    const { stdout } = await run('skopeo', ['inspect', '--tls-verify=false', `docker://${berthRegistry}/e2e/from-skopeo:v2`]);
    assert.equal(JSON.parse(stdout).Name, `${berthRegistry}/e2e/from-skopeo`);
    // What skopeo pushed (its own compression choices) pulls and runs.
    await d.dockerOk(['pull', `${berthRegistry}/e2e/from-skopeo:v2`]);
    assert.equal(await d.dockerOk(['run', '--rm', `${berthRegistry}/e2e/from-skopeo:v2`, 'echo', 'skopeo-ok']), 'skopeo-ok\n');
  });
});
