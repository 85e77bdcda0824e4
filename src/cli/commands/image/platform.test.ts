import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePlatform, platformQuery } from './platform.js';

describe('parsePlatform', () => {
  it('normalizes like containerd', () => {
    assert.deepEqual(parsePlatform('linux/amd64'), { architecture: 'amd64', os: 'linux' });
    assert.deepEqual(parsePlatform('Linux/x86_64'), { architecture: 'amd64', os: 'linux' });
    assert.deepEqual(parsePlatform('linux/aarch64/v8'), { architecture: 'arm64', os: 'linux' });
    assert.deepEqual(parsePlatform('linux/arm'), { architecture: 'arm', os: 'linux', variant: 'v7' });
    assert.deepEqual(parsePlatform('armel'), { architecture: 'arm', os: 'linux', variant: 'v6' });
    assert.equal(parsePlatform('linux').os, 'linux');
  });
  it('reports bad specifiers with docker\'s wrapping', () => {
    assert.throws(() => platformQuery('nonsense'), { message: 'invalid platform: "nonsense": unknown operating system or architecture: invalid argument' });
    assert.equal(platformQuery(''), undefined);
    assert.equal(platformQuery('linux/arm64'), '{"architecture":"arm64","os":"linux"}');
  });
});
