import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { filterManifests, formatPlatform, hostPlatform, normalizePlatform, parsePlatform, platformVector, selectManifest } from './platform.js';
import type { Descriptor } from './types.js';

const d = (architecture: string, variant?: string, os = 'linux'): Descriptor => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${architecture}${variant ?? ''}`,
  size: 1,
  platform: { os, architecture, ...(variant ? { variant } : {}) },
});

describe('platform parsing', () => {
  const amd64 = { os: 'linux', architecture: 'amd64' };
  it('parses --platform values as containerd does', () => {
    assert.deepEqual(parsePlatform('linux/amd64'), { os: 'linux', architecture: 'amd64' });
    assert.deepEqual(parsePlatform('linux/arm64/v8'), { os: 'linux', architecture: 'arm64', variant: 'v8' });
    assert.deepEqual(parsePlatform('linux/arm64'), { os: 'linux', architecture: 'arm64' });
    assert.deepEqual(parsePlatform('linux/arm'), { os: 'linux', architecture: 'arm' });
    assert.deepEqual(parsePlatform('linux/arm/v6'), { os: 'linux', architecture: 'arm', variant: 'v6' });
    assert.deepEqual(parsePlatform('linux/x86_64'), amd64);
    assert.deepEqual(parsePlatform('aarch64', amd64), { os: 'linux', architecture: 'arm64' });
    assert.deepEqual(parsePlatform('linux', amd64), amd64);
    assert.deepEqual(parsePlatform('Linux/AMD64'), amd64);
  });

  it('refuses what containerd refuses, in its words', () => {
    assert.throws(() => parsePlatform('linux/*'), /wildcards not yet supported/);
    assert.throws(() => parsePlatform('bogus'), /"bogus": unknown operating system or architecture: invalid argument/);
    assert.throws(() => parsePlatform('linux/am d64'), /"am d64" is an invalid component of "linux\/am d64"/);
    assert.throws(() => parsePlatform('a/b/c/d'), /cannot parse platform specifier/);
  });

  it('formats and normalizes', () => {
    assert.equal(formatPlatform({ os: 'linux', architecture: 'arm64', variant: 'v8' }), 'linux/arm64/v8');
    assert.equal(formatPlatform({ os: 'linux', architecture: 'amd64' }), 'linux/amd64');
    assert.deepEqual(normalizePlatform({ os: 'linux', architecture: 'arm64', variant: 'v8' }).variant, undefined);
    assert.deepEqual(normalizePlatform({ os: 'linux', architecture: 'arm' }).variant, 'v7');
  });

  it('knows the host platform', () => {
    assert.deepEqual(hostPlatform('x64'), { os: 'linux', architecture: 'amd64' });
    assert.deepEqual(hostPlatform('arm64'), { os: 'linux', architecture: 'arm64', variant: 'v8' });
    assert.deepEqual(hostPlatform('arm', '6'), { os: 'linux', architecture: 'arm', variant: 'v6' });
  });

  it('orders compatible platforms like containerd', () => {
    const f = (p: Parameters<typeof platformVector>[0]) => platformVector(p).map(formatPlatform);
    assert.deepEqual(f({ os: 'linux', architecture: 'amd64' }), ['linux/amd64', 'linux/386']);
    assert.deepEqual(f({ os: 'linux', architecture: 'arm', variant: 'v7' }), ['linux/arm/v7', 'linux/arm/v6', 'linux/arm/v5']);
    assert.deepEqual(f({ os: 'linux', architecture: 'arm64', variant: 'v8' }), ['linux/arm64', 'linux/arm/v8', 'linux/arm/v7', 'linux/arm/v6', 'linux/arm/v5']);
  });
});

describe('selectManifest', () => {
  const index = { manifests: [d('arm', 'v6'), d('amd64'), d('arm64', 'v8'), d('386'), d('arm', 'v7'), d('unknown', undefined, 'unknown')] };

  it('picks the exact platform first', () => {
    assert.equal(selectManifest(index, { os: 'linux', architecture: 'amd64' }).digest, 'sha256:amd64');
    assert.equal(selectManifest(index, { os: 'linux', architecture: 'x86_64' }).digest, 'sha256:amd64');
    assert.equal(selectManifest(index, { os: 'linux', architecture: 'aarch64' }).digest, 'sha256:arm64v8');
    assert.equal(selectManifest(index, { os: 'linux', architecture: 'arm64', variant: 'v8' }).digest, 'sha256:arm64v8');
    assert.equal(selectManifest(index, { os: 'linux', architecture: 'arm', variant: 'v7' }).digest, 'sha256:armv7');
  });

  it('falls back to compatible platforms in order', () => {
    const onlyArm = { manifests: [d('arm', 'v5'), d('arm', 'v6')] };
    assert.equal(selectManifest(onlyArm, { os: 'linux', architecture: 'arm', variant: 'v7' }).digest, 'sha256:armv6');
    assert.equal(selectManifest(onlyArm, { os: 'linux', architecture: 'arm64' }).digest, 'sha256:armv6');
    assert.equal(selectManifest({ manifests: [d('386')] }, { os: 'linux', architecture: 'amd64' }).digest, 'sha256:386');
    assert.deepEqual(filterManifests(index, { os: 'linux', architecture: 'arm', variant: 'v7' }).map((x) => x.digest), ['sha256:armv7', 'sha256:armv6']);
  });

  it("answers Docker's error when nothing matches", () => {
    assert.throws(
      () => selectManifest({ manifests: [d('arm64', 'v8')] }, { os: 'linux', architecture: 'amd64' }),
      (e: Error & { kind?: string }) => e.message === 'no matching manifest for linux/amd64 in the manifest list entries' && e.kind === 'not-found',
    );
    assert.throws(
      () => selectManifest({ manifests: [d('amd64')] }, parsePlatform('linux/arm64/v8')),
      /no matching manifest for linux\/arm64\/v8 in the manifest list entries/,
    );
    assert.throws(() => selectManifest({ manifests: [d('amd64', undefined, 'windows')] }, { os: 'linux', architecture: 'amd64' }));
  });
});
