import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseMount, parseVolumeSpec, parseVolumesFrom, tmpfsOptions, validMountMode } from './mount-spec.js';

describe('-v specs (moby linux parser)', () => {
  test('anonymous, named and bind forms', () => {
    assert.deepEqual(parseVolumeSpec('/x'), { type: 'volume', source: '', destination: '/x', rw: true, mode: '', propagation: '', copyData: true, origin: 'bind' });
    const named = parseVolumeSpec('data:/d:ro,nocopy');
    assert.equal(named.type, 'volume');
    assert.equal(named.source, 'data');
    assert.equal(named.rw, false);
    assert.equal(named.copyData, false);
    assert.equal(named.mode, 'ro,nocopy');
    const bind = parseVolumeSpec('/h//p/:/c/:rslave');
    assert.deepEqual([bind.type, bind.source, bind.destination, bind.propagation, bind.rw], ['bind', '/h/p', '/c', 'rslave', true]);
  });

  test("dockerd's errors", () => {
    assert.throws(() => parseVolumeSpec('/foo:rw'), /^EngineError: invalid volume specification: '\/foo:rw'$/);
    assert.throws(() => parseVolumeSpec('a:b:c:d'), /invalid volume specification: 'a:b:c:d'/);
    assert.throws(() => parseVolumeSpec(':/x'), /invalid volume specification/);
    assert.throws(() => parseVolumeSpec('v:/x:bogus'), /^EngineError: invalid mode: bogus$/);
    assert.throws(() => parseVolumeSpec('v:/x:ro,rw'), /invalid mode: ro,rw/);
    assert.throws(() => parseVolumeSpec('/a:b'), /invalid volume specification: '\/a:b': invalid mount config for type "bind": invalid mount path: 'b' mount path must be absolute/);
    assert.throws(() => parseVolumeSpec('v:/'), /destination can't be '\/'/);
  });

  test('mode validation allows one of each kind', () => {
    assert.equal(validMountMode('ro,z,rshared,nocopy,cached'), true);
    assert.equal(validMountMode('z,Z'), false);
  });
});

describe('--mount (HostConfig.Mounts)', () => {
  test('volume, bind and tmpfs', () => {
    const v = parseMount({ Type: 'volume', Source: 'n', Target: '/v', VolumeOptions: { NoCopy: true, DriverConfig: { Name: 'local', Options: { type: 'tmpfs', device: 'tmpfs' } } } });
    assert.deepEqual([v.type, v.source, v.copyData, v.driver, v.volumeOptions?.driverOpts], ['volume', 'n', false, 'local', { type: 'tmpfs', device: 'tmpfs' }]);
    const b = parseMount({ Type: 'bind', Source: '/h', Target: '/b', ReadOnly: true, BindOptions: { Propagation: 'rshared', NonRecursive: true } });
    assert.deepEqual([b.rw, b.propagation, b.nonRecursive], [false, 'rshared', true]);
    const t = parseMount({ Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1 << 20, Mode: 0o1770 } });
    assert.deepEqual(tmpfsOptions(t.tmpfs, false), ['mode=1770', 'size=1m']);
    assert.deepEqual(tmpfsOptions({ sizeBytes: 1000 }, true), ['ro', 'size=1000']);
  });

  test("moby's validation messages", () => {
    assert.throws(() => parseMount({ Type: 'bind', Target: '/b' }), /^EngineError: invalid mount config for type "bind": field Source must not be empty$/);
    assert.throws(() => parseMount({ Type: 'tmpfs', Source: 'x', Target: '/t' }), /invalid mount config for type "tmpfs": field Source must not be specified/);
    assert.throws(() => parseMount({ Type: 'volume', Target: '/v', ReadOnly: true }), /must not set ReadOnly mode when using anonymous volumes/);
    assert.throws(() => parseMount({ Type: 'volume', Target: 'rel' }), /invalid mount path: 'rel' mount path must be absolute/);
    assert.throws(() => parseMount({ Type: 'volume', Source: 'n' }), /field Target must not be empty/);
    assert.throws(() => parseMount({ Type: 'npipe', Target: '/x' }), /invalid mount config for type "npipe": mount type unknown/);
    assert.throws(() => parseMount({ Type: 'bind', Source: '/h', Target: '/b', BindOptions: { Propagation: 'bad' } }), /invalid propagation mode: bad/);
  });
});

describe('--volumes-from', () => {
  test('container and mode', () => {
    assert.deepEqual(parseVolumesFrom('c'), { container: 'c', mode: 'rw' });
    assert.deepEqual(parseVolumesFrom('c:ro'), { container: 'c', mode: 'ro' });
    assert.throws(() => parseVolumesFrom('c:rshared'), /invalid mode: rshared/);
    assert.throws(() => parseVolumesFrom('c:nocopy'), /invalid mode: nocopy/);
    assert.throws(() => parseVolumesFrom(''), /volumes-from specification cannot be an empty string/);
  });
});
