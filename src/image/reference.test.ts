import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isEngineError } from '../common/errors.js';
import {
  familiarName,
  familiarString,
  parseAnyReference,
  parseNormalizedNamed,
  parseReference,
  parseRepositoryTag,
  referenceString,
  repoTagReference,
  tagNameOnly,
} from './reference.js';

const HEX = 'dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c';
const DGST = `sha256:${HEX}`;

function throwsInvalid(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isEngineError(e, 'invalid-argument'), `expected invalid-argument, got ${String(e)}`);
    assert.equal(e.message, message);
    return true;
  });
}

describe('parseNormalizedNamed + tagNameOnly', () => {
  // input → full normalized string with default tag, familiar string
  const table: [string, string, string][] = [
    ['busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
    ['busybox:1.36', 'docker.io/library/busybox:1.36', 'busybox:1.36'],
    ['user/img', 'docker.io/user/img:latest', 'user/img:latest'],
    ['user/img:tag', 'docker.io/user/img:tag', 'user/img:tag'],
    ['docker.io/busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
    ['index.docker.io/busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
    ['docker.io/library/busybox:latest', 'docker.io/library/busybox:latest', 'busybox:latest'],
    ['library/foo/bar', 'docker.io/library/foo/bar:latest', 'library/foo/bar:latest'],
    ['localhost:5000/a/b:t', 'localhost:5000/a/b:t', 'localhost:5000/a/b:t'],
    ['localhost:5000/a:t', 'localhost:5000/a:t', 'localhost:5000/a:t'],
    ['localhost/a', 'localhost/a:latest', 'localhost/a:latest'],
    ['test_com/foo', 'docker.io/test_com/foo:latest', 'test_com/foo:latest'],
    ['127.0.0.1:5000/debian', '127.0.0.1:5000/debian:latest', '127.0.0.1:5000/debian:latest'],
    ['[fc00::1]:5000/docker', '[fc00::1]:5000/docker:latest', '[fc00::1]:5000/docker:latest'],
    ['Foo/bar', 'Foo/bar:latest', 'Foo/bar:latest'],
    ['xn--n3h.com:18080/foo', 'xn--n3h.com:18080/foo:latest', 'xn--n3h.com:18080/foo:latest'],
    ['dock__er/docker', 'docker.io/dock__er/docker:latest', 'dock__er/docker:latest'],
    ['docker---rules/docker', 'docker.io/docker---rules/docker:latest', 'docker---rules/docker:latest'],
    ['busybox:Upper_case.tag-1', 'docker.io/library/busybox:Upper_case.tag-1', 'busybox:Upper_case.tag-1'],
    [`host.example.com/a@${DGST}`, `host.example.com/a@${DGST}`, `host.example.com/a@${DGST}`],
    [`busybox:latest@${DGST}`, `docker.io/library/busybox:latest@${DGST}`, `busybox:latest@${DGST}`],
    [`docker.io/${HEX}`, `docker.io/library/${HEX}:latest`, `${HEX}:latest`],
    [`a:${'t'.repeat(128)}`, `docker.io/library/a:${'t'.repeat(128)}`, `a:${'t'.repeat(128)}`],
  ];
  for (const [input, full, familiar] of table) {
    it(input, () => {
      const ref = tagNameOnly(parseNormalizedNamed(input));
      assert.equal(referenceString(ref), full);
      assert.equal(familiarString(ref), familiar);
    });
  }

  it('splits domain and path as distribution does', () => {
    assert.deepEqual(parseNormalizedNamed('busybox'), { kind: 'named', domain: 'docker.io', path: 'library/busybox' });
    const r = parseNormalizedNamed(`localhost:5000/a/b:t@${DGST}`);
    assert.deepEqual(r, { kind: 'named', domain: 'localhost:5000', path: 'a/b', tag: 't', digest: DGST });
    assert.equal(familiarName(parseNormalizedNamed('docker.io/library/foo/bar')), 'library/foo/bar');
  });
});

describe('reference errors, worded as Docker words them', () => {
  const table: [string, string][] = [
    ['Busybox', 'invalid reference format: repository name (library/Busybox) must be lowercase'],
    ['docker/Docker', 'invalid reference format: repository name (docker/Docker) must be lowercase'],
    ['docker.io/docker/Docker', 'invalid reference format: repository name (docker/Docker) must be lowercase'],
    [HEX, `invalid repository name (${HEX}), cannot specify 64-byte hexadecimal strings`],
    ['', 'invalid reference format'],
    ['-docker', 'invalid reference format'],
    ['docker///docker', 'invalid reference format'],
    ['docker-/docker', 'invalid reference format'],
    ['____/____', 'invalid reference format'],
    ['dock..er/docker', 'invalid reference format'],
    ['docker/', 'invalid reference format'],
    ['https://github.com/docker/docker', 'invalid reference format'],
    ['[fc00::1]:5000', 'invalid reference format'],
    ['[fe80::1%eth0]:5000/debian', 'invalid reference format'],
    ['busybox:', 'invalid reference format'],
    ['busybox:-tag', 'invalid reference format'],
    [`a:${'t'.repeat(129)}`, 'invalid reference format'],
    ['aa/asdf$$^/aa', 'invalid reference format'],
    ['repo@sha256:ffffffffffffffffffffffffffffffffff', 'invalid checksum digest length'],
    [`validname@invaliddigest:${'f'.repeat(64)}`, 'unsupported digest algorithm'],
    [`busybox@sha256:${HEX.toUpperCase()}`, 'invalid checksum digest format'],
    [`${'a/'.repeat(128)}a:tag`, 'repository name must not be more than 255 characters'],
  ];
  for (const [input, message] of table) {
    it(JSON.stringify(input.length > 60 ? `${input.slice(0, 60)}…` : input), () => throwsInvalid(() => parseNormalizedNamed(input), message));
  }

  it('Parse alone (no normalization) has its own uppercase and empty errors', () => {
    throwsInvalid(() => parseReference('Uppercase:tag'), 'repository name must be lowercase');
    throwsInvalid(() => parseReference('test:5000/Uppercase/lowercase:tag'), 'repository name must be lowercase');
    throwsInvalid(() => parseReference(''), 'repository name must have at least one component');
    throwsInvalid(() => parseReference(':justtag'), 'invalid reference format');
    throwsInvalid(() => parseReference(`@${DGST}`), 'invalid reference format');
    assert.deepEqual(parseReference('test.com:5000'), { kind: 'named', domain: '', path: 'test.com', tag: '5000' });
    assert.deepEqual(parseReference('[2001:db8::1]:5000/repo:tag'), { kind: 'named', domain: '[2001:db8::1]:5000', path: 'repo', tag: 'tag' });
  });
});

describe('parseAnyReference', () => {
  it('a 64-hex string alone is an image ID, not a name', () => {
    assert.deepEqual(parseAnyReference(HEX), { kind: 'digest', digest: DGST });
    assert.deepEqual(parseAnyReference(DGST), { kind: 'digest', digest: DGST });
  });
  it('anything shorter is a name', () => {
    assert.equal(referenceString(parseAnyReference(HEX.slice(0, 63))), `docker.io/library/${HEX.slice(0, 63)}`);
    assert.equal(referenceString(parseAnyReference('dbcc1')), 'docker.io/library/dbcc1');
    // sha256:<prefix> is not a valid digest, so it parses as name "sha256" with a tag (Docker does the same).
    assert.equal(referenceString(parseAnyReference('sha256:dbcc1')), 'docker.io/library/sha256:dbcc1');
  });
});

describe('query forms', () => {
  it('parseRepositoryTag: fromImage + tag, tag may be a digest, trailing colon dropped, no default tag', () => {
    assert.equal(referenceString(parseRepositoryTag('busybox', '1.36')), 'docker.io/library/busybox:1.36');
    assert.equal(referenceString(parseRepositoryTag('busybox:', '')), 'docker.io/library/busybox');
    assert.equal(referenceString(parseRepositoryTag('busybox')), 'docker.io/library/busybox');
    assert.equal(referenceString(parseRepositoryTag('busybox:old', DGST)), `docker.io/library/busybox@${DGST}`);
    assert.equal(referenceString(parseRepositoryTag('localhost:5000/a', 't')), 'localhost:5000/a:t');
    throwsInvalid(() => parseRepositoryTag('busybox', '-bad'), 'invalid tag format');
    throwsInvalid(() => parseRepositoryTag('Busybox', 'x'), 'invalid reference format: repository name (library/Busybox) must be lowercase');
  });
  it('repoTagReference: repo + tag, latest by default, no digests', () => {
    assert.equal(referenceString(repoTagReference('myimg')), 'docker.io/library/myimg:latest');
    assert.equal(referenceString(repoTagReference('me/img', 'v1')), 'docker.io/me/img:v1');
    throwsInvalid(() => repoTagReference(`me/img@${DGST}`), 'cannot import digest reference');
    throwsInvalid(() => repoTagReference('me/img', 'a'.repeat(129)), 'invalid tag format');
  });
});
