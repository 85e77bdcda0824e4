import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mappingsFromPortBindings, parsePortSpec } from './port-spec.js';

test('parsePortSpec: the -p forms', () => {
  assert.deepEqual(parsePortSpec('80'), { exposed: ['80/tcp'], bindings: { '80/tcp': [{ HostIp: '', HostPort: '' }] } });
  assert.deepEqual(parsePortSpec('8080:80/udp').bindings, { '80/udp': [{ HostIp: '', HostPort: '8080' }] });
  assert.deepEqual(parsePortSpec('127.0.0.1:8080:80').bindings, { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }] });
  assert.deepEqual(parsePortSpec('127.0.0.1::80').bindings, { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] });
  assert.deepEqual(parsePortSpec('[::1]:8080:80').bindings, { '80/tcp': [{ HostIp: '::1', HostPort: '8080' }] });
  const r = parsePortSpec('8000-8002:80-82');
  assert.deepEqual(r.exposed, ['80/tcp', '81/tcp', '82/tcp']);
  assert.deepEqual(r.bindings['82/tcp'], [{ HostIp: '', HostPort: '8002' }]);
  assert.deepEqual(parsePortSpec('8000-8010:80').bindings, { '80/tcp': [{ HostIp: '', HostPort: '8000-8010' }] });
  assert.throws(() => parsePortSpec('8000-8001:80-82'), /invalid ranges specified/);
  assert.throws(() => parsePortSpec('x:80'), /invalid hostPort: x/);
  assert.throws(() => parsePortSpec('80/foo'), /invalid proto: foo/);
  assert.throws(() => parsePortSpec('99999'), /invalid containerPort/);
});

test('mappingsFromPortBindings', () => {
  assert.deepEqual(mappingsFromPortBindings({ '80/tcp': [{ HostIp: '', HostPort: '8080' }], '53/udp': null, '90/tcp': [{ HostIp: '', HostPort: '9000-9009' }] }), [
    { proto: 'tcp', containerPort: 80, hostIp: '', hostPort: 8080 },
    { proto: 'udp', containerPort: 53, hostIp: '', hostPort: 0 },
    { proto: 'tcp', containerPort: 90, hostIp: '', hostPort: 9000, hostPortEnd: 9009 },
  ]);
  assert.throws(() => mappingsFromPortBindings({ '80/tcp': [{ HostIp: '', HostPort: 'abc' }] }), /invalid hostPort/);
});
