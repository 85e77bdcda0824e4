import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { formatHost, lookupGroup, parseHost } from './listen.js';

describe('parseHost', () => {
  it('reads the forms dockerd accepts for -H', () => {
    assert.deepEqual(parseHost('unix:///run/berth/berth.sock'), { kind: 'unix', path: '/run/berth/berth.sock' });
    assert.deepEqual(parseHost('tcp://0.0.0.0:2376'), { kind: 'tcp', host: '0.0.0.0', port: 2376 });
    assert.deepEqual(parseHost('tcp://:2375'), { kind: 'tcp', host: 'localhost', port: 2375 });
    assert.deepEqual(parseHost('tcp://10.0.0.1'), { kind: 'tcp', host: '10.0.0.1', port: 2375 });
    assert.deepEqual(parseHost('tcp://[::1]:2375'), { kind: 'tcp', host: '::1', port: 2375 });
    assert.deepEqual(parseHost('127.0.0.1:4243'), { kind: 'tcp', host: '127.0.0.1', port: 4243 });
    assert.deepEqual(parseHost('tcp://127.0.0.1:0'), { kind: 'tcp', host: '127.0.0.1', port: 0 });
  });

  it('rejects what dockerd rejects, with its wording', () => {
    assert.throws(() => parseHost('unix://'), /invalid bind address \(unix:\/\/\)/);
    assert.throws(() => parseHost('tcp://host:99999'), /invalid port: 99999/);
    assert.throws(() => parseHost('ssh://host'), /unsupported proto 'ssh'/);
  });

  it('formats addresses back', () => {
    assert.equal(formatHost({ kind: 'tcp', host: '::1', port: 1 }), 'tcp://[::1]:1');
    assert.equal(formatHost(parseHost('unix:///a/b.sock')), 'unix:///a/b.sock');
  });
});

describe('lookupGroup', () => {
  it('reads names and numbers from the group database', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'berth-group-'));
    try {
      const file = path.join(dir, 'group');
      await writeFile(file, 'root:x:0:\ndocker:x:998:alice,bob\n');
      assert.equal(await lookupGroup('docker', file), 998);
      assert.equal(await lookupGroup('root', file), 0);
      assert.equal(await lookupGroup('1234', file), 1234);
      assert.equal(await lookupGroup('nobody-here', file), undefined);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
