import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { familiarName, familiarString, goNetDetail, httpError, parseHttpFailure, transportError } from './errors.js';

const hub = { domain: 'docker.io', path: 'library/alpine' };
const body = (code: string, message: string) => JSON.stringify({ errors: [{ code, message, detail: null }] });

describe('registry errors in Docker words', () => {
  it('names repositories as docker does', () => {
    assert.equal(familiarName(hub), 'alpine');
    assert.equal(familiarName({ domain: 'docker.io', path: 'user/app' }), 'user/app');
    assert.equal(familiarName({ domain: 'localhost:5000', path: 'x/y' }), 'localhost:5000/x/y');
    assert.equal(familiarString(hub, 'latest'), 'alpine:latest');
    assert.equal(familiarString(hub, 'sha256:ab'), 'alpine@sha256:ab');
  });

  it('words an unknown manifest', () => {
    const e = httpError(parseHttpFailure(404, body('MANIFEST_UNKNOWN', 'manifest unknown')), { pull: true, repo: hub, reference: 'nope' });
    assert.equal(e.kind, 'not-found');
    assert.equal(e.message, 'manifest for alpine:nope not found: manifest unknown: manifest unknown');
  });

  it('words denied access, from the challenge or the body', () => {
    const f = parseHttpFailure(401, body('UNAUTHORIZED', 'authentication required'), 'Bearer realm="x",error="insufficient_scope"');
    const e = httpError(f, { pull: true, repo: { domain: 'docker.io', path: 'library/nope' } });
    assert.equal(e.message, "pull access denied for nope, repository does not exist or may require 'docker login': denied: requested access to the resource is denied");
    assert.equal(e.kind, 'not-found');
    const plain = httpError(parseHttpFailure(403, body('DENIED', 'requested access to the resource is denied')), { pull: false, repo: hub });
    assert.equal(plain.message, 'denied: requested access to the resource is denied');
    assert.equal(plain.kind, 'forbidden');
  });

  it('words bodies without errors and server errors', () => {
    assert.equal(httpError(parseHttpFailure(500, 'boom'), { pull: true, repo: hub }).message, 'received unexpected HTTP status: 500 Internal Server Error');
    assert.equal(httpError(parseHttpFailure(401, ''), { pull: false }).message, 'unauthorized: authentication required');
    assert.equal(httpError(parseHttpFailure(401, '{"details":"incorrect username or password"}'), { pull: false }).message, 'unauthorized: incorrect username or password');
    assert.match(httpError(parseHttpFailure(400, 'nope'), { pull: false }).message, /^error parsing HTTP 400 response body: .*: "nope"$/);
    const two = parseHttpFailure(400, JSON.stringify({ errors: [{ code: 'NAME_INVALID', message: 'a' }, { code: 'ODD', message: 'b' }] }));
    assert.equal(httpError(two, { pull: false }).message, 'errors:\nname invalid: a\nunknown: b\n');
  });

  it('words transport failures like Go', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5000'), { code: 'ECONNREFUSED', address: '127.0.0.1', port: 5000 });
    const e = transportError('GET', new URL('http://127.0.0.1:5000/v2/'), refused);
    assert.equal(e.message, 'Get "http://127.0.0.1:5000/v2/": dial tcp 127.0.0.1:5000: connect: connection refused');
    assert.equal(e.kind, 'unavailable');
    assert.equal(goNetDetail({ code: 'ERR_SSL_WRONG_VERSION_NUMBER' }, new URL('https://h/v2/')), 'http: server gave HTTP response to HTTPS client');
    assert.equal(goNetDetail({ code: 'ENOTFOUND' }, new URL('https://nohost.invalid/v2/')), 'dial tcp: lookup nohost.invalid: no such host');
    assert.equal(goNetDetail({ code: 'ECONNREFUSED', address: '::1', port: 443 }, new URL('https://localhost/v2/')), 'dial tcp [::1]:443: connect: connection refused');
  });
});
