// Real overlay mounts of the snapshotter's descriptions, made the way the shim makes them (native/overlay.c,
// through native/out/berth-overlay) in a private mount namespace that dies with the helper: deep stacks,
// whiteouts, opaque directories, views, and both the new mount API and mount(2)'s one-page option string.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { withTempDir } from '../../../test/helpers/cleanup.js';
import { repoRoot } from '../../../test/helpers/rootfs.js';
import { overlayParams } from '../../runtime/plan.js';
import { OverlaySnapshotter } from './overlay.js';
import type { SnapshotMount } from './snapshotter.js';

const run = promisify(execFile);
const skip = process.getuid?.() !== 0 && 'needs root';
const TOOL = path.join(repoRoot(), 'native', 'out', 'berth-overlay');

/** Mounts `m` on `target` in a private namespace, runs `script` there, unmounts; returns its stdout. */
async function inMount(m: SnapshotMount, target: string, script: string, opts: { legacy?: boolean } = {}): Promise<string> {
  const data = m.options.join(',');
  const params = opts.legacy ? [] : overlayParams(data);
  const { stdout } = await run(TOOL, ['run', m.baseDir, target, data, ...params, '--', 'sh', '-ec', script], { maxBuffer: 1 << 24 });
  return stdout;
}

async function hostMountinfo(): Promise<string> {
  return readFile('/proc/self/mountinfo', 'utf8');
}

/** Layers 0..n-1 as the image store lays them out; each has f<i>; layer 0 has `hidden` and dir/old. */
async function makeLayers(root: string, n: number): Promise<string[]> {
  const dirs = Array.from({ length: n }, (_, i) => path.join(root, 'layers', i.toString(16).padStart(64, '0'), 'diff'));
  await Promise.all(
    dirs.map(async (d, i) => {
      await mkdir(d, { recursive: true });
      await writeFile(path.join(d, `f${i}`), `${i}\n`);
    }),
  );
  await writeFile(path.join(dirs[0]!, 'hidden'), 'lower\n');
  await mkdir(path.join(dirs[0]!, 'dir'));
  await writeFile(path.join(dirs[0]!, 'dir', 'old'), 'old\n');
  return dirs;
}

/**
 * Turns layer `top` into one that deletes `hidden` (a whiteout) and replaces `dir` (an opaque directory),
 * by letting overlay itself record those changes over layer 0, as a container's upper dir would.
 */
async function addDeletions(dir: string, s: OverlaySnapshotter, layers: string[], top: number): Promise<void> {
  const work = path.join(dir, 'mkwork');
  await mkdir(work);
  const m: SnapshotMount = { ...(await s.view('mk', [layers[0]!])), options: [`lowerdir=${layers[0]}`, `upperdir=${layers[top]}`, `workdir=${work}`] };
  const mnt = s.paths('mk').merged;
  await inMount(m, mnt, `rm "${mnt}/hidden"; rm -r "${mnt}/dir"; mkdir "${mnt}/dir"; echo new > "${mnt}/dir/new"`);
  await s.remove('mk');
}

for (const mode of ['new mount API', 'mount(2)'] as const) {
  test(`a 200-layer stack mounts through short names (${mode}), merged as overlay merges, and unmounts`, { skip }, async () => {
    await withTempDir('berth-snap-root', async (dir) => {
      const root = path.join(dir, 'image');
      const s = new OverlaySnapshotter({ root, dirOf: (k) => path.join(dir, 'containers', k, 'fs') });
      const layers = await makeLayers(root, 200);
      await writeFile(path.join(layers[199]!, 'f0'), 'top\n');
      await addDeletions(dir, s, layers, 150);
      const m = await s.prepare('c1', layers);
      const p = s.paths('c1');
      await writeFile(path.join(p.upper, 'from-upper'), 'upper\n');
      if (mode === 'mount(2)') assert.ok(Buffer.byteLength(m.options.join(',')) < 4096);

      const out = await inMount(m, p.merged, [
        `cd "${p.merged}"`,
        'echo "files=$(ls | wc -l)"',
        'echo "f0=$(cat f0) f7=$(cat f7) f199=$(cat f199) upper=$(cat from-upper)"',
        'echo "dir=$(ls dir | tr "\\n" " ")"',
        'if [ -e hidden ]; then echo hidden=visible; else echo hidden=gone; fi',
        'echo written > written',
        `grep -c " ${p.merged} .* - overlay overlay " /proc/self/mountinfo | sed 's/^/mounted=/'`,
      ].join('\n'), { legacy: mode === 'mount(2)' });

      // 200 f<i>, dir, from-upper; `hidden` is whited out.
      assert.match(out, /^files=202$/m);
      assert.match(out, /^f0=top f7=7 f199=199 upper=upper$/m);
      assert.match(out, /^dir=new $/m, 'the opaque dir hides the lower dir/old');
      assert.match(out, /^hidden=gone$/m);
      assert.match(out, /^mounted=1$/m);
      assert.equal(await readFile(path.join(p.upper, 'written'), 'utf8'), 'written\n', 'writes land in the upper dir');
      assert.deepEqual((await readdir(layers[199]!)).sort(), ['f0', 'f199'], 'the layers are untouched');
      assert.ok(!(await hostMountinfo()).includes(p.merged), 'nothing was mounted on the host');
      await s.remove('c1');
    });
  });
}

test('500 layers, past what one page of mount(2) options can name, mount through the new API', { skip }, async () => {
  await withTempDir('berth-snap-root', async (dir) => {
    const root = path.join(dir, 'image');
    const s = new OverlaySnapshotter({ root, dirOf: (k) => path.join(dir, 'containers', k, 'fs') });
    const layers = await makeLayers(root, 500);
    const m = await s.prepare('deep', layers);
    assert.ok(Buffer.byteLength(m.options.join(',')) > 4096);
    const out = await inMount(m, s.paths('deep').merged, `ls "${s.paths('deep').merged}" | grep -c '^f'`);
    assert.equal(out.trim(), '500');
    // mount(2) would silently cut the options at a page (and mount what is left): refused instead.
    await assert.rejects(inMount(m, s.paths('deep').merged, 'true', { legacy: true }), /bytes of mount options, more than mount\(2\) takes/);
  });
});

test('views are read-only stacks of 0, 1 or more layers; an image without layers is still writable', { skip }, async () => {
  await withTempDir('berth-snap-root', async (dir) => {
    const root = path.join(dir, 'image');
    const s = new OverlaySnapshotter({ root, dirOf: (k) => path.join(dir, 'containers', k, 'fs') });
    const layers = await makeLayers(root, 3);
    for (const n of [0, 1, 3]) {
      const v = await s.view(`v${n}`, layers.slice(0, n));
      const mnt = s.paths(`v${n}`).merged;
      const out = await inMount(v, mnt, `ls "${mnt}" | tr "\\n" " "; if touch "${mnt}/x" 2>/dev/null; then echo writable; else echo read-only; fi`);
      assert.match(out, n === 0 ? /^read-only/ : /read-only$/m, out);
      if (n === 3) assert.match(out, /^dir f0 f1 f2 hidden /);
    }
    const m = await s.prepare('empty', []);
    const mnt = s.paths('empty').merged;
    assert.equal((await inMount(m, mnt, `echo hi > "${mnt}/x"; ls "${mnt}"`)).trim(), 'x');
  });
});

test('a missing layer is named in the mount error', { skip }, async () => {
  await withTempDir('berth-snap-root', async (dir) => {
    const root = path.join(dir, 'image');
    const s = new OverlaySnapshotter({ root, dirOf: (k) => path.join(dir, 'containers', k, 'fs') });
    const m = await s.prepare('c', [path.join(root, 'layers', 'gone', 'diff')]);
    await assert.rejects(inMount(m, s.paths('c').merged, 'true'), /lowerdir\+=l\/[A-Z2-7]{16}: No such file or directory/);
  });
});
