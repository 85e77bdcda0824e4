import assert from 'node:assert/strict';
import { test } from 'node:test';
import { overlaps, parseCidr } from './cidr.js';
import { chooseSubnet, hostSubnetsFromJson, validateSubnetConfig, assignableBounds } from './pools.js';

const c = (s: string) => {
  const p = parseCidr(s)!;
  return { base: p.base, prefix: p.prefix };
};

test('parseCidr refuses malformed input and keeps host bits apart', () => {
  for (const bad of ['10.0.0.0', '10.0.0/8', '10.0.0.256/8', '10.0.0.0/33', '010.0.0.0/8', 'x/8']) assert.equal(parseCidr(bad), undefined, bad);
  assert.deepEqual(parseCidr('10.1.2.3/8'), { base: 10 << 24, prefix: 8, address: (10 << 24) + (1 << 16) + (2 << 8) + 3 });
  assert.ok(overlaps(c('10.0.0.0/8'), c('10.200.0.0/16')));
  assert.ok(!overlaps(c('10.0.0.0/16'), c('10.1.0.0/16')));
});

test('chooseSubnet walks Docker default pools, skipping taken and host subnets', () => {
  assert.deepEqual(chooseSubnet([]), { subnet: '172.17.0.0/16', gateway: '172.17.0.1' });
  assert.deepEqual(chooseSubnet([c('172.17.0.0/16')]), { subnet: '172.18.0.0/16', gateway: '172.18.0.1' });
  // a host route inside 172.18/16 makes it unusable
  assert.equal(chooseSubnet([c('172.17.0.0/16'), c('172.18.5.0/24')]).subnet, '172.19.0.0/16');
  const all172 = Array.from({ length: 15 }, (_, i) => c(`172.${17 + i}.0.0/16`));
  assert.equal(chooseSubnet(all172).subnet, '192.168.0.0/20');
  assert.equal(chooseSubnet([...all172, c('192.168.1.0/24')]).subnet, '192.168.16.0/20');
  assert.throws(() => chooseSubnet([c('0.0.0.0/0')]), /fully subnetted/);
});

test('validateSubnetConfig gives Docker errors', () => {
  assert.throws(() => validateSubnetConfig({ subnet: '10.0.0.0' }, []), { message: 'invalid CIDR address: 10.0.0.0' });
  assert.throws(() => validateSubnetConfig({ subnet: '10.0.0.0/16' }, [c('10.0.5.0/24')]), {
    message: 'Pool overlaps with other one on this address space',
  });
  assert.throws(() => validateSubnetConfig({ subnet: '10.0.0.0/16', gateway: '10.1.0.1' }, []), {
    message: 'no matching subnet for gateway 10.1.0.1',
  });
  assert.throws(() => validateSubnetConfig({ subnet: '10.0.0.0/16', ipRange: '10.2.0.0/24' }, []), {
    message: 'no matching subnet for range 10.2.0.0/24',
  });
  assert.throws(() => validateSubnetConfig({ subnet: '10.0.0.1/16' }, []), /it should be 10.0.0.0\/16/);
  assert.deepEqual(validateSubnetConfig({ subnet: '10.0.0.0/16', ipRange: '10.0.1.0/24', gateway: '10.0.0.254' }, []), {
    subnet: '10.0.0.0/16',
    gateway: '10.0.0.254',
    ipRange: '10.0.1.0/24',
  });
  assert.deepEqual(validateSubnetConfig({ subnet: '10.9.0.0/24' }, [c('10.8.0.0/24')]), { subnet: '10.9.0.0/24', gateway: '10.9.0.1' });
});

test('assignableBounds excludes network and broadcast', () => {
  const b = assignableBounds({ subnet: '10.0.0.0/30', gateway: '10.0.0.1' });
  assert.equal(b.last - b.first + 1, 2);
});

test('hostSubnetsFromJson reads routes and addresses, skipping default', () => {
  const routes = JSON.stringify([{ dst: 'default', gateway: '192.0.2.1' }, { dst: '192.0.2.0/24' }, { dst: '10.9.9.9' }]);
  const addrs = JSON.stringify([{ addr_info: [{ family: 'inet', local: '172.18.3.4', prefixlen: 16 }, { family: 'inet6', local: '::1', prefixlen: 128 }] }]);
  const got = hostSubnetsFromJson(routes, addrs);
  assert.deepEqual(got, [c('192.0.2.0/24'), c('10.9.9.9/32'), c('172.18.0.0/16')]);
});
