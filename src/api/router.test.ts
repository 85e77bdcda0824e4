import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Router, compareVersions, compilePattern, API_VERSION, MIN_API_VERSION } from './router.js';
import type { Handler, Route } from './types.js';

const h: Handler = () => undefined;
const routes: Route[] = [
  { method: 'GET', path: '/containers/json', handler: h },
  { method: 'POST', path: '/containers/{name}/start', handler: h },
  { method: 'POST', path: '/containers/{name}/attach', handler: h, hijack: true },
  { method: 'GET', path: '/images/json', handler: h },
  { method: 'GET', path: '/images/{name:.*}/json', handler: h },
  { method: 'GET', path: '/distribution/{name:.*}/json', handler: h },
  { method: 'GET', path: '/things/{id:[0-9]{3}}', handler: h },
];
const router = new Router(routes);

function route(method: string, target: string) {
  const m = router.match(method, target);
  assert.equal(m.kind, 'route', `${method} ${target}: ${JSON.stringify(m)}`);
  return m as Extract<typeof m, { kind: 'route' }>;
}

describe('Router', () => {
  it('matches plain and /v1.NN-prefixed paths and hands the negotiated version over', () => {
    assert.equal(route('GET', '/containers/json').version, API_VERSION);
    assert.equal(route('GET', '/v1.41/containers/json?all=1').version, '1.41');
    assert.equal(route('GET', `/v${MIN_API_VERSION}/containers/json`).version, MIN_API_VERSION);
  });

  it('extracts parameters whose names contain dots, dashes and underscores', () => {
    const m = route('POST', '/v1.50/containers/my_app.web-1/start');
    assert.deepEqual(m.params, { name: 'my_app.web-1' });
    assert.equal(m.route.path, '/containers/{name}/start');
  });

  it('takes greedy names with slashes, tags and digests', () => {
    assert.deepEqual(route('GET', '/images/registry.example.com:5000/team/app:1.2/json').params, {
      name: 'registry.example.com:5000/team/app:1.2',
    });
    assert.deepEqual(route('GET', '/v1.50/distribution/docker.io/library/busybox@sha256:abc/json').params, {
      name: 'docker.io/library/busybox@sha256:abc',
    });
    // The first registered match wins, as in gorilla/mux: /images/json is the list, not an image named "".
    assert.equal(route('GET', '/images/json').route.path, '/images/json');
  });

  it('decodes the path before matching, as Go routes on URL.Path', () => {
    assert.deepEqual(route('GET', '/images/library%2Fbusybox/json').params, { name: 'library/busybox' });
    assert.equal(router.match('POST', '/containers/a%2Fb/start').kind, 'not-found');
    assert.equal(router.match('GET', '/images/%zz/json').kind, 'bad-path');
  });

  it('supports regexes with braces inside variables', () => {
    assert.deepEqual(route('GET', '/things/123').params, { id: '123' });
    assert.equal(router.match('GET', '/things/12').kind, 'not-found');
  });

  it('answers unknown paths and wrong methods alike with not-found (moby never sends 405)', () => {
    assert.equal(router.match('GET', '/nope').kind, 'not-found');
    assert.equal(router.match('GET', '/v1.50/nope').kind, 'not-found');
    assert.equal(router.match('DELETE', '/containers/json').kind, 'not-found');
    assert.equal(router.match('GET', '/containers/x/start').kind, 'not-found');
    // An unknown path is 404 even with an unsupported version: the version is checked on matched routes only.
    assert.equal(router.match('GET', '/v1.99/nope').kind, 'not-found');
  });

  it('rejects versions outside the supported range with dockerd wording', () => {
    const tooNew = router.match('GET', '/v1.99/containers/json');
    assert.deepEqual(tooNew, {
      kind: 'bad-version',
      version: '1.99',
      plainText: false,
      message: 'client version 1.99 is too new. Maximum supported API version is 1.50',
    });
    const tooOld = router.match('GET', '/v1.12/containers/json');
    assert.deepEqual(tooOld, {
      kind: 'bad-version',
      version: '1.12',
      plainText: true,
      message:
        'client version 1.12 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version',
    });
    assert.equal(router.match('GET', '/v2/containers/json').kind, 'bad-version');
  });

  it('knows which requests target hijack routes', () => {
    assert.equal(router.isHijack('POST', '/v1.44/containers/abc/attach?stream=1&stdin=1'), true);
    assert.equal(router.isHijack('POST', '/containers/abc/start'), false);
    assert.equal(router.isHijack('POST', '/v1.99/containers/abc/attach'), false);
  });

  it('refuses malformed patterns at construction', () => {
    assert.throws(() => new Router([{ method: 'GET', path: '/a/{x', handler: h }]), /unbalanced/);
    assert.throws(() => new Router([{ method: 'GET', path: '/a/{x}/{x}', handler: h }]), /duplicate/);
    assert.throws(() => new Router([{ method: 'GET', path: '/a/{x:(a|b)}', handler: h }]), /non-capturing/);
    assert.throws(() => new Router([{ method: 'HEAD', path: '/a', handler: h, hijack: true }]), /cannot hijack/);
  });
});

describe('compareVersions', () => {
  it('compares numerically per part', () => {
    assert.equal(compareVersions('1.9', '1.24'), -1);
    assert.equal(compareVersions('1.50', '1.50'), 0);
    assert.equal(compareVersions('1.50.0', '1.50'), 0);
    assert.equal(compareVersions('2', '1.99'), 1);
  });

  it('compiles literal characters literally', () => {
    const { regex } = compilePattern('/a.b+c/{n}');
    assert.equal(regex.test('/a.b+c/x'), true);
    assert.equal(regex.test('/aXbbc/x'), false);
  });
});
