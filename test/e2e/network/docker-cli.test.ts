// Networks through the docker CLI against berthd, which runs in a network namespace of this test's own
// (startDaemon's default): its bridges, veths, iptables rules and published ports live there, and "the host"
// is that namespace. Names resolve through the embedded DNS; published ports answer on 127.0.0.1 and on the
// namespace's own address; different networks are isolated; nothing is left after the containers go.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { pollUntil } from '../../helpers/cleanup.js';
import { startDaemon, type Daemon } from '../../helpers/daemon.js';

const run = promisify(execFile);
const HOST_ADDR = '10.77.0.1';
const WEB = ['sh', '-c', 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www'];

describe('networks with the docker CLI', { timeout: 240_000 }, () => {
  let d: Daemon;
  /** A command in berthd's network namespace: the test's "host". */
  const onHost = async (args: string[]) => (await run('nsenter', [`--net=/run/netns/${d.netns}`, ...args], { timeout: 20_000 })).stdout;
  // curl: Debian's busybox-static wget crashes (SIGSEGV) on any failed connection.
  const fetchOnHost = async (url: string) => onHost(['curl', '-sS', '-m', '5', url]);
  /** The body of GET / from `host` (a name or an address), fetched inside a container with busybox nc. */
  const httpIn = (args: string[], host: string) =>
    d.docker(['run', '--rm', ...args, 'busybox', 'sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${host} 80 | tail -n 1`]);
  const ids = async (): Promise<string[]> => (await d.dockerOk(['ps', '-aq'])).split('\n').filter(Boolean);

  before(async () => {
    d = await startDaemon('e2e-network-docker-cli');
    await onHost(['ip', 'addr', 'add', `${HOST_ADDR}/32`, 'dev', 'lo']);
  });
  after(async () => {
    await d?.cleanup();
  });

  test('a web container on a user network is reached by name and by alias', async () => {
    await d.dockerOk(['network', 'create', 'n']);
    await d.dockerOk(['run', '-d', '--name', 'web', '--hostname', 'webhost', '--network', 'n', '--network-alias', 'site', 'busybox', ...WEB]);
    const get = async (host: string) => pollUntil(async () => ((await httpIn(['--network', 'n'], host)).stdout || undefined), { timeoutMs: 10_000, what: `http://${host}/` });
    assert.equal(await get('web'), 'webhost\n');
    assert.equal(await get('site'), 'webhost\n');
    const ip = (await d.dockerOk(['inspect', '-f', '{{.NetworkSettings.Networks.n.IPAddress}}', 'web'])).trim();
    assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);
    assert.match(await d.dockerOk(['network', 'inspect', '-f', '{{json .Containers}}', 'n']), new RegExp(`"IPv4Address":"${ip.replace(/\./g, '\\.')}/\\d+"`));
    const hosts = await d.dockerOk(['exec', 'web', 'cat', '/etc/hosts']);
    assert.match(hosts, new RegExp(`^${ip.replace(/\./g, '\\.')}\\twebhost$`, 'm'));
    await d.dockerOk(['rm', '-f', 'web']);
  });

  test('a published port answers on 127.0.0.1 and on the host address; docker port and ps show it', async () => {
    await d.dockerOk(['run', '-d', '--name', 'pub', '--hostname', 'published', '-p', '8080:80', '-p', '127.0.0.1::80', 'busybox', ...WEB]);
    const body = await pollUntil(async () => fetchOnHost('http://127.0.0.1:8080/').catch(() => undefined), { timeoutMs: 10_000, what: 'the published port' });
    assert.equal(body, 'published\n');
    assert.equal(await fetchOnHost(`http://${HOST_ADDR}:8080/`), 'published\n');
    const ports = await d.dockerOk(['port', 'pub']);
    assert.match(ports, /^80\/tcp -> 0\.0\.0\.0:8080$/m);
    const random = /^80\/tcp -> 127\.0\.0\.1:(\d+)$/m.exec(ports);
    assert.ok(random, ports);
    assert.equal(await fetchOnHost(`http://127.0.0.1:${random[1]}/`), 'published\n');
    assert.match(await d.dockerOk(['ps', '--format', '{{.Ports}}', '--filter', 'name=pub']), /0\.0\.0\.0:8080->80\/tcp/);
    // Another container reaches it through the host address as well.
    const viaHost = await d.dockerOk(['run', '--rm', 'busybox', 'sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${HOST_ADDR} 8080 | tail -n 1`]);
    assert.equal(viaHost, 'published\n');
    // The port is taken while pub runs: docker's error, and the second container is not started.
    const busy = await d.docker(['run', '-d', '--name', 'pub2', '-p', '8080:80', 'busybox', 'sleep', '30']);
    assert.equal(busy.code, 125);
    assert.match(busy.stderr, /port is already allocated/);
    await d.dockerOk(['rm', '-f', 'pub', 'pub2']);
    await assert.rejects(fetchOnHost('http://127.0.0.1:8080/'));
  });

  test('-P publishes the exposed ports of the image and of --expose on random host ports', async () => {
    await d.dockerOk(['commit', '-c', 'EXPOSE 80', (await d.dockerOk(['create', 'busybox', 'true'])).trim(), 'exposing:v1']);
    await d.dockerOk(['run', '-d', '--name', 'all', '--hostname', 'everything', '-P', '--expose', '81', 'exposing:v1', ...WEB]);
    const ports = await d.dockerOk(['port', 'all']);
    const p80 = /^80\/tcp -> 0\.0\.0\.0:(\d+)$/m.exec(ports);
    assert.ok(p80 && /^81\/tcp -> 0\.0\.0\.0:\d+$/m.test(ports), ports);
    const body = await pollUntil(async () => fetchOnHost(`http://127.0.0.1:${p80[1]}/`).catch(() => undefined), { timeoutMs: 10_000, what: 'the -P port' });
    assert.equal(body, 'everything\n');
    await d.dockerOk(['rm', '-f', 'all']);
    await d.dockerOk(['container', 'prune', '-f']);
    await d.dockerOk(['rmi', 'exposing:v1']);
  });

  test('two networks are isolated; a container on both reaches each', async () => {
    await d.dockerOk(['network', 'create', 'a']);
    await d.dockerOk(['network', 'create', 'b']);
    await d.dockerOk(['run', '-d', '--name', 'on-a', '--network', 'a', 'busybox', ...WEB]);
    await d.dockerOk(['run', '-d', '--name', 'on-b', '--network', 'b', 'busybox', ...WEB]);
    const ipA = (await d.dockerOk(['inspect', '-f', '{{.NetworkSettings.Networks.a.IPAddress}}', 'on-a'])).trim();
    const ipB = (await d.dockerOk(['inspect', '-f', '{{.NetworkSettings.Networks.b.IPAddress}}', 'on-b'])).trim();
    assert.equal((await httpIn(['--network', 'a'], ipB)).stdout, '', 'a container on a reached b');
    assert.equal((await httpIn(['--network', 'b'], ipA)).stdout, '', 'a container on b reached a');
    const get = (host: string) => `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${host} 80 | tail -n 1`;
    await d.dockerOk(['create', '--name', 'both', '--network', 'a', 'busybox', 'sh', '-c', `${get(ipA)}; ${get(ipB)}; ${get('on-b')}`]);
    await d.dockerOk(['network', 'connect', 'b', 'both']);
    await d.dockerOk(['start', '-a', 'both']);
    const [fromA, fromB, byName] = (await d.dockerOk(['logs', 'both'])).split('\n');
    assert.equal(fromA, (await d.dockerOk(['inspect', '-f', '{{.Config.Hostname}}', 'on-a'])).trim());
    assert.equal(fromB, (await d.dockerOk(['inspect', '-f', '{{.Config.Hostname}}', 'on-b'])).trim());
    assert.equal(byName, fromB);
    await d.dockerOk(['rm', '-f', 'on-a', 'on-b', 'both']);
    await d.dockerOk(['network', 'rm', 'a', 'b']);
  });

  test('bad input answers in docker words and leaves nothing', async () => {
    await d.dockerOk(['network', 'create', '--subnet', '10.90.0.0/16', 'first']);
    const overlap = await d.docker(['network', 'create', '--subnet', '10.90.1.0/24', 'second']);
    assert.equal(overlap.code, 1);
    assert.match(overlap.stderr, /Pool overlaps with other one on this address space/);
    const cidr = await d.docker(['network', 'create', '--subnet', '10.90.0.0/33', 'third']);
    assert.equal(cidr.code, 1);
    assert.match(cidr.stderr, /invalid CIDR address: 10\.90\.0\.0\/33/);
    const dup = await d.docker(['network', 'create', 'first']);
    assert.match(dup.stderr, /network with name first already exists/);
    const badPort = await d.docker(['run', '--rm', '-p', '80:abc', 'busybox', 'true']);
    assert.equal(badPort.code, 125);
    assert.match(badPort.stderr, /invalid containerPort: abc/);
    await d.dockerOk(['run', '-d', '--name', 'user', '--network', 'first', 'busybox', 'sleep', '60']);
    const inUse = await d.docker(['network', 'rm', 'first']);
    assert.equal(inUse.code, 1);
    assert.match(inUse.stderr, /has active endpoints/);
    // As with dockerd, the network is looked up at start: create succeeds, start fails.
    const missing = await d.docker(['run', '--rm', '--network', 'nosuch', 'busybox', 'true']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /network nosuch not found/);
    await d.dockerOk(['rm', '-f', 'user']);
    await d.dockerOk(['network', 'rm', 'first']);
    assert.deepEqual((await d.dockerOk(['network', 'ls', '--format', '{{.Name}}'])).split('\n').filter(Boolean).sort(), ['bridge', 'host', 'n', 'none']);
  });

  test('after rm -f of 50 networked containers no veth, rule, lease or proxy of theirs is left', async () => {
    const names = Array.from({ length: 50 }, (_, i) => `many-${i}`);
    for (let i = 0; i < names.length; i += 10) {
      await Promise.all(names.slice(i, i + 10).map((n, j) => d.dockerOk(['run', '-d', '--name', n, '--network', j % 2 ? 'n' : 'bridge', '-p', `${9000 + i + j}:80`, 'busybox', 'sleep', '300'])));
    }
    const links = async () => (await onHost(['ip', '-o', 'link', 'show'])).split('\n').filter((l) => / veth/.test(l)).length;
    assert.equal(await links(), 50);
    await d.dockerOk(['rm', '-f', ...names]);
    assert.deepEqual(await ids(), []);
    assert.equal(await links(), 0);
    const rules = await onHost(['iptables', '-w', '-t', 'nat', '-S']);
    assert.doesNotMatch(rules, /--dport 9\d\d\d/);
    const ipam = JSON.parse(await readFile(join(d.dataRoot, 'network', 'ipam.json'), 'utf8')) as { networks: Record<string, { claims: Record<string, unknown> }> };
    for (const [id, n] of Object.entries(ipam.networks)) assert.deepEqual(n.claims, {}, `leases left on ${id}`);
    await assert.rejects(fetchOnHost('http://127.0.0.1:9000/'));
  });

  test('berthd restart brings back the published port of a running container', async () => {
    await d.dockerOk(['run', '-d', '--name', 'survivor', '--hostname', 'survivor', '-p', '8090:80', 'busybox', ...WEB]);
    await pollUntil(async () => fetchOnHost('http://127.0.0.1:8090/').catch(() => undefined), { timeoutMs: 10_000, what: 'the published port' });
    await d.kill9();
    await d.restart();
    const body = await pollUntil(async () => fetchOnHost('http://127.0.0.1:8090/').catch(() => undefined), { timeoutMs: 10_000, what: 'the port after restart' });
    assert.equal(body, 'survivor\n');
    await d.dockerOk(['rm', '-f', 'survivor']);
  });
});
