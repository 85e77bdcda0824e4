import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { IgnoreMatcher } from '../../common/dockerignore.js';
import { planCopy, type CopyRequest } from './plan.js';
import { byName, collect, extractTo, list, names, tempDir, writeTree } from './plan.testkit.js';

type T = Parameters<typeof tempDir>[0];

function req(srcRoot: string, sources: string[], dest: string, extra: Partial<CopyRequest> = {}): CopyRequest {
  return { kind: 'copy', srcRoot, sources, dest, allowWildcards: true, fromContext: true, ...extra };
}

async function layer(r: CopyRequest): Promise<Buffer> {
  return collect((await planCopy(r)).tar());
}

function context(t: T, tree: Parameters<typeof writeTree>[1]): string {
  const d = tempDir(t);
  writeTree(d, tree);
  return d;
}

test('a file to a new name, parents created 0755 root', async (t) => {
  const ctx = context(t, { 'a.txt': 'hello' });
  const tar = await layer(req(ctx, ['a.txt'], '/opt/app/b.txt'));
  assert.deepEqual(names(tar), ['opt/', 'opt/app/', 'opt/app/b.txt']);
  assert.equal(byName(tar, 'opt/app/').perms, 'drwxr-xr-x');
  assert.equal(byName(tar, 'opt/app/b.txt').size, 5);
  assert.equal(byName(tar, 'opt/app/b.txt').owner, '0/0');
});

test('a file into a dest ending in / keeps its name', async (t) => {
  const ctx = context(t, { 'sub/a.txt': 'x' });
  assert.deepEqual(names(await layer(req(ctx, ['./sub/a.txt'], '/dst/'))), ['dst/', 'dst/a.txt']);
  // A leading '/' in a source is relative to the context.
  assert.deepEqual(names(await layer(req(ctx, ['/sub/a.txt'], '/dst/'))), ['dst/', 'dst/a.txt']);
});

test('a file into an existing directory of the parent image goes inside; existing parents keep their metadata', async (t) => {
  const ctx = context(t, { 'a.txt': 'x' });
  const image = tempDir(t);
  writeTree(image, { 'tmp/keep': 'k', 'usr/bin/sh': 'sh', bin: { link: 'usr/bin' } });
  fs.chmodSync(path.join(image, 'tmp'), 0o1777);
  const tar = await layer(req(ctx, ['a.txt'], '/tmp', { destRoot: image }));
  assert.deepEqual(names(tar), ['tmp/', 'tmp/a.txt']);
  assert.equal(byName(tar, 'tmp/').perms, 'drwxrwxrwt');
  // /bin is a symlink to usr/bin in the image: the file lands in usr/bin, the link is left alone.
  const viaLink = await layer(req(ctx, ['a.txt'], '/bin/', { destRoot: image }));
  assert.deepEqual(names(viaLink), ['usr/', 'usr/bin/', 'usr/bin/a.txt']);
  // Without the slash too: /bin resolves (inside the image) to a directory.
  assert.deepEqual(names(await layer(req(ctx, ['a.txt'], '/bin', { destRoot: image }))), ['usr/', 'usr/bin/', 'usr/bin/a.txt']);
  // A link in the image pointing out of it stays inside: /escape -> /../../tmp is the image's /tmp.
  fs.symlinkSync('/../../tmp', path.join(image, 'escape'));
  assert.deepEqual(names(await layer(req(ctx, ['a.txt'], '/escape/', { destRoot: image }))), ['tmp/', 'tmp/a.txt']);
});

test('a directory source copies its contents, symlinks inside kept as symlinks', async (t) => {
  const ctx = context(t, { 'd/x': '1', 'd/sub/y': '22', 'd/pw': { link: '/etc/passwd' }, 'd/up': { link: '../../../etc/shadow' } });
  const tar = await layer(req(ctx, ['d'], '/app'));
  assert.deepEqual(names(tar).sort(), ['app/', 'app/pw', 'app/sub/', 'app/sub/y', 'app/up', 'app/x']);
  assert.equal(byName(tar, 'app/pw').link, '/etc/passwd');
  assert.equal(byName(tar, 'app/up').link, '../../../etc/shadow');
  assert.ok(byName(tar, 'app/pw').perms.startsWith('l'));
});

test('modes and mtimes of context files are kept; owners reset to 0:0', async (t) => {
  const ctx = context(t, { 'run.sh': { content: '#!/bin/sh', mode: 0o750 } });
  const when = new Date('2020-02-03T04:05:06Z');
  fs.utimesSync(path.join(ctx, 'run.sh'), when, when);
  const dir = tempDir(t);
  extractTo(await layer(req(ctx, ['run.sh'], '/run.sh')), dir);
  const st = fs.statSync(path.join(dir, 'run.sh'));
  assert.equal(st.mode & 0o7777, 0o750);
  assert.equal(st.mtime.getTime(), when.getTime());
  assert.equal(byName(await layer(req(ctx, ['run.sh'], '/run.sh')), 'run.sh').owner, '0/0');
});

test('several sources need a dest ending in /', async (t) => {
  const ctx = context(t, { a: '1', b: '2' });
  await assert.rejects(planCopy(req(ctx, ['a', 'b'], '/dst')), {
    message: 'When using COPY with more than one source file, the destination must be a directory and end with a /',
  });
  await assert.rejects(planCopy(req(ctx, ['*'], '/dst')), /When using COPY with more than one source file/);
  assert.deepEqual(names(await layer(req(ctx, ['a', 'b'], '/dst/'))), ['dst/', 'dst/a', 'dst/b']);
});

test('wildcards match per segment like Go filepath.Match', async (t) => {
  const ctx = context(t, { 'a.js': '', 'b.js': '', 'c.ts': '', 'src/d.js': '', 'src/e.ts': '', 'x1': '', 'x2': '', 'x3': '' });
  assert.deepEqual(names(await layer(req(ctx, ['*.js'], '/o/'))), ['o/', 'o/a.js', 'o/b.js']);
  assert.deepEqual(names(await layer(req(ctx, ['src/*.js'], '/o/'))), ['o/', 'o/d.js']);
  assert.deepEqual(names(await layer(req(ctx, ['x[12]'], '/o/'))), ['o/', 'o/x1', 'o/x2']);
  assert.deepEqual(names(await layer(req(ctx, ['x[^1]'], '/o/'))), ['o/', 'o/x2', 'o/x3']);
  assert.deepEqual(names(await layer(req(ctx, ['?.ts'], '/o/'))), ['o/', 'o/c.ts']);
  // One match needs no trailing slash (moby counts what was found).
  assert.deepEqual(names(await layer(req(ctx, ['c.*'], '/o/c'))), ['o/', 'o/c']);
});

test('missing sources and empty wildcards fail with Docker wording', async (t) => {
  const ctx = context(t, { a: '1' });
  await assert.rejects(planCopy(req(ctx, ['missing.txt'], '/x')), {
    message: 'COPY failed: file not found in build context or excluded by .dockerignore: stat missing.txt: file does not exist',
  });
  await assert.rejects(planCopy(req(ctx, ['nomatch*'], '/x/')), { message: 'COPY failed: no source files were specified' });
  await assert.rejects(planCopy(req(ctx, ['missing'], '/x', { fromContext: false })), { message: 'COPY failed: stat missing: file does not exist' });
  await assert.rejects(planCopy({ ...req(ctx, ['gone'], '/x'), kind: 'add' }), { message: /^ADD failed: file not found/ });
  const e = await planCopy(req(ctx, ['missing.txt'], '/x')).catch((x: unknown) => x);
  assert.equal((e as { kind: string }).kind, 'invalid-argument');
});

test('sources cannot leave the root: ../ is refused, a named symlink resolves inside the root', async (t) => {
  const outer = tempDir(t);
  writeTree(outer, { 'secret.txt': 'top secret', 'ctx/etc/hosts': 'inside hosts' });
  const ctx = path.join(outer, 'ctx');
  writeTree(ctx, { 'link-out': { link: '../secret.txt' }, 'pw': { link: '../../../../etc/passwd' }, 'abs': { link: '/etc/hosts' } });
  await assert.rejects(planCopy(req(ctx, ['../secret.txt'], '/x')), { message: 'COPY failed: forbidden path outside the build context: ../secret.txt ()' });
  await assert.rejects(planCopy(req(ctx, ['a/../../secret.txt'], '/x')), /forbidden path outside the build context/);
  // ../secret.txt from the context's top means /secret.txt inside it: absent.
  await assert.rejects(planCopy(req(ctx, ['link-out'], '/x')), { message: /stat link-out: file does not exist/ });
  await assert.rejects(planCopy(req(ctx, ['pw'], '/x')), { message: /stat pw: file does not exist/ });
  // An absolute target means the context's root: /etc/hosts is ctx/etc/hosts, copied under the link's name.
  const dir = tempDir(t);
  const tar = await layer(req(ctx, ['abs'], '/out/'));
  assert.deepEqual(names(tar), ['out/', 'out/abs']);
  extractTo(tar, dir);
  assert.equal(fs.readFileSync(path.join(dir, 'out/abs'), 'utf8'), 'inside hosts');
});

test('ignored files are not copied and, when named, are not found', async (t) => {
  const ctx = context(t, { 'keep.txt': 'k', 'secret.env': 's', 'd/a': 'a', 'd/b.log': 'b', 'logs/x.log': 'x', 'logs/keep.log': 'y' });
  const ignore = new IgnoreMatcher(['*.env', '**/*.log', '!logs/keep.log']);
  const tar = await layer(req(ctx, ['.'], '/app/', { ignore }));
  assert.deepEqual(names(tar).sort(), ['app/', 'app/d/', 'app/d/a', 'app/keep.txt', 'app/logs/', 'app/logs/keep.log']);
  await assert.rejects(planCopy(req(ctx, ['secret.env'], '/x', { ignore })), /file not found in build context or excluded by \.dockerignore: stat secret\.env/);
  assert.deepEqual(names(await layer(req(ctx, ['*.env', 'keep.txt'], '/o/', { ignore }))), ['o/', 'o/keep.txt']);
});

test('heredocs become files (0644 by default)', async (t) => {
  const ctx = context(t, {});
  const dir = tempDir(t);
  const tar = await layer(req(ctx, ['<<EOF'], '/etc/motd', { heredocs: [{ name: 'EOF', content: 'hi there\n' }] }));
  assert.deepEqual(names(tar), ['etc/', 'etc/motd']);
  assert.equal(byName(tar, 'etc/motd').perms, '-rw-r--r--');
  extractTo(tar, dir);
  assert.equal(fs.readFileSync(path.join(dir, 'etc/motd'), 'utf8'), 'hi there\n');
  const two = await layer(req(ctx, [], '/d/', { heredocs: [{ name: 'a.sh', content: 'a', mode: 0o755 }, { name: 'b', content: 'b' }] }));
  assert.deepEqual(names(two), ['d/', 'd/a.sh', 'd/b']);
  assert.equal(byName(two, 'd/a.sh').perms, '-rwxr-xr-x');
});

test('--chown by name reads the image passwd/group; numeric needs no files; unknown names fail', async (t) => {
  const ctx = context(t, { 'd/f': 'x' });
  const image = tempDir(t);
  writeTree(image, { 'etc/passwd': 'root:x:0:0::/root:/bin/sh\napp:x:1001:1001::/home/app:/bin/sh\n', 'etc/group': 'root:x:0:\napp:x:1001:\nstaff:x:50:\n' });
  const tar = await layer(req(ctx, ['d'], '/srv/d/', { destRoot: image, chown: 'app:staff' }));
  // srv/ and srv/d/ are new: directories made for the copy get the chown ids too (moby's MkdirAllAndChownNew).
  for (const e of list(tar)) assert.equal(e.owner, '1001/50', e.name);
  fs.mkdirSync(path.join(image, 'srv'));
  assert.equal(byName(await layer(req(ctx, ['d'], '/srv/d/', { destRoot: image, chown: 'app:staff' })), 'srv/').owner, '0/0');
  assert.equal(byName(await layer(req(ctx, ['d/f'], '/new/dir/f', { destRoot: image, chown: 'app' })), 'new/dir/').owner, '1001/1001');
  assert.equal(byName(await layer(req(ctx, ['d/f'], '/f', { chown: '7:8' })), 'f').owner, '7/8');
  await assert.rejects(planCopy(req(ctx, ['d/f'], '/f', { destRoot: image, chown: 'bob' })), {
    message: 'unable to convert uid/gid chown string to host mapping: can\'t find uid for user bob: no such user: bob',
  });
  await assert.rejects(planCopy(req(ctx, ['d/f'], '/f', { destRoot: image, chown: 'app:nogroup' })), /can't find gid for group nogroup: no such group: nogroup/);
  await assert.rejects(planCopy(req(ctx, ['d/f'], '/f', { chown: 'app' })), /can't find uid for user app: open \/etc\/passwd: no such file or directory/);
  await assert.rejects(planCopy(req(ctx, ['d/f'], '/f', { chown: 'a:b:c' })), /invalid chown string format: a:b:c/);
});

test('--chmod sets the mode of copied files and directories, not of symlinks', async (t) => {
  const ctx = context(t, { 'd/f': { content: 'x', mode: 0o600 }, 'd/s/g': 'y', 'd/l': { link: 'f' } });
  const tar = await layer(req(ctx, ['d'], '/d', { chmod: '0751' }));
  assert.equal(byName(tar, 'd/f').perms, '-rwxr-x--x');
  assert.equal(byName(tar, 'd/s/').perms, 'drwxr-x--x');
  assert.equal(byName(tar, 'd/l').perms, 'lrwxrwxrwx');
  await assert.rejects(planCopy(req(ctx, ['d'], '/d', { chmod: '9x' })), { message: 'invalid chmod flag 9x' });
});

test('--from sources keep their owners without --chown', async (t) => {
  const root = context(t, { 'bin/tool': 'x' });
  const st = fs.statSync(path.join(root, 'bin/tool'));
  const tar = await layer(req(root, ['/bin/tool'], '/usr/local/bin/', { fromContext: false }));
  assert.equal(byName(tar, 'usr/local/bin/tool').owner, `${st.uid}/${st.gid}`);
});

test('origin: stable for the same inputs, changes with content or mode, not with mtime', async (t) => {
  const ctx = context(t, { 'd/a': 'one', f: 'file' });
  const o1 = (await planCopy(req(ctx, ['d'], '/x'))).origin;
  assert.match(o1, /^dir:[0-9a-f]{64}$/);
  assert.equal((await planCopy(req(ctx, ['d'], '/x'))).origin, o1);
  fs.utimesSync(path.join(ctx, 'd/a'), new Date(1000), new Date(1000));
  assert.equal((await planCopy(req(ctx, ['d'], '/x'))).origin, o1);
  fs.writeFileSync(path.join(ctx, 'd/a'), 'two');
  const o2 = (await planCopy(req(ctx, ['d'], '/x'))).origin;
  assert.notEqual(o2, o1);
  fs.chmodSync(path.join(ctx, 'd/a'), 0o700);
  assert.notEqual((await planCopy(req(ctx, ['d'], '/x'))).origin, o2);
  assert.match((await planCopy(req(ctx, ['f'], '/x'))).origin, /^file:[0-9a-f]{64}$/);
  assert.match((await planCopy(req(ctx, ['f', 'd'], '/x/'))).origin, /^multi:[0-9a-f]{64}$/);
  assert.notEqual((await planCopy(req(ctx, ['f'], '/x', { chown: '1:1' }))).origin, (await planCopy(req(ctx, ['f'], '/x'))).origin);
});

test('long, non-ASCII and deep names survive the tar writer (PAX)', async (t) => {
  const long = `${'d'.repeat(120)}/${'e'.repeat(120)}/${'f'.repeat(130)}.txt`;
  const ctx = context(t, { [long]: 'x', 'ünïcödé-名前.txt': 'u', 'l': { link: `${'t'.repeat(150)}/ü` } });
  const tar = await layer(req(ctx, ['.'], '/'));
  const got = names(tar);
  assert.ok(got.includes(long), 'long path');
  assert.ok(got.includes('ünïcödé-名前.txt'), 'unicode');
  assert.equal(byName(tar, 'l').link, `${'t'.repeat(150)}/ü`);
  const dir = tempDir(t);
  extractTo(tar, dir);
  assert.equal(fs.readFileSync(path.join(dir, long), 'utf8'), 'x');
  // 151 ASCII bytes fit ustar's prefix/name split; ids past 7 octal digits go to PAX.
  const split = `${'p'.repeat(90)}/${'q'.repeat(60)}`;
  writeTree(ctx, { [split]: 'y' });
  const big = await layer(req(ctx, [split], `/${split}`, { chown: '3000000:4000000' }));
  assert.equal(byName(big, split).owner, '3000000/4000000');
  assert.ok(!big.includes(Buffer.from('PaxHeaders.0/q')) || big.includes(Buffer.from(' uid=3000000')));
  const small = await layer(req(ctx, [split], `/${split}`));
  assert.ok(!small.includes(Buffer.from('PaxHeaders')), 'a plain ustar header suffices');
  assert.equal(byName(small, split).size, 1);
});

test('COPY refuses URLs; the layer of a big file streams in bounded chunks', async (t) => {
  const ctx = context(t, {});
  await assert.rejects(planCopy(req(ctx, ['http://example.invalid/x'], '/x')), { message: "COPY failed: source can't be a URL for COPY" });
  const fd = fs.openSync(path.join(ctx, 'big'), 'w');
  fs.ftruncateSync(fd, 64 * 1024 * 1024 + 3);
  fs.closeSync(fd);
  let total = 0;
  let largest = 0;
  for await (const c of (await planCopy(req(ctx, ['big'], '/big'))).tar()) {
    total += c.length;
    largest = Math.max(largest, c.length);
  }
  assert.equal(total, 512 + 64 * 1024 * 1024 + 512 + 1024);
  assert.ok(largest <= 1 << 20, `chunk of ${largest} bytes`);
});
