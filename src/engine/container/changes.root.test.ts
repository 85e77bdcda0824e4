// docker diff over what the kernel itself writes into an upper dir: whiteouts, and the opaque directory that
// overlayfs makes when a directory of the image is removed and created again.
import assert from 'node:assert/strict';
import { appendFile, mkdir, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { withTempDir } from '../../../test/helpers/cleanup.js';
import { containerChanges, readOpaqueDirs } from './changes.js';
import { openOverlayView } from './export.js';
import { prepareRootfs, rootfsLayout } from './rootfs.js';
import { fdPath } from './safe-path.js';

const skip = process.getuid?.() === 0 ? false : 'needs root to mount an overlay';

describe('containerChanges on a real overlay upper', { skip }, () => {
  it('reports deletions, re-created (opaque) directories and edits as Docker does', () =>
    withTempDir('berth-diff-kernel', async (dir) => {
      const lower = path.join(dir, 'lower');
      for (const rel of ['etc/passwd', 'opq/a', 'opq/b', 'keep', 'dir/x']) {
        await mkdir(path.dirname(path.join(lower, rel)), { recursive: true });
        await writeFile(path.join(lower, rel), 'x');
      }
      const empty = path.join(dir, 'empty');
      await mkdir(empty);
      const layout = rootfsLayout(path.join(dir, 'c'), [lower]);
      await prepareRootfs(layout);
      const view = await openOverlayView(layout, empty, { writable: true, scratchDir: dir });
      try {
        const at = (rel: string) => fdPath(view.root.fd, rel);
        await rm(at('opq'), { recursive: true });
        await mkdir(at('opq'));
        await writeFile(at('opq/b'), 'new b');
        await unlink(at('keep'));
        await appendFile(at('etc/passwd'), 'more');
        await writeFile(at('new'), 'n');
      } finally {
        await view.close();
      }
      assert.deepEqual(await readOpaqueDirs(layout.upper, ['', 'etc', 'opq']), new Set(['opq']));
      const text = (await containerChanges(layout)).map((c) => `${'CAD'[c.Kind]} ${c.Path}`);
      assert.deepEqual(text, ['C /etc', 'C /etc/passwd', 'D /keep', 'A /new', 'C /opq', 'D /opq/a', 'C /opq/b']);
    }));
});
