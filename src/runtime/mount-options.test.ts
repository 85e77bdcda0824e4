import assert from 'node:assert/strict';
import { test } from 'node:test';

import { MS, parseMountOptions, rootPropagation } from './mount-options.js';

test('the mount(2) flag values', () => {
  assert.equal(MS.RDONLY, 1);
  assert.equal(MS.NOSUID, 2);
  assert.equal(MS.NODEV, 4);
  assert.equal(MS.NOEXEC, 8);
  assert.equal(MS.BIND, 4096);
  assert.equal(MS.REC, 16384);
  assert.equal(MS.PRIVATE, 1 << 18);
  assert.equal(MS.SLAVE, 1 << 19);
  assert.equal(MS.SHARED, 1 << 20);
  assert.equal(MS.UNBINDABLE, 1 << 17);
  assert.equal(MS.STRICTATIME, 1 << 24);
});

test('no options', () => {
  assert.deepEqual(parseMountOptions(), { flags: 0, propagation: 0, data: '' });
  assert.deepEqual(parseMountOptions([]), { flags: 0, propagation: 0, data: '' });
});

test('flag options set their flags', () => {
  assert.deepEqual(parseMountOptions(['ro', 'nosuid', 'nodev', 'noexec']), {
    flags: MS.RDONLY | MS.NOSUID | MS.NODEV | MS.NOEXEC,
    propagation: 0,
    data: '',
  });
  const cases: [string, number][] = [
    ['sync', MS.SYNCHRONOUS], ['dirsync', MS.DIRSYNC], ['remount', MS.REMOUNT], ['mand', MS.MANDLOCK],
    ['noatime', MS.NOATIME], ['nodiratime', MS.NODIRATIME], ['relatime', MS.RELATIME],
    ['strictatime', MS.STRICTATIME], ['lazytime', MS.LAZYTIME], ['bind', MS.BIND], ['rbind', MS.BIND | MS.REC],
  ];
  for (const [o, f] of cases) assert.equal(parseMountOptions([o]).flags, f, o);
});

test('the negative forms clear what an earlier option set', () => {
  const pairs = [['ro', 'rw'], ['nosuid', 'suid'], ['nodev', 'dev'], ['noexec', 'exec'], ['sync', 'async'],
    ['mand', 'nomand'], ['noatime', 'atime'], ['nodiratime', 'diratime'], ['relatime', 'norelatime'],
    ['strictatime', 'nostrictatime'], ['lazytime', 'nolazytime']];
  for (const [on, off] of pairs) {
    assert.equal(parseMountOptions([on!, off!]).flags, 0, `${on},${off}`);
    assert.notEqual(parseMountOptions([off!, on!]).flags, 0, `${off},${on}`);
  }
  assert.equal(parseMountOptions(['ro', 'nosuid', 'rw']).flags, MS.NOSUID);
});

test('defaults changes nothing', () => {
  assert.deepEqual(parseMountOptions(['defaults']), { flags: 0, propagation: 0, data: '' });
  assert.equal(parseMountOptions(['ro', 'defaults']).flags, MS.RDONLY);
});

test('propagation options', () => {
  const cases: [string, number][] = [
    ['private', MS.PRIVATE], ['rprivate', MS.PRIVATE | MS.REC], ['shared', MS.SHARED], ['rshared', MS.SHARED | MS.REC],
    ['slave', MS.SLAVE], ['rslave', MS.SLAVE | MS.REC], ['unbindable', MS.UNBINDABLE],
    ['runbindable', MS.UNBINDABLE | MS.REC],
  ];
  for (const [o, p] of cases) assert.deepEqual(parseMountOptions([o]), { flags: 0, propagation: p, data: '' }, o);
});

test('the last propagation option wins and does not touch the flags', () => {
  assert.deepEqual(parseMountOptions(['rbind', 'rshared', 'ro', 'rprivate']), {
    flags: MS.BIND | MS.REC | MS.RDONLY,
    propagation: MS.PRIVATE | MS.REC,
    data: '',
  });
});

test('other options become the data string, in order', () => {
  assert.deepEqual(parseMountOptions(['nosuid', 'mode=755', 'strictatime', 'size=65536k']), {
    flags: MS.NOSUID | MS.STRICTATIME,
    propagation: 0,
    data: 'mode=755,size=65536k',
  });
  assert.equal(
    parseMountOptions(['newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5']).data,
    'newinstance,ptmxmode=0666,mode=0620,gid=5',
  );
  assert.equal(parseMountOptions(['lowerdir=/a:/b', 'upperdir=/u', 'workdir=/w']).data, 'lowerdir=/a:/b,upperdir=/u,workdir=/w');
});

test('option names are case-sensitive', () => {
  assert.deepEqual(parseMountOptions(['RO']), { flags: 0, propagation: 0, data: 'RO' });
});

test('rootPropagation', () => {
  assert.equal(rootPropagation(undefined), undefined);
  assert.equal(rootPropagation(''), undefined);
  assert.equal(rootPropagation('rslave'), MS.SLAVE | MS.REC);
  assert.equal(rootPropagation('shared'), MS.SHARED);
  assert.equal(rootPropagation('rprivate'), MS.PRIVATE | MS.REC);
  assert.equal(rootPropagation('runbindable'), MS.UNBINDABLE | MS.REC);
  assert.equal(rootPropagation('bogus'), undefined);
  assert.equal(rootPropagation('ro'), undefined);
});

test('names inherited from Object.prototype are not taken for options', () => {
  assert.deepEqual(parseMountOptions(['constructor', 'toString']), { flags: 0, propagation: 0, data: 'constructor,toString' });
  assert.equal(rootPropagation('constructor'), undefined);
  assert.equal(rootPropagation('valueOf'), undefined);
});
