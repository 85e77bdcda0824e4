import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Ipam } from './ipam.js';

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await mkdtemp(join(tmpdir(), 'berth-ipam-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('allocates sequentially from .2, never twice, wraps around, survives reopen', () =>
  withDir(async (dir) => {
    const file = join(dir, 'ipam.json');
    const ipam = await Ipam.open(file);
    await ipam.addNetwork('n1', { subnet: '10.5.0.0/29', gateway: '10.5.0.1' });
    assert.equal(await ipam.allocate('n1', 'a'), '10.5.0.2');
    assert.equal(await ipam.allocate('n1', 'b'), '10.5.0.3');
    assert.equal(await ipam.allocate('n1', 'a'), '10.5.0.2', 'same key, same address');
    await ipam.release('n1', 'a');
    // the released .2 is not reused at once: the cursor moves on
    assert.equal(await ipam.allocate('n1', 'c'), '10.5.0.4');
    const again = await Ipam.open(file);
    assert.equal(again.claimOf('n1', 'b'), '10.5.0.3');
    assert.equal(await again.allocate('n1', 'd'), '10.5.0.5');
    assert.equal(await again.allocate('n1', 'e'), '10.5.0.6');
    // .7 is broadcast: wrap to the free .2
    assert.equal(await again.allocate('n1', 'f'), '10.5.0.2');
    await assert.rejects(again.allocate('n1', 'g'), /no available IPv4 addresses/);
    assert.match(await readFile(file, 'utf8'), /"10.5.0.6"/);
  }));

test('preferred addresses, conflicts and recovery', () =>
  withDir(async (dir) => {
    const ipam = await Ipam.open(join(dir, 'ipam.json'));
    await ipam.addNetwork('n', { subnet: '10.6.0.0/24', gateway: '10.6.0.1', ipRange: '10.6.0.128/25' });
    assert.equal(await ipam.allocate('n', 'x'), '10.6.0.128');
    assert.equal(await ipam.allocate('n', 'y', '10.6.0.9'), '10.6.0.9', '--ip may be outside the range but in the subnet');
    await assert.rejects(ipam.allocate('n', 'z', '10.6.0.9'), { message: 'Address already in use' });
    await assert.rejects(ipam.allocate('n', 'z', '10.6.0.1'), { message: 'Address already in use' });
    await assert.rejects(ipam.allocate('n', 'z', '10.7.0.9'), /does not belong to any of this network's subnets/);
    await assert.rejects(ipam.allocate('nope', 'z'), /not found/);
    await ipam.recover([{ networkId: 'n', containerKey: 'live', ip: '10.6.0.200' }, { networkId: 'gone', containerKey: 'q', ip: '1.1.1.1' }]);
    assert.equal(ipam.claimOf('n', 'x'), undefined);
    assert.equal(ipam.claimOf('n', 'live'), '10.6.0.200');
    await assert.rejects(ipam.allocate('n', 'z', '10.6.0.200'), { message: 'Address already in use' });
  }));

test('concurrent allocations get distinct addresses', () =>
  withDir(async (dir) => {
    const ipam = await Ipam.open(join(dir, 'ipam.json'));
    await ipam.addNetwork('n', { subnet: '10.8.0.0/24', gateway: '10.8.0.1' });
    const ips = await Promise.all(Array.from({ length: 20 }, (_, i) => ipam.allocate('n', `k${i}`)));
    assert.equal(new Set(ips).size, 20);
    assert.ok(!ips.includes('10.8.0.1'));
  }));
