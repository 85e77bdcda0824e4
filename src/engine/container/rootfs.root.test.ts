// A container of a deep image through the whole path: the image module's snapshotter describes the mount
// (short relative lowerdirs), the runtime's planner turns the annotations into a premount record, and the
// shim mounts it in the container's mount namespace from the base dir.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { OverlaySnapshotter } from '../../image/snapshot/overlay.js';
import { OVERLAY_ANNOTATION, OVERLAY_BASEDIR_ANNOTATION } from '../../runtime/plan.js';
import { buildTestRootfs } from '../../../test/helpers/rootfs.js';
import { probeSpec, runToEnd, withContainer } from '../../../test/helpers/runtime.js';
import { rootfsMount, rootfsSize } from './rootfs.js';

test('a 60-layer image runs from short lowerdir names, and SizeRw counts what it wrote', { skip: process.getuid?.() !== 0 && 'needs root' }, async (t) => {
  await withContainer(t, async ({ rt, id, tmp, bundle }) => {
    const imageRoot = path.join(tmp, 'image');
    const layers = Array.from({ length: 60 }, (_, i) => path.join(imageRoot, 'layers', i.toString(16).padStart(64, 'c'), 'diff'));
    await buildTestRootfs(layers[0]!);
    for (let i = 1; i < layers.length; i++) {
      await mkdir(path.join(layers[i]!, 'layers'), { recursive: true });
      await writeFile(path.join(layers[i]!, 'layers', String(i)), `${i}\n`);
      await writeFile(path.join(layers[i]!, 'marker'), `layer ${i}\n`);
    }
    assert.ok(layers.join(':').length > 4096, 'absolute lowerdirs would not fit in a page');
    const snapshotter = new OverlaySnapshotter({ root: imageRoot, dirOf: (key) => path.join(tmp, 'containers', key, 'fs') });
    const m = await rootfsMount(snapshotter, id, layers);
    assert.ok(m.data.length < 4096);

    const spec = probeSpec(['sh', '-c', 'ls /layers | wc -l; cat /marker; head -c 3000 /dev/zero > /written'], { seccomp: false });
    spec.root = { path: snapshotter.paths(id).merged, readonly: false };
    spec.annotations = { [OVERLAY_ANNOTATION]: m.data, [OVERLAY_BASEDIR_ANNOTATION]: m.baseDir };
    await mkdir(bundle, { recursive: true });
    await writeFile(path.join(bundle, 'config.json'), JSON.stringify(spec));
    const r = await runToEnd(rt, id, bundle);
    assert.equal(r.exit.exitCode, 0, r.stderr);
    assert.equal(r.stdout, '59\nlayer 59\n');
    assert.equal((await readFile(path.join(snapshotter.paths(id).upper, 'written'))).length, 3000);
    assert.equal(await rootfsSize(snapshotter, id), 3000);
    assert.ok(!(await readFile('/proc/self/mountinfo', 'utf8')).includes(snapshotter.paths(id).merged), 'nothing mounted on the host');
    await rt.delete(id);
    await snapshotter.remove(id);
    assert.equal(await rootfsSize(snapshotter, id), 0);
  });
});
