import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { BuildContext } from './context.js';
import { TAR_END, tarHeader, tarPadding, type TarEntry } from './copy/tar-writer.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-context-test-'));
  t.after(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

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

/** The bytes in small chunks, as a network upload would arrive. */
function chunked(b: Buffer, size = 100): AsyncIterable<Buffer> {
  return (async function* () {
    for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
  })();
}

const files = (dir: string): string[] => {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      out.push(e.isDirectory() ? `${r}/` : r);
      if (e.isDirectory()) walk(r);
    }
  };
  walk('');
  return out.sort();
};

const basic = () =>
  makeTar([
    { name: 'Dockerfile', type: 'file', body: 'FROM scratch\n' },
    { name: 'src', type: 'dir', mode: 0o750 },
    { name: 'src/run.sh', type: 'file', body: 'echo', mode: 0o755 },
    { name: 'link', type: 'symlink', linkname: '/etc/passwd' },
  ]);

test('extracts plain and compressed contexts, keeping modes and symlinks', async (t) => {
  const root = tempDir(t);
  const variants: [string, Buffer][] = [
    ['plain', basic()],
    ['gzip', gzipSync(basic())],
    ['bzip2', execFileSync('bzip2', ['-c'], { input: basic() })],
    ['xz', execFileSync('xz', ['-c'], { input: basic() })],
    ['zstd', execFileSync('zstd', ['-c', '-q'], { input: basic() })],
  ];
  for (const [name, bytes] of variants) {
    const ctx = await BuildContext.extract(chunked(bytes), path.join(root, name), { dockerfile: 'Dockerfile' });
    assert.deepEqual(files((await ctx.root())), ['Dockerfile', 'link', 'src/', 'src/run.sh'], name);
    assert.equal(await ctx.readDockerfile(), 'FROM scratch\n');
    assert.equal(fs.statSync(path.join((await ctx.root()), 'src/run.sh')).mode & 0o777, 0o755);
    assert.equal(fs.statSync(path.join((await ctx.root()), 'src')).mode & 0o777, 0o750);
    assert.equal(fs.readlinkSync(path.join((await ctx.root()), 'link')), '/etc/passwd');
    await ctx.remove();
    assert.equal(fs.existsSync((await ctx.root())), false);
  }
  // A Node stream works as well as an async iterable.
  const ctx = await BuildContext.extract(Readable.from([basic()]), path.join(root, 'stream'), { dockerfile: 'Dockerfile' });
  assert.equal(await ctx.readDockerfile(), 'FROM scratch\n');
});

test('a hostile context writes nothing outside its directory', async (t) => {
  const root = tempDir(t);
  const outside = path.join(root, 'outside');
  fs.mkdirSync(outside);
  const dir = path.join(root, 'a', 'ctx');
  const hostile = makeTar([
    { name: 'Dockerfile', type: 'file', body: 'FROM scratch\n' },
    { name: '../../outside/dotdot', type: 'file', body: 'x' },
    { name: `${outside}/absolute`, type: 'file', body: 'x' },
    { name: 'esc', type: 'symlink', linkname: outside },
    { name: 'esc/through', type: 'file', body: 'x' },
    { name: 'rel', type: 'symlink', linkname: '../../outside' },
    { name: 'rel/through2', type: 'file', body: 'x' },
    { name: 'hard', type: 'hardlink', linkname: `${outside}/victim` },
  ]);
  fs.writeFileSync(path.join(outside, 'victim'), 'untouched');
  await assert.rejects(BuildContext.extract(chunked(hostile), dir, { dockerfile: 'Dockerfile' }), (e: Error & { kind?: string }) => {
    assert.equal(e.kind, 'invalid-argument');
    assert.match(e.message, /^Error processing tar file: /);
    return true;
  });
  assert.deepEqual(fs.readdirSync(outside), ['victim']);
  assert.equal(fs.readFileSync(path.join(outside, 'victim'), 'utf8'), 'untouched');
  assert.deepEqual(fs.readdirSync(root).sort(), ['a', 'outside']);
  assert.deepEqual(fs.readdirSync(path.join(root, 'a')), ['ctx']);
  // The absolute name was stripped to a relative one, inside.
  assert.ok(fs.existsSync(path.join(dir, 'root', outside.slice(1), 'absolute')));
});

test('.dockerignore removes matched files, and the Dockerfile and itself when listed', async (t) => {
  const root = tempDir(t);
  const tar = makeTar([
    { name: 'Dockerfile', type: 'file', body: 'FROM x\n' },
    { name: '.dockerignore', type: 'file', body: '*.log\nsecret/\nnode_modules\n!node_modules/keep\nDockerfile\n.dockerignore\n' },
    { name: 'a.log', type: 'file', body: 'x' },
    { name: 'app.js', type: 'file', body: 'x' },
    { name: 'secret/key', type: 'file', body: 'x' },
    { name: 'node_modules/dep/index.js', type: 'file', body: 'x' },
    { name: 'node_modules/keep', type: 'file', body: 'x' },
  ]);
  const ctx = await BuildContext.extract(chunked(tar), path.join(root, 'c'), { dockerfile: 'Dockerfile' });
  assert.deepEqual(files((await ctx.root())), ['app.js', 'node_modules/', 'node_modules/keep']);
  assert.equal(await ctx.readDockerfile(), 'FROM x\n');
  assert.equal(ctx.ignore.matches('a.log'), true);
  assert.equal(ctx.ignore.matches('app.js'), false);
});

test('<Dockerfile>.dockerignore wins over .dockerignore; the Dockerfile may live in a subdirectory', async (t) => {
  const root = tempDir(t);
  const tar = makeTar([
    { name: 'build/app.Dockerfile', type: 'file', body: 'FROM y\n' },
    { name: 'build/app.Dockerfile.dockerignore', type: 'file', body: 'b.txt\n' },
    { name: '.dockerignore', type: 'file', body: 'a.txt\n' },
    { name: 'a.txt', type: 'file', body: 'x' },
    { name: 'b.txt', type: 'file', body: 'x' },
  ]);
  const ctx = await BuildContext.extract(chunked(tar), path.join(root, 'c'), { dockerfile: 'build/app.Dockerfile' });
  assert.equal(await ctx.readDockerfile(), 'FROM y\n');
  assert.equal(fs.existsSync(path.join((await ctx.root()), 'a.txt')), true);
  assert.equal(fs.existsSync(path.join((await ctx.root()), 'b.txt')), false);
});

test('a missing or empty Dockerfile fails with Docker wording; lower-case dockerfile is found', async (t) => {
  const root = tempDir(t);
  const none = await BuildContext.extract(chunked(makeTar([{ name: 'x', type: 'file', body: '' }])), path.join(root, '1'), { dockerfile: 'Dockerfile' });
  await assert.rejects(none.readDockerfile(), { message: 'Cannot locate specified Dockerfile: Dockerfile' });
  const other = await BuildContext.extract(chunked(makeTar([{ name: 'x', type: 'file', body: '' }])), path.join(root, '2'), { dockerfile: 'sub/Other' });
  await assert.rejects(other.readDockerfile(), { message: 'Cannot locate specified Dockerfile: sub/Other' });
  const empty = await BuildContext.extract(chunked(makeTar([{ name: 'Dockerfile', type: 'file', body: '' }])), path.join(root, '3'), { dockerfile: 'Dockerfile' });
  await assert.rejects(empty.readDockerfile(), { message: 'the Dockerfile (Dockerfile) cannot be empty' });
  const lower = await BuildContext.extract(chunked(makeTar([{ name: 'dockerfile', type: 'file', body: 'FROM z\n' }])), path.join(root, '4'), { dockerfile: 'Dockerfile' });
  assert.equal(await lower.readDockerfile(), 'FROM z\n');
  // A Dockerfile that is a symlink out of the context is read inside it.
  const link = await BuildContext.extract(chunked(makeTar([{ name: 'Dockerfile', type: 'symlink', linkname: '/etc/hostname' }])), path.join(root, '5'), { dockerfile: 'Dockerfile' });
  await assert.rejects(link.readDockerfile(), { message: 'Cannot locate specified Dockerfile: Dockerfile' });
});
