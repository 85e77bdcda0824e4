// The network module for real, inside namespaces this test creates: netns H plays the host (bridges,
// iptables, forwarding), C1/C2 are containers on network A, C3 on network B, X is a machine outside H
// reaching it over a veth. Nothing is created in the real host's netns except netns files and veths that
// are moved out at once; all of it is removed before and after.
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BridgeNetworks, runInNetns, type Endpoint, type PortHolder } from '../../../src/network/index.js';

const tag = 'ntm';
const NS = { h: `${tag}-h`, c1: `${tag}-c1`, c2: `${tag}-c2`, c3: `${tag}-c3`, x: `${tag}-x` };
const netA = 'a0a0a0a0a0a0ntmnetworka';
const netB = 'b0b0b0b0b0b0ntmnetworkb';

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function cleanup(): void {
  // every namespace goes, and with it every bridge, veth and iptables rule inside H
  for (const n of Object.values(NS)) {
    try {
      sh('ip', ['netns', 'del', n]);
    } catch {
      // not there
    }
  }
  try {
    sh('ip', ['link', 'del', `${tag}-xh`]);
  } catch {
    // not there
  }
}

/** Runs a node snippet inside a netns and returns its stdout. */
function nodeIn(ns: string, code: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('error', reject);
    p.on('close', () => resolve(out.trim()));
  });
}

/** TCP round trip: "echo:<text>" on success, "fail:<code>" otherwise (connect refused, dropped → timeout). */
const tcpClient = (host: string, port: number) => `
const s = require('net').connect(${port}, '${host}');
const t = setTimeout(() => { console.log('fail:timeout'); process.exit(0); }, 1500);
s.on('connect', () => s.end('hi'));
let got = ''; s.on('data', (d) => got += d);
s.on('end', () => { clearTimeout(t); console.log('echo:' + got); });
s.on('error', (e) => { clearTimeout(t); console.log('fail:' + e.code); });`;

const servers: ReturnType<typeof spawn>[] = [];
function echoServerIn(ns: string, port: number): Promise<void> {
  const p = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', `require('net').createServer((c) => c.pipe(c)).listen(${port}, () => console.log('ready'))`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  servers.push(p);
  return new Promise((resolve, reject) => {
    p.stdout!.once('data', () => resolve());
    p.once('exit', (c) => reject(new Error(`echo server in ${ns} exited ${c}`)));
  });
}

// published ports must not bind on the real host: the proxy is tested on loopback in ports.test.ts
const fakePorts: PortHolder = {
  publish: async (m, t) => ({ proto: m.proto, hostIp: m.hostIp, hostPort: m.hostPort, containerIp: t.ip, containerPort: t.port, close: async () => undefined }),
};

let dir = '';
let nets: BridgeNetworks;
const eps: Record<string, Endpoint> = {};

before(async () => {
  cleanup();
  dir = await mkdtemp(join(tmpdir(), 'berth-ntm-'));
  for (const n of Object.values(NS)) sh('ip', ['netns', 'add', n]);
  // X ⇄ H over a veth: 10.231.9.2 ⇄ 10.231.9.1 (H's "public" address)
  sh('ip', ['link', 'add', `${tag}-xh`, 'type', 'veth', 'peer', 'name', `${tag}-hx`]);
  sh('ip', ['link', 'set', `${tag}-xh`, 'netns', NS.x]);
  sh('ip', ['link', 'set', `${tag}-hx`, 'netns', NS.h]);
  sh('ip', ['-n', NS.x, 'addr', 'add', '10.231.9.2/24', 'dev', `${tag}-xh`]);
  sh('ip', ['-n', NS.x, 'link', 'set', `${tag}-xh`, 'up']);
  sh('ip', ['-n', NS.h, 'addr', 'add', '10.231.9.1/24', 'dev', `${tag}-hx`]);
  sh('ip', ['-n', NS.h, 'link', 'set', `${tag}-hx`, 'up']);
  sh('ip', ['-n', NS.h, 'link', 'set', 'lo', 'up']);
  nets = await BridgeNetworks.open({ stateDir: dir, run: runInNetns(NS.h), ports: fakePorts });
});

after(async () => {
  for (const s of servers) s.kill();
  cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
  for (const n of Object.values(NS)) assert.ok(!sh('ip', ['netns', 'list']).includes(n), `${n} left behind`);
});

test('networks, endpoints, isolation, published port, hairpin and DNS inside test namespaces', async (t) => {
  const a = await nets.createNetwork({ id: netA, subnet: '10.231.1.0/24' });
  const b = await nets.createNetwork({ id: netB, subnet: '10.231.2.0/24' });
  assert.equal(a.bridge, 'br-a0a0a0a0a0a0');
  await assert.rejects(nets.createNetwork({ id: 'c0c0c0c0c0c0x', subnet: '10.231.1.128/25' }), { message: 'Pool overlaps with other one on this address space' });
  // idempotent: a restore re-runs it without duplicating rules
  const before = sh('ip', ['netns', 'exec', NS.h, 'iptables-save']);
  await nets.restore([{ id: netA, subnet: '10.231.1.0/24' }, { id: netB, subnet: '10.231.2.0/24' }], []);
  assert.equal(sh('ip', ['netns', 'exec', NS.h, 'iptables-save']).replace(/^[#:].*\n/gm, ''), before.replace(/^[#:].*\n/gm, ''));

  eps.c1 = await nets.connect(netA, 'c1', `/var/run/netns/${NS.c1}`);
  eps.c2 = await nets.connect(netA, 'c2', `/var/run/netns/${NS.c2}`);
  eps.c3 = await nets.connect(netB, 'c3', `/var/run/netns/${NS.c3}`);
  assert.deepEqual([eps.c1.ip, eps.c2.ip, eps.c3.ip], ['10.231.1.2', '10.231.1.3', '10.231.2.2']);
  assert.match(eps.c1.hostIf, /^veth[0-9a-f]{7}$/);
  const link = JSON.parse(sh('ip', ['-n', NS.c1, '-j', 'addr', 'show', 'dev', 'eth0']))[0];
  assert.equal(link.address, '02:42:0a:e7:01:02');
  assert.equal(link.addr_info.find((x: { family: string }) => x.family === 'inet').local, '10.231.1.2');

  await t.test('same bridge: ping and TCP', async () => {
    sh('ip', ['netns', 'exec', NS.c1, 'busybox', 'ping', '-c', '1', '-W', '2', eps.c2!.ip]);
    await echoServerIn(NS.c2, 7000);
    assert.equal(await nodeIn(NS.c1, tcpClient(eps.c2!.ip, 7000)), 'echo:hi');
  });

  await t.test('across bridges: dropped by isolation; gateway and outside reachable', async () => {
    await echoServerIn(NS.c3, 7000);
    assert.equal(await nodeIn(NS.c1, tcpClient(eps.c3!.ip, 7000)), 'fail:timeout');
    const counters = sh('ip', ['netns', 'exec', NS.h, 'iptables', '-w', '-v', '-n', '-L', 'BERTH-ISOLATION-2']);
    assert.match(counters, /^\s*[1-9]\d*\s+\d+\s+DROP/m, counters);
    // outbound through MASQUERADE: X sees H's address, not the container's
    await echoServerIn(NS.x, 7001);
    assert.equal(await nodeIn(NS.c1, tcpClient('10.231.9.2', 7001)), 'echo:hi');
    const masq = sh('ip', ['netns', 'exec', NS.h, 'iptables', '-w', '-t', 'nat', '-v', '-n', '-L', 'BERTH-POSTROUTING']);
    assert.match(masq, /^\s*[1-9]\d*\s+\d+\s+MASQUERADE.*10\.231\.1\.0\/24/m, masq);
  });

  await t.test('published port: DNAT from outside, from H itself, and hairpin from the container', async () => {
    await echoServerIn(NS.c1, 80);
    const pub = await nets.publish(eps.c1!, [{ proto: 'tcp', containerPort: 80, hostIp: '', hostPort: 8080 }]);
    assert.equal(await nodeIn(NS.x, tcpClient('10.231.9.1', 8080)), 'echo:hi');
    assert.equal(await nodeIn(NS.h, tcpClient('10.231.9.1', 8080)), 'echo:hi');
    assert.equal(await nodeIn(NS.c1, tcpClient('10.231.9.1', 8080)), 'echo:hi');
    assert.equal(await nodeIn(NS.c2, tcpClient('10.231.9.1', 8080)), 'echo:hi');
    await nets.unpublish(eps.c1!, pub);
    assert.equal(await nodeIn(NS.x, tcpClient('10.231.9.1', 8080)), 'fail:ECONNREFUSED');
  });

  await t.test('embedded DNS at the gateway answers a container name', async () => {
    const child = spawn('ip', ['netns', 'exec', NS.h, process.execPath, fileURLToPath(new URL('./dns-child.js', import.meta.url)), a.gateway, JSON.stringify({ web: [eps.c2!.ip] })], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    servers.push(child);
    await new Promise<void>((resolve, reject) => {
      child.stdout!.once('data', () => resolve());
      child.once('exit', (c) => reject(new Error(`dns child exited ${c}`)));
    });
    const out = sh('ip', ['netns', 'exec', NS.c1, 'busybox', 'nslookup', 'web', a.gateway]);
    assert.match(out, /Address:\s+10\.231\.1\.3/);
    child.stdin!.end();
  });

  await t.test('detach and network removal leave H clean', async () => {
    for (const ep of Object.values(eps)) await nets.disconnect(ep);
    assert.equal(sh('ip', ['-n', NS.c1, 'link', 'show']).includes('eth0'), false);
    await nets.removeNetwork(netA);
    await nets.removeNetwork(netB);
    await nets.iptables.teardownBase();
    const links = sh('ip', ['-n', NS.h, '-o', 'link', 'show']);
    assert.ok(!/br-|veth/.test(links), links);
    const rules = sh('ip', ['netns', 'exec', NS.h, 'iptables-save']);
    assert.ok(!rules.includes('BERTH'), rules);
  });
});
