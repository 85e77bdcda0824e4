// Image and registry commands end to end against a scripted daemon: the requests berth sends (query,
// X-Registry-Auth, bodies), what it prints, the config.json it leaves, and its exit status.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, beforeEach, describe, it } from 'node:test';
import { main } from '../../main.js';

interface Seen {
  method: string;
  url: string;
  auth?: string;
  contentType?: string;
  body: Buffer;
}
interface Reply {
  status?: number;
  json?: unknown;
  /** Streamed as JSON lines (a progress stream). */
  lines?: unknown[];
  raw?: Buffer;
  contentType?: string;
}
type Handler = (s: Seen) => Reply | undefined;

let server: http.Server;
let dir: string;
let socket: string;
let configDir: string;
let handler: Handler = () => undefined;
const seen: Seen[] = [];

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'berth-image-cmd-'));
  socket = path.join(dir, 'd.sock');
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url?.endsWith('/_ping')) {
        res.writeHead(200, { 'Api-Version': '1.50' }).end('OK');
        return;
      }
      const s: Seen = { method: req.method ?? '', url: decodeURIComponent(req.url ?? ''), body: Buffer.concat(chunks) };
      if (req.headers['x-registry-auth']) s.auth = String(req.headers['x-registry-auth']);
      if (req.headers['content-type']) s.contentType = String(req.headers['content-type']);
      seen.push(s);
      const r = handler(s) ?? { status: 404, json: { message: 'page not found' } };
      if (r.lines) {
        res.writeHead(r.status ?? 200, { 'Content-Type': 'application/json' });
        for (const l of r.lines) res.write(`${JSON.stringify(l)}\r\n`);
        res.end();
      } else if (r.raw) {
        res.writeHead(r.status ?? 200, { 'Content-Type': r.contentType ?? 'application/x-tar' }).end(r.raw);
      } else {
        res.writeHead(r.status ?? 200, { 'Content-Type': 'application/json' }).end(r.json === undefined ? '' : JSON.stringify(r.json));
      }
    });
  });
  await new Promise<void>((r) => server.listen(socket, r));
});

after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  configDir = mkdtempSync(path.join(dir, 'cfg-'));
  handler = () => undefined;
});

interface RunOptions {
  stdin?: string;
  path?: string;
  tty?: { columns: number };
}

async function berth(argv: string[], opts: RunOptions = {}): Promise<{ status: number; out: string; err: string }> {
  const stdout = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number };
  if (opts.tty) {
    stdout.isTTY = true;
    stdout.columns = opts.tty.columns;
  }
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString('latin1')));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  seen.length = 0;
  const stdin = Readable.from(opts.stdin === undefined ? [] : [Buffer.from(opts.stdin)]);
  const status = await main(['-H', `unix://${socket}`, ...argv], { stdin, stdout, stderr }, { DOCKER_CONFIG: configDir, PATH: opts.path ?? '' });
  return { status, out, err };
}

const configJson = () => JSON.parse(readFileSync(path.join(configDir, 'config.json'), 'utf8')) as { auths: Record<string, { auth?: string }> } & Record<string, unknown>;
const b64 = (s: string) => Buffer.from(s).toString('base64');
const authHeader = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
const UNENCRYPTED = (file: string) =>
  `\nWARNING! Your credentials are stored unencrypted in '${file}'.\nConfigure a credential helper to remove this warning. See\nhttps://docs.docker.com/go/credential-store/\n\n`;

describe('login and logout', () => {
  it('checks with the daemon, then stores base64(user:password) under the registry host', async () => {
    writeFileSync(path.join(configDir, 'config.json'), JSON.stringify({ auths: {}, psFormat: 'table {{.ID}}', currentContext: 'default' }), { mode: 0o644 });
    handler = (s) => (s.url === '/v1.50/auth' ? { json: { Status: 'Login Succeeded' } } : undefined);
    const r = await berth(['login', '-u', 'alice', '-p', 's3cret', 'https://127.0.0.1:5000/v2/']);
    assert.equal(r.status, 0, r.err);
    assert.equal(r.out, 'Login Succeeded\n');
    const file = path.join(configDir, 'config.json');
    assert.equal(r.err, `WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n${UNENCRYPTED(file)}`);
    assert.deepEqual(JSON.parse(seen[0]!.body.toString()), { username: 'alice', password: 's3cret', serveraddress: '127.0.0.1:5000' });
    assert.equal(seen[0]!.body.toString(), '{"username":"alice","password":"s3cret","serveraddress":"127.0.0.1:5000"}');
    assert.deepEqual(configJson(), { auths: { '127.0.0.1:5000': { auth: b64('alice:s3cret') } }, psFormat: 'table {{.ID}}', currentContext: 'default' });
    assert.equal(statSync(file).mode & 0o777, 0o644, 'an existing file keeps its mode');
  });

  it('--password-stdin logs in to Docker Hub and keeps an identity token instead of the password', async () => {
    handler = () => ({ json: { Status: 'Login Succeeded', IdentityToken: 'tok123' } });
    const r = await berth(['login', '-u', 'bob', '--password-stdin'], { stdin: 'pw\r\n' });
    assert.deepEqual(r, { status: 0, out: 'Login Succeeded\n', err: '' });
    assert.equal(seen[0]!.body.toString(), '{"username":"bob","password":"pw","serveraddress":"https://index.docker.io/v1/"}');
    assert.deepEqual(configJson().auths, { 'https://index.docker.io/v1/': { auth: b64('bob:'), identitytoken: 'tok123' } });
    assert.equal(statSync(path.join(configDir, 'config.json')).mode & 0o777, 0o600, 'a new file is 0600');
  });

  it('reuses stored credentials when no flags are given', async () => {
    mkdirSync(configDir, { recursive: true });
    writeFileSync(path.join(configDir, 'config.json'), JSON.stringify({ auths: { 'reg.example': { auth: b64('carol:pw') } } }));
    handler = () => ({ json: { Status: 'Login Succeeded' } });
    const r = await berth(['login', 'reg.example']);
    assert.deepEqual(r, {
      status: 0,
      out: 'Login Succeeded\n',
      err: "Authenticating with existing credentials... [Username: carol]\n\n Info -> To login with a different account, run 'berth logout' followed by 'berth login'\n\n\n",
    });
    assert.equal(seen[0]!.body.toString(), '{"username":"carol","password":"pw","serveraddress":"reg.example"}');
  });

  it('fails like docker: daemon refusals, non-TTY prompts, conflicting flags', async () => {
    handler = () => ({ status: 401, json: { message: 'login attempt to http://127.0.0.1:5000/v2/ failed with status: 401 Unauthorized' } });
    const bad = await berth(['login', '-u', 'a', '--password-stdin', '127.0.0.1:5000'], { stdin: 'wrong' });
    assert.deepEqual(bad, { status: 1, out: '', err: 'Error response from daemon: login attempt to http://127.0.0.1:5000/v2/ failed with status: 401 Unauthorized\n' });
    assert.throws(() => statSync(path.join(configDir, 'config.json')), /ENOENT/, 'nothing stored on failure');
    assert.deepEqual(await berth(['login', 'r.example']), { status: 1, out: '', err: 'Error: Cannot perform an interactive login from a non TTY device\n' });
    assert.equal((await berth(['login', '-p', 'x', '--password-stdin'])).err, 'conflicting options: cannot specify both --password and --password-stdin\n');
    assert.equal((await berth(['login', '--password-stdin'])).err, 'the --password-stdin option requires --username to be set\n');
    assert.equal((await berth(['login', '-u', '', '-p', 'x'])).err, 'username is empty\n');
    assert.equal(seen.length, 0);
  });

  it('login and logout go through the configured credential helper', async () => {
    const bin = mkdtempSync(path.join(dir, 'bin-'));
    const log = path.join(bin, 'log');
    writeFileSync(path.join(bin, 'docker-credential-fake'), `#!/bin/sh\necho "$1 $(cat)" >> "${log}"\n`, { mode: 0o755 });
    writeFileSync(path.join(configDir, 'config.json'), JSON.stringify({ credsStore: 'fake' }));
    handler = () => ({ json: { Status: 'Login Succeeded' } });
    const r = await berth(['login', '-u', 'u', '--password-stdin', 'reg.example'], { stdin: 'pw', path: bin });
    assert.deepEqual(r, { status: 0, out: 'Login Succeeded\n', err: '' });
    assert.deepEqual(configJson(), { auths: { 'reg.example': {} }, credsStore: 'fake' });
    assert.equal((await berth(['logout', 'reg.example'], { path: bin })).out, 'Removing login credentials for reg.example\n');
    assert.equal(
      readFileSync(log, 'utf8'),
      'store {"ServerURL":"reg.example","Username":"u","Secret":"pw"}\n' +
        'erase reg.example\nerase reg.example\nerase http://reg.example\nerase https://reg.example\n',
    );
    assert.deepEqual(configJson(), { auths: {}, credsStore: 'fake' });
  });

  it('logout removes every spelling of the registry and keeps the rest', async () => {
    writeFileSync(
      path.join(configDir, 'config.json'),
      JSON.stringify({ auths: { 'r.example:5000': { auth: b64('a:b') }, 'https://r.example:5000': { auth: b64('a:b') }, other: { auth: b64('c:d') } }, aliases: { x: 'y' } }),
    );
    const r = await berth(['logout', 'https://r.example:5000/v2/']);
    assert.deepEqual(r, { status: 0, out: 'Removing login credentials for r.example:5000\n', err: '' });
    assert.deepEqual(configJson(), { auths: { other: { auth: b64('c:d') } }, aliases: { x: 'y' } });
    assert.deepEqual(await berth(['logout']), { status: 0, out: 'Removing login credentials for https://index.docker.io/v1/\n', err: '' });
  });
});

const PULL_STREAM = [
  { status: 'Pulling from library/busybox', id: 'latest' },
  { status: 'Pulling fs layer', progressDetail: {}, id: 'a3ed95caeb02' },
  { status: 'Downloading', progressDetail: { current: 1200000, total: 3400000 }, progress: '[====>   ] 1.2MB/3.4MB', id: 'a3ed95caeb02' },
  { status: 'Verifying Checksum', progressDetail: {}, id: 'a3ed95caeb02' },
  { status: 'Download complete', progressDetail: {}, id: 'a3ed95caeb02' },
  { status: 'Pull complete', progressDetail: {}, id: 'a3ed95caeb02' },
  { status: 'Digest: sha256:abcd' },
  { status: 'Status: Downloaded newer image for busybox:latest' },
];

describe('pull and push', () => {
  it('pull sends the stored credentials for the image\'s registry and prints docker\'s lines', async () => {
    writeFileSync(path.join(configDir, 'config.json'), JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: b64('u:p') } } }));
    handler = (s) => (s.url.startsWith('/v1.50/images/create') ? { lines: PULL_STREAM } : undefined);
    const r = await berth(['pull', 'busybox']);
    assert.deepEqual(r, {
      status: 0,
      err: '',
      out:
        'Using default tag: latest\nlatest: Pulling from library/busybox\na3ed95caeb02: Pulling fs layer\na3ed95caeb02: Verifying Checksum\n' +
        'a3ed95caeb02: Download complete\na3ed95caeb02: Pull complete\nDigest: sha256:abcd\nStatus: Downloaded newer image for busybox:latest\n' +
        'docker.io/library/busybox:latest\n',
    });
    assert.equal(seen[0]!.url, '/v1.50/images/create?fromImage=docker.io/library/busybox&tag=latest');
    assert.equal(seen[0]!.auth, authHeader({ username: 'u', password: 'p', serveraddress: 'https://index.docker.io/v1/' }));
    const q = await berth(['pull', '-q', '--platform', 'Linux/ARM64', '127.0.0.1:5000/app@sha256:' + 'e'.repeat(64)]);
    assert.deepEqual(q, { status: 0, out: `127.0.0.1:5000/app@sha256:${'e'.repeat(64)}\n`, err: '' });
    assert.equal(seen[0]!.url, `/v1.50/images/create?fromImage=127.0.0.1:5000/app&tag=sha256:${'e'.repeat(64)}&platform=linux/arm64`);
    assert.equal(seen[0]!.auth, 'e30=', 'no credentials for that registry: an empty config');
    await berth(['pull', '-a', 'busybox']);
    assert.equal(seen[0]!.url, '/v1.50/images/create?fromImage=docker.io/library/busybox');
  });

  it('pull on a terminal draws docker\'s progress display', async () => {
    handler = () => ({ lines: PULL_STREAM.slice(1, 3) });
    const r = await berth(['pull', 'busybox:1'], { tty: { columns: 120 } });
    const bar = `[${'='.repeat(17)}>${' '.repeat(33)}] `;
    assert.equal(
      r.out,
      '\n\x1b[1A\x1b[2K\ra3ed95caeb02: Pulling fs layer \r\x1b[1B' +
        `\x1b[1A\x1b[2K\ra3ed95caeb02: Downloading ${bar}   1.2MB/3.4MB\r\x1b[1B` +
        'docker.io/library/busybox:1\n',
    );
  });

  it('pull errors print like docker and exit 1', async () => {
    handler = () => ({ status: 404, json: { message: 'manifest for x:y not found: manifest unknown: manifest unknown' } });
    assert.deepEqual(await berth(['pull', 'x:y']), {
      status: 1,
      out: '',
      err: 'Error response from daemon: manifest for x:y not found: manifest unknown: manifest unknown\n',
    });
    handler = () => ({ lines: [PULL_STREAM[0], { errorDetail: { message: 'unexpected EOF' }, error: 'unexpected EOF' }] });
    assert.deepEqual(await berth(['pull', 'x:y']), { status: 1, out: 'latest: Pulling from library/busybox\n', err: 'unexpected EOF\n' });
    assert.equal((await berth(['pull', '-a', 'x:y'])).err, "tag can't be used with --all-tags/-a\n");
    assert.equal((await berth(['pull', 'UPPER'])).err, 'invalid reference format: repository name (library/UPPER) must be lowercase\n');
  });

  it('push sends the fully qualified name and credentials, prints the stream, -q only the reference', async () => {
    writeFileSync(path.join(configDir, 'config.json'), JSON.stringify({ auths: { '127.0.0.1:5000': { auth: b64('u:p') } } }));
    const stream = [
      { status: 'The push refers to repository [127.0.0.1:5000/app]' },
      { status: 'Preparing', progressDetail: {}, id: 'abc' },
      { status: 'Pushing', progressDetail: { current: 10, total: 20 }, id: 'abc' },
      { status: 'Pushed', progressDetail: {}, id: 'abc' },
      { status: 'latest: digest: sha256:ffff size: 527' },
      { progressDetail: {}, aux: { Tag: 'latest', Digest: 'sha256:ffff', Size: 527 } },
    ];
    handler = () => ({ lines: stream });
    const r = await berth(['push', '127.0.0.1:5000/app']);
    assert.deepEqual(r, {
      status: 0,
      err: '',
      out: 'Using default tag: latest\nThe push refers to repository [127.0.0.1:5000/app]\nabc: Preparing\nabc: Pushed\nlatest: digest: sha256:ffff size: 527\n',
    });
    assert.equal(seen[0]!.url, '/v1.50/images/127.0.0.1:5000/app/push?tag=latest');
    assert.equal(seen[0]!.auth, authHeader({ username: 'u', password: 'p', serveraddress: '127.0.0.1:5000' }));
    assert.deepEqual(await berth(['push', '-q', '127.0.0.1:5000/app:v1']), { status: 0, out: '127.0.0.1:5000/app:v1\n', err: '' });
    await berth(['image', 'push', '--all-tags', '127.0.0.1:5000/app']);
    assert.equal(seen[0]!.url, '/v1.50/images/127.0.0.1:5000/app/push');
    await berth(['push', '--platform', 'linux/amd64', 'app:v1']);
    assert.equal(seen[0]!.url, '/v1.50/images/docker.io/library/app/push?platform={"architecture":"amd64","os":"linux"}&tag=v1');
    assert.equal((await berth(['push', `app@sha256:${'1'.repeat(64)}`])).err, 'cannot push a digest reference\n');
  });
});

describe('save, load, commit, prune', () => {
  it('save -o writes the archive atomically, 0600; refuses a terminal', async () => {
    const tar = Buffer.alloc(4096, 7);
    handler = (s) => (s.url.startsWith('/v1.50/images/get') ? { raw: tar } : undefined);
    const out = path.join(dir, 'out.tar');
    assert.deepEqual(await berth(['save', '-o', out, 'busybox', 'alpine:3']), { status: 0, out: '', err: '' });
    assert.equal(seen[0]!.url, '/v1.50/images/get?names=busybox&names=alpine:3');
    assert.deepEqual(readFileSync(out), tar);
    assert.equal(statSync(out).mode & 0o777, 0o600);
    const toStdout = await berth(['image', 'save', 'busybox']);
    assert.equal(toStdout.out, tar.toString('latin1'));
    assert.deepEqual(await berth(['save', 'busybox'], { tty: { columns: 80 } }), {
      status: 1,
      out: '',
      err: 'cowardly refusing to save to a terminal. Use the -o flag or redirect\n',
    });
    assert.equal((await berth(['save', '-o', '/nonexistent/dir/x.tar', 'busybox'])).err, 'failed to save image: invalid output path: stat /nonexistent/dir: no such file or directory\n');
    handler = () => ({ status: 404, json: { message: 'No such image: nope:latest' } });
    const missing = path.join(dir, 'missing.tar');
    assert.deepEqual(await berth(['save', '-o', missing, 'nope']), { status: 1, out: '', err: 'Error response from daemon: No such image: nope:latest\n' });
    assert.throws(() => statSync(missing), /ENOENT/);
  });

  it('load posts the tar and prints the daemon\'s messages', async () => {
    const tar = Buffer.alloc(2048, 3);
    const file = path.join(dir, 'in.tar');
    writeFileSync(file, tar);
    handler = () => ({ lines: [{ stream: 'Loaded image: busybox:latest\n' }, { stream: `Loaded image ID: sha256:${'a'.repeat(64)}\n` }] });
    const r = await berth(['load', '-i', file]);
    assert.deepEqual(r, { status: 0, out: `Loaded image: busybox:latest\nLoaded image ID: sha256:${'a'.repeat(64)}\n`, err: '' });
    assert.equal(seen[0]!.url, '/v1.50/images/load?quiet=1');
    assert.equal(seen[0]!.contentType, 'application/x-tar');
    assert.deepEqual(seen[0]!.body, tar);
    await berth(['image', 'load'], { stdin: 'x', tty: { columns: 80 } });
    assert.equal(seen[0]!.url, '/v1.50/images/load?quiet=0');
    assert.deepEqual(seen[0]!.body, Buffer.from('x'));
    assert.equal((await berth(['load', '-i', path.join(dir, 'none.tar')])).err, `open ${path.join(dir, 'none.tar')}: no such file or directory\n`);
  });

  it('commit sends docker\'s query and prints the new image ID', async () => {
    handler = () => ({ status: 201, json: { Id: `sha256:${'c'.repeat(64)}` } });
    const r = await berth(['commit', '-a', 'Me <me@x>', '-m', 'msg', '-c', 'ENV A=1', '-c', 'CMD ["sh"]', '--pause=false', 'web', 'repo/app:v2']);
    assert.deepEqual(r, { status: 0, out: `sha256:${'c'.repeat(64)}\n`, err: '' });
    assert.equal(seen[0]!.url, '/v1.50/commit?author=Me <me@x>&changes=ENV A=1&changes=CMD ["sh"]&comment=msg&container=web&pause=0&repo=docker.io/repo/app&tag=v2');
    await berth(['container', 'commit', 'web']);
    assert.equal(seen[0]!.url, '/v1.50/commit?author=&comment=&container=web&repo=&tag=');
    assert.equal((await berth(['commit', 'web', `x@sha256:${'1'.repeat(64)}`])).err, 'refusing to create a tag with a digest reference\n');
  });

  it('image prune asks first, sends the filters and reports like docker', async () => {
    writeFileSync(path.join(configDir, 'config.json'), JSON.stringify({ pruneFilters: ['label=keep=no'] }));
    handler = () => ({ json: { ImagesDeleted: [{ Untagged: 'busybox:old' }, { Deleted: `sha256:${'d'.repeat(64)}` }], SpaceReclaimed: 1234567 } });
    const no = await berth(['image', 'prune'], { stdin: 'n\n' });
    assert.deepEqual(no, { status: 0, out: 'WARNING! This will remove all dangling images.\nAre you sure you want to continue? [y/N] ', err: '' });
    assert.equal(seen.length, 0);
    const yes = await berth(['image', 'prune', '-a', '--filter', 'until=24h'], { stdin: 'y\n' });
    assert.deepEqual(yes, {
      status: 0,
      err: '',
      out:
        'WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue? [y/N] ' +
        `Deleted Images:\nuntagged: busybox:old\ndeleted: sha256:${'d'.repeat(64)}\n\nTotal reclaimed space: 1.235MB\n`,
    });
    assert.equal(seen[0]!.url, '/v1.50/images/prune?filters={"dangling":{"false":true},"label":{"keep=no":true},"until":{"24h":true}}');
    handler = () => ({ json: { ImagesDeleted: null, SpaceReclaimed: 0 } });
    assert.deepEqual(await berth(['image', 'prune', '-f']), { status: 0, out: 'Total reclaimed space: 0B\n', err: '' });
  });
});
