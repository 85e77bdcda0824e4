import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { link, lstat, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isEngineError } from '../../common/errors.js';
import { finishLayerTree } from './scan.js';

const isRoot = process.getuid?.() === 0;
let base: string;
before(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'berth-layer-scan-test-'));
});
after(async () => {
  await rm(base, { recursive: true, force: true });
});

async function tree(name: string, files: Record<string, string>): Promise<string> {
  const root = path.join(base, name);
  for (const [rel, data] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), data);
  }
  return root;
}

describe('finishLayerTree', () => {
  it('sizes a layer as Docker does: no directories, each inode once, symlinks by their length', async () => {
    const root = await tree('size', { 'a/one': '12345', 'b/two': '1234567890' });
    await link(path.join(root, 'a/one'), path.join(root, 'b/one-again'));
    await symlink('a/one', path.join(root, 'ln'));
    assert.equal(await finishLayerTree(root, true), 5 + 10 + 'a/one'.length);
  });

  it('drops every whiteout from a base layer, where they hide nothing', async () => {
    const root = await tree('base-whiteouts', { 'keep': 'k', '.wh.gone': '', 'dir/.wh..wh..opq': '', 'dir/file': 'f', '.wh..wh.plnk/x': 'x' });
    assert.equal(await finishLayerTree(root, true), 2);
    assert.deepEqual((await readdir(root)).sort(), ['dir', 'keep']);
    assert.deepEqual(await readdir(path.join(root, 'dir')), ['file']);
  });

  it('refuses whiteouts that would name the directory itself or its parent', async () => {
    for (const name of ['.wh.', '.wh..', '.wh...']) {
      const root = await tree(`bad-${name.length}`, { [`d/${name}`]: '', 'd/file': 'f' });
      await assert.rejects(finishLayerTree(root, false), (e: unknown) => isEngineError(e, 'invalid-argument'));
      assert.ok((await readdir(path.join(root, 'd'))).includes('file'));
    }
  });

  it('marks a directory with .wh..wh..opq above a parent opaque for overlayfs', { skip: isRoot ? false : 'trusted.* xattrs need root' }, async () => {
    const root = await tree('opaque', { 'd/.wh..wh..opq': '', 'd/new': 'n' });
    assert.equal(await finishLayerTree(root, false), 1);
    assert.deepEqual(await readdir(path.join(root, 'd')), ['new']);
    const r = spawnSync('getfattr', ['-h', '--only-values', '-n', 'trusted.overlay.opaque', path.join(root, 'd')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'y');
  });

  it('turns .wh.<name> above a parent into the 0/0 character device overlayfs reads', { skip: isRoot ? false : 'mknod of a character device needs root' }, async () => {
    const root = await tree('convert', { 'd/.wh.gone': '', 'd/gone/inner': 'replaced', 'd/kept': 'k' });
    assert.equal(await finishLayerTree(root, false), 1);
    const st = await lstat(path.join(root, 'd', 'gone'));
    assert.ok(st.isCharacterDevice());
    assert.equal(st.rdev, 0);
    assert.deepEqual((await readdir(path.join(root, 'd'))).sort(), ['gone', 'kept']);
  });
});
