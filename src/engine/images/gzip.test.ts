import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { adaptiveGzip } from './gzip.js';

async function gz(buf: Buffer, step: number): Promise<Buffer> {
  async function* src() {
    for (let i = 0; i < buf.length; i += step) yield buf.subarray(i, i + step);
  }
  const parts: Buffer[] = [];
  for await (const c of adaptiveGzip(src())) parts.push(c);
  return Buffer.concat(parts);
}

test('random data round-trips and stays about its own size', async () => {
  const buf = randomBytes(5 * 1024 * 1024 + 12345);
  const out = await gz(buf, 70000);
  assert.ok(gunzipSync(out).equals(buf));
  assert.ok(out.length < buf.length * 1.01);
});

test('compressible data is compressed', async () => {
  const buf = Buffer.alloc(3 * 1024 * 1024 + 7, 'abcdefgh');
  const out = await gz(buf, 1 << 20);
  assert.ok(gunzipSync(out).equals(buf));
  assert.ok(out.length < buf.length / 50);
});

test('mixed data switches back to compressing after a stored run', async () => {
  const buf = Buffer.concat([randomBytes(2 << 20), Buffer.alloc(100 << 20, 'x')]);
  const out = await gz(buf, 1 << 20);
  assert.ok(gunzipSync(out).equals(buf));
  assert.ok(out.length < buf.length / 2, `got ${out.length}`);
});

test('an empty layer is a valid gzip stream', async () => {
  const out = await gz(Buffer.alloc(0), 1);
  assert.equal(gunzipSync(out).length, 0);
});
