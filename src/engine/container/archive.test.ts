import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkWritablePath, goFileMode, goTime, GO_MODE } from './archive.js';

describe('goFileMode (Go os.FileMode, decoded by the docker CLI)', () => {
  // Expected values computed from Go's io/fs constants: ModeDir=1<<31, ModeSymlink=1<<27, ModeDevice=1<<26,
  // ModeNamedPipe=1<<25, ModeSocket=1<<24, ModeSetuid=1<<23, ModeSetgid=1<<22, ModeCharDevice=1<<21,
  // ModeSticky=1<<20.
  const table: [string, number, number][] = [
    ['regular 0644', 0o100644, 420],
    ['regular 0755 setuid', 0o104755, 8389101],
    ['regular 2755 setgid', 0o102755, 4194797],
    ['directory 0755', 0o040755, 2147484141],
    ['directory 1777 (sticky /tmp)', 0o041777, 2148532735],
    ['directory 0700', 0o040700, 2147484096],
    ['symlink 0777', 0o120777, 134218239],
    ['char device 0666 (/dev/null)', 0o020666, 69206454],
    ['block device 0660', 0o060660, 67109296],
    ['fifo 0644', 0o010644, 33554852],
    ['socket 0755', 0o140755, 16777709],
  ];
  for (const [what, st, want] of table) {
    it(what, () => {
      const got = goFileMode(st);
      assert.equal(got, want);
      assert.ok(got >= 0 && Number.isInteger(got), 'an unsigned 32-bit value, as JSON must carry it');
    });
  }
  it('the directory bit is 2^31, not a negative int32', () => assert.equal(GO_MODE.dir, 2147483648));
});

describe('goTime (time.Time JSON)', () => {
  it('drops trailing zeros of the fraction, and the fraction when zero', () => {
    assert.equal(goTime(1_700_000_000_000_000_000n), '2023-11-14T22:13:20Z');
    assert.equal(goTime(1_700_000_000_120_000_000n), '2023-11-14T22:13:20.12Z');
    assert.equal(goTime(1_700_000_000_000_000_001n), '2023-11-14T22:13:20.000000001Z');
  });
});

describe('checkWritablePath (Docker wording)', () => {
  it('a read-only volume refuses, the innermost mount decides, else ReadonlyRootfs', () => {
    const hc = { Binds: ['/srv/a:/data:ro', '/srv/b:/data/rw'], Mounts: [{ Type: 'bind', Source: '/x', Target: '/cfg', ReadOnly: true }], ReadonlyRootfs: true };
    assert.throws(() => checkWritablePath(hc, '/data'), { kind: 'invalid-argument', message: 'mounted volume is marked read-only' });
    assert.throws(() => checkWritablePath(hc, '/data/sub'), { message: 'mounted volume is marked read-only' });
    assert.doesNotThrow(() => checkWritablePath(hc, '/data/rw/x'));
    assert.throws(() => checkWritablePath(hc, '/cfg/x'), { message: 'mounted volume is marked read-only' });
    assert.throws(() => checkWritablePath(hc, '/database'), { kind: 'invalid-argument', message: 'container rootfs is marked read-only' });
    assert.doesNotThrow(() => checkWritablePath({}, '/anything'));
  });
});
