import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, utimes, writeFile, copyFile, constants as fsc } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { withTempDir } from '../../../test/helpers/cleanup.js';
import { containerChanges, type OpaqueReader } from './changes.js';
import type { RootfsLayout } from './rootfs.js';

const isRoot = process.getuid?.() === 0;

async function put(root: string, rel: string, data = 'x'): Promise<void> {
  await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
  await writeFile(path.join(root, rel), data);
}

function whiteout(root: string, rel: string): void {
  execFileSync('mknod', [path.join(root, rel), 'c', '0', '0']);
}

describe('containerChanges (docker diff)', () => {
  it('is empty for an untouched container and an empty image', () =>
    withTempDir('berth-diff-empty', async (dir) => {
      await mkdir(path.join(dir, 'upper'));
      assert.deepEqual(await containerChanges({ upper: path.join(dir, 'upper'), work: '', merged: '', lowers: [] }), []);
      assert.deepEqual(await containerChanges({ upper: path.join(dir, 'missing'), work: '', merged: '', lowers: [] }), []);
    }));

  it("matches Docker's tree comparison over layers, whiteouts and an opaque directory", { skip: isRoot ? false : 'whiteouts are 0/0 character devices: mknod needs root' }, () =>
    withTempDir('berth-diff', async (dir) => {
      const [l1, l2, upper] = ['l1', 'l2', 'upper'].map((d) => path.join(dir, d)) as [string, string, string];
      for (const rel of ['etc/passwd', 'etc/group', 'keep', 'opq/a', 'opq/b', 'gone', 'dir2/x', 'usr/bin/tool', 'l2dir/below']) await put(l1, rel);
      await utimes(path.join(l1, 'usr/bin/tool'), 1_500_000_000, 1_500_000_000);
      await put(l2, 'etc/hosts');
      await put(l2, 'l2dir/y');
      whiteout(l2, 'gone');

      await put(upper, 'etc/passwd', 'changed, longer');
      whiteout(upper, 'etc/group');
      await put(upper, 'etc/hostname', ''); // a runtime mount point: Docker's init layer hides it
      await put(upper, 'new');
      await put(upper, 'newdir/sub/f');
      await put(upper, 'opq/b', 'replaced');
      await put(upper, 'opq/c');
      await mkdir(path.join(upper, 'dir2'));
      await chmod(path.join(upper, 'dir2'), 0o700);
      await put(upper, 'gone'); // whited out in l2, so new
      await mkdir(path.join(upper, 'usr/bin'), { recursive: true });
      await copyFile(path.join(l1, 'usr/bin/tool'), path.join(upper, 'usr/bin/tool'), fsc.COPYFILE_EXCL);
      await utimes(path.join(upper, 'usr/bin/tool'), 1_500_000_000, 1_500_000_000); // a copy-up, unchanged
      await put(upper, 'l2dir', 'now a file');
      whiteout(upper, 'phantom'); // hides nothing

      const layout: RootfsLayout = { upper, work: '', merged: '', lowers: [l2, l1] };
      const readOpaque: OpaqueReader = async (root) => new Set(root === upper ? ['opq'] : []);
      const changes = await containerChanges(layout, { readOpaque });
      const text = changes.map((c) => `${'CAD'[c.Kind]} ${c.Path}`);
      assert.deepEqual(text, [
        'C /dir2',
        'C /etc',
        'D /etc/group',
        'C /etc/passwd',
        'A /gone',
        'C /l2dir',
        'A /new',
        'A /newdir',
        'A /newdir/sub',
        'A /newdir/sub/f',
        'C /opq',
        'D /opq/a',
        'C /opq/b',
        'A /opq/c',
      ]);
    }));

  it('sorts bytewise like Go, not by walk order', () =>
    withTempDir('berth-diff-sort', async (dir) => {
      const [lower, upper] = [path.join(dir, 'lower'), path.join(dir, 'upper')];
      await put(lower, 'a/x');
      await put(upper, 'a.txt');
      await put(upper, 'a/y');
      await put(upper, 'B');
      const changes = await containerChanges({ upper, work: '', merged: '', lowers: [lower] }, { readOpaque: async () => new Set() });
      assert.deepEqual(changes.map((c) => c.Path), ['/B', '/a', '/a.txt', '/a/y']);
    }));
});
