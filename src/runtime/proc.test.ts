import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { test } from 'node:test';

import { isAlive, processStartTime } from './proc.js';

// Pids are always below pid_max, and pid_max is at most 2^22: this pid never exists.
const NO_SUCH_PID = 4194304;

test('processStartTime of this process is a tick count', () => {
  const t = processStartTime(process.pid);
  assert.ok(t !== undefined);
  assert.match(t, /^\d+$/);
  assert.equal(processStartTime(process.pid), t, 'stable across reads');
});

test('processStartTime of a pid that does not exist is undefined', () => {
  assert.equal(processStartTime(NO_SUCH_PID), undefined);
});

test('isAlive for this process', () => {
  const t = processStartTime(process.pid)!;
  assert.equal(isAlive(process.pid, t), true);
  assert.equal(isAlive(process.pid, undefined), true);
  assert.equal(isAlive(process.pid, String(Number(t) + 1)), false, 'another start time means another process');
});

test('isAlive for a pid that does not exist', () => {
  assert.equal(isAlive(NO_SUCH_PID, undefined), false);
  assert.equal(isAlive(NO_SUCH_PID, '12345'), false);
});

test('a command name with spaces and parentheses does not shift the fields', async () => {
  const child = spawn(
    process.execPath,
    ['-e', "process.stdin.once('data', () => { process.title = 'a) (b c'; console.log('renamed'); }); console.log('ready');"],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  try {
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    assert.equal((await lines.next()).value, 'ready');
    const before = processStartTime(child.pid!);
    assert.match(before ?? '', /^\d+$/);
    child.stdin!.write('go\n');
    assert.equal((await lines.next()).value, 'renamed');
    assert.equal(readFileSync(`/proc/${child.pid}/comm`, 'utf8').trim(), 'a) (b c');
    assert.equal(processStartTime(child.pid!), before);
    assert.equal(isAlive(child.pid!, before), true);
  } finally {
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
});

test('a zombie is not alive', async () => {
  // The background sleep ends only after the shell has been replaced by `sleep 30`, which never reaps it
  // (a `true &` could end, and be reaped by the shell, before the exec).
  const child = spawn('sh', ['-c', 'sleep 0.2 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const zpid = Number((await lines.next()).value);
    assert.ok(zpid > 0);
    let state = '';
    for (let i = 0; i < 200 && state !== 'Z'; i++) {
      await new Promise((r) => setTimeout(r, 10));
      const stat = readFileSync(`/proc/${zpid}/stat`, 'utf8');
      state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]!;
    }
    assert.equal(state, 'Z');
    const t = processStartTime(zpid);
    assert.ok(t !== undefined, 'a zombie still has a start time');
    assert.equal(isAlive(zpid, t), false);
    assert.equal(isAlive(zpid, undefined), false);
  } finally {
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
});
