import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RegistryClient } from './client.js';
import { freePort } from './docker-registry.testkit.js';
import { FakeRegistry, FakeStorage } from './fake-registry.testkit.js';
import { checkLogin } from './login.js';
import { MediaType } from './types.js';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const fast = { retries: { attempts: 3, baseDelayMs: 1 } };
async function drain(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of it) parts.push(c);
  return Buffer.concat(parts);
}
function* pieces(b: Buffer, n: number) {
  for (let i = 0; i < b.length; i += n) yield b.subarray(i, i + n);
}
const source = (b: Buffer, extra: Partial<{ digest: string; size: number }> = {}) => {
  let opened = 0;
  return {
    ...extra,
    body: async function* () {
      opened++;
      yield* pieces(b, 7000);
    },
    get opened() {
      return opened;
    },
  };
};
const manifestBytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociManifest, config: {}, layers: [] }));

describe('RegistryClient against a bearer-token registry', () => {
  let reg: FakeRegistry;
  let storage: FakeStorage;
  let client: RegistryClient;
  before(async () => {
    storage = await new FakeStorage().start();
    reg = await new FakeRegistry({ auth: 'bearer', users: { alice: 'secret' }, redirectBlobsTo: storage }).start();
    client = new RegistryClient({ ...fast, credentials: () => undefined });
  });
  after(async () => {
    await client.close();
    await reg.stop();
    await storage.stop();
  });

  it('answers the challenge with a token, caches it, and retries once after a 401', async () => {
    const repo = { domain: reg.host, path: 'team/app' };
    assert.equal(await client.putManifest(repo, 'v1', MediaType.ociManifest, manifestBytes), sha(manifestBytes));
    const before = reg.tokenRequests.length;
    const m = await client.getManifest({ ...repo, reference: 'v1' }, [MediaType.ociManifest]);
    assert.equal(m.digest, sha(manifestBytes));
    assert.equal(m.mediaType, MediaType.ociManifest);
    assert.deepEqual(m.bytes, manifestBytes);
    await client.getManifest({ ...repo, reference: m.digest }, [MediaType.ociManifest]);
    // The pull,push token from the PUT serves the pulls: no new token.
    assert.equal(reg.tokenRequests.length, before);
    const t = reg.tokenRequests[0]!;
    assert.equal(t.query.get('service'), 'fake');
    assert.deepEqual(t.query.getAll('scope'), ['repository:team/app:pull,push']);
    assert.equal(t.authorization, undefined);

    reg.revokeTokens();
    await client.getManifest({ ...repo, reference: 'v1' }, [MediaType.ociManifest]);
    assert.equal(reg.tokenRequests.length, before + 1);
    const last = reg.requests.slice(-2);
    assert.deepEqual(last.map((r) => r.method), ['GET', 'GET']);
    assert.notEqual(last[0]!.authorization, last[1]!.authorization);
  });

  it('follows blob redirects without sending the registry Authorization to the other host', async () => {
    const data = randomBytes(200_000);
    const digest = reg.putBlob(data);
    const blob = await client.openBlob({ domain: reg.host, path: 'team/app' }, digest);
    assert.equal(blob.size, data.length);
    assert.deepEqual(await drain(blob.body), data);
    const toStorage = storage.requests.filter((r) => r.url.includes(encodeURIComponent(digest)));
    assert.equal(toStorage.length, 1);
    assert.equal(toStorage[0]!.authorization, undefined);
    const toRegistry = reg.requests.filter((r) => r.url.endsWith(`/blobs/${digest}`));
    assert.ok(toRegistry.at(-1)!.authorization?.startsWith('Bearer '));
  });

  it("words denied access as docker pull does", async () => {
    reg.denied.add('library/secret');
    await assert.rejects(
      client.getManifest({ domain: reg.host, path: 'library/secret', reference: 'latest' }, [MediaType.ociManifest]),
      (e: Error) => e.message === `pull access denied for ${reg.host}/library/secret, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`,
    );
  });

  it('uses the credentials for the token and reports a bad password like docker', async () => {
    const good = new RegistryClient({ ...fast, credentials: (server) => (server === reg.host ? { username: 'alice', password: 'secret' } : undefined) });
    const bad = new RegistryClient({ ...fast, credentials: () => ({ username: 'alice', password: 'nope' }) });
    try {
      await good.putManifest({ domain: reg.host, path: 'alice/x' }, 'v1', MediaType.ociManifest, manifestBytes);
      assert.match(reg.tokenRequests.at(-1)!.authorization ?? '', /^Basic /);
      await assert.rejects(
        bad.getManifest({ domain: reg.host, path: 'alice/x', reference: 'v1' }, [MediaType.ociManifest]),
        (e: Error & { kind?: string }) => e.kind === 'unauthorized' &&
          e.message === `Get "http://${reg.host}/v2/alice/x/manifests/v1": unauthorized: incorrect username or password`,
      );
    } finally {
      await good.close();
      await bad.close();
    }
  });

  it('checks a login and hands back the refresh token as identity token', async () => {
    const ok = await checkLogin(`http://${reg.host}`, { username: 'alice', password: 'secret' });
    assert.deepEqual(ok, { status: 'Login Succeeded', identityToken: 'good-refresh' });
    assert.equal(reg.tokenRequests.at(-1)!.query.get('offline_token'), 'true');
    assert.deepEqual(reg.tokenRequests.at(-1)!.query.getAll('scope'), ['registry:catalog:*']);
    const viaToken = await checkLogin(reg.host, { identitytoken: 'good-refresh' });
    assert.equal(viaToken.status, 'Login Succeeded');
    assert.match(reg.tokenRequests.at(-1)!.body, /grant_type=refresh_token/);
    await assert.rejects(
      checkLogin(reg.host, { username: 'alice', password: 'wrong' }),
      (e: Error & { kind?: string }) => e.kind === 'unauthorized' && e.message === `Get "http://${reg.host}/v2/": unauthorized: incorrect username or password`,
    );
  });
});

describe('RegistryClient against an open registry', () => {
  let reg: FakeRegistry;
  let client: RegistryClient;
  const repo = () => ({ domain: reg.host, path: 'r/one' });
  before(async () => {
    reg = await new FakeRegistry().start();
    client = new RegistryClient(fast);
  });
  after(async () => {
    await client.close();
    await reg.stop();
  });

  it('throws at the end of a blob whose bytes do not match its digest', async () => {
    const data = randomBytes(100_000);
    const digest = reg.putBlob(data);
    reg.corrupt.add(digest);
    const blob = await client.openBlob(repo(), digest);
    await assert.rejects(drain(blob.body), new RegExp(`filesystem layer verification failed for digest ${digest}`));
    reg.corrupt.delete(digest);
    assert.deepEqual(await drain((await client.openBlob(repo(), digest)).body), data);
  });

  it('resumes a blob from an offset and still checks the whole digest', async () => {
    const data = randomBytes(50_000);
    const digest = reg.putBlob(data);
    const hash = createHash('sha256').update(data.subarray(0, 1234));
    // The fake ignores Range, so the client must skip what the caller already has.
    const blob = await client.openBlob(repo(), digest, { offset: 1234, hash });
    assert.deepEqual(await drain(blob.body), data.subarray(1234));
    const wrong = createHash('sha256').update(Buffer.alloc(1234));
    await assert.rejects(drain((await client.openBlob(repo(), digest, { offset: 1234, hash: wrong })).body), /verification failed/);
  });

  it('pushes a blob in chunks with Content-Range, computing the digest while streaming', async () => {
    const data = randomBytes(100_000);
    const src = source(data);
    const digest = await client.pushBlob(repo(), src, { chunkSize: 30_000 });
    assert.equal(digest, sha(data));
    assert.deepEqual(reg.blobs.get(digest), data);
    const ranges = reg.requests.filter((r) => r.method === 'PATCH').map((r) => r.contentRange);
    assert.deepEqual(ranges, ['0-29999', '30000-59999', '60000-89999', '90000-99999']);
    assert.equal(await client.blobExists(repo(), digest), data.length);
    assert.equal(await client.blobExists(repo(), sha(Buffer.from('absent'))), undefined);
  });

  it('pushes a streamed blob in one PATCH, and a small known one in the PUT', async () => {
    const big = randomBytes(3_000_000);
    const before = reg.requests.length;
    assert.equal(await client.pushBlob(repo(), source(big)), sha(big));
    assert.deepEqual(reg.requests.slice(before).map((r) => r.method), ['POST', 'PATCH', 'PUT']);
    const small = randomBytes(1000);
    const mark = reg.requests.length;
    assert.equal(await client.pushBlob(repo(), source(small, { digest: sha(small), size: small.length })), sha(small));
    assert.deepEqual(reg.requests.slice(mark).map((r) => r.method), ['POST', 'PUT']);
    assert.deepEqual(reg.blobs.get(sha(small)), small);
  });

  it('refuses to commit a blob whose bytes differ from the digest it was given', async () => {
    const data = randomBytes(2_000_000);
    await assert.rejects(
      client.pushBlob(repo(), source(data, { digest: sha(Buffer.from('x')) })),
      /blob digest mismatch/,
    );
    assert.equal(reg.blobs.has(sha(data)), false);
  });

  it('retries after a 500: idempotent requests, and uploads from a re-opened body', async () => {
    await client.putManifest(repo(), 'retry', MediaType.ociManifest, manifestBytes);
    reg.failures.set('GET /v2/r/one/manifests', 2);
    const m = await client.getManifest({ ...repo(), reference: 'retry' }, [MediaType.ociManifest]);
    assert.equal(m.digest, sha(manifestBytes));
    assert.equal(reg.failures.get('GET /v2/r/one/manifests'), 0);

    const data = randomBytes(80_000);
    const src = source(data);
    reg.failures.set('PATCH /v2/r/one/blobs/uploads', 1);
    assert.equal(await client.pushBlob(repo(), src, { chunkSize: 50_000 }), sha(data));
    assert.equal(src.opened, 2);
    assert.deepEqual(reg.blobs.get(sha(data)), data);
  });

  it('gives up after the retries with the registry status', async () => {
    reg.failures.set('GET /v2/r/one/tags', 10);
    await assert.rejects(client.listTags(repo()), /received unexpected HTTP status: 500 Internal Server Error/);
    reg.failures.delete('GET /v2/r/one/tags');
  });

  it('mounts a blob it has, and cancels the upload a registry starts instead', async () => {
    const data = randomBytes(10);
    const digest = reg.putBlob(data);
    assert.equal(await client.mountBlob({ domain: reg.host, path: 'r/two' }, digest, repo()), true);
    const uploads = reg.uploads.size;
    assert.equal(await client.mountBlob({ domain: reg.host, path: 'r/two' }, sha(Buffer.from('nope')), repo()), false);
    assert.equal(reg.uploads.size, uploads);
    assert.equal(reg.requests.at(-1)!.method, 'DELETE');
  });

  it('lists tags across Link pages', async () => {
    const r = { domain: reg.host, path: 'r/tags' };
    for (const t of ['e', 'a', 'd', 'b', 'c']) await client.putManifest(r, t, MediaType.ociManifest, manifestBytes);
    assert.deepEqual(await client.listTags(r), ['a', 'b', 'c', 'd', 'e']);
  });

  it('words unknown manifests and repositories as docker does', async () => {
    await assert.rejects(
      client.getManifest({ ...repo(), reference: 'missing' }, [MediaType.ociManifest]),
      (e: Error & { kind?: string }) => e.kind === 'not-found' && e.message === `manifest for ${reg.host}/r/one:missing not found: manifest unknown: manifest unknown`,
    );
    assert.equal(await client.headManifest({ ...repo(), reference: 'missing' }, [MediaType.ociManifest]), undefined);
    await assert.rejects(client.listTags({ domain: reg.host, path: 'no/such' }), /repository .*no\/such not found: name unknown/);
  });

  it('checks manifest bytes against the digest asked for', async () => {
    const fake = `sha256:${'0'.repeat(64)}`;
    reg.manifests.set(`r/one@${fake}`, { type: MediaType.ociManifest, bytes: manifestBytes });
    await assert.rejects(
      client.getManifest({ ...repo(), reference: fake }, [MediaType.ociManifest]),
      new RegExp(`manifest verification failed for digest ${fake}`),
    );
    const head = await client.headManifest({ ...repo(), reference: 'retry' }, [MediaType.ociManifest]);
    assert.deepEqual(head, { digest: sha(manifestBytes), mediaType: MediaType.ociManifest, size: manifestBytes.length });
  });
});

describe('RegistryClient failures below HTTP', () => {
  it("reports a refused connection in Go's words, after trying HTTPS then HTTP", async () => {
    const port = await freePort();
    const client = new RegistryClient(fast);
    try {
      await assert.rejects(
        client.getManifest({ domain: `127.0.0.1:${port}`, path: 'x', reference: 'latest' }, [MediaType.ociManifest]),
        (e: Error & { kind?: string }) => e.kind === 'unavailable' &&
          e.message === `Get "http://127.0.0.1:${port}/v2/": dial tcp 127.0.0.1:${port}: connect: connection refused`,
      );
    } finally {
      await client.close();
    }
  });
});

describe('insecure registries over HTTPS', () => {
  it('prefers HTTPS and accepts an unverified certificate on loopback', async (t) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'berth-registry-tls-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
    if (made.status !== 0) return t.skip('openssl cannot make a self-signed certificate here');
    const seen: string[] = [];
    const srv = createHttpsServer({ key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) }, (req, res) => {
      seen.push(req.url!);
      if (req.url === '/v2/') return void res.writeHead(200).end('{}');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name: 'x', tags: ['t1'] }));
    });
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    const client = new RegistryClient(fast);
    try {
      const domain = `127.0.0.1:${(srv.address() as { port: number }).port}`;
      assert.deepEqual(await client.listTags({ domain, path: 'x' }), ['t1']);
      assert.deepEqual(seen, ['/v2/', '/v2/x/tags/list']);
    } finally {
      await client.close();
      srv.closeAllConnections();
      await new Promise<void>((resolve) => srv.close(() => resolve()));
    }
  });
});

describe('Basic auth', () => {
  it('sends Basic credentials, and words missing or wrong ones', async () => {
    const reg = await new FakeRegistry({ auth: 'basic', users: { bob: 'pw' } }).start();
    const ok = new RegistryClient({ ...fast, credentials: () => ({ username: 'bob', password: 'pw' }) });
    const none = new RegistryClient(fast);
    try {
      const r = { domain: reg.host, path: 'b/c' };
      await ok.putManifest(r, 'v1', MediaType.ociManifest, manifestBytes);
      assert.equal(reg.requests.at(-1)!.authorization, `Basic ${Buffer.from('bob:pw').toString('base64')}`);
      await assert.rejects(
        none.getManifest({ ...r, reference: 'v1' }, [MediaType.ociManifest]),
        (e: Error) => e.message === `Get "http://${reg.host}/v2/b/c/manifests/v1": no basic auth credentials`,
      );
      assert.deepEqual(await checkLogin(reg.host, { username: 'bob', password: 'pw' }), { status: 'Login Succeeded' });
      await assert.rejects(
        checkLogin(reg.host, { username: 'bob', password: 'bad' }),
        (e: Error & { kind?: string }) => e.kind === 'unauthorized' && e.message === `login attempt to http://${reg.host}/v2/ failed with status: 401 Unauthorized`,
      );
    } finally {
      await ok.close();
      await none.close();
      await reg.stop();
    }
  });
});
