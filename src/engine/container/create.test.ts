import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineError } from '../../common/errors.js';
import { mergeEnv, normalizeHostConfig, validateHostConfig } from './create.js';

const MiB = 1024 * 1024;

function invalid(fn: () => unknown, message: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof EngineError, String(e));
    assert.equal(e.kind, 'invalid-argument');
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

describe('mergeEnv', () => {
  it("appends the container's variables after the image's", () => {
    assert.deepEqual(mergeEnv(['PATH=/bin', 'A=1'], ['B=2']), ['PATH=/bin', 'A=1', 'B=2']);
  });

  it('replaces a variable in place', () => {
    assert.deepEqual(mergeEnv(['PATH=/bin', 'A=1', 'C=3'], ['A=one', 'PATH=/usr/bin']), ['PATH=/usr/bin', 'A=one', 'C=3']);
  });

  it('compares names only up to the first =', () => {
    assert.deepEqual(mergeEnv(['A=x=y'], ['A=b=c', 'AB=1']), ['A=b=c', 'AB=1']);
  });

  it('a bare name replaces a variable of the same name, and is kept as given', () => {
    assert.deepEqual(mergeEnv(['A=1', 'B=2'], ['A']), ['A', 'B=2']);
    assert.deepEqual(mergeEnv([], ['X', 'Y=']), ['X', 'Y=']);
  });

  it('does not modify its arguments', () => {
    const base = ['A=1'];
    mergeEnv(base, ['A=2', 'B=3']);
    assert.deepEqual(base, ['A=1']);
  });
});

describe('normalizeHostConfig', () => {
  it('fills in the defaults dockerd shows in inspect', () => {
    const hc = normalizeHostConfig({});
    assert.equal(hc.NetworkMode, 'bridge');
    assert.deepEqual(hc.RestartPolicy, { Name: 'no', MaximumRetryCount: 0 });
    assert.deepEqual(hc.LogConfig, { Type: 'json-file', Config: {} });
    assert.equal(hc.ShmSize, 64 * MiB);
    assert.equal(hc.IpcMode, 'private');
    assert.equal(hc.CgroupnsMode, 'host');
  });

  it("NetworkMode 'default' and '' become bridge; others are kept", () => {
    assert.equal(normalizeHostConfig({ NetworkMode: 'default' }).NetworkMode, 'bridge');
    assert.equal(normalizeHostConfig({ NetworkMode: '' }).NetworkMode, 'bridge');
    assert.equal(normalizeHostConfig({ NetworkMode: 'host' }).NetworkMode, 'host');
    assert.equal(normalizeHostConfig({ NetworkMode: 'container:abc' }).NetworkMode, 'container:abc');
  });

  it("RestartPolicy '' is 'no'; a policy is kept with its retry count", () => {
    assert.deepEqual(normalizeHostConfig({ RestartPolicy: { Name: '' } }).RestartPolicy, { Name: 'no', MaximumRetryCount: 0 });
    assert.deepEqual(normalizeHostConfig({ RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 } }).RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 });
  });

  it('a LogConfig with a type keeps it and its options', () => {
    assert.deepEqual(normalizeHostConfig({ LogConfig: { Type: 'none' } }).LogConfig, { Type: 'none', Config: {} });
    assert.deepEqual(normalizeHostConfig({ LogConfig: { Type: '', Config: { 'max-size': '1m' } } }).LogConfig, { Type: 'json-file', Config: { 'max-size': '1m' } });
  });

  it('MemorySwap defaults to twice Memory; an explicit one is kept', () => {
    assert.equal(normalizeHostConfig({ Memory: 64 * MiB }).MemorySwap, 128 * MiB);
    assert.equal(normalizeHostConfig({ Memory: 64 * MiB, MemorySwap: 0 }).MemorySwap, 128 * MiB);
    assert.equal(normalizeHostConfig({ Memory: 64 * MiB, MemorySwap: -1 }).MemorySwap, -1);
    assert.equal(normalizeHostConfig({ Memory: 64 * MiB, MemorySwap: 100 * MiB }).MemorySwap, 100 * MiB);
    assert.equal(normalizeHostConfig({}).MemorySwap, undefined);
  });

  it('ShmSize 0 is 64 MiB; another size is kept', () => {
    assert.equal(normalizeHostConfig({ ShmSize: 0 }).ShmSize, 64 * MiB);
    assert.equal(normalizeHostConfig({ ShmSize: 128 * MiB }).ShmSize, 128 * MiB);
  });

  it('PidsLimit ≤ 0 is null (unlimited)', () => {
    assert.equal(normalizeHostConfig({ PidsLimit: 0 }).PidsLimit, null);
    assert.equal(normalizeHostConfig({ PidsLimit: -1 }).PidsLimit, null);
    assert.equal(normalizeHostConfig({ PidsLimit: 100 }).PidsLimit, 100);
    assert.equal(normalizeHostConfig({ PidsLimit: null }).PidsLimit, null);
  });

  it('MemorySwappiness -1 is null', () => {
    assert.equal(normalizeHostConfig({ MemorySwappiness: -1 }).MemorySwappiness, null);
    assert.equal(normalizeHostConfig({ MemorySwappiness: 30 }).MemorySwappiness, 30);
  });

  it('CgroupnsMode defaults to the argument (private on cgroup v2 hosts); an explicit one is kept', () => {
    assert.equal(normalizeHostConfig({}, 'private').CgroupnsMode, 'private');
    assert.equal(normalizeHostConfig({ CgroupnsMode: '' }, 'private').CgroupnsMode, 'private');
    assert.equal(normalizeHostConfig({}, 'host').CgroupnsMode, 'host');
    assert.equal(normalizeHostConfig({ CgroupnsMode: 'host' }, 'private').CgroupnsMode, 'host');
  });

  it('IpcMode defaults to private; an explicit one is kept', () => {
    assert.equal(normalizeHostConfig({ IpcMode: '' }).IpcMode, 'private');
    assert.equal(normalizeHostConfig({ IpcMode: 'host' }).IpcMode, 'host');
    assert.equal(normalizeHostConfig({ IpcMode: 'shareable' }).IpcMode, 'shareable');
  });

  it('keeps other fields and does not modify its argument', () => {
    const h = { Privileged: true, Binds: ['/a:/b'] };
    const hc = normalizeHostConfig(h);
    assert.equal(hc.Privileged, true);
    assert.deepEqual(hc.Binds, ['/a:/b']);
    assert.deepEqual(h, { Privileged: true, Binds: ['/a:/b'] });
  });
});

describe('validateHostConfig', () => {
  it('accepts an empty HostConfig and the four policies', () => {
    validateHostConfig({});
    for (const Name of ['', 'no', 'always', 'unless-stopped', 'on-failure']) validateHostConfig({ RestartPolicy: { Name } });
    validateHostConfig({ RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 5 } });
  });

  it("an unknown restart policy is Docker's message", () => {
    invalid(
      () => validateHostConfig({ RestartPolicy: { Name: 'x' } }),
      "invalid restart policy: unknown policy 'x'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'",
    );
  });

  it("a retry count with another policy is Docker's message", () => {
    for (const Name of ['no', 'always', 'unless-stopped']) {
      invalid(
        () => validateHostConfig({ RestartPolicy: { Name, MaximumRetryCount: 3 } }),
        "invalid restart policy: maximum retry count can only be used with 'on-failure'",
      );
    }
    invalid(
      () => validateHostConfig({ RestartPolicy: { Name: 'always', MaximumRetryCount: -1 } }),
      "invalid restart policy: maximum retry count can only be used with 'on-failure' and cannot be negative",
    );
  });

  it('a negative retry count with on-failure is an error', () => {
    invalid(() => validateHostConfig({ RestartPolicy: { Name: 'on-failure', MaximumRetryCount: -1 } }), 'invalid restart policy: maximum retry count cannot be negative');
  });

  // moby daemon/container.go validateRestartPolicy: `if policy.Name == "" { return nil }`.
  it('an empty policy name is not checked further, as in Docker', () => {
    validateHostConfig({ RestartPolicy: { Name: '', MaximumRetryCount: 3 } });
  });

  it('AutoRemove with a restart policy is an error', () => {
    for (const Name of ['always', 'unless-stopped', 'on-failure']) {
      invalid(() => validateHostConfig({ AutoRemove: true, RestartPolicy: { Name } }), "can't create 'AutoRemove' container with restart policy");
    }
    validateHostConfig({ AutoRemove: true, RestartPolicy: { Name: 'no' } });
    validateHostConfig({ AutoRemove: true });
  });

  it('an unknown log driver is an error; json-file and none are known', () => {
    invalid(() => validateHostConfig({ LogConfig: { Type: 'syslogx' } }), "logger: no log driver named 'syslogx' is registered");
    validateHostConfig({ LogConfig: { Type: 'json-file' } });
    validateHostConfig({ LogConfig: { Type: 'none' } });
  });

  it('an unknown network is an error; the built-in modes are known', () => {
    invalid(() => validateHostConfig({ NetworkMode: 'mynet' }), 'network mynet not found');
    for (const NetworkMode of ['', 'default', 'bridge', 'host', 'none', 'container:abc']) validateHostConfig({ NetworkMode });
  });

  it('checks binds', () => {
    validateHostConfig({ Binds: ['/a:/b:ro'] });
    invalid(() => validateHostConfig({ Binds: ['/a:b'] }), /mount path must be absolute/);
    invalid(() => validateHostConfig({ Binds: ['/a:/b:bogus'] }), 'invalid mode: bogus');
  });

  it('checks the memory minimum and CPU shares', () => {
    invalid(() => validateHostConfig({ Memory: 1024 }), 'Minimum memory limit allowed is 6MB');
    validateHostConfig({ Memory: 0 });
    validateHostConfig({ Memory: 6 * MiB });
    invalid(() => validateHostConfig({ CpuShares: -1 }), /invalid CPU shares/);
  });
});
