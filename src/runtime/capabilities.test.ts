import assert from 'node:assert/strict';
import { test } from 'node:test';

import { EngineError } from '../common/errors.js';
import { CAPABILITIES, DOCKER_DEFAULT_CAPS, capMask, capNamesFromMask, capNumber, normalizeCap } from './capabilities.js';

const isInvalid = (e: unknown) => e instanceof EngineError && e.kind === 'invalid-argument';

test('normalizeCap accepts the three spellings', () => {
  assert.equal(normalizeCap('net_admin'), 'CAP_NET_ADMIN');
  assert.equal(normalizeCap('NET_ADMIN'), 'CAP_NET_ADMIN');
  assert.equal(normalizeCap('CAP_NET_ADMIN'), 'CAP_NET_ADMIN');
  assert.equal(normalizeCap('cap_net_admin'), 'CAP_NET_ADMIN');
  assert.equal(normalizeCap('  sys_admin '), 'CAP_SYS_ADMIN');
});

test('normalizeCap passes ALL through', () => {
  assert.equal(normalizeCap('ALL'), 'ALL');
  assert.equal(normalizeCap('all'), 'ALL');
});

test('capNumber gives the kernel bit numbers', () => {
  assert.equal(capNumber('CAP_CHOWN'), 0);
  assert.equal(capNumber('kill'), 5);
  assert.equal(capNumber('NET_ADMIN'), 12);
  assert.equal(capNumber('cap_sys_admin'), 21);
  assert.equal(capNumber('SETFCAP'), 31);
  assert.equal(capNumber('CAP_MAC_OVERRIDE'), 32);
  assert.equal(capNumber('CAP_AUDIT_READ'), 37);
  assert.equal(capNumber('CAP_PERFMON'), 38);
  assert.equal(capNumber('CAP_BPF'), 39);
  assert.equal(capNumber('CAP_CHECKPOINT_RESTORE'), 40);
});

test('CAPABILITIES is indexed by bit number', () => {
  CAPABILITIES.forEach((name, i) => assert.equal(capNumber(name), i));
});

test('capNumber rejects unknown names', () => {
  for (const bad of ['CAP_FOO', 'foo', '', 'CAP_', 'NET ADMIN', 'ALL', 'constructor']) {
    assert.throws(() => capNumber(bad), (e: unknown) => isInvalid(e) && (e as Error).message.includes(`"${bad}"`));
  }
});

test("capMask of Docker's default set is 0xa80425fb", () => {
  assert.equal(capMask(DOCKER_DEFAULT_CAPS), 0xa80425fbn);
});

test('capMask of nothing is 0', () => {
  assert.equal(capMask(undefined), 0n);
  assert.equal(capMask([]), 0n);
});

test('capMask accepts any spelling, ignores repeats, sets bits above 31', () => {
  assert.equal(capMask(['net_admin', 'NET_ADMIN', 'CAP_NET_ADMIN']), 1n << 12n);
  assert.equal(capMask(['CAP_CHECKPOINT_RESTORE', 'chown']), (1n << 40n) | 1n);
  assert.equal(capMask(CAPABILITIES), (1n << BigInt(CAPABILITIES.length)) - 1n);
});

test('capMask rejects an unknown name', () => {
  assert.throws(() => capMask(['CAP_CHOWN', 'CAP_BOGUS']), isInvalid);
});

test('capNamesFromMask and capMask round-trip', () => {
  assert.deepEqual(capNamesFromMask(0n), []);
  assert.deepEqual(capNamesFromMask(capMask(CAPABILITIES)), [...CAPABILITIES]);
  assert.deepEqual(new Set(capNamesFromMask(capMask(DOCKER_DEFAULT_CAPS))), new Set(DOCKER_DEFAULT_CAPS));
  assert.deepEqual(capNamesFromMask(0xa80425fbn), [
    'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID', 'CAP_SETUID',
    'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_NET_RAW', 'CAP_SYS_CHROOT', 'CAP_MKNOD', 'CAP_AUDIT_WRITE',
    'CAP_SETFCAP',
  ]);
  for (const mask of [1n, 1n << 40n, 0x1234_5678_9an]) {
    assert.equal(capMask(capNamesFromMask(mask)), mask);
  }
});

test('capNamesFromMask ignores bits with no known capability', () => {
  assert.deepEqual(capNamesFromMask((1n << 63n) | (1n << 41n) | (1n << 21n)), ['CAP_SYS_ADMIN']);
});
