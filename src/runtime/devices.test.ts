import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { Device } from '../spec/oci-runtime.js';
import { DEFAULT_DEVICES, DEV_SYMLINKS, defaultDeviceRules, deviceMode, withDefaultDevices } from './devices.js';

const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const S_IFIFO = 0o010000;

test('the default devices are the six runc creates', () => {
  assert.deepEqual(
    DEFAULT_DEVICES.map((d) => [d.path, d.type, d.major, d.minor, d.fileMode]),
    [
      ['/dev/null', 'c', 1, 3, 0o666],
      ['/dev/zero', 'c', 1, 5, 0o666],
      ['/dev/full', 'c', 1, 7, 0o666],
      ['/dev/random', 'c', 1, 8, 0o666],
      ['/dev/urandom', 'c', 1, 9, 0o666],
      ['/dev/tty', 'c', 5, 0, 0o666],
    ],
  );
});

test('the /dev symlinks', () => {
  assert.deepEqual(new Map(DEV_SYMLINKS.map(([t, l]) => [l, t])), new Map([
    ['/dev/fd', '/proc/self/fd'],
    ['/dev/stdin', '/proc/self/fd/0'],
    ['/dev/stdout', '/proc/self/fd/1'],
    ['/dev/stderr', '/proc/self/fd/2'],
    ['/dev/ptmx', 'pts/ptmx'],
  ]));
});

test('deviceMode: file type bits plus permissions', () => {
  assert.equal(deviceMode({ path: '/dev/null', type: 'c', fileMode: 0o666 }), S_IFCHR | 0o666);
  assert.equal(deviceMode({ path: '/dev/null', type: 'c', fileMode: 0o666 }), 0o20666);
  assert.equal(deviceMode({ path: '/dev/sda', type: 'b', fileMode: 0o660 }), S_IFBLK | 0o660);
  assert.equal(deviceMode({ path: '/dev/fifo', type: 'p', fileMode: 0o644 }), S_IFIFO | 0o644);
  assert.equal(deviceMode({ path: '/dev/u', type: 'u', fileMode: 0o600 }), S_IFCHR | 0o600);
});

test('deviceMode defaults the permissions to 0666', () => {
  assert.equal(deviceMode({ path: '/dev/fuse', type: 'c' }), S_IFCHR | 0o666);
});

test('deviceMode keeps special bits and drops file type bits from fileMode', () => {
  assert.equal(deviceMode({ path: '/dev/x', type: 'c', fileMode: 0o4755 }), S_IFCHR | 0o4755);
  assert.equal(deviceMode({ path: '/dev/x', type: 'c', fileMode: 0o100644 }), S_IFCHR | 0o644);
  assert.equal(deviceMode({ path: '/dev/x', type: 'b', fileMode: S_IFCHR | 0o600 }), S_IFBLK | 0o600);
});

test('withDefaultDevices with no spec devices gives the defaults', () => {
  assert.deepEqual(withDefaultDevices(), [...DEFAULT_DEVICES]);
  assert.deepEqual(withDefaultDevices([]), [...DEFAULT_DEVICES]);
});

test('withDefaultDevices adds the spec devices after the defaults', () => {
  const fuse: Device = { path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 0o666 };
  assert.deepEqual(withDefaultDevices([fuse]), [...DEFAULT_DEVICES, fuse]);
});

test('a spec device overrides the default of the same path', () => {
  const tty: Device = { path: '/dev/tty', type: 'c', major: 5, minor: 0, fileMode: 0o620, uid: 0, gid: 5 };
  const out = withDefaultDevices([tty]);
  assert.equal(out.length, DEFAULT_DEVICES.length);
  assert.deepEqual(out.filter((d) => d.path === '/dev/tty'), [tty]);
  assert.deepEqual(new Set(out.map((d) => d.path)), new Set(DEFAULT_DEVICES.map((d) => d.path)));
});

test('withDefaultDevices does not modify its input', () => {
  const input: Device[] = [{ path: '/dev/null', type: 'c', major: 1, minor: 3 }];
  const copy = structuredClone(input);
  withDefaultDevices(input);
  assert.deepEqual(input, copy);
});

const BASE_RULES = [
  { allow: true, type: 'c', major: null, minor: null, access: 'm' },
  { allow: true, type: 'b', major: null, minor: null, access: 'm' },
  { allow: true, type: 'c', major: 5, minor: 1, access: 'rwm' },
  { allow: true, type: 'c', major: 136, minor: null, access: 'rwm' },
  { allow: true, type: 'c', major: 5, minor: 2, access: 'rwm' },
];

test('defaultDeviceRules: mknod, console, ptys, ptmx, and each default device', () => {
  assert.deepEqual(defaultDeviceRules(), [
    ...BASE_RULES,
    { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
    { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' },
    { allow: true, type: 'c', major: 1, minor: 7, access: 'rwm' },
    { allow: true, type: 'c', major: 1, minor: 8, access: 'rwm' },
    { allow: true, type: 'c', major: 1, minor: 9, access: 'rwm' },
    { allow: true, type: 'c', major: 5, minor: 0, access: 'rwm' },
  ]);
});

test('defaultDeviceRules allows the spec devices too, except fifos', () => {
  const rules = defaultDeviceRules([
    { path: '/dev/sda', type: 'b', major: 8, minor: 0 },
    { path: '/dev/fifo', type: 'p' },
    { path: '/dev/null', type: 'c', major: 1, minor: 3 },
  ]);
  assert.deepEqual(rules.slice(0, 5), BASE_RULES);
  assert.equal(rules.length, 5 + DEFAULT_DEVICES.length + 1);
  assert.ok(rules.some((r) => r.type === 'b' && r.major === 8 && r.minor === 0 && r.access === 'rwm'));
  assert.ok(rules.every((r) => r.allow));
  assert.equal(rules.filter((r) => r.major === 1 && r.minor === 3).length, 1);
});
