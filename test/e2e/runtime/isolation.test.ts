// What a container sees of the host under Berth's runtime with Docker's defaults: its own pid, network,
// mount and uts namespaces, Docker's capabilities and seccomp profile, masked and read-only /proc, and each
// process setting of the spec. The probe (test/fixtures/probe.c) reports from inside.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ctl, waitExit } from '../../../src/runtime/index.js';
import { pollUntil } from '../../helpers/cleanup.js';
import {
  alive,
  assertNoTrace,
  attach,
  nsOf,
  parseReport,
  probeSpec,
  runToEnd,
  withContainer,
  withTimeout,
} from '../../helpers/runtime.js';

const DOCKER_CAPS = '00000000a80425fb';
const NO_CAPS = '0000000000000000';

// Mount points Docker's default spec gives a container; anything else in its table would be a leak.
const CONTAINER_MOUNTS = new Set([
  '/', '/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys',
  '/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
  '/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger',
]);

test('default bundle: the probe sees only its own namespaces, Docker caps and seccomp', async (t) => {
  await withContainer(t, async ({ rt, id, makeBundle }) => {
    const bundle = await makeBundle(probeSpec(['/probe', 'report'], { hostname: 'iso-host' }));
    const { pid, exit, stdout, stderr } = await runToEnd(rt, id, bundle);
    assert.deepEqual({ exitCode: exit.exitCode, signal: exit.signal, stderr }, { exitCode: 0, signal: 0, stderr: '' });
    const r = parseReport(stdout);

    // pid namespace: the probe is pid 1 and sees no host process
    assert.equal(r.pid, 1);
    assert.equal(r.ppid, 0);
    assert.deepEqual(r.processes, [1]);
    assert.equal(r.hostname, 'iso-host');
    assert.deepEqual(r.netDevices, ['lo']);

    const mounts = r.mounts as string[];
    for (const m of ['/', '/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys']) {
      assert.ok(mounts.includes(m), `mount ${m} missing from ${mounts.join(' ')}`);
    }
    const strangers = mounts.filter((m) => !CONTAINER_MOUNTS.has(m) && m !== '/sys/fs/cgroup' && !m.startsWith('/sys/fs/cgroup/'));
    assert.deepEqual(strangers, [], 'mount points the default spec does not ask for (host mounts leaking in)');
    assert.ok(!mounts.some((m) => m === '/work' || m.startsWith('/work/') || m.startsWith('/mnt/')), 'host mounts are visible');
    // The masks are mounts over the files themselves.
    assert.ok(mounts.includes('/proc/keys') && mounts.includes('/proc/timer_list'), 'masked /proc files are not mounted over');
    for (const ro of ['/proc/sys', '/proc/bus', '/proc/fs', '/proc/irq']) assert.ok(mounts.includes(ro), `read-only ${ro} not bound`);

    assert.deepEqual(
      { eff: r.capEff, prm: r.capPrm, bnd: r.capBnd, inh: r.capInh, amb: r.capAmb },
      { eff: DOCKER_CAPS, prm: DOCKER_CAPS, bnd: DOCKER_CAPS, inh: NO_CAPS, amb: NO_CAPS },
    );
    assert.equal(r.seccomp, 2);
    assert.deepEqual(r.syscalls, {
      unshare: { ok: false, errno: 'EPERM' },
      mount: { ok: false, errno: 'EPERM' },
      keyctl: { ok: false, errno: 'EPERM' },
    });
    // This kernel has no /proc/kcore (ENOENT); where it exists the mask makes it read as empty (EOF).
    assert.ok(['ENOENT', 'EOF'].includes(r.readKcore.errno), `reading /proc/kcore: ${JSON.stringify(r.readKcore)}`);
    assert.deepEqual(r.writeProcSys, { ok: false, errno: 'EROFS' });
    assert.deepEqual(r.writeRoot, { ok: true, errno: null });
    assert.deepEqual(r.rlimitNofile, { soft: 1024, hard: 1024 });
    assert.equal(r.noNewPrivs, 0);
    assert.deepEqual({ uid: r.uid, gid: r.gid, cwd: r.cwd, umask: r.umask }, { uid: 0, gid: 0, cwd: '/', umask: '0022' });
    for (const line of r.cgroup as string[]) assert.ok(line.endsWith(`/berth/${id}`), `cgroup line ${line}`);

    await rt.delete(id);
    await assertNoTrace(rt, id, [pid]);
  });
});

test('masked /proc files read as empty', async (t) => {
  await withContainer(t, async ({ rt, id, makeBundle }) => {
    const script = 'for f in /proc/kcore /proc/keys /proc/timer_list; do if [ -e $f ]; then echo "$f $(wc -c < $f)"; else echo "$f absent"; fi; done';
    const bundle = await makeBundle(probeSpec(['/bin/sh', '-c', script]));
    const { exit, stdout } = await runToEnd(rt, id, bundle);
    assert.equal(exit.exitCode, 0);
    const lines = stdout.trim().split('\n');
    assert.deepEqual(lines.slice(1), ['/proc/keys 0', '/proc/timer_list 0']);
    assert.match(lines[0]!, /^\/proc\/kcore (absent|0)$/);
    // ...while the host has data in them, so the zeros come from the masks.
    assert.ok(readFileSync('/proc/timer_list', 'utf8').length > 0);
  });
});

test('masked directories are empty and read-only paths refuse writes', async (t) => {
  await withContainer(t, async ({ rt, id, makeBundle }) => {
    const script = [
      'echo "acpi $(ls -A /proc/acpi | wc -l)"',
      'echo "firmware $(ls -A /sys/firmware | wc -l)"',
      'echo x > /proc/sysrq-trigger 2>/dev/null && echo "sysrq written" || echo "sysrq refused"',
      'touch /proc/acpi/x 2>/dev/null && echo "acpi written" || echo "acpi refused"',
    ].join('; ');
    const bundle = await makeBundle(probeSpec(['/bin/sh', '-c', script]));
    const { exit, stdout } = await runToEnd(rt, id, bundle);
    assert.equal(exit.exitCode, 0);
    assert.deepEqual(stdout.trim().split('\n'), ['acpi 0', 'firmware 0', 'sysrq refused', 'acpi refused']);
  });
});

test('devices cgroup: only Docker\'s default device nodes can be opened', async (t) => {
  await withContainer(t, async ({ rt, id, makeBundle }) => {
    // CAP_MKNOD lets the container make the node; the devices cgroup must still refuse to open it.
    const script = [
      'mknod /tmp/disk b 8 0 && echo made',
      'head -c1 /tmp/disk >/dev/null 2>&1 && echo "disk opened" || echo "disk refused"',
      'mknod /tmp/mem c 1 1 && (head -c1 /tmp/mem >/dev/null 2>&1 && echo "mem opened" || echo "mem refused")',
      'head -c4 /dev/zero | wc -c',
      'echo ok > /dev/null && echo "null ok"',
      'ls -A /dev | tr "\\n" " "',
    ].join('; ');
    const bundle = await makeBundle(probeSpec(['/bin/sh', '-c', script]));
    const { exit, stdout } = await runToEnd(rt, id, bundle);
    assert.equal(exit.exitCode, 0);
    const lines = stdout.trim().split('\n');
    assert.deepEqual(lines.slice(0, 5), ['made', 'disk refused', 'mem refused', '4', 'null ok']);
    const dev = lines[5]!.trim().split(' ').sort();
    for (const d of ['full', 'null', 'random', 'tty', 'urandom', 'zero', 'ptmx', 'pts', 'shm', 'mqueue', 'fd', 'stdin', 'stdout', 'stderr']) {
      assert.ok(dev.includes(d), `/dev/${d} missing: ${dev.join(' ')}`);
    }
  });
});

test('the container process is visible from the host', async (t) => {
  await withContainer(t, async ({ rt, id, makeBundle }) => {
    const bundle = await makeBundle(probeSpec(['/probe', 'sleep', '30']));
    const { pid } = await rt.create(id, bundle, { io: { mode: 'pipes' }, start: true });
    assert.ok(alive(pid), `host pid ${pid} is not alive`);
    assert.equal(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), '/probe\0sleep\x0030\0');
    for (const ns of ['pid', 'net', 'mnt', 'uts', 'ipc']) assert.notEqual(nsOf(pid, ns), nsOf('self', ns), `${ns} namespace is the host's`);
    assert.equal((await rt.state(id)).pid, pid);
    assert.deepEqual(await rt.ps(id), [pid]);
    await rt.delete(id, true);
    await assertNoTrace(rt, id, [pid]);
  });
});

test('process settings: user, groups, umask, env, cwd, rlimits, no_new_privs, oom_score_adj, sysctl', async (t) => {
  await withContainer(t, async ({ rt, id, makeBundle }) => {
    const hostForward = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim();
    // The opposite of the host's value, so that a write to the host's sysctl could not go unnoticed.
    const want = hostForward === '1' ? '0' : '1';
    const spec = probeSpec(['/bin/sh', '-c', 'cat /proc/sys/net/ipv4/ip_forward; exec /probe report']);
    const p = spec.process!;
    p.user = { uid: 1000, gid: 1000, additionalGids: [2000, 3000], umask: 0o027 };
    p.env = ['PATH=/bin:/usr/bin', 'FOO=bar baz', 'EMPTY='];
    p.cwd = '/made/by/runtime';
    p.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 512, hard: 1024 }];
    p.noNewPrivileges = true;
    p.oomScoreAdj = 500;
    spec.linux!.sysctl = { 'net.ipv4.ip_forward': want };
    const bundle = await makeBundle(spec);
    const { exit, stdout, stderr } = await runToEnd(rt, id, bundle);
    assert.equal(exit.exitCode, 0, stderr);
    assert.equal(stdout.split('\n')[0], want, 'net.ipv4.ip_forward inside the container');
    assert.equal(readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim(), hostForward, 'the host sysctl changed');
    const r = parseReport(stdout);
    assert.equal(r.pid, 1, 'sh exec()s the probe, which keeps pid 1');
    assert.deepEqual(
      { uid: r.uid, euid: r.euid, gid: r.gid, groups: r.groups, umask: r.umask },
      { uid: 1000, euid: 1000, gid: 1000, groups: [2000, 3000], umask: '0027' },
    );
    for (const e of p.env) assert.ok((r.env as string[]).includes(e), `env ${e} missing from ${JSON.stringify(r.env)}`);
    assert.equal(r.cwd, '/made/by/runtime');
    assert.deepEqual(r.rlimitNofile, { soft: 512, hard: 1024 });
    assert.equal(r.noNewPrivs, 1);
    assert.equal(r.seccomp, 2, 'with no_new_privs the filter is loaded after the uid change');
    assert.equal(r.oomScoreAdj, 500);
    assert.equal(r.capBnd, DOCKER_CAPS);
  });
});

test('a read-only rootfs refuses writes', async (t) => {
  await withContainer(t, async ({ rt, id, makeBundle }) => {
    const spec = probeSpec(['/probe', 'report']);
    spec.root = { path: 'rootfs', readonly: true };
    const bundle = await makeBundle(spec);
    const { exit, stdout } = await runToEnd(rt, id, bundle);
    assert.equal(exit.exitCode, 0);
    const r = parseReport(stdout);
    assert.deepEqual(r.writeRoot, { ok: false, errno: 'EROFS' });
    // The mounts on top of the read-only root still work.
    assert.ok((r.mounts as string[]).includes('/dev/shm'));
  });
});

test('user namespace with uid/gid maps', async (t) => {
  await withContainer(t, async ({ rt, id, tmp, makeBundle }) => {
    // The container's root is host uid 100000 while it sets up its mounts (as under runc), so it must be
    // able to reach the rootfs: mkdtemp makes the temp dir 0700.
    await chmod(tmp, 0o755);
    const spec = probeSpec(['/bin/sh', '-c', 'cat /proc/self/uid_map /proc/self/gid_map; exec /probe report']);
    spec.linux!.namespaces!.push({ type: 'user' });
    spec.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
    spec.linux!.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
    const bundle = await makeBundle(spec);
    const { pid } = await rt.create(id, bundle, { io: { mode: 'pipes' } });
    // From the host, the created process is root of its namespace and host uid 100000.
    assert.notEqual(nsOf(pid, 'user'), nsOf('self', 'user'));
    assert.match(readFileSync(`/proc/${pid}/status`, 'utf8'), /^Uid:\s+100000\s+100000\s+100000\s+100000$/m);
    const client = await attach(join(rt.dir(id), 'attach'));
    await rt.start(id);
    const exit = await withTimeout(rt.wait(id), 20_000, 'the container to exit');
    await withTimeout(client.closed, 5000, 'the output to end');
    assert.equal(exit.exitCode, 0, client.stream(2));
    const lines = client.stream(1).split('\n').map((l) => l.trim().split(/\s+/).join(' '));
    assert.deepEqual(lines.slice(0, 2), ['0 100000 65536', '0 100000 65536']);
    const r = parseReport(client.stream(1));
    assert.deepEqual({ pid: r.pid, uid: r.uid, gid: r.gid }, { pid: 1, uid: 0, gid: 0 });
    assert.ok((r.mounts as string[]).includes('/proc'));
    assert.deepEqual(r.netDevices, ['lo']);
    await rt.delete(id);
    await assertNoTrace(rt, id, [pid]);
  });
});

test('exec into a user-namespaced container runs as root of that namespace', async (t) => {
  await withContainer(t, async ({ rt, id, tmp, makeBundle }) => {
    await chmod(tmp, 0o755); // see the user namespace test above
    const spec = probeSpec(['/probe', 'sleep', '30']);
    spec.linux!.namespaces!.push({ type: 'user' });
    spec.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
    spec.linux!.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
    const bundle = await makeBundle(spec);
    const { pid } = await rt.create(id, bundle, { io: { mode: 'pipes' }, start: true });
    const x = await rt.exec(id, { ...spec.process!, args: ['/bin/sh', '-c', 'cat /proc/self/uid_map; exec /probe report'] }, { execId: `${id}-userns`, io: { mode: 'pipes' }, start: false });
    // Before start the exec process is waiting, already in the container's namespaces.
    assert.equal(nsOf(x.pid, 'user'), nsOf(pid, 'user'));
    assert.equal(nsOf(x.pid, 'pid'), nsOf(pid, 'pid'));
    const client = await attach(join(x.dir, 'attach'));
    await ctl(join(x.dir, 'ctl'), 'start');
    const exit = await withTimeout(waitExit(join(x.dir, 'ctl'), join(x.dir, 'exit.json')), 10_000, 'the exec to end');
    await withTimeout(client.closed, 5000, 'the exec output to end');
    assert.equal(exit.exitCode, 0, client.stream(2));
    assert.equal(client.stream(1).split('\n')[0]!.trim().split(/\s+/).join(' '), '0 100000 65536');
    const r = parseReport(client.stream(1));
    assert.deepEqual({ uid: r.uid, gid: r.gid }, { uid: 0, gid: 0 });
    assert.ok((r.processes as number[]).includes(1));
    await rt.delete(id, true);
    await assertNoTrace(rt, id, [pid, x.pid], [x.dir]);
  });
});

test('terminal: the attach socket carries raw bytes both ways', async (t) => {
  await withContainer(t, async ({ rt, id, makeBundle }) => {
    const bundle = await makeBundle(probeSpec(['/bin/sh'], { terminal: true }));
    const { pid } = await rt.create(id, bundle, { io: { mode: 'pipes' } });
    const client = await attach(join(rt.dir(id), 'attach'));
    await rt.start(id);
    await client.write('echo hi; exit 5\n');
    const exit = await withTimeout(rt.wait(id), 10_000, 'the shell to exit');
    await withTimeout(client.closed, 5000, 'the terminal output to end');
    assert.equal(exit.exitCode, 5);
    const out = client.raw().toString();
    // The terminal echoes the command line too; "hi" alone on a CRLF-ended line is the command's output.
    assert.match(out, /(^|\n)hi\r\n/, `terminal output ${JSON.stringify(out)}`);
    assert.ok(!client.raw().subarray(0, 4).equals(Buffer.from([1, 0, 0, 0])), 'terminal output must not be stdcopy-framed');
    await pollUntil(() => !alive(pid), { timeoutMs: 5000, what: `pid ${pid} to be gone` });
  });
});

test('a private cgroup namespace is rooted at the container\'s own cgroup', async (t) => {
  await withContainer(t, async ({ rt, id, makeBundle }) => {
    const spec = probeSpec(['/probe', 'report']);
    spec.linux!.namespaces!.push({ type: 'cgroup' });
    const bundle = await makeBundle(spec);
    const { exit, stdout } = await runToEnd(rt, id, bundle);
    assert.equal(exit.exitCode, 0);
    const r = parseReport(stdout) as { cgroup: string[] };
    // Made before joining its cgroups, the namespace would show the shim's path (e.g. /process_api/…) here.
    for (const line of r.cgroup.filter((l) => l.trim() !== '')) {
      const path = line.split(':').slice(2).join(':');
      assert.equal(path, '/', `cgroup line "${line}" should be rooted at the container's cgroup`);
    }
  });
});
