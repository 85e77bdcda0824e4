// Hostile layers: every way a tar entry could reach outside the layer directory, alone and all together.
// Most meaningful as root (CI), where nothing but the extraction code stands between a tar and the host.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { isEngineError } from '../../common/errors.js';
import { ImageStore } from '../image-store.js';
import { buildTar, type TarEntry } from '../tar.testkit.js';
import { applyLayerTar } from './apply.js';

let base: string;
let outside: string;
let store: string;

before(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'berth-hostile-tar-test-'));
  outside = path.join(base, 'outside');
  store = path.join(base, 'store');
  await mkdir(path.join(outside, 'victimdir'), { recursive: true });
  await writeFile(path.join(outside, 'victim'), 'orig');
  await mkdir(store);
});
after(async () => {
  await rm(base, { recursive: true, force: true });
});

/** Every path under `base` but inside `layerDir`, with type, mode, link count and content hash. */
function snapshotOutside(layerDir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      if (p === layerDir) continue;
      const st = lstatSync(p);
      const content = st.isFile() ? createHash('sha256').update(readFileSync(p)).digest('hex') : '';
      out.set(p, `${st.mode}:${st.nlink}:${st.uid}:${st.gid}:${content}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(base);
  return out;
}

// Climbing far enough reaches `/`; from there the attacks aim at the watched `outside` directory.
const up = '../'.repeat(16);
const toOutside = () => `${up}${outside.slice(1)}`;
const attacks: [string, () => TarEntry[]][] = [
  ['leading ../', () => [{ name: '../escape-dotdot', data: 'pwned' }]],
  ['leading ../ up to a known directory', () => [{ name: `${toOutside()}/escape-far`, data: 'pwned' }]],
  ['.. in the middle', () => [{ name: 'a/../../escape-mid', data: 'pwned' }, { name: `a/${toOutside()}/escape-mid-far`, data: 'pwned' }]],
  ['absolute path', () => [{ name: `${outside}/abs-escape`, data: 'pwned' }]],
  ['absolute path with ..', () => [{ name: `/../..${outside}/abs-dotdot`, data: 'pwned' }]],
  ['write through an absolute symlink', () => [{ name: 'evil', type: 'symlink', linkname: outside }, { name: 'evil/through-abs', data: 'pwned' }]],
  ['write through a climbing symlink', () => [{ name: 'rel', type: 'symlink', linkname: toOutside() }, { name: 'rel/through-rel', data: 'pwned' }]],
  ['write through a symlink to ..', () => [{ name: 'up', type: 'symlink', linkname: '..' }, { name: 'up/through-up', data: 'pwned' }]],
  ['write through a symlink to /', () => [{ name: 'root', type: 'symlink', linkname: '/' }, { name: `root${outside}/via-root`, data: 'pwned' }]],
  ['write through a chain of symlinks', () => [
    { name: 'evil', type: 'symlink', linkname: outside },
    { name: 'chain', type: 'symlink', linkname: 'evil' },
    { name: 'chain/through-chain', data: 'pwned' },
  ]],
  ['symlink replaced by a directory', () => [
    { name: 'd', type: 'symlink', linkname: `${outside}/victimdir` },
    { name: 'd', type: 'dir' },
    { name: 'd/file-in-d', data: 'inside' },
  ]],
  ['hard link to an absolute outside file, then overwritten', () => [
    { name: 'hl', type: 'hardlink', linkname: `${outside}/victim` },
    { name: 'hl', data: 'pwned', mode: 0o777 },
  ]],
  ['hard link climbing out, then overwritten', () => [
    { name: 'hl2', type: 'hardlink', linkname: `${toOutside()}/victim` },
    { name: 'hl2', data: 'pwned' },
  ]],
  ['hard link through a symlink', () => [
    { name: 'evil', type: 'symlink', linkname: outside },
    { name: 'hl3', type: 'hardlink', linkname: 'evil/victim' },
    { name: 'hl3', data: 'pwned' },
  ]],
  ['hard link to a symlink, then written through', () => [
    { name: 'evil', type: 'symlink', linkname: outside },
    { name: 'hl4', type: 'hardlink', linkname: 'evil' },
    { name: 'hl4/through-hardlinked-symlink', data: 'pwned' },
  ]],
  ['PAX path with ..', () => [{ name: 'innocent', pax: { path: `x/${toOutside()}/escape-pax` }, data: 'pwned' }]],
  ['PAX linkpath escaping', () => [
    { name: 'paxlink', type: 'symlink', linkname: 'ok', pax: { linkpath: outside } },
    { name: 'paxlink/through-pax-link', data: 'pwned' },
  ]],
  ['GNU long name with ..', () => [{ name: `${'long/'.repeat(25)}${up}${toOutside()}/escape-gnu`, gnuLongName: true, data: 'pwned' }]],
  ['symlink escaping, then a hard link through it', () => [
    { name: 'sl', type: 'symlink', linkname: toOutside() },
    { name: 'ok', data: 'pwned' },
    { name: 'sl/victim-link', type: 'hardlink', linkname: 'ok' },
  ]],
];

describe('hostile layer tars never write outside the layer directory', () => {
  for (const [i, [what, entries]] of attacks.entries()) {
    it(what, async () => {
      const diffDir = path.join(store, `layer-${i}`);
      await mkdir(diffDir);
      const before = snapshotOutside(diffDir);
      let outcome = 'extracted';
      try {
        await applyLayerTar(Readable.from([buildTar(entries())]), diffDir, { isBase: true });
      } catch (e) {
        assert.ok(isEngineError(e, 'invalid-argument'), `unexpected failure: ${String(e)}`);
        outcome = 'rejected';
      }
      assert.deepEqual(snapshotOutside(diffDir), before, `${what} (${outcome}) changed something outside the layer`);
    });
  }

  it('the absolute-path entry lands inside the layer', async () => {
    const diffDir = path.join(store, 'layer-abs-inside');
    await mkdir(diffDir);
    await applyLayerTar(Readable.from([buildTar([{ name: `${outside}/abs-inside`, data: 'inside' }])]), diffDir, { isBase: true });
    assert.equal(readFileSync(path.join(diffDir, outside, 'abs-inside'), 'utf8'), 'inside');
  });

  it('all attacks in one archive: import fails, no image, no layer, nothing outside touched', async () => {
    // The store's own directory changes (staging comes and goes); the per-attack tests above watch the
    // layer's neighbours, this one everything else.
    const imageDir = path.join(store, 'image');
    const images = await ImageStore.open(imageDir);
    const before = snapshotOutside(imageDir);
    const tar = buildTar(attacks.flatMap(([, entries]) => entries()));
    await assert.rejects(images.importTar(Readable.from([tar]), { reference: 'hostile' }), (e: unknown) => isEngineError(e, 'invalid-argument'));
    assert.deepEqual(await images.list(), []);
    assert.deepEqual(await readdir(path.join(store, 'image', 'layers')), []);
    assert.deepEqual(await readdir(path.join(store, 'image', 'tmp')), []);
    assert.deepEqual(snapshotOutside(imageDir), before);
  });

  it('a layer cannot forge overlayfs xattrs (other xattrs are kept)', async (t) => {
    const diffDir = path.join(store, 'layer-xattrs');
    await mkdir(diffDir);
    const tar = buildTar([
      { name: 'opq/', type: 'dir', pax: { 'SCHILY.xattr.trusted.overlay.opaque': 'y', 'SCHILY.xattr.trusted.overlay.redirect': '/etc' } },
      { name: 'kept', data: 'x', pax: { 'SCHILY.xattr.user.berth': 'kept' } },
    ]);
    await applyLayerTar(Readable.from([tar]), diffDir, { isBase: true });
    const listing = spawnSync('tar', ['--xattrs', '--xattrs-include=*', '-cf', '-', '-C', diffDir, '.'], { maxBuffer: 1 << 24 });
    const text = listing.stdout.toString('latin1');
    assert.ok(!text.includes('trusted.overlay'), 'trusted.overlay.* must not be applied');
    if (!text.includes('user.berth')) t.diagnostic('this filesystem does not keep user.* xattrs; only the exclusion was checked');
  });
});
