// The build context on the client side, in temp directories: which names a walk keeps under .dockerignore
// rules (the Dockerfile and ignore files always kept, ignored directories entered only for exceptions), the
// tar GNU tar makes of them (owners 0:0, extra files added), -f resolution, and stdin detection.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { detectContextType, dockerfileAdditions, listContext, readAll, readIgnoreFile, resolveLocalContext, tarContext } from './build-context.js';
import { isArchive, singleFileTar, stdinContext } from './build-stdin.js';

let root: string;
before(() => {
  root = mkdtempSync(path.join(tmpdir(), 'berth-build-ctx-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
/** A fresh context directory with the given files ('dir/' for an empty directory). */
function tree(files: Record<string, string>): string {
  const dir = path.join(root, `c${n++}`);
  mkdirSync(dir);
  for (const [name, body] of Object.entries(files)) {
    const p = path.join(dir, name);
    if (name.endsWith('/')) mkdirSync(p, { recursive: true });
    else {
      mkdirSync(path.dirname(p), { recursive: true });
      writeFileSync(p, body);
    }
  }
  return dir;
}

async function names(dir: string, dockerfile = ''): Promise<string[]> {
  const ctx = await resolveLocalContext(dir, dockerfile);
  const ig = await readIgnoreFile(ctx);
  return listContext(ctx, ig.patterns, ['.dockerignore', ...(ig.file ? [ig.file] : []), ctx.relDockerfile]);
}

/** `tar -tv` of a tar, as "mode owner name" lines. */
function listing(tar: Buffer): string[] {
  const r = spawnSync('tar', ['-tv', '--numeric-owner', '-f', '-'], { input: tar });
  assert.equal(r.status, 0, r.stderr.toString());
  return r.stdout.toString().trim().split('\n').map((l) => {
    const f = l.split(/\s+/);
    return `${f[0]} ${f[1]} ${f.slice(5).join(' ')}`;
  });
}

describe('listContext', () => {
  it('walks in lexical order, directories before their contents, without a .dockerignore', async () => {
    const dir = tree({ Dockerfile: 'FROM scratch', 'b/y': '', 'a/x': '', 'a/sub/': '', c: '' });
    assert.deepEqual(await names(dir), ['Dockerfile', 'a', 'a/sub', 'a/x', 'b', 'b/y', 'c']);
  });
  it('applies the rules, keeps the Dockerfile and .dockerignore even when listed, enters dirs for exceptions', async () => {
    const dir = tree({
      Dockerfile: 'FROM scratch',
      '.dockerignore': '# rules\n*.log\nnode_modules\n!node_modules/keep\nDockerfile\n.dockerignore\nsecret/\n',
      'app.log': '', 'app.js': '', 'node_modules/keep/k.js': '', 'node_modules/drop/d.js': '', 'secret/key': '', 'src/a.log': '', 'src/b.js': '',
    });
    assert.deepEqual(await names(dir), ['.dockerignore', 'Dockerfile', 'app.js', 'node_modules/keep', 'node_modules/keep/k.js', 'src', 'src/a.log', 'src/b.js']);
  });
  it('"**" with exceptions: wildcard exceptions make the walk go everywhere', async () => {
    const dir = tree({ Dockerfile: '', '.dockerignore': '**\n!**/*.go\n', 'a/b/c.go': '', 'a/b/c.txt': '', 'top.go': '' });
    assert.deepEqual(await names(dir), ['.dockerignore', 'Dockerfile', 'a/b/c.go', 'top.go']);
  });
  it('<Dockerfile>.dockerignore beside the Dockerfile wins over .dockerignore, and is sent', async () => {
    const dir = tree({ 'build/app.Dockerfile': '', 'build/app.Dockerfile.dockerignore': 'a.txt\n', '.dockerignore': 'b.txt\n', 'a.txt': '', 'b.txt': '' });
    const got = await names(dir, path.join(dir, 'build/app.Dockerfile'));
    assert.deepEqual(got, ['.dockerignore', 'b.txt', 'build', 'build/app.Dockerfile', 'build/app.Dockerfile.dockerignore']);
  });
  it('does not follow symlinks; lists them', async () => {
    const dir = tree({ Dockerfile: '', 'real/f': '' });
    symlinkSync('real', path.join(dir, 'link'));
    assert.deepEqual(await names(dir), ['Dockerfile', 'link', 'real', 'real/f']);
  });
  it('refuses a bad pattern with filepath.Match\'s error', async () => {
    const dir = tree({ Dockerfile: '', '.dockerignore': 'a[\n' });
    await assert.rejects(names(dir), { message: 'syntax error in pattern' });
  });
});

describe('resolveLocalContext', () => {
  it('defaults to PATH/Dockerfile, falls back to dockerfile, takes -f relative to the working directory', async () => {
    const dir = tree({ dockerfile: '', 'sub/Other': '' });
    assert.equal((await resolveLocalContext(dir, '')).relDockerfile, 'dockerfile');
    assert.equal((await resolveLocalContext(dir, 'sub/Other', dir)).relDockerfile, 'sub/Other');
    assert.equal((await resolveLocalContext(dir, '-')).relDockerfile, '-');
  });
  it('reports a Dockerfile outside the context as ../, and a missing one as docker does', async () => {
    const dir = tree({ 'ctx/x': '', 'Dockerfile.out': '' });
    const ctx = await resolveLocalContext(path.join(dir, 'ctx'), path.join(dir, 'Dockerfile.out'));
    assert.equal(ctx.relDockerfile, '../Dockerfile.out');
    await assert.rejects(resolveLocalContext(path.join(dir, 'ctx'), ''), {
      message: `unable to evaluate symlinks in Dockerfile path: lstat ${path.join(dir, 'ctx', 'Dockerfile')}: no such file or directory`,
    });
    await assert.rejects(resolveLocalContext(path.join(dir, 'Dockerfile.out'), ''), { message: /^context must be a directory: / });
  });
  it('detectContextType: -, a path, a URL, or docker\'s "not found"', async () => {
    assert.equal(await detectContextType('-'), 'stdin');
    assert.equal(await detectContextType(root), 'local');
    assert.equal(await detectContextType('https://example.com/ctx.tar.gz'), 'remote');
    assert.equal(await detectContextType('git@github.com:a/b.git'), 'remote');
    await assert.rejects(detectContextType(path.join(root, 'nope')), { message: `unable to prepare context: path ${JSON.stringify(path.join(root, 'nope'))} not found` });
  });
});

describe('tarContext', () => {
  it('archives exactly the listed names, owned by 0:0, plus the extra files', async () => {
    const dir = tree({ Dockerfile: 'FROM x', 'a/x': 'xx', 'a/y': 'yy', '-dash': 'd' });
    const add = await dockerfileAdditions(dir, Buffer.from('FROM stdin'));
    assert.match(add.name, /^\.dockerfile\.[0-9a-f]{20}$/);
    const tar = await readAll(await tarContext(dir, ['-dash', 'a', 'a/x'], add.files));
    const l = listing(tar);
    assert.deepEqual(l.map((s) => s.split(' ').slice(1).join(' ')), ['0/0 -dash', '0/0 a/', '0/0 a/x', `0/0 ${add.name}`, '0/0 .dockerignore']);
    assert.match(l[3]!, /^-rw------- /);
    const r = spawnSync('tar', ['-xO', '-f', '-', '.dockerignore'], { input: tar });
    assert.equal(r.stdout.toString(), `.dockerignore\n${add.name}\n`);
  });
  it('the added .dockerignore keeps the context\'s own rules', async () => {
    const dir = tree({ '.dockerignore': '*.log' });
    const add = await dockerfileAdditions(dir, Buffer.from(''));
    assert.equal(add.files[1]!.data, `*.log\n${add.name}\n`);
  });
  it('fails the stream when tar fails', async () => {
    const dir = tree({});
    await assert.rejects(readAll(await tarContext(dir, ['missing'])), /error creating the build context: tar: .*missing/);
  });
});

describe('stdin contexts', () => {
  it('isArchive: compression magic or a tar header, not a Dockerfile', () => {
    assert.equal(isArchive(gzipSync(Buffer.from('x'))), true);
    assert.equal(isArchive(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0])), true);
    assert.equal(isArchive(singleFileTar('f', Buffer.from('x'))), true);
    assert.equal(isArchive(Buffer.from('FROM busybox\nRUN true\n'.repeat(50))), false);
    assert.equal(isArchive(Buffer.alloc(1024)), false);
  });
  it('an archive goes through unchanged, whatever its size', async () => {
    const big = Buffer.concat([singleFileTar('Dockerfile', Buffer.alloc(200_000, 0x41))]);
    const chunks = [big.subarray(0, 100), big.subarray(100, 5000), big.subarray(5000)];
    const r = await stdinContext(Readable.from(chunks), 'sub/Dockerfile');
    assert.equal(r.relDockerfile, 'sub/Dockerfile');
    assert.deepEqual(await readAll(r.body), big);
  });
  it('a Dockerfile is wrapped into a one-file tar named Dockerfile', async () => {
    const r = await stdinContext(Readable.from([Buffer.from('FROM busybox\n')]), '');
    assert.equal(r.relDockerfile, 'Dockerfile');
    const tar = await readAll(r.body);
    assert.deepEqual(listing(tar).map((s) => s.split(' ').slice(1).join(' ')), ['0/0 Dockerfile']);
    assert.equal(spawnSync('tar', ['-xO', '-f', '-'], { input: tar }).stdout.toString(), 'FROM busybox\n');
  });
  it('a Dockerfile on stdin with -f is ambiguous', async () => {
    await assert.rejects(stdinContext(Readable.from([Buffer.from('FROM x')]), 'Dockerfile'), {
      message: 'ambiguous Dockerfile source: both stdin and flag correspond to Dockerfiles',
    });
  });
});
