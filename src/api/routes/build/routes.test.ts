// The build routes against a recording fake backend: dockerd's query parsing and 400s, the context passed
// through, the JSON stream (with errorDetail.code for a failed step), quiet mode's held-back output, BuildKit's
// refusal, prune and cancel.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { EngineError, invalidArgument } from '../../../common/errors.js';
import type { ProgressSink } from '../../../spec/progress.js';
import { request, startTestServer, type TestServer } from '../../testing.js';
import type { BuildBackend, BuildRequest } from './backend.js';
import { BUILDKIT_UNSUPPORTED, buildRoutes } from './routes.js';

const ID = `sha256:${'c'.repeat(64)}`;
let seen: { req: BuildRequest; body: string } | undefined;
let script: (progress: ProgressSink) => Promise<void> = async () => {};
let pruned: unknown;

const backend: BuildBackend = {
  async build(context, req, progress) {
    const chunks: Buffer[] = [];
    for await (const c of context) chunks.push(c as Buffer);
    seen = { req, body: Buffer.concat(chunks).toString('latin1') };
    await script(progress);
    return { id: ID };
  },
  async prune(opts) {
    pruned = opts;
    return { CachesDeleted: null, SpaceReclaimed: 0 };
  },
};

let server: TestServer;
before(async () => (server = await startTestServer(buildRoutes(backend))));
after(async () => server.close());
beforeEach(() => {
  seen = undefined;
  pruned = undefined;
  script = async (p) => {
    p({ stream: 'Step 1/1 : FROM scratch\n' });
    p({ aux: { ID } });
    p({ stream: `Successfully built ${'c'.repeat(12)}\n` });
  };
});

const build = (query: string, opts: { body?: string; headers?: Record<string, string> } = {}) =>
  request(server, 'POST', `/v1.47/build${query}`, { body: opts.body ?? 'TARBYTES', headers: { 'Content-Type': 'application/x-tar', ...opts.headers } });
const lines = (text: string) => text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

describe('POST /build: query', () => {
  it('takes dockerd\'s defaults when nothing is given, and passes the body through', async () => {
    const r = await build('');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/json');
    const req = seen!.req;
    assert.equal(seen!.body, 'TARBYTES');
    assert.equal(req.dockerfile, 'Dockerfile');
    assert.deepEqual(req.tags, []);
    assert.deepEqual(req.buildArgs, {});
    assert.deepEqual(req.labels, {});
    assert.deepEqual([req.noCache, req.quiet, req.remove, req.forceRemove, req.pull], [false, false, true, false, false]);
    assert.deepEqual(req.extraHosts, []);
    assert.deepEqual(req.cacheFrom, []);
    assert.deepEqual(req.auth, {});
    assert.equal(req.target, undefined);
    assert.equal(req.platform, undefined);
    assert.equal(req.remote, undefined);
  });
  it('parses every parameter the docker client sends', async () => {
    const q = new URLSearchParams();
    for (const [k, v] of [
      ['t', 'a:1'], ['t', 'b'], ['dockerfile', 'sub/Dockerfile.dev'], ['target', 'build'], ['nocache', '1'], ['rm', '0'],
      ['pull', '1'], ['networkmode', 'host'], ['extrahosts', 'h:1.2.3.4'], ['extrahosts', 'g:5.6.7.8'], ['platform', 'linux/amd64'],
      ['buildargs', '{"A":"1","B":null}'], ['labels', '{"l":"v"}'], ['cachefrom', '["img:1"]'], ['shmsize', '1048576'],
      ['memory', '4194304'], ['cpushares', '512'], ['ulimits', '[{"Name":"nofile","Soft":1,"Hard":2}]'], ['remote', 'http://x/ctx.tar'],
    ]) q.append(k!, v!);
    const auth = Buffer.from(JSON.stringify({ 'registry:5000': { username: 'u', password: 'p' } })).toString('base64url');
    assert.equal((await build(`?${q}`, { headers: { 'X-Registry-Config': auth } })).status, 200);
    const req = seen!.req;
    assert.deepEqual(req.tags, ['a:1', 'b']);
    assert.equal(req.dockerfile, 'sub/Dockerfile.dev');
    assert.equal(req.target, 'build');
    assert.deepEqual([req.noCache, req.remove, req.pull], [true, false, true]);
    assert.equal(req.networkMode, 'host');
    assert.deepEqual(req.extraHosts, ['h:1.2.3.4', 'g:5.6.7.8']);
    assert.equal(req.platform, 'linux/amd64');
    assert.deepEqual(req.buildArgs, { A: '1', B: null });
    assert.deepEqual(req.labels, { l: 'v' });
    assert.deepEqual(req.cacheFrom, ['img:1']);
    assert.deepEqual([req.shmSize, req.memory, req.cpuShares], [1048576, 4194304, 512]);
    assert.deepEqual(req.ulimits, [{ Name: 'nofile', Soft: 1, Hard: 2 }]);
    assert.equal(req.remote, 'http://x/ctx.tar');
    assert.deepEqual(req.auth, { 'registry:5000': { username: 'u', password: 'p' } });
  });
  it('forcerm implies rm; an undecodable X-Registry-Config counts as none; platform needs API 1.32', async () => {
    await build('?forcerm=1&rm=0', { headers: { 'X-Registry-Config': '!!notbase64json' } });
    assert.deepEqual([seen!.req.remove, seen!.req.forceRemove], [true, true]);
    assert.deepEqual(seen!.req.auth, {});
    seen = undefined;
    assert.equal((await request(server, 'POST', '/v1.31/build?platform=linux/arm64', { body: 'x' })).status, 200);
    assert.equal(seen!.req.platform, undefined);
  });
  it('answers 400 with dockerd\'s words for bad JSON and bad values, before reading the context', async () => {
    const cases: [string, string][] = [
      ['buildargs={x', 'error reading build args: invalid character \'x\' looking for beginning of object key string'],
      ['buildargs=["a"]', 'error reading build args: json: cannot unmarshal array into Go value of type map[string]*string'],
      ['labels={"a":1}', 'error reading labels: json: cannot unmarshal object into Go value of type map[string]string'],
      ['labels={"a":"b"', 'error reading labels: unexpected end of JSON input'],
      ['cachefrom=[1]', 'error reading cache-from: json: cannot unmarshal array into Go value of type []string'],
      ['ulimits={}', 'error reading ulimit settings: json: cannot unmarshal object into Go value of type []*container.Ulimit'],
      ['version=3', 'invalid version "3"'],
      ['isolation=hyperv', 'unsupported isolation: "hyperv"'],
      ['securityopt=x', 'security options are not supported on linux'],
      ['squash=1', 'squash is only supported with experimental mode'],
      ['shmsize=big', 'strconv.ParseInt: parsing "big": invalid syntax'],
    ];
    for (const [query, message] of cases) {
      const r = await build(`?${query.replace(/[{}[\]" ]/g, encodeURIComponent)}`);
      assert.equal(r.status, 400, query);
      assert.deepEqual(r.json(), { message }, query);
    }
    assert.equal(seen, undefined);
  });
  it('refuses BuildKit (version=2) with 501 and says how to use the classic builder', async () => {
    const r = await build('?version=2');
    assert.equal(r.status, 501);
    assert.deepEqual(r.json(), { message: BUILDKIT_UNSUPPORTED });
    assert.match(BUILDKIT_UNSUPPORTED, /DOCKER_BUILDKIT=0/);
    assert.equal((await build('?version=1')).status, 200);
  });
});

describe('POST /build: output', () => {
  it('streams the backend\'s lines and aux records in order', async () => {
    const r = await build('?t=x');
    assert.deepEqual(lines(r.text), [
      { stream: 'Step 1/1 : FROM scratch\n' },
      { progressDetail: {}, aux: { ID } },
      { stream: `Successfully built ${'c'.repeat(12)}\n` },
    ]);
  });
  it('a failure after output ends the stream with an error record carrying the step\'s exit status', async () => {
    script = async (p) => {
      p({ stream: 'Step 1/2 : RUN false\n' });
      throw new EngineError('internal', "The command '/bin/sh -c false' returned a non-zero code: 3", { exitCode: 3 });
    };
    const r = await build('');
    assert.equal(r.status, 200);
    const msg = "The command '/bin/sh -c false' returned a non-zero code: 3";
    assert.deepEqual(lines(r.text), [{ stream: 'Step 1/2 : RUN false\n' }, { errorDetail: { code: 3, message: msg }, error: msg }]);
  });
  it('an error without an exit status has no code', async () => {
    script = async (p) => {
      p({ stream: 'Step 1/1 : FROM nothing\n' });
      throw invalidArgument('pull access denied');
    };
    assert.deepEqual(lines((await build('')).text).at(-1), { errorDetail: { message: 'pull access denied' }, error: 'pull access denied' });
  });
  it('a failure before any output is a plain HTTP error', async () => {
    script = async () => {
      throw invalidArgument('Cannot locate specified Dockerfile: Dockerfile');
    };
    const r = await build('');
    assert.equal(r.status, 400);
    assert.deepEqual(r.json(), { message: 'Cannot locate specified Dockerfile: Dockerfile' });
  });
  it('q=1 sends only the image ID on success', async () => {
    const r = await build('?q=1');
    assert.equal(seen!.req.quiet, true);
    assert.deepEqual(lines(r.text), [{ stream: `${ID}\n` }]);
  });
  it('q=1 sends the held-back output before the error on failure', async () => {
    script = async (p) => {
      p({ stream: 'Step 1/1 : RUN exit 2\n' });
      throw new EngineError('internal', 'failed', { exitCode: 2 });
    };
    const r = await build('?q=1');
    assert.deepEqual(lines(r.text), [{ stream: 'Step 1/1 : RUN exit 2\n' }, { errorDetail: { code: 2, message: 'failed' }, error: 'failed' }]);
  });
  it('q=1 with a failure before any output is a plain HTTP error', async () => {
    script = async () => {
      throw invalidArgument('bad');
    };
    assert.equal((await build('?q=1')).status, 400);
  });
});

describe('POST /build/prune and /build/cancel', () => {
  it('prune passes all and filters and answers the report', async () => {
    const r = await request(server, 'POST', `/v1.47/build/prune?all=1&filters=${encodeURIComponent('{"until":{"24h":true}}')}`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json(), { CachesDeleted: null, SpaceReclaimed: 0 });
    assert.deepEqual(pruned, { all: true, filters: { until: ['24h'] } });
  });
  it('prune refuses a byte limit that is not an integer', async () => {
    const r = await request(server, 'POST', '/v1.47/build/prune?keep-storage=10GB');
    assert.equal(r.status, 400);
    assert.match((r.json() as { message: string }).message, /^keep-storage is in bytes and expects an integer, got 10GB/);
    assert.equal(pruned, undefined);
  });
  it('cancel needs an id and otherwise does nothing', async () => {
    const bad = await request(server, 'POST', '/v1.47/build/cancel');
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.json(), { message: 'build ID not provided' });
    const ok = await request(server, 'POST', '/v1.47/build/cancel?id=abc');
    assert.equal(ok.status, 200);
  });
});
