import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { killPid, mountsBelow, pollUntil, testName, withTempDir } from './cleanup.js';

const isRoot = process.getuid?.() === 0;

test('testName is short, safe and stable', (t) => {
  const n = testName(t);
  assert.match(n, /^[a-z0-9-]{1,20}-[0-9a-f]{6}$/);
  assert.equal(n, testName(t));
  assert.equal(testName({ name: '!!!' }).startsWith('t-'), true);
  assert.notEqual(testName({ name: 'a very long test name, part one' }), testName({ name: 'a very long test name, part two' }));
});

test('pollUntil returns the first truthy value and times out clearly', async () => {
  let n = 0;
  assert.equal(await pollUntil(() => (++n >= 3 ? n : false), { timeoutMs: 1000, intervalMs: 1 }), 3);
  await assert.rejects(
    pollUntil(
      () => {
        throw new Error('not yet');
      },
      { timeoutMs: 50, intervalMs: 5, what: 'the impossible' },
    ),
    /timed out after 50 ms .*waiting for the impossible; last error: not yet/,
  );
});

test('killPid kills and waits', async () => {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  const pid = child.pid;
  assert.ok(pid);
  await killPid(pid, { timeoutMs: 2000 });
  assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' });
  await killPid(pid); // already gone: no error
});

test('withTempDir unmounts below the dir and removes it', { skip: !isRoot && 'needs root' }, async () => {
  let seen = '';
  await withTempDir('berth-cleanup-test', async (dir) => {
    seen = dir;
    // a bind of a directory outside the temp dir: deleting through it would delete the original
    const outside = join(dir, '..', `${dir.split('/').pop()}-outside`);
    await mkdir(outside);
    try {
      await writeFile(join(outside, 'keep'), 'x');
      await mkdir(join(dir, 'a'));
      execFileSync('mount', ['-t', 'tmpfs', 'none', join(dir, 'a')]);
      await mkdir(join(dir, 'a', 'b'));
      execFileSync('mount', ['--bind', outside, join(dir, 'a', 'b')]);
      execFileSync('mount', ['-t', 'tmpfs', 'none', join(dir, 'a', 'b')]); // stacked on the bind
      assert.equal((await mountsBelow(dir)).length, 3);
    } catch (err) {
      execFileSync('rm', ['-rf', outside]);
      throw err;
    }
  });
  assert.equal(existsSync(seen), false);
  const outside = `${seen}-outside`;
  assert.equal(existsSync(join(outside, 'keep')), true);
  execFileSync('rm', ['-rf', outside]);
});

test('withTempDir removes the dir when fn throws, and rethrows', async () => {
  let seen = '';
  await assert.rejects(
    withTempDir('berth-cleanup-throw', async (dir) => {
      seen = dir;
      await writeFile(join(dir, 'f'), 'x');
      throw new Error('boom');
    }),
    /boom/,
  );
  assert.equal(existsSync(seen), false);
});
