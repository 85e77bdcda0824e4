// docker cp against containers: stopped ones (an on-disk container reached through an overlay view, as the
// engine does) and one real running container. The hostile cases are the point: the container's own
// symlinks must never take a read or a write onto the host.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, link, lstat, mkdir, readdir, readFile, readlink, rm, rmdir, symlink, utimes, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { OverlaySnapshotter } from '../../image/index.js';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { extract, pack, type Header } from 'tar-stream';
import { buildTestRootfs } from '../../../test/helpers/rootfs.js';
import { pollUntil, withTempDir } from '../../../test/helpers/cleanup.js';
import { Engine } from '../daemon.js';
import { EventBus } from '../events.js';
import { getArchive, putArchive, statPath, GO_MODE } from './archive.js';
import { containerChanges } from './changes.js';
import type { EngineContext } from './context.js';
import { exportRootfs } from './export.js';
import { newState, type ContainerRecord } from './model.js';
import { prepareRootfs, rootfsLayout, type RootfsLayout } from './rootfs.js';
import { ContainerStore } from './store.js';

const isRoot = process.getuid?.() === 0;
const skip = isRoot ? false : 'needs root (overlay mounts in a private mount namespace, chown, mknod)';

interface FakeContainer {
  ctx: EngineContext;
  id: string;
  layout: RootfsLayout;
}

/** A stopped container that exists only on disk: record, one image layer, upper dir. */
async function fakeStoppedContainer(dir: string, layer: string, opts: { user?: string; hostConfig?: Record<string, unknown> } = {}): Promise<FakeContainer> {
  const dataRoot = path.join(dir, 'data');
  const emptyDir = path.join(dataRoot, 'empty');
  await mkdir(emptyDir, { recursive: true });
  const store = new ContainerStore(path.join(dataRoot, 'containers'));
  const ctx = {
    cfg: { dataRoot, execRoot: dataRoot, cgroupParent: '/berth-test', emptyDir },
    store,
    images: { get: async () => ({ id: 'sha256:testimage', config: {}, layers: [layer] }) },
    snapshotter: new OverlaySnapshotter({ root: path.join(dataRoot, 'image'), dirOf: (id) => path.join(store.dir(id), 'fs') }),
    events: new EventBus(),
    waiters: new Map(),
    pendingAttach: new Map(),
    onStart: () => undefined,
    onExit: () => undefined,
    log: () => undefined,
  } as unknown as EngineContext;
  const id = randomBytes(32).toString('hex');
  await mkdir(store.dir(id), { recursive: true });
  const layout = rootfsLayout(store.dir(id), [layer]);
  await prepareRootfs(layout);
  const rec: ContainerRecord = {
    id,
    name: '/cp-test',
    created: new Date().toISOString(),
    path: 'sh',
    args: [],
    imageRef: 'test',
    imageId: 'sha256:testimage',
    config: { User: opts.user ?? '' },
    hostConfig: opts.hostConfig ?? {},
    state: { ...newState(), status: 'exited' },
    restartCount: 0,
    hasBeenStarted: true,
    manuallyStopped: false,
    logPath: '',
    hostnamePath: '',
    hostsPath: '',
    resolvConfPath: '',
    networkMode: 'none',
  };
  await store.save(rec);
  return { ctx, id, layout };
}

const CONTAINER_PASSWD = 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n';

/** The image layer: a container passwd that differs from the host's, and hostile links. */
async function hostileLayer(layer: string): Promise<void> {
  await mkdir(path.join(layer, 'etc'), { recursive: true });
  await mkdir(path.join(layer, 'dst'), { recursive: true });
  await mkdir(path.join(layer, 'tmp'), { recursive: true });
  await writeFile(path.join(layer, 'etc', 'passwd'), CONTAINER_PASSWD);
  await writeFile(path.join(layer, 'etc', 'group'), 'root:x:0:\napp:x:1000:\n');
  await writeFile(path.join(layer, 'file'), 'plain file\n');
  await symlink('/', path.join(layer, 'evil'));
  await symlink('../../../../..', path.join(layer, 'evil2'));
  await symlink('/etc', path.join(layer, 'etclink'));
}

interface TarItem {
  name: string;
  type: Header['type'];
  mode: number;
  uid: number;
  gid: number;
  linkname: string;
  data: string;
}

async function readTar(stream: Readable): Promise<TarItem[]> {
  const out: TarItem[] = [];
  const ex = extract();
  stream.on('error', (e) => ex.destroy(e));
  stream.pipe(ex);
  for await (const entry of ex) {
    const chunks: Buffer[] = [];
    for await (const c of entry) chunks.push(c as Buffer);
    const h = entry.header;
    out.push({ name: h.name, type: h.type, mode: h.mode, uid: h.uid, gid: h.gid, linkname: h.linkname ?? '', data: Buffer.concat(chunks).toString() });
  }
  return out;
}

type TarSpec = Partial<Header> & { name: string; data?: string };

async function makeTar(entries: TarSpec[]): Promise<Readable> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve) => p.on('end', () => resolve()));
  for (const e of entries) {
    const { data, ...h } = e;
    await new Promise<void>((resolve, reject) =>
      p.entry({ mode: h.type === 'directory' ? 0o755 : 0o644, mtime: new Date(1_600_000_000_000), ...h }, data ?? '', (err) => (err ? reject(err) : resolve())),
    );
  }
  p.finalize();
  await done;
  return Readable.from([Buffer.concat(chunks)]);
}

const names = (items: TarItem[]) => items.map((i) => i.name);

async function withStopped<T>(t: { name: string }, fn: (c: FakeContainer, dir: string) => Promise<T>, opts: { user?: string } = {}): Promise<T> {
  return withTempDir(`berth-cp-${t.name}`, async (dir) => {
    const layer = path.join(dir, 'layer');
    await hostileLayer(layer);
    return fn(await fakeStoppedContainer(dir, layer, opts), dir);
  });
}

describe('docker cp on a stopped container', { skip }, () => {
  it('HEAD: Docker PathStat, symlinks reported with their resolved target, missing paths in Docker words', (t) =>
    withStopped(t, async ({ ctx, id }) => {
      const pw = await statPath(ctx, id, '/etc/passwd');
      assert.equal(pw.name, 'passwd');
      assert.equal(pw.size, CONTAINER_PASSWD.length);
      assert.equal(pw.mode, 0o644);
      assert.equal(pw.linkTarget, '');
      assert.match(pw.mtime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      const evil = await statPath(ctx, id, 'evil');
      assert.equal(evil.mode, GO_MODE.symlink + 0o777);
      assert.equal(evil.linkTarget, '/');
      const etc = await statPath(ctx, id, '/etclink/');
      assert.equal(etc.name, 'etclink');
      assert.equal(etc.mode, GO_MODE.dir + 0o755);
      assert.equal((await statPath(ctx, id, '/')).name, '/');
      assert.equal((await statPath(ctx, id, '/etc/.')).name, '.');
      await assert.rejects(statPath(ctx, id, '/nope'), { kind: 'not-found', message: `Could not find the file /nope in container ${id}` });
      await assert.rejects(statPath(ctx, id, '/file/'), { kind: 'not-found' });
    }));

  it('GET /evil/etc/passwd reads the CONTAINER passwd, never the host one', (t) =>
    withStopped(t, async ({ ctx, id }) => {
      for (const p of ['/evil/etc/passwd', '/evil2/etc/passwd', '/etclink/passwd', '/evil/evil2/evil/etc/passwd']) {
        const { stat, stream } = await getArchive(ctx, id, p);
        assert.equal(stat.name, 'passwd');
        const items = await readTar(stream);
        assert.deepEqual(names(items), ['passwd'], p);
        assert.equal(items[0]!.data, CONTAINER_PASSWD, p);
      }
      // the link itself, not its target: a one-entry symlink archive
      const link = await readTar((await getArchive(ctx, id, '/evil')).stream);
      assert.deepEqual(link.map((i) => [i.name, i.type, i.linkname]), [['evil', 'symlink', '/']]);
    }));

  it('GET names entries after the requested base name; `/.` means the contents; `/` is rebased to /', (t) =>
    withStopped(t, async ({ ctx, id }) => {
      assert.deepEqual(names(await readTar((await getArchive(ctx, id, '/etc')).stream)), ['etc/', 'etc/group', 'etc/passwd']);
      assert.deepEqual(names(await readTar((await getArchive(ctx, id, '/etc/.')).stream)), ['./', './group', './passwd']);
      // a directory reached through a symlink with a trailing slash keeps the requested name
      assert.deepEqual(names(await readTar((await getArchive(ctx, id, '/etclink/')).stream)), ['etclink/', 'etclink/group', 'etclink/passwd']);
      const root = names(await readTar((await getArchive(ctx, id, '/')).stream));
      assert.equal(root[0], '/');
      assert.ok(root.includes('/etc/passwd') && root.includes('/evil'), root.join(' '));
      await assert.rejects(getArchive(ctx, id, '/etc/missing'), { kind: 'not-found', message: `Could not find the file /etc/missing in container ${id}` });
    }));

  it('PUT to /evil (a link to /) writes inside the container', (t) =>
    withStopped(t, async ({ ctx, id, layout }) => {
      const marker = `berth-cp-marker-${randomBytes(4).toString('hex')}`;
      await putArchive(ctx, id, '/evil', await makeTar([{ name: marker, data: 'inside' }]), { noOverwriteDirNonDir: true });
      assert.equal(await readFile(path.join(layout.upper, marker), 'utf8'), 'inside');
      assert.equal(existsSync(path.join('/', marker)), false);
      await putArchive(ctx, id, '/evil2/tmp', await makeTar([{ name: marker, data: 'inside too' }]));
      assert.equal(await readFile(path.join(layout.upper, 'tmp', marker), 'utf8'), 'inside too');
      assert.equal(existsSync(path.join('/tmp', marker)), false);
    }));

  it('an archive cannot plant a link and write through it: a -> <host dir>, then a/pwned', (t) =>
    withStopped(t, async ({ ctx, id, layout }, dir) => {
      const hostTarget = path.join(dir, 'host-target');
      await mkdir(hostTarget);
      await putArchive(ctx, id, '/dst', await makeTar([
        { name: 'a', type: 'symlink', linkname: hostTarget },
        { name: 'a/pwned', data: 'pwned' },
        { name: 'rel', type: 'symlink', linkname: '../../../../../../../..' + hostTarget },
      ]), { noOverwriteDirNonDir: true });
      assert.equal(existsSync(path.join(hostTarget, 'pwned')), false);
      // Docker (moby/go-archive) resolves the link with the extraction directory as root: the file lands there
      assert.equal(await readFile(path.join(layout.upper, 'dst', hostTarget, 'pwned'), 'utf8'), 'pwned');
      // a relative link climbing out of the extraction directory is refused as a breakout
      await assert.rejects(putArchive(ctx, id, '/dst', await makeTar([{ name: 'rel/pwned2', data: 'x' }])), /path escapes from parent/);
      assert.equal(existsSync(path.join(hostTarget, 'pwned2')), false);
      await assert.rejects(putArchive(ctx, id, '/dst', await makeTar([{ name: '../escape', data: 'x' }])), { message: 'invalid entry name "../escape"' });
      await assert.rejects(putArchive(ctx, id, '/dst', await makeTar([{ name: 'h', type: 'link', linkname: '../etc/passwd' }])), { message: 'invalid hardlink target "../etc/passwd"' });
    }));

  it("PUT errors in Docker's words", (t) =>
    withStopped(t, async ({ ctx, id }) => {
      await assert.rejects(putArchive(ctx, id, '/etc/passwd', await makeTar([{ name: 'x' }])), { kind: 'invalid-argument', message: 'extraction point is not a directory' });
      await assert.rejects(putArchive(ctx, id, '/missing/dir', await makeTar([{ name: 'x' }])), { kind: 'not-found', message: `Could not find the file /missing/dir in container ${id}` });
      await assert.rejects(putArchive(ctx, id, '/', await makeTar([{ name: 'file', type: 'directory' }]), { noOverwriteDirNonDir: true }), { message: 'cannot overwrite non-directory "file" with directory "/"' });
      await assert.rejects(putArchive(ctx, id, '/', await makeTar([{ name: 'etc', data: 'x' }]), { noOverwriteDirNonDir: true }), { message: 'cannot overwrite directory "etc" with non-directory "/"' });
      // without the flag Docker replaces either way
      await putArchive(ctx, id, '/', await makeTar([{ name: 'file', type: 'directory' }]));
      assert.equal((await statPath(ctx, id, '/file')).mode, GO_MODE.dir + 0o755);
    }));

  it('owners: the archive decides, unless copyUIDGID names the container user (docker cp -a)', (t) =>
    withStopped(
      t,
      async ({ ctx, id, layout }) => {
        await putArchive(ctx, id, '/dst', await makeTar([{ name: 'kept', uid: 4321, gid: 8765, data: 'k' }]));
        const kept = await lstat(path.join(layout.upper, 'dst', 'kept'));
        assert.deepEqual([kept.uid, kept.gid], [4321, 8765]);
        await putArchive(ctx, id, '/dst', await makeTar([{ name: 'mine', uid: 4321, gid: 8765, data: 'm' }, { name: 'sub', type: 'directory', uid: 5 }]), { copyUIDGID: true });
        const mine = await lstat(path.join(layout.upper, 'dst', 'mine'));
        assert.deepEqual([mine.uid, mine.gid], [1000, 1000]);
        assert.equal((await lstat(path.join(layout.upper, 'dst', 'sub'))).uid, 1000);
      },
      { user: 'app' },
    ));

  it('GET then PUT round-trips modes, owners, times, symlinks, hard links, fifos and deep trees', (t) =>
    withStopped(t, async ({ ctx, id, layout }) => {
      const src = path.join(layout.lowers[0]!, 'src');
      await mkdir(path.join(src, 'sub', 'deeper'), { recursive: true });
      await writeFile(path.join(src, 'f'), 'data');
      await chown(path.join(src, 'f'), 1234, 5678);
      await chmod(path.join(src, 'f'), 0o640);
      await writeFile(path.join(src, 'suid'), '#!/bin/sh\n');
      await chmod(path.join(src, 'suid'), 0o4755);
      await link(path.join(src, 'f'), path.join(src, 'sub', 'hard'));
      await symlink('../f', path.join(src, 'sub', 'link'));
      await symlink('/etc/passwd', path.join(src, 'abslink'));
      execFileSync('mkfifo', [path.join(src, 'fifo')]);
      await chmod(path.join(src, 'sub'), 0o700);
      await chmod(path.join(src, 'sub', 'deeper'), 0o1777);
      await writeFile(path.join(src, 'sub', 'deeper', `${'n'.repeat(120)}`), 'long name');
      await utimes(path.join(src, 'f'), 1_500_000_000, 1_500_000_000);
      await utimes(path.join(src, 'sub'), 1_400_000_000, 1_400_000_000);

      const { stream } = await getArchive(ctx, id, '/src');
      await putArchive(ctx, id, '/dst', stream, { noOverwriteDirNonDir: true });
      const out = path.join(layout.upper, 'dst', 'src');
      for (const rel of ['', 'f', 'suid', 'sub', 'sub/hard', 'sub/link', 'abslink', 'fifo', 'sub/deeper', `sub/deeper/${'n'.repeat(120)}`]) {
        const a = await lstat(path.join(src, rel));
        const b = await lstat(path.join(out, rel));
        assert.equal(b.mode, a.mode, `mode of ${rel || '.'}`);
        assert.deepEqual([b.uid, b.gid], [a.uid, a.gid], `owner of ${rel || '.'}`);
        if (!a.isSymbolicLink()) assert.equal(Math.floor(b.mtimeMs / 1000), Math.floor(a.mtimeMs / 1000), `mtime of ${rel || '.'}`);
      }
      assert.equal(await readlink(path.join(out, 'sub', 'link')), '../f');
      assert.equal(await readlink(path.join(out, 'abslink')), '/etc/passwd');
      const [f, hard] = [await lstat(path.join(out, 'f')), await lstat(path.join(out, 'sub', 'hard'))];
      assert.equal(f.ino, hard.ino, 'hard links stay linked');
      assert.equal(await readFile(path.join(out, 'f'), 'utf8'), 'data');
    }));

  it('odd names survive the rebase: sed metacharacters, a leading dash', (t) =>
    withStopped(t, async ({ ctx, id, layout }) => {
      const odd = 'we|ird&na\\me';
      await mkdir(path.join(layout.lowers[0]!, odd));
      await writeFile(path.join(layout.lowers[0]!, odd, '-dash'), 'd');
      assert.deepEqual(names(await readTar((await getArchive(ctx, id, `/${odd}`)).stream)), [`${odd}/`, `${odd}/-dash`]);
      assert.deepEqual(names(await readTar((await getArchive(ctx, id, `/${odd}/-dash`)).stream)), ['-dash']);
    }));

  it('an upload that breaks off fails the copy and releases the container', (t) =>
    withStopped(t, async ({ ctx, id, layout }) => {
      const whole = await makeTar([{ name: 'big', data: 'y'.repeat(100_000) }]);
      const chunks: Buffer[] = [];
      for await (const c of whole) chunks.push(c as Buffer);
      const broken = new Readable({ read() {} });
      broken.push(Buffer.concat(chunks).subarray(0, 20_000));
      setTimeout(() => broken.destroy(new Error('client went away')), 50);
      await assert.rejects(putArchive(ctx, id, '/dst', broken));
      await putArchive(ctx, id, '/dst', await makeTar([{ name: 'after', data: 'a' }]));
      assert.equal(await readFile(path.join(layout.upper, 'dst', 'after'), 'utf8'), 'a');
    }));

  it('a gzip-compressed archive is accepted, as Docker decompresses', (t) =>
    withStopped(t, async ({ ctx, id, layout }) => {
      const { gzipSync } = await import('node:zlib');
      const plain = await makeTar([{ name: 'gz', data: 'zipped' }]);
      const chunks: Buffer[] = [];
      for await (const c of plain) chunks.push(c as Buffer);
      await putArchive(ctx, id, '/dst', Readable.from([gzipSync(Buffer.concat(chunks))]));
      assert.equal(await readFile(path.join(layout.upper, 'dst', 'gz'), 'utf8'), 'zipped');
    }));

  it('writes through the overlay: an image file replaced by a directory, as docker diff then reports', (t) =>
    withStopped(t, async ({ ctx, id, layout }) => {
      await putArchive(ctx, id, '/', await makeTar([{ name: 'file', type: 'directory' }, { name: 'file/inner', data: 'i' }]));
      assert.equal((await lstat(path.join(layout.upper, 'file'))).isDirectory(), true);
      const changes = await containerChanges(layout);
      assert.deepEqual(changes, [
        { Path: '/file', Kind: 0 },
        { Path: '/file/inner', Kind: 1 },
      ]);
    }));
});

describe('docker cp and export on a running container', { skip: skip || (existsSync('/bin/busybox') ? false : 'needs /bin/busybox for the test rootfs') }, () => {
  it('cp in and out through /proc/<pid>/root without escaping it; diff and export see the result', async () => {
    const dir = await (await import('node:fs/promises')).mkdtemp('/tmp/bt-');
    const rootfs = path.join(dir, 'rootfs');
    await buildTestRootfs(rootfs);
    await symlink('/', path.join(rootfs, 'evil'));
    await symlink('../../../../..', path.join(rootfs, 'evil2'));
    const engine = new Engine({ dataRoot: path.join(dir, 'd'), execRoot: path.join(dir, 'x'), cgroupParent: '/berth-cp-test', log: () => undefined, bridge: 'none' }, { get: async () => ({ id: 'sha256:cptest', config: {}, layers: [rootfs] }) });
    let id = '';
    try {
      await engine.start();
      ({ Id: id } = await engine.containers.create({ Image: 'cptest', Cmd: ['sleep', '30'], HostConfig: { NetworkMode: 'none' } }));
      await engine.containers.start(id);
      const ctx = engine.ctx;
      assert.equal(engine.containers.get(id).state.status, 'running');

      const passwd = await readTar((await getArchive(ctx, id, '/evil/etc/passwd')).stream);
      assert.equal(passwd.length, 1);
      assert.match(passwd[0]!.data, /^root:x:0:0:root:\/root:\/bin\/sh\napp:x:1000/);
      assert.notEqual(passwd[0]!.data, await readFile('/etc/passwd', 'utf8'));

      const marker = `berth-cp-live-${randomBytes(4).toString('hex')}`;
      await putArchive(ctx, id, '/evil', await makeTar([{ name: marker, data: 'live' }, { name: 'd/', type: 'directory' }, { name: 'd/x', data: 'x' }]), { noOverwriteDirNonDir: true });
      assert.equal(existsSync(`/${marker}`), false);
      const pid = engine.containers.get(id).state.pid;
      assert.equal(await readFile(`/proc/${pid}/root/${marker}`, 'utf8'), 'live');
      const back = await readTar((await getArchive(ctx, id, `/evil2/${marker}`)).stream);
      assert.deepEqual(back.map((i) => [i.name, i.data]), [[marker, 'live']]);
      const stat = await statPath(ctx, id, '/d');
      assert.equal(stat.mode, GO_MODE.dir + 0o755);

      // A paused (frozen) container is copied into as it is: nothing here needs its processes.
      await engine.containers.pause(id);
      await putArchive(ctx, id, '/tmp', await makeTar([{ name: 'while-paused', data: 'p' }]));
      assert.equal(await readFile(`/proc/${pid}/root/tmp/while-paused`, 'utf8'), 'p');
      await engine.containers.unpause(id);

      // The container's /proc is another filesystem: a copy of / does not descend into it.
      const all = names(await readTar((await getArchive(ctx, id, '/')).stream));
      assert.ok(all.includes('/proc/'), 'the mount point itself is there');
      assert.ok(!all.some((n) => n.startsWith('/proc/1/')), 'but not its contents');
      assert.ok(all.includes(`/${marker}`));

      const image = await ctx.images.get('cptest');
      const layout = rootfsLayout(engine.store.dir(id), image.layers);
      const changes = await containerChanges(layout);
      assert.ok(changes.some((c) => c.Path === `/${marker}` && c.Kind === 1), JSON.stringify(changes));
      assert.ok(changes.some((c) => c.Path === '/d/x' && c.Kind === 1));

      const exported = names(await readTar(await exportRootfs(layout, ctx.cfg.emptyDir)));
      assert.ok(exported.includes(marker) && exported.includes('etc/passwd') && exported.includes('bin/busybox'), exported.slice(0, 20).join(' '));
      assert.ok(!exported.includes('./') && !exported.some((n) => n.startsWith('proc/1')));
    } finally {
      if (id) await engine.containers.remove(id, { force: true }).catch(() => undefined);
      engine.stop();
      // The container's cgroup went with it; the parent made for this test is ours to remove.
      for (const ctrl of await readdir('/sys/fs/cgroup').catch(() => [] as string[])) {
        for (const p of [`/sys/fs/cgroup/${ctrl}/berth-cp-test`, '/sys/fs/cgroup/berth-cp-test']) await rmdir(p).catch(() => undefined);
      }
      await pollUntil(async () => (await rm(dir, { recursive: true, force: true }).then(() => true, () => false)), { what: `removing ${dir}` });
    }
  });
});
