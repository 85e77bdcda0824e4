// Ownership needs files owned by someone else than the test's user: root only.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { planCopy } from './plan.js';
import { byName, collect, tempDir, writeTree } from './plan.testkit.js';

test('context copies reset owners to 0:0; --from copies keep them unless --chown', async (t) => {
  const root = tempDir(t);
  writeTree(root, { 'd/f': 'x', 'd/l': { link: 'f' } });
  fs.chownSync(path.join(root, 'd'), 1234, 5678);
  fs.chownSync(path.join(root, 'd/f'), 1234, 5678);
  fs.lchownSync(path.join(root, 'd/l'), 4321, 8765);
  const base = { kind: 'copy' as const, srcRoot: root, sources: ['d'], dest: '/o/', allowWildcards: true };
  const ctx = await collect((await planCopy({ ...base, fromContext: true })).tar());
  assert.equal(byName(ctx, 'o/f').owner, '0/0');
  assert.equal(byName(ctx, 'o/l').owner, '0/0');
  const from = await collect((await planCopy({ ...base, fromContext: false })).tar());
  assert.equal(byName(from, 'o/f').owner, '1234/5678');
  assert.equal(byName(from, 'o/l').owner, '4321/8765');
  const chowned = await collect((await planCopy({ ...base, fromContext: false, chown: '1:2' })).tar());
  assert.equal(byName(chowned, 'o/f').owner, '1/2');
  assert.equal(byName(chowned, 'o/l').owner, '1/2');
});
