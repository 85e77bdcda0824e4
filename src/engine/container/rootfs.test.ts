import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineError, notFound } from '../../common/errors.js';
import { rootfsMount, rootfsSize, type RootfsSnapshotter } from './rootfs.js';

function fake(usage: () => Promise<{ size: number; inodes: number }>): RootfsSnapshotter & { calls: unknown[][] } {
  const calls: unknown[][] = [];
  return {
    calls,
    prepare: async (key, parents) => {
      calls.push(['prepare', key, parents]);
      return { baseDir: '/data/image', options: ['lowerdir=l/B:l/A', 'upperdir=/c/fs/upper', 'workdir=/c/fs/work'] };
    },
    remove: async () => undefined,
    usage,
  };
}

test('the rootfs mount is the snapshot prepared for the container, as annotation values', async () => {
  const s = fake(async () => ({ size: 0, inodes: 0 }));
  assert.deepEqual(await rootfsMount(s, 'abc', ['/l/a', '/l/b']), {
    data: 'lowerdir=l/B:l/A,upperdir=/c/fs/upper,workdir=/c/fs/work',
    baseDir: '/data/image',
  });
  assert.deepEqual(s.calls, [['prepare', 'abc', ['/l/a', '/l/b']]]);
});

test('SizeRw is the snapshot usage, 0 when the snapshot is gone; other errors pass', async () => {
  assert.equal(await rootfsSize(fake(async () => ({ size: 42, inodes: 3 })), 'abc'), 42);
  assert.equal(await rootfsSize(fake(async () => Promise.reject(notFound('snapshot abc does not exist'))), 'abc'), 0);
  await assert.rejects(rootfsSize(fake(async () => Promise.reject(new EngineError('internal', 'EIO'))), 'abc'), /EIO/);
});
