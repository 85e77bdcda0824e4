import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostPlatform, importConfig, importPlatform, validateChanges } from './import-config.js';

describe('import config', () => {
  it("maps Node's arch names to image platforms", () => {
    assert.deepEqual(hostPlatform('x64'), { os: 'linux', architecture: 'amd64' });
    assert.deepEqual(hostPlatform('arm64'), { os: 'linux', architecture: 'arm64', variant: 'v8' });
    assert.deepEqual(hostPlatform('ia32'), { os: 'linux', architecture: '386' });
  });

  it('fills the platform from the host unless an architecture is asked for', () => {
    const host = { os: 'linux', architecture: 'amd64' };
    assert.deepEqual(importPlatform(undefined, host), host);
    assert.deepEqual(importPlatform({ os: 'linux' }, host), host);
    assert.deepEqual(importPlatform({ architecture: 'arm64' }, host), { os: 'linux', architecture: 'arm64' });
    assert.throws(() => importPlatform({ os: 'windows' }, host), /image operating system "windows" cannot be used on this platform/);
  });

  it('writes what Docker writes for an import, keys in alphabetical order', () => {
    const created = new Date('2024-01-02T03:04:05.678Z');
    const cfg = importConfig({
      diffId: `sha256:${'a'.repeat(64)}`,
      created,
      platform: { os: 'linux', architecture: 'amd64' },
      config: validateChanges({ Cmd: ['sh'], Env: undefined }),
      message: 'msg',
      source: '-',
    });
    assert.equal(
      JSON.stringify(cfg),
      '{"architecture":"amd64","comment":"msg","config":{"Cmd":["sh"]},"created":"2024-01-02T03:04:05.678Z",' +
        '"history":[{"created":"2024-01-02T03:04:05.678Z","created_by":"","comment":"Imported from -"}],' +
        `"os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:${'a'.repeat(64)}"]}}`,
    );
  });
});
