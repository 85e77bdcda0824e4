// Tag lists and the catalog, with the spec's n/last pagination and Link headers.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MEDIA } from './manifests.js';
import { sha256, startTestRegistry, tinyImage, type TestRegistry } from './testing.testkit.js';

let reg: TestRegistry;
before(async () => {
  reg = await startTestRegistry();
  const img = tinyImage('listed');
  for (const repo of ['zeta', 'alpha/one', 'alpha/two', 'beta']) {
    for (const b of [img.layer, img.config]) {
      await fetch(`${reg.url}/v2/${repo}/blobs/uploads/?digest=${sha256(b)}`, { method: 'POST', body: b });
    }
  }
  for (const tag of ['v2', 'latest', 'v1', 'v10', '1.0']) {
    const r = await fetch(`${reg.url}/v2/zeta/manifests/${tag}`, { method: 'PUT', body: img.manifest, headers: { 'Content-Type': MEDIA.ociManifest } });
    assert.equal(r.status, 201);
  }
});
after(async () => reg.stop());

test('tags are listed sorted, all of them without n', async () => {
  const r = await fetch(`${reg.url}/v2/zeta/tags/list`);
  assert.equal(r.status, 200);
  assert.deepEqual(await r.json(), { name: 'zeta', tags: ['1.0', 'latest', 'v1', 'v10', 'v2'] });
  assert.equal(r.headers.get('link'), null);
});

test('tags paginate with n and last, following the Link header to the end', async () => {
  const seen: string[] = [];
  let next: string | undefined = '/v2/zeta/tags/list?n=2';
  let pages = 0;
  while (next) {
    const r: Response = await fetch(`${reg.url}${next}`);
    const body = (await r.json()) as { tags: string[] };
    seen.push(...body.tags);
    pages++;
    next = /^<([^>]+)>; rel="next"$/.exec(r.headers.get('link') ?? '')?.[1];
  }
  assert.deepEqual(seen, ['1.0', 'latest', 'v1', 'v10', 'v2']);
  assert.equal(pages, 3);
  const after = (await (await fetch(`${reg.url}/v2/zeta/tags/list?last=v1`)).json()) as { tags: string[] };
  assert.deepEqual(after.tags, ['v10', 'v2']);
  const zero = (await (await fetch(`${reg.url}/v2/zeta/tags/list?n=0`)).json()) as { tags: string[] };
  assert.deepEqual(zero.tags, []);
  const bad = await fetch(`${reg.url}/v2/zeta/tags/list?n=-1`);
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as { errors: { code: string }[] }).errors[0]?.code, 'PAGINATION_NUMBER_INVALID');
});

test('tags of an unknown repository are NAME_UNKNOWN; a repository with only blobs has none', async () => {
  const r = await fetch(`${reg.url}/v2/unknown/tags/list`);
  assert.equal(r.status, 404);
  assert.equal(((await r.json()) as { errors: { code: string }[] }).errors[0]?.code, 'NAME_UNKNOWN');
  assert.equal((await fetch(`${reg.url}/v2/alpha/tags/list`)).status, 404, 'a parent directory is not a repository');
  assert.deepEqual(((await (await fetch(`${reg.url}/v2/beta/tags/list`)).json()) as { tags: string[] }).tags, []);
});

test('the catalog lists every repository, nested ones included, with pagination', async () => {
  const all = (await (await fetch(`${reg.url}/v2/_catalog`)).json()) as { repositories: string[] };
  assert.deepEqual(all.repositories, ['alpha/one', 'alpha/two', 'beta', 'zeta']);
  const r = await fetch(`${reg.url}/v2/_catalog?n=3`);
  assert.deepEqual(((await r.json()) as { repositories: string[] }).repositories, ['alpha/one', 'alpha/two', 'beta']);
  assert.equal(r.headers.get('link'), '</v2/_catalog?last=beta&n=3>; rel="next"');
  const rest = (await (await fetch(`${reg.url}/v2/_catalog?n=3&last=beta`)).json()) as { repositories: string[] };
  assert.deepEqual(rest.repositories, ['zeta']);
});
