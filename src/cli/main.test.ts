// The program end to end against a scripted daemon (a plain node:http server on a unix socket): output,
// stderr and exit status of whole commands, and the requests they send.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { main } from './main.js';

type Handler = (req: http.IncomingMessage, body: string) => { status?: number; json?: unknown; text?: string } | undefined;

let server: http.Server;
let dir: string;
let socket: string;
let handler: Handler = () => undefined;
const seen: string[] = [];

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'berth-cli-main-'));
  socket = path.join(dir, 'd.sock');
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url?.endsWith('/_ping')) {
        res.writeHead(200, { 'Api-Version': '1.50', OSType: 'linux' }).end('OK');
        return;
      }
      seen.push(`${req.method} ${decodeURIComponent(req.url ?? '')}`);
      const r = handler(req, body) ?? { status: 404, json: { message: 'page not found' } };
      const text = r.text ?? JSON.stringify(r.json ?? null);
      res.writeHead(r.status ?? 200, { 'Content-Type': 'application/json' }).end(text);
    });
  });
  await new Promise<void>((r) => server.listen(socket, r));
});

after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

async function berth(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  seen.length = 0;
  const status = await main(['-H', `unix://${socket}`, ...argv], { stdin: Readable.from([]), stdout, stderr }, {});
  return { status, out, err };
}

const notFound = (what: string) => ({ status: 404, json: { message: `No such container: ${what}` } });

describe('berth against a daemon', () => {
  it('ps prints docker\'s table', async () => {
    const now = Math.floor(Date.now() / 1000);
    handler = (req) =>
      req.url?.startsWith('/v1.50/containers/json')
        ? { json: [{ Id: 'a'.repeat(64), Names: ['/web'], Image: 'busybox', ImageID: 'sha256:' + 'b'.repeat(64), Command: 'sleep 1000', Created: now - 7200, Ports: [{ PrivatePort: 80, Type: 'tcp' }], Labels: { x: '1' }, State: 'running', Status: 'Up 2 hours' }] }
        : undefined;
    const r = await berth('ps');
    assert.equal(r.status, 0);
    assert.equal(
      r.out,
      'CONTAINER ID   IMAGE     COMMAND        CREATED       STATUS       PORTS     NAMES\n' +
        'aaaaaaaaaaaa   busybox   "sleep 1000"   2 hours ago   Up 2 hours   80/tcp    web\n',
    );
    assert.equal((await berth('ps', '-q', '--no-trunc')).out, `${'a'.repeat(64)}\n`);
    assert.equal((await berth('ps', '--format', '{{.Names}} {{.Labels}}')).out, 'web x=1\n');
    await berth('ps', '-a', '-n', '2', '--filter', 'name=web');
    assert.deepEqual(seen, ['GET /v1.50/containers/json?all=1&limit=2&filters={"name":{"web":true}}']);
  });

  it('rm reports each failure and exits 1; -f tolerates missing ones', async () => {
    handler = (req) => (req.url?.includes('/containers/b') ? notFound('b') : req.method === 'DELETE' ? { status: 204 } : undefined);
    const r = await berth('rm', 'a', 'b');
    assert.deepEqual(r, { status: 1, out: 'a\n', err: 'Error response from daemon: No such container: b\n' });
    const f = await berth('rm', '-f', 'a', 'b');
    assert.deepEqual(f, { status: 0, out: 'a\n', err: 'Error response from daemon: No such container: b\n' });
    assert.deepEqual(seen, ['DELETE /v1.50/containers/a?force=1', 'DELETE /v1.50/containers/b?force=1']);
  });

  it('stop sends t and signal only when given', async () => {
    handler = (req) => (req.method === 'POST' ? { status: 204 } : undefined);
    assert.equal((await berth('stop', '-t', '3', '-s', 'KILL', 'x')).out, 'x\n');
    assert.deepEqual(seen, ['POST /v1.50/containers/x/stop?t=3&signal=KILL']);
    await berth('container', 'stop', 'x');
    assert.deepEqual(seen, ['POST /v1.50/containers/x/stop']);
  });

  it('run with a missing image and --pull never fails with 125 and the daemon\'s words', async () => {
    handler = (req) => (req.url?.startsWith('/v1.50/containers/create') ? { status: 404, json: { message: 'No such image: nope:latest' } } : undefined);
    const r = await berth('run', '--pull', 'never', 'nope');
    assert.equal(r.status, 125);
    assert.equal(r.err, "berth: Error response from daemon: No such image: nope:latest\n\nRun 'berth run --help' for more information\n");
  });

  it('run with a missing image says so, then reports the pull error', async () => {
    handler = (req) => {
      if (req.url?.startsWith('/v1.50/containers/create')) return { status: 404, json: { message: 'No such image: nope:latest' } };
      if (req.url?.startsWith('/v1.50/images/create')) return { status: 404, json: { message: 'pull access denied for nope' } };
      return undefined;
    };
    const r = await berth('run', 'nope');
    assert.equal(r.status, 125);
    assert.equal(r.err, "Unable to find image 'nope:latest' locally\nberth: Error response from daemon: pull access denied for nope\n\nRun 'berth run --help' for more information\n");
    assert.deepEqual(seen.slice(1), ['POST /v1.50/images/create?fromImage=docker.io/library/nope&tag=latest']);
  });

  it('run -d prints the full ID after registering the wait', async () => {
    handler = (req) => {
      if (req.url?.startsWith('/v1.50/containers/create')) return { status: 201, json: { Id: 'c'.repeat(64), Warnings: [] } };
      if (req.url?.includes('/wait')) return { json: { StatusCode: 0 } };
      if (req.url?.includes('/start')) return { status: 204 };
      return undefined;
    };
    const r = await berth('run', '-d', '--name', 'n1', 'busybox', 'true');
    assert.deepEqual(r, { status: 0, out: `${'c'.repeat(64)}\n`, err: '' });
    assert.deepEqual(seen.map((s) => s.split('?')[0]), ['POST /v1.50/containers/create', `POST /v1.50/containers/${'c'.repeat(64)}/wait`, `POST /v1.50/containers/${'c'.repeat(64)}/start`]);
    assert.equal(seen[0], 'POST /v1.50/containers/create?name=n1');
  });

  it('start failures map to 127 and 126 as in docker', async () => {
    const start = (message: string) => (req: http.IncomingMessage) => {
      if (req.url?.startsWith('/v1.50/containers/create')) return { status: 201, json: { Id: 'd1' } };
      if (req.url?.includes('/wait')) return { json: { StatusCode: 0 } };
      if (req.url?.includes('/start')) return { status: 400, json: { message } };
      return undefined;
    };
    handler = start('exec: "nosuch": executable file not found in $PATH');
    assert.equal((await berth('run', '-d', 'busybox', 'nosuch')).status, 127);
    handler = start('exec: "/etc": permission denied');
    assert.equal((await berth('run', '-d', 'busybox', '/etc')).status, 126);
    handler = start('something else');
    assert.equal((await berth('run', '-d', 'busybox')).status, 125);
  });

  it('inspect prints what it found, then the errors, status 1', async () => {
    handler = (req) => (req.url === '/v1.50/containers/a/json' ? { json: { Name: '/a', Id: 'x' } } : notFound('b'));
    const r = await berth('container', 'inspect', '-f', '{{.Name}}', 'a', 'b');
    assert.deepEqual(r, { status: 1, out: '/a\n', err: 'Error response from daemon: No such container: b\n' });
    assert.equal((await berth('inspect', '-f', '{{.Name', 'a')).status, 64);
  });
});

describe('berth without a daemon', () => {
  it('prints help and usage errors like docker', async () => {
    const help = await berth('--help');
    assert.equal(help.status, 0);
    assert.match(help.out, /^Usage:  berth \[OPTIONS\] COMMAND\n\nA self-sufficient runtime for containers\n\nCommon Commands:\n  run  /);
    assert.deepEqual(await berth('foo'), { status: 1, out: '', err: "berth: unknown command: berth foo\n\nRun 'berth --help' for more information\n" });
    const unknown = await berth('run', '--foo', 'busybox');
    assert.equal(unknown.status, 125);
    assert.equal(unknown.err, "unknown flag: --foo\n\nUsage:  berth run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'berth run --help' for more information\n");
    const noArgs = await berth('container', 'logs');
    assert.equal(noArgs.status, 1);
    assert.match(noArgs.err, /^berth: 'berth container logs' requires 1 argument\n/);
    assert.match((await berth('run', '--help')).out, /^Usage:  berth run \[OPTIONS\] IMAGE \[COMMAND\] \[ARG\.\.\.\]\n\nCreate and run a new container from an image\n\nAliases:\n  berth container run, berth run\n\nOptions:\n/);
  });
  it('-v prints the client version', async () => {
    assert.match((await berth('-v')).out, /^Berth version \d+\.\d+\.\d+, build /);
  });
});
