import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildHosts, parseAddHost } from './hosts.js';
import { buildResolvConf, parseResolvConf, upstreamServers } from './resolvconf.js';

test('hosts file like Docker', () => {
  assert.equal(
    buildHosts({ ip: '172.17.0.2', hostname: 'abc123', extraHosts: [parseAddHost('db:10.0.0.5'), parseAddHost('gw=host-gateway', '172.17.0.1')] }),
    '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n10.0.0.5\tdb\n172.17.0.1\tgw\n172.17.0.2\tabc123\n',
  );
  assert.equal(buildHosts({ hostname: 'h', ipv6: false }), '127.0.0.1\tlocalhost\n');
  assert.equal(buildHosts({ ip: '10.0.0.2', hostname: 'h', domainname: 'd.x', ipv6: false }).split('\n')[1], '10.0.0.2\th.d.x h');
  assert.deepEqual(parseAddHost('v6:[::1]'), { name: 'v6', ip: '::1' });
  assert.throws(() => parseAddHost('nocolon'), /bad format for add-host/);
  assert.throws(() => parseAddHost('x:notanip'), /invalid IP address/);
});

test('resolv.conf: localhost servers replaced, embedded DNS on user networks, overrides', () => {
  const host = parseResolvConf('# hi\nnameserver 127.0.0.53\nnameserver 10.0.0.1\nsearch corp.example\noptions edns0 trust-ad\n');
  assert.equal(buildResolvConf({ host }), 'nameserver 10.0.0.1\nsearch corp.example\noptions edns0 trust-ad\n');
  const local = parseResolvConf('nameserver 127.0.0.53\n');
  assert.equal(buildResolvConf({ host: local }), 'nameserver 8.8.8.8\nnameserver 8.8.4.4\n');
  const user = buildResolvConf({ host, embeddedDns: '172.18.0.1' });
  assert.match(user, /^# Generated/);
  assert.match(user, /# ExtServers: \[10.0.0.1\]\nnameserver 172.18.0.1\nsearch corp.example\n/);
  assert.equal(buildResolvConf({ host, dns: ['1.1.1.1'], dnsSearch: ['.'], dnsOptions: ['ndots:2'] }), 'nameserver 1.1.1.1\noptions ndots:2\n');
  assert.deepEqual(upstreamServers(local), ['8.8.8.8', '8.8.4.4']);
  assert.deepEqual(upstreamServers(host, ['9.9.9.9']), ['9.9.9.9']);
});
