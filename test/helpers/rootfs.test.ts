import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, readFile, readlink, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { withTempDir } from './cleanup.js';
import { buildTestRootfs, makeBundle } from './rootfs.js';

const run = promisify(execFile);
const isRoot = process.getuid?.() === 0;

interface Result {
  ok: boolean;
  errno: string | null;
}

function assertResult(r: unknown, name: string): asserts r is Result {
  assert.equal(typeof r, 'object', name);
  const { ok, errno } = r as Result;
  assert.equal(typeof ok, 'boolean', `${name}.ok`);
  if (ok) assert.equal(errno, null, `${name}.errno`);
  else assert.match(String(errno), /^E[A-Z0-9]+$|^SKIPPED$|^EOF$/, `${name}.errno`);
}

function assertReport(j: Record<string, unknown>): void {
  for (const k of ['pid', 'ppid', 'uid', 'gid', 'euid', 'oomScoreAdj', 'noNewPrivs', 'seccomp']) {
    assert.equal(typeof j[k], 'number', k);
  }
  for (const k of ['hostname', 'cwd']) assert.equal(typeof j[k], 'string', k);
  assert.match(String(j.umask), /^0[0-7]{3}$/);
  for (const k of ['capEff', 'capPrm', 'capBnd', 'capInh', 'capAmb']) assert.match(String(j[k]), /^[0-9a-f]{16}$/, k);
  const rl = j.rlimitNofile as { soft: number; hard: number };
  assert.ok(Number.isInteger(rl.soft) && Number.isInteger(rl.hard));
  for (const k of ['groups', 'processes']) {
    assert.ok(Array.isArray(j[k]) && (j[k] as unknown[]).every((x) => Number.isInteger(x)), k);
  }
  for (const k of ['env', 'netDevices', 'mounts', 'cgroup']) {
    assert.ok(Array.isArray(j[k]) && (j[k] as unknown[]).every((x) => typeof x === 'string'), k);
  }
  const sc = j.syscalls as Record<string, unknown>;
  for (const k of ['unshare', 'mount', 'keyctl']) assertResult(sc[k], `syscalls.${k}`);
  for (const k of ['writeRoot', 'readKcore', 'writeProcSys']) assertResult(j[k], k);
}

test('buildTestRootfs makes a busybox rootfs with the probe', { timeout: 60_000 }, async () => {
  await withTempDir('berth-rootfs-test', async (tmp) => {
    const dir = join(tmp, 'rootfs');
    await buildTestRootfs(dir, { probe: true });

    assert.equal(await readlink(join(dir, 'bin', 'sh')), 'busybox');
    assert.ok((await stat(join(dir, 'bin', 'sh'))).isFile());
    assert.ok((await readdir(join(dir, 'bin'))).length > 100);
    assert.equal((await stat(join(dir, 'tmp'))).mode & 0o7777, 0o1777);
    for (const d of ['etc', 'proc', 'sys', 'dev', 'root', 'home', 'var', 'run', 'mnt', 'usr/bin', 'sbin']) {
      assert.ok((await lstat(join(dir, d))).isDirectory(), d);
    }
    const passwd = await readFile(join(dir, 'etc', 'passwd'), 'utf8');
    assert.match(passwd, /^root:x:0:0:/m);
    assert.match(passwd, /^app:x:1000:1000:/m);
    assert.match(passwd, /^nobody:x:65534:65534:/m);
    assert.match(await readFile(join(dir, 'etc', 'group'), 'utf8'), /^extra:x:2000:app$/m);
    assert.equal(await readFile(join(dir, 'etc', 'hosts'), 'utf8'), '');
    assert.equal(await readFile(join(dir, 'etc', 'resolv.conf'), 'utf8'), '');

    // the busybox inside the rootfs works through its applet links
    const { stdout: echoed } = await run(join(dir, 'bin', 'sh'), ['-c', 'echo $((6*7))']);
    assert.equal(echoed, '42\n');

    const { stdout } = await run(join(dir, 'probe'), ['report']);
    assert.equal(stdout.trim().split('\n').length, 1, 'one line of JSON');
    const j = JSON.parse(stdout) as Record<string, unknown>;
    assertReport(j);
    assert.equal(j.pid === 1, false);
    assert.deepEqual((j.syscalls as Record<string, unknown>).mount, { ok: false, errno: 'SKIPPED' });
    if (isRoot) assert.deepEqual((j.syscalls as Record<string, unknown>).unshare, { ok: true, errno: null });
    assert.ok((j.env as string[]).some((e) => e.startsWith('PATH=')));

    const lines = await run(join(dir, 'probe'), ['lines', '3', '10']);
    assert.equal(lines.stdout, '0000000001\n0000000002\n0000000003\n');
    assert.equal((await run(join(dir, 'probe'), ['lines', '2', '12'])).stdout, '0000000001xx\n0000000002xx\n');
    assert.equal((await run(join(dir, 'probe'), ['echo', 'a', 'b c'])).stdout, 'a b c\n');
    assert.equal(spawnSync(join(dir, 'probe'), ['exit', '7']).status, 7);
    assert.equal(spawnSync(join(dir, 'probe'), ['stdin'], { input: 'x\ny' }).stdout.toString(), 'x\ny');

    // A second rootfs comes from the caches (the probe is not rebuilt). Speed is a benchmark's business, not a
    // test's: here only that it works again.
    await buildTestRootfs(join(tmp, 'again'), { probe: true });
    assert.ok(existsSync(join(tmp, 'again', 'probe')));
  });
});

test('probe reports the mount attempt when it is pid 1', { skip: !isRoot && 'needs root' }, async () => {
  const has = spawnSync('unshare', ['--version']).status === 0;
  if (!has) return;
  await withTempDir('berth-probe-pid1', async (tmp) => {
    await buildTestRootfs(tmp, { probe: true });
    // unshare(1) makes the mount namespace private, so the probe's tmpfs on /mnt never reaches the host
    const { stdout } = await run('unshare', ['--fork', '--pid', '--mount', '--mount-proc', join(tmp, 'probe')]);
    const j = JSON.parse(stdout) as Record<string, unknown>;
    assertReport(j);
    assert.equal(j.pid, 1);
    assert.deepEqual(j.processes, [1]);
    assert.deepEqual((j.syscalls as Record<string, unknown>).mount, { ok: true, errno: null });
  });
});

test('probe signals prints each signal and exits on SIGTERM', { timeout: 60_000 }, async () => {
  await withTempDir('berth-probe-signals', async (tmp) => {
    await buildTestRootfs(tmp, { probe: true });
    const child = execFile(join(tmp, 'probe'), ['signals']);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out === 'ready\n') child.kill('SIGUSR1');
      if (out === 'ready\nSIGUSR1\n') child.kill('SIGTERM');
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    assert.equal(code, 0);
    assert.equal(out, 'ready\nSIGUSR1\nSIGTERM\n');
  });
});

test('makeBundle writes config.json and a rootfs', { timeout: 60_000 }, async () => {
  await withTempDir('berth-bundle', async (tmp) => {
    const spec = { ociVersion: '1.0.2', root: { path: 'rootfs' }, process: { args: ['/probe'] } };
    await makeBundle(tmp, spec);
    assert.deepEqual(JSON.parse(await readFile(join(tmp, 'config.json'), 'utf8')), spec);
    assert.ok((await stat(join(tmp, 'rootfs', 'probe'))).isFile());
    assert.ok((await stat(join(tmp, 'rootfs', 'bin', 'busybox'))).isFile());
  });
});
