// `run`/`create` flags → POST /containers/create body. Expected values are what the docker CLI 28 sends for
// the same flags (captured between it and berthd), field names and shapes included.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { StatusError } from '../../exit-codes.js';
import { parseFlags } from '../../framework/command.js';
import { buildCreateRequest, normalizeCapabilities } from './run-config.js';
import { containerFlags, createFlags, runOnlyFlags } from './run-flags.js';

const ENV: Record<string, string> = { HOME: '/home/u', FROM_ENV: 'yes' };

function build(argv: string[]) {
  const { flags, args } = parseFlags([...runOnlyFlags(), ...createFlags('running'), ...containerFlags()], argv, false);
  const req = buildCreateRequest(flags, args[0]!, args.slice(1), { cwd: '/work', lookupEnv: (k) => ENV[k], consoleSize: [0, 0] });
  return { req, body: req.body, host: req.body.HostConfig as Record<string, any> };
}

describe('resources', () => {
  it('--cpus 1.5 is NanoCpus 1500000000', () => assert.equal(build(['--cpus', '1.5', 'busybox']).host.NanoCpus, 1_500_000_000));
  it('-m 64m is 67108864 bytes', () => assert.equal(build(['-m', '64m', 'busybox']).host.Memory, 67_108_864));
  it('--memory-swap -1 and --memory-reservation', () => {
    const { host } = build(['--memory-swap', '-1', '--memory-reservation', '1g', 'busybox']);
    assert.equal(host.MemorySwap, -1);
    assert.equal(host.MemoryReservation, 1024 ** 3);
  });
  it('--pids-limit, --cpu-shares, --cpuset-cpus, --shm-size, --oom-*', () => {
    const { host } = build(['--pids-limit', '100', '-c', '512', '--cpuset-cpus', '0-1', '--shm-size', '1m', '--oom-kill-disable', '--oom-score-adj', '-500', 'busybox']);
    assert.deepEqual(
      [host.PidsLimit, host.CpuShares, host.CpusetCpus, host.ShmSize, host.OomKillDisable, host.OomScoreAdj],
      [100, 512, '0-1', 1_048_576, true, -500],
    );
  });
  it('--ulimit nofile=1024:2048 and a soft-only limit', () => {
    assert.deepEqual(build(['--ulimit', 'nofile=1024:2048', '--ulimit', 'nproc=64', 'busybox']).host.Ulimits, [
      { Name: 'nofile', Hard: 2048, Soft: 1024 },
      { Name: 'nproc', Hard: 64, Soft: 64 },
    ]);
  });
  it('a bad --ulimit or --cpus is a flag error with docker wording', () => {
    assert.throws(() => build(['--ulimit', 'nofile=2:1', 'busybox']), (e: StatusError) => {
      assert.equal(e.status, 125);
      assert.match(e.message, /^invalid argument "nofile=2:1" for "--ulimit" flag: ulimit soft limit must be less than or equal to hard limit: 2 > 1\n/);
      return true;
    });
    assert.throws(() => build(['--cpus', 'abc', 'busybox']), /invalid argument "abc" for "--cpus" flag: failed to parse abc as a rational number/);
    assert.throws(() => build(['-m', 'x', 'busybox']), /invalid argument "x" for "-m, --memory" flag: invalid size: 'x'/);
  });
});

describe('restart, health, security', () => {
  it('--restart on-failure:3', () =>
    assert.deepEqual(build(['--restart', 'on-failure:3', 'busybox']).host.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 }));
  it('--restart defaults to "no" and conflicts with --rm', () => {
    assert.deepEqual(build(['busybox']).host.RestartPolicy, { Name: 'no', MaximumRetryCount: 0 });
    assert.throws(() => build(['--rm', '--restart', 'always', 'busybox']), /cannot specify both --restart and --rm/);
  });
  it('--health-cmd and durations in nanoseconds', () => {
    assert.deepEqual(build(['--health-cmd', 'curl -f x', '--health-interval', '5s', '--health-retries', '3', 'busybox']).body.Healthcheck, {
      Test: ['CMD-SHELL', 'curl -f x'],
      Interval: 5_000_000_000,
      Retries: 3,
    });
    assert.deepEqual(build(['--no-healthcheck', 'busybox']).body.Healthcheck, { Test: ['NONE'] });
    assert.equal(build(['busybox']).body.Healthcheck, undefined);
  });
  it('--cap-add/--cap-drop are normalised like the docker client does', () => {
    const { host } = build(['--cap-add', 'net_admin', '--cap-add', 'NET_ADMIN', '--cap-drop', 'ALL', 'busybox']);
    assert.deepEqual(host.CapAdd, ['CAP_NET_ADMIN']);
    assert.deepEqual(host.CapDrop, ['ALL']);
    assert.equal(normalizeCapabilities([]), null);
  });
  it('--security-opt, --privileged, --read-only, --sysctl, --group-add', () => {
    const { host } = build(['--security-opt', 'no-new-privileges', '--privileged', '--read-only', '--sysctl', 'net.ipv4.ip_forward=1', '--group-add', '10', 'busybox']);
    assert.deepEqual(host.SecurityOpt, ['no-new-privileges']);
    assert.equal(host.Privileged, true);
    assert.equal(host.ReadonlyRootfs, true);
    assert.deepEqual(host.Sysctls, { 'net.ipv4.ip_forward': '1' });
    assert.deepEqual(host.GroupAdd, ['10']);
  });
});

describe('mounts', () => {
  it('-v /a:/b:ro is a bind; -v /data is an anonymous volume', () => {
    const { body, host } = build(['-v', '/a:/b:ro', '-v', '/data', '-v', './rel:/r', 'busybox']);
    assert.deepEqual(host.Binds, ['/a:/b:ro', '/work/rel:/r']);
    assert.deepEqual(body.Volumes, { '/data': {} });
  });
  it('--mount type=tmpfs,destination=/t,tmpfs-size=1m', () =>
    assert.deepEqual(build(['--mount', 'type=tmpfs,destination=/t,tmpfs-size=1m', 'busybox']).host.Mounts, [
      { Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1_048_576 } },
    ]));
  it('--mount bind with readonly; a mount without target is a flag error', () => {
    assert.deepEqual(build(['--mount', 'type=bind,src=/s,dst=/d,readonly', 'busybox']).host.Mounts, [
      { Type: 'bind', Source: '/s', Target: '/d', ReadOnly: true },
    ]);
    assert.throws(() => build(['--mount', 'type=bind', 'busybox']), /invalid argument "type=bind" for "--mount" flag: target is required/);
  });
  it('--tmpfs path[:options]', () => assert.deepEqual(build(['--tmpfs', '/run:rw,size=1m', '--tmpfs', '/x', 'busybox']).host.Tmpfs, { '/run': 'rw,size=1m', '/x': '' }));
});

describe('environment and process', () => {
  it('--env-file, then -e (a bare name takes the local value)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'berth-cli-env-'));
    try {
      const file = path.join(dir, 'env');
      writeFileSync(file, '# comment\nA=1\n\nFROM_ENV\nMISSING\nB=two words\n');
      assert.deepEqual(build(['--env-file', file, '-e', 'X=1', '-e', 'HOME', 'busybox']).body.Env, ['A=1', 'FROM_ENV=yes', 'B=two words', 'X=1', 'HOME=/home/u']);
      assert.throws(() => build(['--env-file', path.join(dir, 'nope'), 'busybox']), /^Error: open .*nope: no such file or directory$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('image, command, entrypoint, workdir, user, hostname, labels', () => {
    const { body } = build(['--entrypoint', '/bin/sh', '-w', '/tmp', '-u', '1000:1000', '-h', 'box', '-l', 'a=b', 'busybox', '-c', 'ls -l']);
    assert.deepEqual(
      [body.Image, body.Cmd, body.Entrypoint, body.WorkingDir, body.User, body.Hostname, body.Labels],
      ['busybox', ['-c', 'ls -l'], ['/bin/sh'], '/tmp', '1000:1000', 'box', { a: 'b' }],
    );
    assert.deepEqual(build(['--entrypoint=', 'busybox']).body.Entrypoint, ['']);
    assert.equal(build(['busybox']).body.Cmd, null);
  });
  it('flags after the image belong to the container: busybox ls -l', () => {
    const { body } = build(['--rm', 'busybox', 'ls', '-l', '--rm']);
    assert.deepEqual(body.Cmd, ['ls', '-l', '--rm']);
  });
  it('-it groups, attach streams, StdinOnce', () => {
    const { req, body } = build(['-it', 'busybox']);
    assert.deepEqual([req.tty, req.openStdin, body.AttachStdin, body.AttachStdout, body.StdinOnce], [true, true, true, true, true]);
    const a = build(['-a', 'stdout', 'busybox']).body;
    assert.deepEqual([a.AttachStdin, a.AttachStdout, a.AttachStderr], [false, true, false]);
  });
  it('--init only when given, --stop-timeout only when given, --rm=false', () => {
    assert.equal(build(['busybox']).host.Init, undefined);
    assert.equal(build(['--init', 'busybox']).host.Init, true);
    assert.equal(build(['--stop-timeout', '5', 'busybox']).body.StopTimeout, 5);
    assert.equal(build(['--rm', '--rm=false', 'busybox']).host.AutoRemove, false);
  });
});

describe('network', () => {
  it('no --network: NetworkMode default with a default endpoint', () => {
    const { host, body } = build(['busybox']);
    assert.equal(host.NetworkMode, 'default');
    assert.deepEqual(Object.keys((body.NetworkingConfig as any).EndpointsConfig), ['default']);
  });
  it('--network none/host/container: leave the endpoint to the daemon', () => {
    for (const mode of ['none', 'host', 'container:abc']) {
      const { host, body } = build(['--network', mode, 'busybox']);
      assert.equal(host.NetworkMode, mode);
      assert.deepEqual((body.NetworkingConfig as any).EndpointsConfig, {});
    }
  });
  it('-p repeated, sorted like Go maps; --add-host, --dns*', () => {
    const { body, host } = build(['-p', '8080:80', '-p', '127.0.0.1::53/udp', '--add-host', 'a=1.2.3.4', '--dns', '8.8.8.8', 'busybox']);
    assert.deepEqual(body.ExposedPorts, { '53/udp': {}, '80/tcp': {} });
    assert.deepEqual(host.PortBindings, { '53/udp': [{ HostIp: '127.0.0.1', HostPort: '' }], '80/tcp': [{ HostIp: '', HostPort: '8080' }] });
    assert.deepEqual(host.ExtraHosts, ['a:1.2.3.4']);
    assert.deepEqual(host.Dns, ['8.8.8.8']);
  });
});
