// Named and anonymous volumes through the real docker CLI against berthd: persistence across containers and
// daemon restarts, copy-up from the image, rm -v, --volumes-from, --mount forms, tmpfs-backed volumes, and
// dockerd's errors. One daemon serves the file; each test names its containers and volumes after itself.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startDaemon, type Daemon, type DockerResult } from '../../helpers/daemon.js';

describe('volumes with the docker CLI', { timeout: 120_000 }, () => {
  let d: Daemon;

  before(async () => {
    d = await startDaemon('e2e-volumes');
  });
  after(async () => {
    await d?.cleanup();
  });

  const run = (args: string[]) => d.dockerOk(['run', ...args]);
  const volumesDir = () => join(d.dataRoot, 'volumes');

  test('a named volume outlives its containers and a berthd restart', async () => {
    assert.equal(await run(['--rm', '-v', 'vt-named:/data', 'busybox', 'sh', '-c', 'echo kept > /data/f']), '');
    assert.equal(await run(['--rm', '-v', 'vt-named:/data:ro', 'busybox', 'cat', '/data/f']), 'kept\n');
    // read-only really is
    const ro = await d.docker(['run', '--rm', '-v', 'vt-named:/data:ro', 'busybox', 'sh', '-c', 'touch /data/x']);
    assert.notEqual(ro.code, 0);
    await d.stop();
    await d.restart();
    assert.equal((await d.dockerOk(['volume', 'ls', '-q', '--filter', 'name=vt-named'])).trim(), 'vt-named');
    assert.equal(await run(['--rm', '-v', 'vt-named:/data', 'busybox', 'cat', '/data/f']), 'kept\n');
    const info = JSON.parse(await d.dockerOk(['volume', 'inspect', 'vt-named']))[0];
    assert.equal(info.Driver, 'local');
    assert.equal(info.Scope, 'local');
    assert.equal(info.Mountpoint, join(volumesDir(), 'vt-named', '_data'));
    assert.match(info.CreatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/);
    assert.equal((await d.dockerOk(['volume', 'rm', 'vt-named'])).trim(), 'vt-named');
    assert.equal(existsSync(join(volumesDir(), 'vt-named')), false);
  });

  test('a new volume over an image directory starts with its content', async () => {
    const extra = join(d.dir, 'vt-extra');
    await mkdir(join(extra, 'data', 'sub'), { recursive: true });
    await writeFile(join(extra, 'data', 'hello'), 'from-image\n');
    await chown(join(extra, 'data', 'hello'), 1234, 1234);
    await chown(join(extra, 'data'), 1234, 1234);
    const r = await new Promise<DockerResult>((resolve) => {
      const tar = spawn('tar', ['--numeric-owner', '-c', '-C', join(d.dir, 'rootfs'), '.', '-C', extra, 'data'], { stdio: ['ignore', 'pipe', 'pipe'] });
      const imp = spawn('docker', ['import', '-', 'vt-image:latest'], { env: { ...process.env, ...d.env }, stdio: ['pipe', 'pipe', 'pipe'] });
      tar.stdout.pipe(imp.stdin);
      let stderr = '';
      imp.stderr.on('data', (b: Buffer) => (stderr += b));
      imp.on('close', (code) => resolve({ stdout: '', stderr, code: code ?? 1 }));
    });
    assert.equal(r.code, 0, r.stderr);
    const out = await run(['--rm', '-v', 'vt-copy:/data', 'vt-image', 'sh', '-c', 'cat /data/hello; stat -c "%u:%g" /data/hello /data; ls -d /data/sub']);
    assert.equal(out, 'from-image\n1234:1234\n1234:1234\n/data/sub\n');
    // nocopy leaves a new volume empty
    assert.equal(await run(['--rm', '-v', 'vt-nocopy:/data:nocopy', 'vt-image', 'ls', '-A', '/data']), '');
    // a volume that already has content is not overwritten
    await run(['--rm', '-v', 'vt-copy:/data', 'vt-image', 'sh', '-c', 'echo changed > /data/hello']);
    assert.equal(await run(['--rm', '-v', 'vt-copy:/data', 'vt-image', 'cat', '/data/hello']), 'changed\n');
    await d.dockerOk(['volume', 'rm', 'vt-copy', 'vt-nocopy']);
    await d.dockerOk(['rmi', 'vt-image']);
  });

  test('-v /path makes an anonymous volume that rm -v removes', async () => {
    const id = (await d.dockerOk(['create', '--name', 'vt-anon', '-v', '/x', 'busybox', 'true'])).trim();
    const mounts = JSON.parse(await d.dockerOk(['inspect', '-f', '{{json .Mounts}}', id]));
    assert.equal(mounts.length, 1);
    assert.equal(mounts[0].Type, 'volume');
    assert.match(mounts[0].Name, /^[0-9a-f]{64}$/);
    assert.equal(mounts[0].Destination, '/x');
    assert.equal(mounts[0].Driver, 'local');
    assert.equal(mounts[0].RW, true);
    const name = mounts[0].Name as string;
    const labels = JSON.parse(await d.dockerOk(['volume', 'inspect', '-f', '{{json .Labels}}', name]));
    assert.deepEqual(labels, { 'com.docker.volume.anonymous': '' });
    // in use by a (stopped) container: 409 with the container's ID
    const busy = await d.docker(['volume', 'rm', name]);
    assert.equal(busy.code, 1);
    assert.equal(busy.stderr.trim(), `Error response from daemon: remove ${name}: volume is in use - [${id}]`);
    await d.dockerOk(['rm', '-v', id]);
    assert.equal((await d.docker(['volume', 'inspect', name])).code, 1);
    assert.equal(existsSync(join(volumesDir(), name)), false);
    // run --rm removes its anonymous volumes too
    const before = (await d.dockerOk(['volume', 'ls', '-q'])).trim();
    await run(['--rm', '-v', '/y', 'busybox', 'true']);
    assert.equal((await d.dockerOk(['volume', 'ls', '-q'])).trim(), before);
  });

  test('--volumes-from shares the other container\'s volumes, :ro read-only', async () => {
    await d.dockerOk(['create', '--name', 'vt-src', '-v', 'vt-shared:/shared', '-v', '/anon', 'busybox', 'true']);
    await run(['--rm', '--volumes-from', 'vt-src', 'busybox', 'sh', '-c', 'echo s > /shared/f; echo a > /anon/f']);
    assert.equal(await run(['--rm', '--volumes-from', 'vt-src:ro', 'busybox', 'sh', '-c', 'cat /shared/f /anon/f; touch /shared/g 2>/dev/null || echo ro']), 's\na\nro\n');
    // 404 for the missing container (the CLI, as with Docker, then takes it for a missing image and tries a pull)
    const missing = await d.docker(['create', '--volumes-from', 'vt-nope', 'busybox', 'true']);
    assert.notEqual(missing.code, 0);
    await d.dockerOk(['rm', '-v', 'vt-src']);
    await d.dockerOk(['volume', 'rm', 'vt-shared']);
  });

  test('--mount type=volume, bind and tmpfs', async () => {
    const host = join(d.dir, 'vt-bind');
    await mkdir(host, { recursive: true });
    await writeFile(join(host, 'in'), 'host\n');
    const script = 'cat /b/in; echo v > /v/f; grep -E " /(t|b|v) " /proc/mounts | cut -d" " -f2,3,4 | cut -d, -f1 | sort';
    const out = await run([
      '--rm', '--mount', 'type=volume,source=vt-mnt,target=/v,volume-opt=type=tmpfs,volume-opt=device=tmpfs',
      '--mount', `type=bind,source=${host},target=/b,readonly,bind-propagation=rslave`,
      '--mount', 'type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=1770',
      'busybox', 'sh', '-c', script,
    ]);
    const [first, ...mounts] = out.trim().split('\n');
    assert.equal(first, 'host');
    assert.deepEqual(mounts, ['/b ext4 ro'.replace('ext4', mounts[0]!.split(' ')[1]!), '/t tmpfs rw', '/v tmpfs rw']);
    const opts = JSON.parse(await d.dockerOk(['volume', 'inspect', '-f', '{{json .Options}}', 'vt-mnt']));
    assert.deepEqual(opts, { device: 'tmpfs', type: 'tmpfs' });
    const id = (await d.dockerOk(['create', '--mount', `type=bind,source=${host},target=/b,bind-propagation=rslave`, '--mount', 'type=volume,source=vt-mnt,target=/v,volume-nocopy', 'busybox', 'true'])).trim();
    const mounts2 = JSON.parse(await d.dockerOk(['inspect', '-f', '{{json .Mounts}}', id]));
    assert.deepEqual(mounts2, [
      { Type: 'bind', Source: host, Destination: '/b', Mode: '', RW: true, Propagation: 'rslave' },
      { Type: 'volume', Name: 'vt-mnt', Source: join(volumesDir(), 'vt-mnt', '_data'), Destination: '/v', Driver: 'local', Mode: 'z', RW: true, Propagation: '' },
    ]);
    await d.dockerOk(['rm', id]);
    await d.dockerOk(['volume', 'rm', 'vt-mnt']);
    const bad = await d.docker(['run', '--rm', '--mount', 'type=bind,source=/nonexistent-vt,target=/b', 'busybox', 'true']);
    assert.match(bad.stderr, /invalid mount config for type "bind": bind source path does not exist: \/nonexistent-vt/);
  });

  test('a tmpfs volume made with volume create leaves nothing on the host', async () => {
    await d.dockerOk(['volume', 'create', '--opt', 'type=tmpfs', '--opt', 'device=tmpfs', '--opt', 'o=size=1m', 'vt-tmpfs']);
    const out = await run(['--rm', '-v', 'vt-tmpfs:/t', 'busybox', 'sh', '-c', 'echo x > /t/f; grep " /t " /proc/mounts | cut -d" " -f3,4']);
    assert.match(out, /^tmpfs rw,.*size=1024k/);
    // nothing was written to the volume's directory, and no host mount remains
    assert.equal(await d.dockerOk(['run', '--rm', '-v', 'vt-tmpfs:/t', 'busybox', 'ls', '-A', '/t']), '');
    const { readFile, readdir } = await import('node:fs/promises');
    assert.deepEqual(await readdir(join(volumesDir(), 'vt-tmpfs', '_data')), []);
    assert.equal((await readFile('/proc/self/mountinfo', 'utf8')).includes(volumesDir()), false);
    await d.dockerOk(['volume', 'rm', 'vt-tmpfs']);
  });

  test('errors: invalid name 400, missing volume 404, prune, ls filters', async () => {
    const bad = await d.docker(['volume', 'create', 'a/b']);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr.trim(), 'Error response from daemon: create a/b: "a/b" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path');
    const badRun = await d.docker(['run', '--rm', '-v', 'a/b:/x', 'busybox', 'true']);
    assert.match(badRun.stderr, /"a\/b" includes invalid characters for a local volume name/);
    const missing = await d.docker(['volume', 'inspect', 'vt-missing']);
    assert.match(missing.stderr, /get vt-missing: no such volume/);
    // create is idempotent; labels and dangling filters
    await d.dockerOk(['volume', 'create', '--label', 'vt=1', 'vt-lab']);
    assert.equal((await d.dockerOk(['volume', 'create', 'vt-lab'])).trim(), 'vt-lab');
    assert.equal((await d.dockerOk(['volume', 'ls', '-q', '--filter', 'label=vt=1'])).trim(), 'vt-lab');
    assert.equal((await d.dockerOk(['volume', 'ls', '-q', '--filter', 'dangling=true', '--filter', 'name=vt-lab'])).trim(), 'vt-lab');
    // prune takes anonymous volumes only, unless --all
    await d.dockerOk(['volume', 'create']);
    const pruned = await d.dockerOk(['volume', 'prune', '-f']);
    assert.match(pruned, /Deleted Volumes:\n[0-9a-f]{64}\n/);
    assert.equal((await d.dockerOk(['volume', 'ls', '-q', '--filter', 'name=vt-lab'])).trim(), 'vt-lab');
    await d.dockerOk(['volume', 'prune', '-f', '--all']);
    assert.equal((await d.dockerOk(['volume', 'ls', '-q'])).trim(), '');
    const df = await d.dockerOk(['system', 'df', '--format', '{{.Type}} {{.TotalCount}}']);
    assert.match(df, /Local Volumes 0/);
  });

  test('berth volume create|ls|inspect|rm|prune', async () => {
    const berth = (args: string[]) =>
      new Promise<DockerResult>((resolve) => {
        execFile(process.execPath, [join(process.cwd(), 'dist', 'bin', 'berth.js'), ...args], { env: { ...process.env, ...d.env }, encoding: 'utf8' }, (err, stdout, stderr) => {
          resolve({ stdout, stderr, code: err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0 });
        });
      });
    assert.deepEqual(await berth(['volume', 'create', '--label', 'a=b', '-o', 'type=tmpfs', '-o', 'device=tmpfs', 'vt-cli']), { stdout: 'vt-cli\n', stderr: '', code: 0 });
    assert.equal((await berth(['volume', 'ls'])).stdout, 'DRIVER    VOLUME NAME\nlocal     vt-cli\n');
    assert.equal((await berth(['volume', 'ls', '--format', '{{.Name}} {{.Labels}} {{.Scope}}'])).stdout, 'vt-cli a=b local\n');
    assert.equal((await berth(['volume', 'inspect', '-f', '{{.Options.type}} {{.Mountpoint}}', 'vt-cli'])).stdout, `tmpfs ${join(volumesDir(), 'vt-cli', '_data')}\n`);
    const missing = await berth(['volume', 'rm', 'vt-none']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /get vt-none: no such volume/);
    assert.equal((await berth(['volume', 'rm', 'vt-cli'])).stdout, 'vt-cli\n');
    await berth(['volume', 'create']);
    assert.match((await berth(['volume', 'prune', '-f'])).stdout, /^Deleted Volumes:\n[0-9a-f]{64}\n\nTotal reclaimed space: 0B\n$/);
  });
});
