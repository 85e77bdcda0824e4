import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readdir, readlink, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { LINK_DIR, NAME_LENGTH, linkTarget, lowerEntry, shortName } from './names.js';
import { OverlaySnapshotter } from './overlay.js';
import { snapshotterContract } from './snapshotter.contract.js';

/** Layer dirs laid out as the image store does: <root>/layers/<64 hex>/diff. */
async function makeLayers(root: string, n: number, from = 0): Promise<string[]> {
  const dirs: string[] = [];
  for (let i = from; i < from + n; i++) {
    const d = path.join(root, 'layers', i.toString(16).padStart(64, 'a'), 'diff');
    await mkdir(d, { recursive: true });
    await writeFile(path.join(d, `f${i}`), `${i}\n`);
    dirs.push(d);
  }
  return dirs;
}

snapshotterContract('overlay', async (dir) => {
  const root = path.join(dir, 'image');
  let made = 0;
  return {
    snapshotter: new OverlaySnapshotter({ root, dirOf: (key) => path.join(dir, 'containers', key, 'fs') }),
    layers: async (n) => {
      const dirs = await makeLayers(root, n, made);
      made += n;
      return dirs;
    },
  };
});

async function withRoot(fn: (root: string) => Promise<void>): Promise<void> {
  const dir = await realpath(await mkdtemp(path.join(os.tmpdir(), 'berth-snap-')));
  try {
    await fn(path.join(dir, 'image'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('short names are 16 base32 characters, stable, and differ between layers', () => {
  const a = shortName('../layers/aaaa/diff');
  assert.match(a, new RegExp(`^[A-Z2-7]{${NAME_LENGTH}}$`));
  assert.equal(shortName('../layers/aaaa/diff'), a);
  const names = new Set(Array.from({ length: 5000 }, (_, i) => shortName(`../layers/${i}/diff`)));
  assert.equal(names.size, 5000);
});

test('links point inside the root relatively, elsewhere absolutely', () => {
  const root = '/var/lib/berth/image';
  assert.equal(linkTarget(root, `${root}/layers/abc/diff`), '../layers/abc/diff');
  assert.equal(linkTarget(root, '/srv/layer'), '/srv/layer');
  assert.equal(linkTarget(root, `${root}-other/layers/x`), `${root}-other/layers/x`, 'a sibling with the same prefix is outside');
  const e = lowerEntry(root, `${root}/layers/abc/diff`);
  assert.equal(e.entry, `${LINK_DIR}/${e.name}`);
  assert.equal(e.name, shortName('../layers/abc/diff'), 'the name does not depend on where the data root is');
  assert.equal(lowerEntry('/elsewhere/image', '/elsewhere/image/layers/abc/diff').name, e.name);
});

test('200 layers of 64-hex chain IDs fit in mount(2) one page with upper and work dirs', async () => {
  await withRoot(async (root) => {
    // A container dir as long as berthd's (<data-root>/containers/<64 hex>/fs), kept inside the temp dir.
    const containers = path.join(root, '..', 'var-lib-berth'.padEnd(20, '-'), 'containers');
    const s = new OverlaySnapshotter({ root, dirOf: (k) => path.join(containers, k, 'fs') });
    const layers = Array.from({ length: 200 }, (_, i) => path.join(root, 'layers', i.toString(16).padStart(64, '0'), 'diff'));
    const m = await s.prepare('c'.repeat(64), layers);
    const data = m.options.join(',');
    assert.ok(Buffer.byteLength(data) < 4096, `${Buffer.byteLength(data)} bytes`);
    assert.ok(s.paths('c'.repeat(64)).upper.length >= 100);
    assert.equal(m.options[0]!.split(':').length, 200);
    // Absolute paths would have needed ~20 KB.
    assert.ok(layers.join(':').length > 4096 * 4);
    assert.equal(m.baseDir, root);
  });
});

test('links are made once, repaired when wrong, and leave no temporary names', async () => {
  await withRoot(async (root) => {
    const s = new OverlaySnapshotter({ root });
    const [layer] = await makeLayers(root, 1);
    const { name, target } = lowerEntry(root, layer!);
    const linkPath = path.join(root, LINK_DIR, name);
    await s.prepare('a', [layer!]);
    const first = await lstat(linkPath);
    assert.ok(first.isSymbolicLink());
    assert.equal(await readlink(linkPath), target);
    await s.prepare('b', [layer!]);
    assert.equal((await lstat(linkPath)).ino, first.ino, 'a correct link is left alone');
    await rm(linkPath);
    await symlink('/somewhere/else', linkPath);
    await s.prepare('a', [layer!]);
    assert.equal(await readlink(linkPath), target);
    assert.deepEqual(await readdir(path.join(root, LINK_DIR)), [name]);
  });
});

test('concurrent prepares of the same layers all succeed', async () => {
  await withRoot(async (root) => {
    const s = new OverlaySnapshotter({ root });
    const layers = await makeLayers(root, 30);
    const mounts = await Promise.all(Array.from({ length: 8 }, (_, i) => s.prepare(`c${i}`, layers)));
    assert.equal(new Set(mounts.map((m) => m.options[0])).size, 1);
    assert.equal((await readdir(path.join(root, LINK_DIR))).length, 30);
  });
});

test('removeLink and pruneLinks drop links of layers that are gone and stray temporary names', async () => {
  await withRoot(async (root) => {
    const s = new OverlaySnapshotter({ root });
    const layers = await makeLayers(root, 3);
    await s.prepare('c', layers);
    await s.removeLink(layers[0]!);
    await s.removeLink(layers[0]!); // already gone: fine
    await rm(path.dirname(layers[1]!), { recursive: true });
    await symlink('../layers/x/diff', path.join(root, LINK_DIR, '.tmp-LEFTOVER-0000'));
    const removed = await s.pruneLinks();
    assert.deepEqual(removed.sort(), ['.tmp-LEFTOVER-0000', lowerEntry(root, layers[1]!).name].sort());
    assert.deepEqual(await readdir(path.join(root, LINK_DIR)), [lowerEntry(root, layers[2]!).name]);
    assert.deepEqual(await new OverlaySnapshotter({ root: path.join(root, 'none') }).pruneLinks(), []);
  });
});

test('a snapshot directory the option string cannot name is refused', async () => {
  await withRoot(async (root) => {
    const s = new OverlaySnapshotter({ root, dirOf: (k) => path.join(root, 'odd,dir', k) });
    await assert.rejects(s.prepare('c', []), (e: any) => e.kind === 'invalid-argument' && /must not contain/.test(e.message));
  });
});
