// Importing a real tar as root: owners, modes, special files and links must come out as they went in.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, chown, lchown, link, lstat, mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { ImageStore } from './image-store.js';
import { tarOfDirectory } from './tar.testkit.js';

const skip = process.getuid?.() === 0 ? false : 'needs root: restoring uid/gid 1000 and setuid bits is what is under test';
const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const hasTool = (cmd: string) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;

let base: string;
let src: string;
let tar: Buffer;

before(async () => {
  if (skip) return;
  base = await mkdtemp(path.join(tmpdir(), 'berth-image-import-root-test-'));
  src = path.join(base, 'src');
  await mkdir(path.join(src, 'bin'), { recursive: true });
  await mkdir(path.join(src, 'home', 'u'), { recursive: true });
  await mkdir(path.join(src, 'tmp'));
  await writeFile(path.join(src, 'bin', 'tool'), '#!/bin/sh\n');
  await writeFile(path.join(src, 'home', 'u', 'file'), 'owned by 1000');
  await link(path.join(src, 'home', 'u', 'file'), path.join(src, 'home', 'u', 'hard'));
  await symlink('/home/u/file', path.join(src, 'abs-link'));
  await symlink('home/u/file', path.join(src, 'rel-link'));
  const fifo = spawnSync('mkfifo', ['-m', '0620', path.join(src, 'fifo')]);
  assert.equal(fifo.status, 0, fifo.stderr?.toString());
  await chown(path.join(src, 'home', 'u'), 1000, 1000);
  await chown(path.join(src, 'home', 'u', 'file'), 1000, 1000);
  await chown(path.join(src, 'fifo'), 1000, 1001);
  await lchown(path.join(src, 'rel-link'), 1000, 1000);
  // chown clears setuid, so modes come after owners.
  await chmod(path.join(src, 'bin', 'tool'), 0o4755);
  await chmod(path.join(src, 'home', 'u'), 0o750);
  await chmod(path.join(src, 'home', 'u', 'file'), 0o640);
  await chmod(path.join(src, 'tmp'), 0o1777);
  await chmod(src, 0o751);
  tar = tarOfDirectory(src);
});
after(async () => {
  if (base) await rm(base, { recursive: true, force: true });
});

describe('ImageStore.importTar as root', { skip }, () => {
  it('extracts owners, modes, links and special files; diffID is the tar digest; ID is the config digest', async () => {
    const dir = path.join(base, 'store-plain', 'image');
    const store = await ImageStore.open(dir);
    const { id } = await store.importTar(Readable.from([tar]), { reference: 'rootfs:test' });
    const img = await store.get('rootfs:test');
    assert.equal(img.id, id);
    assert.deepEqual(img.diffIds, [sha256(tar)]);
    assert.equal(sha256(await readFile(path.join(dir, 'blobs', 'sha256', id.slice(7)))), id);

    const root = img.layers[0]!;
    const check = async (rel: string, mode: number, uid: number, gid: number) => {
      const st = await lstat(path.join(root, rel));
      assert.equal(st.mode & 0o7777, mode, `${rel} mode ${(st.mode & 0o7777).toString(8)}`);
      assert.equal(st.uid, uid, `${rel} uid`);
      assert.equal(st.gid, gid, `${rel} gid`);
      return st;
    };
    await check('.', 0o751, 0, 0);
    await check('bin/tool', 0o4755, 0, 0);
    await check('home/u', 0o750, 1000, 1000);
    const file = await check('home/u/file', 0o640, 1000, 1000);
    const hard = await lstat(path.join(root, 'home/u/hard'));
    assert.equal(hard.ino, file.ino, 'hard link kept');
    assert.equal(file.nlink, 2);
    assert.ok((await check('fifo', 0o620, 1000, 1001)).isFIFO());
    await check('tmp', 0o1777, 0, 0);
    assert.equal(await readlink(path.join(root, 'abs-link')), '/home/u/file', 'absolute symlink kept as is');
    assert.equal(await readlink(path.join(root, 'rel-link')), 'home/u/file');
    assert.equal((await lstat(path.join(root, 'rel-link'))).uid, 1000);
    assert.equal(img.size, 'owned by 1000'.length + '#!/bin/sh\n'.length + '/home/u/file'.length + 'home/u/file'.length);
  });

  it('gives the same diffID, and the same layer, to the tar gzip-, zstd- and xz-compressed', async () => {
    const store = await ImageStore.open(path.join(base, 'store-compressed', 'image'));
    const plain = await store.get((await store.importTar(Readable.from([tar]))).id);
    const inputs: [string, Buffer][] = [['gzip', gzipSync(tar)]];
    for (const [tool, args] of [['zstd', ['-q', '-c']], ['xz', ['-c']]] as const) {
      if (hasTool(tool)) inputs.push([tool, spawnSync(tool, args, { input: tar, maxBuffer: 1 << 26 }).stdout]);
    }
    for (const [what, bytes] of inputs) {
      const img = await store.get((await store.importTar(Readable.from([bytes]), { message: what })).id);
      assert.deepEqual(img.diffIds, plain.diffIds, what);
      assert.deepEqual(img.layers, plain.layers, what);
    }
  });
});
