import assert from 'node:assert/strict';
import { test } from 'node:test';
import { humanSize, progressBar, progressRecord } from './json-progress.js';

test('humanSize follows go-units (decimal, 4 significant digits)', () => {
  assert.equal(humanSize(0), '0B');
  assert.equal(humanSize(999), '999B');
  assert.equal(humanSize(1000), '1kB');
  assert.equal(humanSize(1234567), '1.235MB');
  assert.equal(humanSize(3400000), '3.4MB');
  assert.equal(humanSize(104857600), '104.9MB');
});

test('progressBar draws 50 cells and the byte counts', () => {
  assert.equal(progressBar(0, 0), '');
  assert.equal(progressBar(50, 100), `[${'='.repeat(25)}>${' '.repeat(25)}]      50B/100B`);
  assert.equal(progressBar(100, 100), `[${'='.repeat(50)}>]     100B/100B`);
  assert.equal(progressBar(1500, 0), '   1.5kB');
  assert.equal(progressBar(200, 100), `[${'='.repeat(50)}>]     200B`);
});

test('progressRecord keeps Docker field order and empty progressDetail on layer lines', () => {
  assert.equal(JSON.stringify(progressRecord({ id: 'abc', status: 'Pull complete', detail: true })), '{"status":"Pull complete","progressDetail":{},"id":"abc"}');
  assert.equal(JSON.stringify(progressRecord({ status: 'Digest: sha256:x' })), '{"status":"Digest: sha256:x"}');
  assert.deepEqual(progressRecord({ stream: 'Step 1/2\n' }), { stream: 'Step 1/2\n' });
  assert.deepEqual(progressRecord({ aux: { Tag: 'latest' } }), { progressDetail: {}, aux: { Tag: 'latest' } });
});
