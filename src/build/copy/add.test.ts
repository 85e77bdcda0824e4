import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { planCopy, type CopyRequest } from './plan.js';
import { byName, collect, extractTo, names, tempDir, writeTree } from './plan.testkit.js';
import { TAR_END, tarHeader, tarPadding, type TarEntry } from './tar-writer.js';

function add(srcRoot: string, sources: string[], dest: string, extra: Partial<CopyRequest> = {}): CopyRequest {
  return { kind: 'add', srcRoot, sources, dest, allowWildcards: true, fromContext: true, ...extra };
}

/** A tar made with our writer, so tests can build archives GNU tar would refuse to create. */
function makeTar(entries: (Omit<TarEntry, 'mode' | 'uid' | 'gid' | 'mtime'> & { body?: string; mode?: number })[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.from(e.body ?? '');
    parts.push(tarHeader({ mode: 0o644, uid: 1000, gid: 1000, mtime: 1_600_000_000, ...e, ...(e.type === 'file' ? { size: body.length } : {}) }));
    if (e.type === 'file') parts.push(body, tarPadding(body.length));
  }
  parts.push(TAR_END);
  return Buffer.concat(parts);
}

const sample = () =>
  makeTar([
    { name: 'pkg', type: 'dir', mode: 0o755 },
    { name: 'pkg/a.txt', type: 'file', body: 'alpha' },
    { name: 'pkg/link', type: 'symlink', linkname: '/etc/os-release' },
  ]);

test('ADD extracts a local tar (told by magic, not name) into dest, keeping its owners', async (t) => {
  const ctx = tempDir(t);
  fs.writeFileSync(path.join(ctx, 'plain.bin'), sample());
  fs.writeFileSync(path.join(ctx, 'zipped.data'), gzipSync(sample()));
  fs.writeFileSync(path.join(ctx, 'x.xz'), execFileSync('xz', ['-c'], { input: sample() }));
  fs.writeFileSync(path.join(ctx, 'x.zst'), execFileSync('zstd', ['-c', '-q'], { input: sample() }));
  for (const src of ['plain.bin', 'zipped.data', 'x.xz', 'x.zst']) {
    const tar = await collect((await planCopy(add(ctx, [src], '/opt'))).tar());
    assert.deepEqual(names(tar), ['opt/', 'opt/pkg/', 'opt/pkg/a.txt', 'opt/pkg/link'], src);
    assert.equal(byName(tar, 'opt/pkg/a.txt').owner, '1000/1000');
    assert.equal(byName(tar, 'opt/pkg/link').link, '/etc/os-release');
    const dir = tempDir(t);
    extractTo(tar, dir);
    assert.equal(fs.readFileSync(path.join(dir, 'opt/pkg/a.txt'), 'utf8'), 'alpha');
  }
  // COPY never extracts; neither does ADD of something that only looks compressed.
  const copied = await collect((await planCopy({ ...add(ctx, ['zipped.data'], '/z'), kind: 'copy' })).tar());
  assert.deepEqual(names(copied), ['z']);
  fs.writeFileSync(path.join(ctx, 'fake.tar.gz'), 'not really');
  assert.deepEqual(names(await collect((await planCopy(add(ctx, ['fake.tar.gz'], '/f'))).tar())), ['f']);
});

test('ADD refuses hostile archives: ../ names, links out, writes through its own symlink', async (t) => {
  const ctx = tempDir(t);
  const cases: [string, Buffer, RegExp][] = [
    ['dotdot', makeTar([{ name: '../../evil', type: 'file', body: 'x' }]), /"\.\.\/\.\.\/evil" is outside of "\/app"/],
    ['hardlink', makeTar([{ name: 'h', type: 'hardlink', linkname: '../../etc/passwd' }]), /invalid hardlink/],
    ['symlink-out', makeTar([{ name: 'l', type: 'symlink', linkname: '../../../etc' }]), /invalid symlink "\.\.\/\.\.\/\.\.\/etc" -> "l"/],
    ['through', makeTar([{ name: 'l', type: 'symlink', linkname: '/etc' }, { name: 'l/passwd', type: 'file', body: 'root::0:0' }]), /"l\/passwd" is outside/],
  ];
  for (const [name, tarBytes, err] of cases) {
    fs.writeFileSync(path.join(ctx, `${name}.tar`), tarBytes);
    const plan = await planCopy(add(ctx, [`${name}.tar`], '/app'));
    await assert.rejects(collect(plan.tar()), err, name);
  }
  // Absolute names are kept under dest, like moby's UntarPath.
  fs.writeFileSync(path.join(ctx, 'abs.tar'), makeTar([{ name: '/etc/x', type: 'file', body: 'x' }]));
  assert.deepEqual(names(await collect((await planCopy(add(ctx, ['abs.tar'], '/app'))).tar())), ['app/', 'app/etc/x']);
});

async function server(t: { after(fn: () => Promise<void> | void): void }, routes: Record<string, { body: string; lastModified?: string }>): Promise<string> {
  const srv = http.createServer((req, res) => {
    const r = routes[req.url ?? ''];
    if (!r) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, r.lastModified ? { 'last-modified': r.lastModified } : {}).end(r.body);
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => srv.close(() => resolve())));
  return `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
}

const fetcher: CopyRequest['fetch'] = async (url) => {
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new Error(`status ${res.status}`);
  const lm = res.headers.get('last-modified');
  return { body: Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>), ...(lm ? { lastModified: new Date(lm) } : {}) };
};

test('ADD of a URL downloads into dest: URL name, mode 0600, Last-Modified mtime, never extracted', async (t) => {
  const tarText = sample().toString('latin1');
  const base = await server(t, {
    '/files/tool.sh': { body: 'echo hi\n', lastModified: 'Wed, 21 Oct 2015 07:28:00 GMT' },
    '/files/archive.tar': { body: tarText },
    '/dir/': { body: 'x' },
  });
  const ctx = tempDir(t);
  const plan = await planCopy(add(ctx, [`${base}/files/tool.sh`], '/usr/local/bin/', { fetch: fetcher }));
  assert.match(plan.origin, /^file:[0-9a-f]{64}$/);
  const tar = await collect(plan.tar());
  assert.deepEqual(names(tar), ['usr/', 'usr/local/', 'usr/local/bin/', 'usr/local/bin/tool.sh']);
  assert.equal(byName(tar, 'usr/local/bin/tool.sh').perms, '-rw-------');
  const dir = tempDir(t);
  extractTo(tar, dir);
  assert.equal(fs.readFileSync(path.join(dir, 'usr/local/bin/tool.sh'), 'utf8'), 'echo hi\n');
  assert.equal(fs.statSync(path.join(dir, 'usr/local/bin/tool.sh')).mtime.toISOString(), '2015-10-21T07:28:00.000Z');

  assert.deepEqual(names(await collect((await planCopy(add(ctx, [`${base}/files/archive.tar`], '/a', { fetch: fetcher }))).tar())), ['a']);
  await assert.rejects(planCopy(add(ctx, [`${base}/dir/`], '/d/', { fetch: fetcher })), { message: `ADD failed: cannot determine filename for source ${base}/dir/` });
});

test('ADD --checksum verifies the download', async (t) => {
  const base = await server(t, { '/f': { body: 'payload' } });
  const ctx = tempDir(t);
  const good = `sha256:${createHash('sha256').update('payload').digest('hex')}`;
  const bad = `sha256:${'0'.repeat(64)}`;
  const plan = await planCopy(add(ctx, [`${base}/f`], '/f', { fetch: fetcher, checksum: good }));
  assert.deepEqual(names(await collect(plan.tar())), ['f']);
  await assert.rejects(planCopy(add(ctx, [`${base}/f`], '/f', { fetch: fetcher, checksum: bad })), { message: `digest mismatch ${good}: ${bad}` });
  writeTree(ctx, { local: 'x' });
  await assert.rejects(planCopy(add(ctx, ['local'], '/f', { checksum: good })), /checksum can't be specified for non-HTTP\(S\) sources/);
});

test('downloads are removed after the tar is read, or by dispose()', async (t) => {
  const base = await server(t, { '/f': { body: 'payload' } });
  const ctx = tempDir(t);
  const made: string[] = [];
  const tmp = path.dirname(ctx);
  const news = (before: string[]) => fs.readdirSync(tmp).filter((n) => n.startsWith('berth-add-') && !before.includes(n));
  const before = news([]);
  const p1 = await planCopy(add(ctx, [`${base}/f`], '/f', { fetch: fetcher }));
  made.push(...news(before));
  assert.equal(made.length, 1, 'the download waits in a temporary directory');
  await collect(p1.tar());
  const p2 = await planCopy(add(ctx, [`${base}/f`], '/f', { fetch: fetcher }));
  await p2.dispose();
  assert.deepEqual(news(before), []);
});
