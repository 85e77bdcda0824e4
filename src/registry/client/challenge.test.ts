import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseWwwAuthenticate, pickChallenge, repositoryScope, scopesCover } from './challenge.js';

describe('WWW-Authenticate', () => {
  it('parses a bearer challenge', () => {
    const [c] = parseWwwAuthenticate('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"');
    assert.deepEqual(c, {
      scheme: 'bearer',
      params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/alpine:pull' },
    });
  });

  it('parses several challenges, unquoted and escaped values', () => {
    const cs = parseWwwAuthenticate('Basic realm="a \\"b\\"", Bearer realm=https://x/t , error="insufficient_scope"');
    assert.equal(cs.length, 2);
    assert.deepEqual(cs[0], { scheme: 'basic', params: { realm: 'a "b"' } });
    assert.deepEqual(cs[1], { scheme: 'bearer', params: { realm: 'https://x/t', error: 'insufficient_scope' } });
    assert.equal(pickChallenge(cs)?.scheme, 'bearer');
  });

  it('answers nothing for no header', () => {
    assert.deepEqual(parseWwwAuthenticate(undefined), []);
    assert.equal(pickChallenge([]), undefined);
  });
});

describe('scopes', () => {
  it('formats repository scopes', () => {
    assert.equal(repositoryScope('library/alpine', ['pull']), 'repository:library/alpine:pull');
    assert.equal(repositoryScope('a/b', ['pull', 'push', 'pull']), 'repository:a/b:pull,push');
  });

  it('lets a pull,push token serve a pull, not the other way round', () => {
    assert.equal(scopesCover(['repository:a:pull,push'], ['repository:a:pull']), true);
    assert.equal(scopesCover(['repository:a:pull'], ['repository:a:pull,push']), false);
    assert.equal(scopesCover(['repository:a:pull'], ['repository:b:pull']), false);
    assert.equal(scopesCover(['repository:a:*'], ['repository:a:push']), true);
    assert.equal(scopesCover(['repository:a:pull,push', 'repository:b:pull'], ['repository:b:pull', 'repository:a:push']), true);
    assert.equal(scopesCover(['registry:catalog:*'], ['registry:catalog:*']), true);
  });
});
