// packLayer over a real overlay-style upper directory: whiteout devices, opaque directories and xattrs
// (set by extracting a tar with GNU tar, since Node has no xattr calls), hard links, big ids, devices.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chown, link, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { extract, type Header } from 'tar-stream';
import { buildTar } from '../tar.testkit.js';
import { applyLayerTar } from './apply.js';
import { packLayer } from './pack.js';

let base: string;
before(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'berth-pack-root-test-'));
});
after(async () => {
  await rm(base, { recursive: true, force: true });
});

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of it) parts.push(c);
  return Buffer.concat(parts);
}

async function entries(tar: Buffer): Promise<{ header: Header; data: Buffer }[]> {
  const ex = extract();
  const out: { header: Header; data: Buffer }[] = [];
  const feeding = Readable.from([tar]).pipe(ex);
  void feeding;
  for await (const e of ex) out.push({ header: e.header, data: await collect(e as AsyncIterable<Buffer>) });
  return out;
}

function run(cmd: string, args: string[], input?: Buffer): void {
  const r = spawnSync(cmd, args, { input });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr?.toString()}`);
}

describe('packLayer', () => {
  it('converts overlay whiteouts and opaque directories, keeps xattrs, links, devices and ids', async () => {
    const upper = path.join(base, 'upper');
    await mkdir(upper);
    // Directories and files with xattrs, through GNU tar (trusted.* needs root, which this test has).
    const cap = Buffer.from([0x01, 0x00, 0x00, 0x02, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]);
    const withXattrs = buildTar([
      { name: 'opq/', type: 'dir', pax: { 'SCHILY.xattr.trusted.overlay.opaque': 'y' } },
      { name: 'opq/inside', data: 'in opaque dir' },
      { name: 'capfile', data: 'binary cap', mode: 0o755, pax: { 'SCHILY.xattr.user.note': 'kept' } },
      { name: 'redir/', type: 'dir', pax: { 'SCHILY.xattr.trusted.overlay.redirect': '/elsewhere' } },
    ]);
    run('tar', ['-x', '-C', upper, '--xattrs', '--xattrs-include=*', '--numeric-owner', '-f', '-'], withXattrs);
    run('python3', ['-c', `import os; os.setxattr(${JSON.stringify(path.join(upper, 'capfile'))}, 'security.capability', bytes(${JSON.stringify([...cap])}))`]);
    await writeFile(path.join(upper, 'file'), 'content');
    await link(path.join(upper, 'file'), path.join(upper, 'hard'));
    await symlink('/abs/target', path.join(upper, 'sym'));
    await writeFile(path.join(upper, 'bigid'), 'x');
    await chown(path.join(upper, 'bigid'), 3_000_000, 4_000_000);
    run('mknod', [path.join(upper, 'gone'), 'c', '0', '0']);
    run('mknod', [path.join(upper, 'null'), 'c', '1', '3']);
    run('mkfifo', [path.join(upper, 'fifo')]);
    await mkdir(path.join(upper, `${'long-directory-name/'.repeat(8)}`), { recursive: true });
    await writeFile(path.join(upper, `${'long-directory-name/'.repeat(8)}f`), 'deep');

    const tar = await collect(packLayer(upper, { fromOverlayUpper: true }));
    const list = await entries(tar);
    const names = list.map((e) => e.header.name);
    const byName = new Map(list.map((e) => [e.header.name, e]));

    assert.ok(!names.includes('gone'));
    assert.equal(byName.get('.wh.gone')?.header.type, 'file');
    assert.equal(byName.get('.wh.gone')?.header.size, 0);
    assert.equal(byName.get('opq/.wh..wh..opq')?.header.type, 'file');
    assert.ok(names.indexOf('opq/.wh..wh..opq') === names.indexOf('opq/') + 1, 'the opaque marker follows its directory');
    assert.ok(!tar.includes(Buffer.from('trusted.overlay')), 'no overlay attribute leaves the host');
    const capPax = byName.get('capfile')?.header.pax as Record<string, string> | undefined;
    assert.equal(capPax?.['SCHILY.xattr.user.note'], 'kept');
    assert.ok(tar.includes(Buffer.concat([Buffer.from('SCHILY.xattr.security.capability='), cap])), 'security.capability keeps its exact bytes');
    assert.equal(byName.get('hard')?.header.type, 'link');
    assert.equal(byName.get('hard')?.header.linkname, 'file');
    assert.equal(byName.get('sym')?.header.linkname, '/abs/target');
    assert.equal(byName.get('null')?.header.type, 'character-device');
    assert.equal(byName.get('null')?.header.devmajor, 1);
    assert.equal(byName.get('fifo')?.header.type, 'fifo');
    assert.equal((byName.get('bigid')?.header.pax as Record<string, string>)?.uid, '3000000');
    assert.equal(byName.get(`${'long-directory-name/'.repeat(8)}f`)?.data.toString(), 'deep');
    // Sorted by the names on disk; a whiteout keeps the place of the device it replaces, as in Docker.
    const top = names.filter((n) => !n.includes('/') || /^[^/]+\/$/.test(n)).map((n) => n.replace(/^\.wh\./, ''));
    assert.deepEqual(top, [...top].sort(), 'entries are sorted by name');
  });

  it('packs plain directories as they are, and an empty one as an empty archive', async () => {
    const plain = path.join(base, 'plain');
    await mkdir(plain);
    await writeFile(path.join(plain, 'a'), 'a');
    run('mknod', [path.join(plain, 'dev0'), 'c', '0', '0']);
    const list = await entries(await collect(packLayer(plain, { fromOverlayUpper: false })));
    assert.deepEqual(list.map((e) => [e.header.name, e.header.type]), [['a', 'file'], ['dev0', 'character-device']]);
    const empty = path.join(base, 'empty');
    await mkdir(empty);
    const tar = await collect(packLayer(empty, { fromOverlayUpper: true }));
    assert.deepEqual(await entries(tar), []);
  });

  it('round trip: a packed upper directory applies above a parent with its whiteout restored', async () => {
    const upper = path.join(base, 'rt-upper');
    await mkdir(path.join(upper, 'd'), { recursive: true });
    await writeFile(path.join(upper, 'd/new'), 'new');
    run('mknod', [path.join(upper, 'd/removed'), 'c', '0', '0']);
    const diff = path.join(base, 'rt-diff');
    await mkdir(diff);
    const tar = await collect(packLayer(upper, { fromOverlayUpper: true }));
    await applyLayerTar(Readable.from([tar]), diff, { isBase: false });
    const r = spawnSync('stat', ['-c', '%F %t:%T', path.join(diff, 'd/removed')], { encoding: 'utf8' });
    assert.equal(r.stdout.trim(), 'character special file 0:0');
  });
});
