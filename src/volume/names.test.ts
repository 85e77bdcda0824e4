import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isEngineError } from '../common/errors.js';
import { anonymousVolumeName, isValidVolumeName, validateVolumeName } from './names.js';
import { localVolumeMount, validateLocalOptions } from './options.js';

describe('volume names', () => {
  test("Docker's rule: two or more of [a-zA-Z0-9_.-], starting alphanumeric", () => {
    for (const n of ['ab', 'my-vol', 'v.1', 'A_b', '0x']) assert.equal(isValidVolumeName(n), true, n);
    for (const n of ['a', '', '-a', '.a', '_a', 'a/b', '../x', 'a b', 'a:b']) assert.equal(isValidVolumeName(n), false, n);
  });

  test('the error names the rule and the host-path hint, as dockerd does', () => {
    assert.throws(() => validateVolumeName('a/b'), (e) => isEngineError(e, 'invalid-argument') && e.message === 'create a/b: "a/b" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path');
  });

  test('anonymous names are 64 hex characters and valid', () => {
    const n = anonymousVolumeName();
    assert.match(n, /^[0-9a-f]{64}$/);
    assert.notEqual(n, anonymousVolumeName());
  });
});

describe('local driver options', () => {
  test('only type, device, o; type and device go together', () => {
    assert.deepEqual(validateLocalOptions({ type: 'tmpfs', device: 'tmpfs', o: 'size=1m' }), { type: 'tmpfs', device: 'tmpfs', o: 'size=1m' });
    assert.throws(() => validateLocalOptions({ foo: 'x' }), /invalid option: "foo"/);
    assert.throws(() => validateLocalOptions({ type: 'tmpfs' }), /missing required option: "device"/);
    assert.throws(() => validateLocalOptions({ device: '/x' }), /missing required option: "type"/);
    assert.throws(() => validateLocalOptions({ type: 'none', o: 'bind', device: 'rel' }), /must be absolute/);
  });

  test('a plain volume binds its _data; options become the container mount, never a host mount', () => {
    assert.deepEqual(localVolumeMount({}, '/v/n/_data', '/d', false), { destination: '/d', type: 'bind', source: '/v/n/_data', options: ['rbind', 'rw', 'rprivate'] });
    assert.deepEqual(localVolumeMount({ type: 'tmpfs', device: 'tmpfs', o: 'size=100m,uid=1000' }, '/v', '/t', true), { destination: '/t', type: 'tmpfs', source: 'tmpfs', options: ['ro', 'size=100m', 'uid=1000'] });
    assert.deepEqual(localVolumeMount({ type: 'none', device: '/host/p', o: 'bind' }, '/v', '/b', false), { destination: '/b', type: 'bind', source: '/host/p', options: ['bind', 'rw', 'rprivate'] });
    assert.deepEqual(localVolumeMount({ type: 'none', device: '/host/p', o: 'rbind,ro' }, '/v', '/b', false).options, ['rbind', 'ro', 'rprivate']);
  });
});
