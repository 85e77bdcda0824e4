// docker export: the merged view of the container's layers, mounted in a private namespace of its own.
import assert from 'node:assert/strict';
import { appendFile, mkdir, readdir, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { extract } from 'tar-stream';
import { pollUntil, withTempDir } from '../../../test/helpers/cleanup.js';
import { EventBus } from '../events.js';
import type { EngineContext } from './context.js';
import { exportContainer, exportRootfs, openOverlayView } from './export.js';
import { newState } from './model.js';
import { prepareRootfs, rootfsLayout, type RootfsLayout } from './rootfs.js';
import { fdPath } from './safe-path.js';
import { ContainerStore } from './store.js';

const skip = process.getuid?.() === 0 ? false : 'needs root to mount an overlay';

async function listTar(stream: Readable): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const ex = extract();
  stream.on('error', (e) => ex.destroy(e));
  stream.pipe(ex);
  for await (const entry of ex) {
    const chunks: Buffer[] = [];
    for await (const c of entry) chunks.push(c as Buffer);
    out.set(entry.header.name, entry.header.type === 'symlink' ? `-> ${entry.header.linkname}` : Buffer.concat(chunks).toString());
  }
  return out;
}

/** An image layer and a container that changed it (through a writable view, as the kernel records it). */
async function changedContainer(dir: string): Promise<{ layout: RootfsLayout; empty: string }> {
  const lower = path.join(dir, 'lower');
  for (const rel of ['etc/passwd', 'keep', 'gone', 'opq/a']) {
    await mkdir(path.dirname(path.join(lower, rel)), { recursive: true });
    await writeFile(path.join(lower, rel), 'image');
  }
  await symlink('/etc/passwd', path.join(lower, 'pwlink'));
  const empty = path.join(dir, 'empty');
  await mkdir(empty);
  const layout = rootfsLayout(path.join(dir, 'c'), [lower]);
  await prepareRootfs(layout);
  const view = await openOverlayView(layout, empty, { writable: true, scratchDir: dir });
  try {
    const at = (rel: string) => fdPath(view.root.fd, rel);
    await appendFile(at('etc/passwd'), '+container');
    await unlink(at('gone'));
    await rm(at('opq'), { recursive: true });
    await mkdir(at('opq'));
    await writeFile(at('opq/b'), 'b');
    await writeFile(at('new'), 'new');
  } finally {
    await view.close();
  }
  return { layout, empty };
}

describe('exportRootfs', { skip }, () => {
  it('is the merged filesystem, named like Docker (no ./ entry), deletions applied', () =>
    withTempDir('berth-export', async (dir) => {
      const { layout, empty } = await changedContainer(dir);
      const files = await listTar(await exportRootfs(layout, empty, { scratchDir: dir }));
      assert.deepEqual([...files.keys()], ['etc/', 'etc/passwd', 'keep', 'new', 'opq/', 'opq/b', 'pwlink']);
      assert.equal(files.get('etc/passwd'), 'image+container');
      assert.equal(files.get('pwlink'), '-> /etc/passwd');
      assert.deepEqual((await readdir(dir)).filter((n) => n.startsWith('berth-view-')), [], 'the view is gone once the stream ends');
    }));

  it('stops tar and unmounts when the reader goes away', () =>
    withTempDir('berth-export-abort', async (dir) => {
      const { layout, empty } = await changedContainer(dir);
      const big = path.join(layout.upper, 'big');
      await writeFile(big, Buffer.alloc(64 * 1024 * 1024));
      const stream = await exportRootfs(layout, empty, { scratchDir: dir });
      await new Promise((resolve) => stream.once('data', resolve));
      stream.destroy();
      await pollUntil(async () => (await readdir(dir)).every((n) => !n.startsWith('berth-view-')), { what: 'the export view to be removed' });
    }));

  it("refuses dead and departing containers in Docker's words", () =>
    withTempDir('berth-export-dead', async (dir) => {
      const store = new ContainerStore(path.join(dir, 'containers'));
      const ctx = { store, events: new EventBus(), cfg: { emptyDir: dir, execRoot: dir } } as unknown as EngineContext;
      const id = 'e'.repeat(64);
      await mkdir(store.dir(id), { recursive: true });
      const rec = { id, name: '/dead', state: { ...newState(), status: 'dead' }, config: {}, hostConfig: {} } as never;
      await store.save(rec);
      await assert.rejects(exportContainer(ctx, 'dead'), { kind: 'conflict', message: `You cannot export container ${id} which is Dead` });
    }));
});
