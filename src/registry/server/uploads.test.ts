// Blob pushes over real HTTP against an in-process registry: monolithic, chunked, resumable, verified.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat, utimes } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Storage } from './storage.js';
import { sha256, startTestRegistry, type TestRegistry } from './testing.testkit.js';
import { Uploads } from './uploads.js';

let reg: TestRegistry;
before(async () => {
  reg = await startTestRegistry();
});
after(async () => reg.stop());

async function startUpload(name: string): Promise<string> {
  const r = await fetch(`${reg.url}/v2/${name}/blobs/uploads/`, { method: 'POST' });
  assert.equal(r.status, 202);
  assert.equal(r.headers.get('range'), '0-0');
  assert.match(r.headers.get('docker-upload-uuid') ?? '', /^[0-9a-f-]{36}$/);
  return r.headers.get('location')!;
}

test('a monolithic POST ?digest= stores the blob and links it into the repository', async () => {
  const data = randomBytes(100_000);
  const r = await fetch(`${reg.url}/v2/mono/blobs/uploads/?digest=${sha256(data)}`, { method: 'POST', body: data });
  assert.equal(r.status, 201);
  assert.equal(r.headers.get('docker-content-digest'), sha256(data));
  assert.equal(r.headers.get('location'), `${reg.url}/v2/mono/blobs/${sha256(data)}`);
  const g = await fetch(`${reg.url}/v2/mono/blobs/${sha256(data)}`);
  assert.equal(g.status, 200);
  assert.ok(Buffer.from(await g.arrayBuffer()).equals(data));
  assert.equal((await stat(path.join(reg.root, 'blobs', 'sha256', sha256(data).slice(7)))).size, data.length);
});

test('chunked PATCHes with Content-Range, status in between, then PUT with a final chunk', async () => {
  const data = randomBytes(300_000);
  const loc = await startUpload('chunked/repo');
  let r = await fetch(loc, { method: 'PATCH', body: data.subarray(0, 100_000), headers: { 'Content-Range': '0-99999' } });
  assert.equal(r.status, 202);
  assert.equal(r.headers.get('range'), '0-99999');
  // A chunk that does not continue where the upload ends is refused with 416, and nothing is appended.
  r = await fetch(loc, { method: 'PATCH', body: data.subarray(0, 10), headers: { 'Content-Range': '0-9' } });
  assert.equal(r.status, 416);
  assert.equal(((await r.json()) as { errors: { code: string }[] }).errors[0]?.code, 'RANGE_INVALID');
  r = await fetch(loc);
  assert.equal(r.status, 204);
  assert.equal(r.headers.get('range'), '0-99999');
  // A streamed chunk without Content-Range (what docker and skopeo send).
  r = await fetch(loc, { method: 'PATCH', body: data.subarray(100_000, 250_000) });
  assert.equal(r.headers.get('range'), '0-249999');
  r = await fetch(`${loc}?digest=${sha256(data)}`, { method: 'PUT', body: data.subarray(250_000) });
  assert.equal(r.status, 201);
  const g = await fetch(`${reg.url}/v2/chunked/repo/blobs/${sha256(data)}`);
  assert.ok(Buffer.from(await g.arrayBuffer()).equals(data));
  assert.equal((await fetch(loc)).status, 404, 'a finished upload is gone');
});

test('a digest mismatch is DIGEST_INVALID and leaves no blob and no upload behind', async () => {
  const data = Buffer.from('the real content');
  const wrong = sha256('something else');
  const loc = await startUpload('mismatch');
  await fetch(loc, { method: 'PATCH', body: data });
  const r = await fetch(`${loc}?digest=${wrong}`, { method: 'PUT' });
  assert.equal(r.status, 400);
  const body = (await r.json()) as { errors: { code: string; message: string }[] };
  assert.equal(body.errors[0]?.code, 'DIGEST_INVALID');
  assert.equal(body.errors[0]?.message, 'provided digest did not match uploaded content');
  const m = await fetch(`${reg.url}/v2/mismatch/blobs/uploads/?digest=${wrong}`, { method: 'POST', body: data });
  assert.equal(m.status, 400);
  const blobs = await readdir(path.join(reg.root, 'blobs', 'sha256'));
  assert.ok(!blobs.includes(wrong.slice(7)) && !blobs.includes(sha256(data).slice(7)), `blobs: ${blobs.join(' ')}`);
  assert.equal((await fetch(`${reg.url}/v2/mismatch/blobs/${sha256(data)}`, { method: 'HEAD' })).status, 404);
  assert.equal((await fetch(loc)).status, 404);
  const uploads = await readdir(path.join(reg.root, 'uploads'));
  assert.ok(!uploads.includes(loc.split('/').pop()!));
});

test('PUT without a digest is DIGEST_INVALID and the upload stays resumable', async () => {
  const loc = await startUpload('nodigest');
  const r = await fetch(loc, { method: 'PUT' });
  assert.equal(r.status, 400);
  assert.equal(((await r.json()) as { errors: { code: string }[] }).errors[0]?.code, 'DIGEST_INVALID');
  assert.equal((await fetch(loc)).status, 204);
});

test('unknown uploads, uploads of another repository, and cancelled uploads are BLOB_UPLOAD_UNKNOWN', async () => {
  const loc = await startUpload('owner');
  const uuid = loc.split('/').pop()!;
  const other = await fetch(`${reg.url}/v2/intruder/blobs/uploads/${uuid}`);
  assert.equal(other.status, 404);
  assert.equal(((await other.json()) as { errors: { code: string }[] }).errors[0]?.code, 'BLOB_UPLOAD_UNKNOWN');
  assert.equal((await fetch(`${reg.url}/v2/owner/blobs/uploads/../../x`, { method: 'PATCH', body: 'x' })).status, 404);
  assert.equal((await fetch(loc, { method: 'DELETE' })).status, 204);
  assert.equal((await fetch(loc, { method: 'PATCH', body: 'x' })).status, 404);
  assert.equal((await fetch(loc, { method: 'DELETE' })).status, 404);
});

test('cross-repository mount: 201 when the source holds the blob, an ordinary upload otherwise', async () => {
  const data = Buffer.from('mount me');
  await fetch(`${reg.url}/v2/source/img/blobs/uploads/?digest=${sha256(data)}`, { method: 'POST', body: data });
  let r = await fetch(`${reg.url}/v2/target/img/blobs/uploads/?mount=${sha256(data)}&from=source/img`, { method: 'POST' });
  assert.equal(r.status, 201);
  assert.equal(r.headers.get('docker-content-digest'), sha256(data));
  assert.equal((await fetch(`${reg.url}/v2/target/img/blobs/${sha256(data)}`, { method: 'HEAD' })).status, 200);
  r = await fetch(`${reg.url}/v2/third/blobs/uploads/?mount=${sha256(data)}&from=nowhere`, { method: 'POST' });
  assert.equal(r.status, 202);
  assert.ok(r.headers.get('location'));
  assert.equal((await fetch(`${reg.url}/v2/third/blobs/${sha256(data)}`, { method: 'HEAD' })).status, 404);
});

test('concurrent uploads of the same blob to several repositories all succeed with intact content', async () => {
  const data = randomBytes(2_000_000);
  const results = await Promise.all(
    Array.from({ length: 8 }, async (_, i) => {
      const loc = await startUpload(`concurrent/r${i}`);
      await fetch(loc, { method: 'PATCH', body: data.subarray(0, 1_000_000) });
      return fetch(`${loc}?digest=${sha256(data)}`, { method: 'PUT', body: data.subarray(1_000_000) });
    }),
  );
  assert.deepEqual(results.map((r) => r.status), Array(8).fill(201));
  for (let i = 0; i < 8; i++) {
    const g = await fetch(`${reg.url}/v2/concurrent/r${i}/blobs/${sha256(data)}`);
    assert.equal(sha256(Buffer.from(await g.arrayBuffer())), sha256(data));
  }
  assert.deepEqual(await readdir(path.join(reg.root, 'tmp')), []);
});

test('concurrent PATCHes to one upload are serialized, never interleaved', async () => {
  const a = Buffer.alloc(500_000, 'a');
  const b = Buffer.alloc(500_000, 'b');
  const loc = await startUpload('serial');
  await Promise.all([fetch(loc, { method: 'PATCH', body: a }), fetch(loc, { method: 'PATCH', body: b })]);
  const onDisk = await readFile(path.join(reg.root, 'uploads', loc.split('/').pop()!, 'data'));
  assert.ok(onDisk.equals(Buffer.concat([a, b])) || onDisk.equals(Buffer.concat([b, a])), 'one chunk after the other');
  const r = await fetch(`${loc}?digest=${sha256(onDisk)}`, { method: 'PUT' });
  assert.equal(r.status, 201);
});

test('uploads untouched for longer than the limit are purged; fresh ones stay', async () => {
  const storage = new Storage(reg.root);
  const uploads = new Uploads(storage);
  const old = await uploads.create('stale');
  const fresh = await uploads.create('stale');
  const weekAgo = new Date(Date.now() - 8 * 24 * 3600 * 1000);
  await utimes(path.join(reg.root, 'uploads', old.uuid, 'data'), weekAgo, weekAgo);
  const removed = await uploads.purgeStale(7 * 24 * 3600 * 1000);
  assert.ok(removed.includes(old.uuid) && !removed.includes(fresh.uuid));
  await assert.rejects(uploads.get('stale', old.uuid), /BLOB_UPLOAD_UNKNOWN/);
  assert.equal((await uploads.get('stale', fresh.uuid)).size, 0);
  await uploads.cancel('stale', fresh.uuid);
});

test('a chunk cut off mid-way keeps what arrived; the upload resumes from there and verifies', async () => {
  const data = randomBytes(1_000_000);
  const loc = await startUpload('resumed');
  await new Promise<void>((resolve) => {
    const req = http.request(loc, { method: 'PATCH', headers: { 'Content-Length': data.length } });
    req.on('error', () => resolve());
    req.write(data.subarray(0, 400_000), () => setImmediate(() => req.destroy()));
  });
  // The server notices the cut asynchronously: wait for its log line, then ask where to resume.
  for (let i = 0; i < 500 && !reg.logs.some((l) => /^PATCH \/v2\/resumed\/.* \d+\(aborted\) /.test(l)); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  const st = await fetch(loc);
  assert.equal(st.status, 204);
  const size = Number(st.headers.get('range')!.split('-')[1]) + 1;
  assert.ok(size > 0 && size <= 400_000, `resumed at ${size}`);
  const r = await fetch(loc, { method: 'PATCH', body: data.subarray(size), headers: { 'Content-Range': `${size}-${data.length - 1}` } });
  assert.equal(r.status, 202);
  const put = await fetch(`${loc}?digest=${sha256(data)}`, { method: 'PUT' });
  assert.equal(put.status, 201);
  const g = await fetch(`${reg.url}/v2/resumed/blobs/${sha256(data)}`);
  assert.ok(Buffer.from(await g.arrayBuffer()).equals(data));
});
