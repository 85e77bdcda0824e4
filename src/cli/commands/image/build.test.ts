// `berth build` end to end against a scripted daemon: the query the flags become, the X-Registry-Config
// header, the context tar it uploads (directory, stdin tar, stdin Dockerfile, -f -), what it prints (the
// "Sending build context" line, the stream, -q's ID), --iidfile, and its exit status for failed steps.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, beforeEach, describe, it } from 'node:test';
import { main } from '../../main.js';
import { singleFileTar } from './build-stdin.js';

interface Seen {
  url: URL;
  registryConfig?: string;
  body: Buffer;
}
let server: http.Server;
let dir: string;
let socket: string;
let ctx: string;
let reply: { status?: number; json?: unknown; lines?: unknown[] } = {};
let seen: Seen | undefined;
const ID = `sha256:${'e'.repeat(64)}`;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'berth-build-cmd-'));
  socket = path.join(dir, 'd.sock');
  ctx = path.join(dir, 'ctx');
  mkdirSync(path.join(ctx, 'src'), { recursive: true });
  writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY src /src\n');
  writeFileSync(path.join(ctx, 'src', 'a.txt'), 'a');
  writeFileSync(path.join(ctx, 'debug.log'), 'x');
  writeFileSync(path.join(ctx, '.dockerignore'), '*.log\n');
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url?.endsWith('/_ping')) {
        res.writeHead(200, { 'Api-Version': '1.50' }).end('OK');
        return;
      }
      seen = { url: new URL(req.url ?? '/', 'http://d'), body: Buffer.concat(chunks) };
      if (req.headers['x-registry-config']) seen.registryConfig = String(req.headers['x-registry-config']);
      if (reply.lines) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        for (const l of reply.lines) res.write(`${JSON.stringify(l)}\r\n`);
        res.end();
      } else res.writeHead(reply.status ?? 200, { 'Content-Type': 'application/json' }).end(JSON.stringify(reply.json ?? null));
    });
  });
  await new Promise<void>((r) => server.listen(socket, r));
});
after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  seen = undefined;
  reply = { lines: [{ stream: 'Step 1/2 : FROM scratch\n' }, { aux: { ID } }, { stream: `Successfully built ${'e'.repeat(12)}\n` }] };
});

async function berth(argv: string[], opts: { stdin?: Buffer; env?: Record<string, string> } = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const stdin = Readable.from(opts.stdin ? [opts.stdin] : []);
  const env = { DOCKER_CONFIG: path.join(dir, 'cfg'), ...opts.env };
  const status = await main(['-H', `unix://${socket}`, ...argv], { stdin, stdout, stderr }, env);
  return { status, out, err };
}

const entries = (tar: Buffer) => spawnSync('tar', ['-t', '-f', '-'], { input: tar }).stdout.toString().trim().split('\n');
const fileIn = (tar: Buffer, name: string) => spawnSync('tar', ['-xO', '-f', '-', name], { input: tar }).stdout.toString();

describe('berth build PATH', () => {
  it('sends the directory minus .dockerignore\'s matches, prints docker\'s lines, and asks for the classic builder', async () => {
    const r = await berth(['build', ctx]);
    assert.equal(r.status, 0, r.err);
    assert.equal(seen!.url.pathname, '/v1.50/build');
    assert.deepEqual([...seen!.url.searchParams], [['dockerfile', 'Dockerfile'], ['version', '1']]);
    assert.deepEqual(entries(seen!.body), ['.dockerignore', 'Dockerfile', 'src/', 'src/a.txt']);
    assert.match(r.out, /^Sending build context to Docker daemon  \d+(\.\d+)?kB\r\n/);
    assert.equal(r.out.replace(/^.*\r\n/, ''), `Step 1/2 : FROM scratch\nSuccessfully built ${'e'.repeat(12)}\n`);
    assert.deepEqual(JSON.parse(Buffer.from(seen!.registryConfig!, 'base64').toString()), {});
  });
  it('turns the flags into docker\'s query', async () => {
    const r = await berth(
      ['build', '-t', 'a:1', '--tag', 'b', '--build-arg', 'FROM_ENV', '--build-arg', 'UNSET', '--build-arg', 'V=2', '--label', 'l=v',
        '--no-cache', '--pull', '--target', 'final', '--network', 'host', '--add-host', 'h=1.2.3.4', '--platform', 'linux/amd64',
        '--rm=false', '--force-rm', '--cache-from', 'c1,c2', '--shm-size', '1m', '-m', '4m', '-f', path.join(ctx, 'Dockerfile'), ctx],
      { env: { FROM_ENV: 'e' } },
    );
    assert.equal(r.status, 0, r.err);
    const q = seen!.url.searchParams;
    assert.deepEqual(q.getAll('t'), ['a:1', 'b']);
    assert.deepEqual(JSON.parse(q.get('buildargs')!), { FROM_ENV: 'e', UNSET: null, V: '2' });
    assert.deepEqual(JSON.parse(q.get('labels')!), { l: 'v' });
    assert.deepEqual(JSON.parse(q.get('cachefrom')!), ['c1', 'c2']);
    assert.deepEqual(q.getAll('extrahosts'), ['h:1.2.3.4']);
    assert.deepEqual(
      ['nocache', 'pull', 'target', 'networkmode', 'platform', 'rm', 'forcerm', 'shmsize', 'memory', 'dockerfile', 'version'].map((k) => q.get(k)),
      ['1', '1', 'final', 'host', 'linux/amd64', '0', '1', '1048576', '4194304', 'Dockerfile', '1'],
    );
  });
  it('refuses bad flag values as docker does', async () => {
    const r = await berth(['build', '--add-host', 'nohost', ctx]);
    assert.equal(r.status, 125);
    assert.match(r.err, /^invalid argument "nohost" for "--add-host" flag: bad format for add-host: "nohost"/);
    const t = await berth(['build', '-t', 'UPPER', ctx]);
    assert.equal(t.status, 125);
    assert.match(t.err, /for "-t, --tag" flag: /);
    assert.equal(seen, undefined);
  });
  it('a Dockerfile outside the context is added under a random name and named in .dockerignore', async () => {
    const outside = path.join(dir, 'Dockerfile.outside');
    writeFileSync(outside, 'FROM outside\n');
    const r = await berth(['build', '-f', outside, ctx]);
    assert.equal(r.status, 0, r.err);
    const name = seen!.url.searchParams.get('dockerfile')!;
    assert.match(name, /^\.dockerfile\.[0-9a-f]{20}$/);
    assert.deepEqual(entries(seen!.body), ['Dockerfile', 'src/', 'src/a.txt', name, '.dockerignore']);
    assert.equal(fileIn(seen!.body, name), 'FROM outside\n');
    assert.equal(fileIn(seen!.body, '.dockerignore'), `*.log\n\n${name}\n`);
  });
  it('-f - reads the Dockerfile from stdin', async () => {
    const r = await berth(['build', '-f', '-', ctx], { stdin: Buffer.from('FROM stdin\n') });
    assert.equal(r.status, 0, r.err);
    const name = seen!.url.searchParams.get('dockerfile')!;
    assert.equal(fileIn(seen!.body, name), 'FROM stdin\n');
  });
});

describe('berth build - and URL', () => {
  it('a tar on stdin is sent as it is', async () => {
    const tar = singleFileTar('Dockerfile', Buffer.from('FROM tar\n'));
    const r = await berth(['build', '-'], { stdin: tar });
    assert.equal(r.status, 0, r.err);
    assert.deepEqual(seen!.body, tar);
    assert.equal(seen!.url.searchParams.get('dockerfile'), null);
  });
  it('a Dockerfile on stdin becomes a one-file context', async () => {
    const r = await berth(['build', '-'], { stdin: Buffer.from('FROM busybox\n') });
    assert.equal(r.status, 0, r.err);
    assert.deepEqual(entries(seen!.body), ['Dockerfile']);
    assert.equal(seen!.url.searchParams.get('dockerfile'), 'Dockerfile');
  });
  it('stdin cannot be both', async () => {
    const r = await berth(['build', '-f', '-', '-']);
    assert.equal(r.status, 1);
    assert.equal(r.err, "invalid argument: can't use stdin for both build context and dockerfile\n");
  });
  it('a URL goes to the daemon as remote, with no body', async () => {
    const r = await berth(['build', 'https://example.com/ctx.tar']);
    assert.equal(r.status, 0, r.err);
    assert.equal(seen!.url.searchParams.get('remote'), 'https://example.com/ctx.tar');
    assert.equal(seen!.body.length, 0);
    assert.doesNotMatch(r.out, /Sending build context/);
  });
  it('a path that does not exist is docker\'s error', async () => {
    const r = await berth(['build', path.join(dir, 'nope')]);
    assert.equal(r.status, 1);
    assert.equal(r.err, `unable to prepare context: path ${JSON.stringify(path.join(dir, 'nope'))} not found\n`);
  });
});

describe('berth build: results and failures', () => {
  it('--iidfile gets the aux ID without a newline', async () => {
    const iid = path.join(dir, 'iid');
    writeFileSync(iid, 'stale');
    const r = await berth(['build', '--iidfile', iid, ctx]);
    assert.equal(r.status, 0, r.err);
    assert.equal(readFileSync(iid, 'utf8'), ID);
  });
  it('-q prints only the ID the daemon sent', async () => {
    reply = { lines: [{ stream: `${ID}\n` }] };
    const r = await berth(['build', '-q', ctx]);
    assert.equal(r.status, 0, r.err);
    assert.equal(seen!.url.searchParams.get('q'), '1');
    assert.equal(r.out, `${ID}\n`);
  });
  it('a failed step exits with its code, the message on stderr', async () => {
    const msg = "The command '/bin/sh -c exit 3' returned a non-zero code: 3";
    reply = { lines: [{ stream: 'Step 1/1 : RUN exit 3\n' }, { errorDetail: { code: 3, message: msg }, error: msg }] };
    const r = await berth(['build', ctx]);
    assert.equal(r.status, 3);
    assert.equal(r.err, `${msg}\n`);
    assert.match(r.out, /Step 1\/1 : RUN exit 3\n$/);
  });
  it('an error record without a code exits 1; with -q the held-back output goes to stderr first', async () => {
    reply = { lines: [{ stream: 'Step 1/1 : FROM nothing\n' }, { errorDetail: { message: 'pull access denied' }, error: 'pull access denied' }] };
    const r = await berth(['build', '-q', ctx]);
    assert.equal(r.status, 1);
    assert.equal(r.out, '');
    assert.match(r.err, /^Sending build context to Docker daemon .*\r\nStep 1\/1 : FROM nothing\npull access denied\n$/);
  });
  it('a refusal before any output is "Error response from daemon"', async () => {
    reply = { status: 400, json: { message: 'error reading build args: unexpected end of JSON input' } };
    const r = await berth(['build', ctx]);
    assert.equal(r.status, 1);
    assert.match(r.err, /Error response from daemon: error reading build args: unexpected end of JSON input\n$/);
  });
});

describe('berth build --help', () => {
  it('shows docker\'s usage and aliases, also as image build and builder build', async () => {
    for (const argv of [['build'], ['image', 'build'], ['builder', 'build']]) {
      const r = await berth([...argv, '--help']);
      assert.equal(r.status, 0);
      assert.match(r.out, /Usage:  berth (image |builder )?build \[OPTIONS\] PATH \| URL \| -/);
      assert.match(r.out, /berth image build, berth build, berth builder build/);
      assert.match(r.out, /-t, --tag list +Name and optionally a tag in the\n/);
    }
  });
});
