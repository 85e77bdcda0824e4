import assert from 'node:assert/strict';
import { test } from 'node:test';
import { internal } from '../common/errors.js';
import { Iptables } from './iptables.js';
import { planNetwork, planPort } from './iptables-plan.js';
import type { Run } from './run.js';

test('planNetwork: isolation, forwarding, masquerade; internal has neither NAT nor outbound', () => {
  const r = planNetwork({ bridge: 'br-abc', subnet: '172.18.0.0/16' });
  const text = r.map((x) => `${x.table} ${x.chain} ${x.args.join(' ')}`);
  assert.ok(text.includes('filter BERTH-ISOLATION-2 -o br-abc -j DROP'));
  assert.ok(text.includes('filter BERTH-FORWARD -i br-abc ! -o br-abc -j ACCEPT'));
  assert.ok(text.includes('nat BERTH-POSTROUTING -s 172.18.0.0/16 ! -o br-abc -j MASQUERADE'));
  const i = planNetwork({ bridge: 'br-int', subnet: '10.1.0.0/24', internal: true }).map((x) => `${x.table} ${x.chain} ${x.args.join(' ')}`);
  assert.ok(!i.some((l) => l.startsWith('nat')), 'no NAT');
  assert.ok(!i.some((l) => l.includes('! -o br-int -j ACCEPT')), 'no outbound');
  assert.ok(i.includes('filter BERTH-ISOLATION-1 -i br-int ! -d 10.1.0.0/24 -j DROP'));
});

test('planPort: DNAT (any or one host address), accept, hairpin', () => {
  const p = { bridge: 'br-x', subnet: '172.18.0.0/16', proto: 'tcp' as const, hostIp: '', hostPort: 8080, containerIp: '172.18.0.2', containerPort: 80 };
  const r = planPort(p);
  assert.deepEqual(r[0]!.args, ['-p', 'tcp', '-m', 'tcp', '--dport', '8080', '-j', 'DNAT', '--to-destination', '172.18.0.2:80']);
  assert.deepEqual(planPort({ ...p, hostIp: '127.0.0.1' })[0]!.args.slice(0, 2), ['-d', '127.0.0.1/32']);
  assert.equal(r[2]!.args.at(-1), 'MASQUERADE');
});

/** A fake iptables keeping rules per table/chain in memory; -C exits 1 like the real one. */
function fakeIptables() {
  const chains = new Map<string, string[]>([['filter/FORWARD', ['-j OTHER-DROP']], ['nat/PREROUTING', []], ['nat/OUTPUT', []], ['nat/POSTROUTING', []]]);
  const calls: string[] = [];
  const fail = (code: number, msg: string) => internal(msg, Object.assign(new Error(msg), { code }));
  const run: Run = async (_cmd, args) => {
    calls.push(args.join(' '));
    const [, , table, op, chain, ...rest] = args as [string, string, string, string, string, ...string[]];
    const key = `${table}/${chain}`;
    const list = chains.get(key);
    const rule = rest.join(' ');
    if (op === '-N') {
      if (list) throw fail(1, 'iptables: Chain already exists.');
      chains.set(key, []);
      return '';
    }
    if (!list) throw fail(2, `iptables: No chain/target/match by that name. ${key}`);
    switch (op) {
      case '-C':
        if (!list.includes(rule)) throw fail(1, 'Bad rule');
        return '';
      case '-A':
        list.push(rule);
        return '';
      case '-I':
        list.splice(Number(rest[0]) - 1, 0, rest.slice(1).join(' '));
        return '';
      case '-D':
        if (/^\d+$/.test(rule)) list.splice(Number(rule) - 1, 1);
        else list.splice(list.indexOf(rule), 1);
        return '';
      case '-S':
        return [`-N ${chain}`, ...list.map((l) => `-A ${chain} ${l}`)].join('\n');
      case '-F':
        list.length = 0;
        return '';
      case '-X':
        chains.delete(key);
        return '';
    }
    throw new Error(`fake iptables: ${args.join(' ')}`);
  };
  return { run, chains, calls };
}

test('executor: ensure is idempotent, FORWARD jump first, remove and teardown leave the host chains as found', async () => {
  const f = fakeIptables();
  const ipt = new Iptables(f.run);
  await ipt.ensureBase();
  await ipt.ensureBase();
  assert.deepEqual(f.chains.get('filter/FORWARD'), ['-j BERTH-FORWARD', '-j OTHER-DROP']);
  const rules = planNetwork({ bridge: 'br-1', subnet: '10.0.0.0/24' });
  await ipt.ensure(rules);
  await ipt.ensure(rules);
  assert.equal(f.chains.get('filter/BERTH-FORWARD')!.length, 5);
  assert.equal(f.chains.get('filter/BERTH-FORWARD')![0], '-j BERTH-ISOLATION-1');
  // something else inserted above our jump: ensureBase moves ours back to the top, without duplicates
  f.chains.get('filter/FORWARD')!.unshift('-j DOCKER-USER');
  await ipt.ensureBase();
  assert.deepEqual(f.chains.get('filter/FORWARD'), ['-j BERTH-FORWARD', '-j DOCKER-USER', '-j OTHER-DROP']);
  await ipt.remove(rules);
  assert.deepEqual(f.chains.get('filter/BERTH-FORWARD'), ['-j BERTH-ISOLATION-1']);
  await ipt.teardownBase();
  assert.deepEqual(f.chains.get('filter/FORWARD'), ['-j DOCKER-USER', '-j OTHER-DROP']);
  assert.deepEqual(f.chains.get('nat/POSTROUTING'), []);
  assert.ok(![...f.chains.keys()].some((k) => k.includes('BERTH')));
  assert.ok(f.calls.every((c) => c.startsWith('-w -t ')));
});
