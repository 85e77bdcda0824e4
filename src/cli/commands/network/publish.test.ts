// `run`/`create` networking flags → the create body, against what the docker CLI 28.2 sent for the same
// flags (captured from it against a recording socket).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFlags } from '../../framework/command.js';
import { buildCreateRequest } from '../container/run-config.js';
import { containerFlags, createFlags, runOnlyFlags } from '../container/run-flags.js';

function build(argv: string[]) {
  const { flags, args } = parseFlags([...runOnlyFlags(), ...createFlags('creating'), ...containerFlags()], argv, false);
  const body = buildCreateRequest(flags, args[0]!, args.slice(1), { cwd: '/', lookupEnv: () => undefined, consoleSize: [0, 0] }).body;
  return { body, host: body.HostConfig as Record<string, unknown> };
}

const DOCKER_P: Array<[string, unknown, unknown]> = [
  ['80', { '80/tcp': {} }, { '80/tcp': [{ HostIp: '', HostPort: '' }] }],
  ['8080:80', { '80/tcp': {} }, { '80/tcp': [{ HostIp: '', HostPort: '8080' }] }],
  ['127.0.0.1:8080:80/udp', { '80/udp': {} }, { '80/udp': [{ HostIp: '127.0.0.1', HostPort: '8080' }] }],
  ['[::1]:8080:80', { '80/tcp': {} }, { '80/tcp': [{ HostIp: '::1', HostPort: '8080' }] }],
  ['8000-8002:80-82', { '80/tcp': {}, '81/tcp': {}, '82/tcp': {} },
    { '80/tcp': [{ HostIp: '', HostPort: '8000' }], '81/tcp': [{ HostIp: '', HostPort: '8001' }], '82/tcp': [{ HostIp: '', HostPort: '8002' }] }],
  ['8000-8005:80', { '80/tcp': {} }, { '80/tcp': [{ HostIp: '', HostPort: '8000-8005' }] }],
  ['127.0.0.1::80', { '80/tcp': {} }, { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] }],
  ['80-81/tcp', { '80/tcp': {}, '81/tcp': {} }, { '80/tcp': [{ HostIp: '', HostPort: '' }], '81/tcp': [{ HostIp: '', HostPort: '' }] }],
  [':80', { '80/tcp': {} }, { '80/tcp': [{ HostIp: '', HostPort: '' }] }],
  ['0.0.0.0:80:80/sctp', { '80/sctp': {} }, { '80/sctp': [{ HostIp: '0.0.0.0', HostPort: '80' }] }],
  ['80/UDP', { '80/udp': {} }, { '80/udp': [{ HostIp: '', HostPort: '' }] }],
];

describe('-p/--publish as docker 28 sends it', () => {
  for (const [spec, exposed, bindings] of DOCKER_P) {
    it(`-p ${spec}`, () => {
      const { body, host } = build(['-p', spec, 'busybox']);
      assert.deepEqual(body.ExposedPorts, exposed);
      assert.deepEqual(host.PortBindings, bindings);
    });
  }
  it('docker\'s errors', () => {
    const cases: Array<[string, string]> = [
      ['x', 'invalid containerPort: x'],
      ['8080:x', 'invalid containerPort: x'],
      ['a:b:80', 'invalid IP address: a'],
      ['1.2.3.4:70000:80', 'invalid hostPort: 70000'],
      ['80-79', 'invalid containerPort: 80-79'],
      ['8000-8001:80-82', 'invalid ranges specified for container and host Ports: 80-82 and 8000-8001'],
      ['80/xyz', 'invalid proto: xyz'],
    ];
    for (const [spec, message] of cases) assert.throws(() => build(['-p', spec, 'busybox']), { message }, spec);
  });
});

describe('the other networking flags', () => {
  it('--expose keeps the protocol as typed; -P, --link, --dns*, --add-host, -h', () => {
    const { body, host } = build(['--expose', '80/UDP', '--expose', '90-91/udp', '-P', '--link', 'c2:db', '--link', 'c3', '--dns', '1.1.1.1',
      '--dns-search', 'ex.com', '--dns-option', 'ndots:2', '--add-host', 'h:1.2.3.4', '--add-host', 'h2=::1', '-h', 'myhost', 'busybox']);
    assert.deepEqual(body.ExposedPorts, { '80/UDP': {}, '90/udp': {}, '91/udp': {} });
    assert.equal(body.Hostname, 'myhost');
    assert.deepEqual(
      [host.PublishAllPorts, host.Links, host.Dns, host.DnsSearch, host.DnsOptions, host.ExtraHosts, host.NetworkMode],
      [true, ['c2:db', 'c3'], ['1.1.1.1'], ['ex.com'], ['ndots:2'], ['h:1.2.3.4', 'h2:::1'], 'default'],
    );
    assert.equal(build(['busybox']).host.Links, null);
    assert.throws(() => build(['--link', 'a:b:c', 'busybox']), /bad format for links: a:b:c/);
  });
  it('--network with --network-alias and --mac-address', () => {
    const { host, body } = build(['--network', 'n1', '--network-alias', 'a1', '--mac-address', '92:d0:c6:0a:29:33', 'busybox']);
    assert.equal(host.NetworkMode, 'n1');
    const ep = (body.NetworkingConfig as { EndpointsConfig: Record<string, Record<string, unknown>> }).EndpointsConfig.n1!;
    assert.deepEqual([ep.Aliases, ep.MacAddress], [['a1'], '92:d0:c6:0a:29:33']);
    assert.deepEqual((build(['--network', 'n1', 'busybox']).body.NetworkingConfig as Record<string, unknown>), { EndpointsConfig: {} });
    assert.throws(() => build(['--network-alias', 'x', 'busybox']), /network-scoped aliases are only supported for user-defined networks/);
  });
});
