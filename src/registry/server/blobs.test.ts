// Blob reads (ranges, HEAD, caching), deletion, repository names, the base endpoint and read-only mode.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseRange } from './blobs.js';
import { sha256, startTestRegistry, type TestRegistry } from './testing.testkit.js';

let reg: TestRegistry;
before(async () => {
  reg = await startTestRegistry();
});
after(async () => reg.stop());

type Errors = { errors: { code: string; message: string; detail?: unknown }[] };
const data = Buffer.from('0123456789abcdef');

async function push(name: string): Promise<void> {
  const r = await fetch(`${reg.url}/v2/${name}/blobs/uploads/?digest=${sha256(data)}`, { method: 'POST', body: data });
  assert.equal(r.status, 201);
}

test('GET /v2/ answers {} with the API version header', async () => {
  const r = await fetch(`${reg.url}/v2/`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('docker-distribution-api-version'), 'registry/2.0');
  assert.deepEqual(await r.json(), {});
});

test('HEAD and GET report size and digest; ranges give 206 or 416', async () => {
  await push('ranged');
  const url = `${reg.url}/v2/ranged/blobs/${sha256(data)}`;
  const h = await fetch(url, { method: 'HEAD' });
  assert.equal(h.status, 200);
  assert.equal(h.headers.get('content-length'), String(data.length));
  assert.equal(h.headers.get('docker-content-digest'), sha256(data));
  const part = await fetch(url, { headers: { Range: 'bytes=4-7' } });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get('content-range'), `bytes 4-7/${data.length}`);
  assert.equal(await part.text(), '4567');
  const tail = await fetch(url, { headers: { Range: 'bytes=-3' } });
  assert.equal(await tail.text(), 'def');
  const past = await fetch(url, { headers: { Range: 'bytes=99-' } });
  assert.equal(past.status, 416);
  assert.equal((await fetch(url, { headers: { 'If-None-Match': `"${sha256(data)}"` } })).status, 304);
});

test('parseRange follows RFC 9110 for single ranges', () => {
  assert.deepEqual(parseRange('bytes=0-', 10), [0, 9]);
  assert.deepEqual(parseRange('bytes=5-100', 10), [5, 9]);
  assert.deepEqual(parseRange('bytes=-20', 10), [0, 9]);
  assert.equal(parseRange('bytes=10-', 10), 'unsatisfiable');
  assert.equal(parseRange('bytes=0-1,3-4', 10), undefined);
  assert.equal(parseRange(undefined, 10), undefined);
});

test('an unknown blob is 404 BLOB_UNKNOWN with the digest as detail', async () => {
  const d = sha256('never pushed');
  const r = await fetch(`${reg.url}/v2/nothing/blobs/${d}`);
  assert.equal(r.status, 404);
  assert.deepEqual(await r.json(), { errors: [{ code: 'BLOB_UNKNOWN', message: 'blob unknown to registry', detail: d }] });
  const bad = await fetch(`${reg.url}/v2/nothing/blobs/sha256:xyz`);
  assert.equal(((await bad.json()) as Errors).errors[0]?.code, 'DIGEST_INVALID');
});

test('DELETE unlinks a blob from one repository only', async () => {
  await push('keep');
  await push('drop');
  const r = await fetch(`${reg.url}/v2/drop/blobs/${sha256(data)}`, { method: 'DELETE' });
  assert.equal(r.status, 202);
  assert.equal((await fetch(`${reg.url}/v2/drop/blobs/${sha256(data)}`, { method: 'HEAD' })).status, 404);
  assert.equal((await fetch(`${reg.url}/v2/keep/blobs/${sha256(data)}`, { method: 'HEAD' })).status, 200);
  assert.equal((await fetch(`${reg.url}/v2/drop/blobs/${sha256(data)}`, { method: 'DELETE' })).status, 404);
});

test('names follow the spec grammar: several components are fine, anything else is NAME_INVALID', async () => {
  await push('a/b/c/d');
  assert.equal((await fetch(`${reg.url}/v2/a/b/c/d/blobs/${sha256(data)}`, { method: 'HEAD' })).status, 200);
  for (const name of ['UPPER', 'a//b', '-lead', 'trail-', 'a/_b', 'a..b', 'x'.repeat(256)]) {
    const r = await fetch(`${reg.url}/v2/${name}/blobs/uploads/`, { method: 'POST' });
    assert.equal(r.status, 400, name);
    assert.equal(((await r.json()) as Errors).errors[0]?.code, 'NAME_INVALID', name);
  }
  // URL normalization resolves dot segments before the name is seen; what is left must still be a name.
  assert.equal((await fetch(`${reg.url}/v2/a/../../../etc/blobs/${sha256(data)}`)).status, 404);
  assert.equal((await fetch(`${reg.url}/v3/`)).status, 404);
});

test('a method a route does not have is 405 UNSUPPORTED', async () => {
  const r = await fetch(`${reg.url}/v2/x/tags/list`, { method: 'POST' });
  assert.equal(r.status, 405);
  assert.equal(((await r.json()) as Errors).errors[0]?.code, 'UNSUPPORTED');
});

test('a read-only registry serves reads and refuses writes with 405 UNSUPPORTED', async () => {
  await push('ro/img');
  const ro = await startTestRegistry({ readOnly: true });
  try {
    const w = await fetch(`${ro.url}/v2/ro/img/blobs/uploads/`, { method: 'POST' });
    assert.equal(w.status, 405);
    assert.equal(((await w.json()) as Errors).errors[0]?.code, 'UNSUPPORTED');
    assert.equal((await fetch(`${ro.url}/v2/`)).status, 200);
  } finally {
    await ro.stop();
  }
});

test('every request is logged as method, path, status, bytes and time', async () => {
  await push('logged');
  assert.ok(reg.logs.some((l) => new RegExp(`^POST /v2/logged/blobs/uploads/\\?digest=\\S+ 201 ${data.length} \\d+ms$`).test(l)), reg.logs.join('\n'));
});
