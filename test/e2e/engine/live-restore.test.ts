// Live restore: berthd dies (SIGKILL, no chance to tidy up) while containers run; a new berthd on the same
// data and exec roots must find them still running, keep their logs going, and learn the exit status of one
// that ended while no daemon was there.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { pollUntil } from '../../helpers/cleanup.js';
import { startDaemon, type Daemon } from '../../helpers/daemon.js';

const COUNTER = ['busybox', 'sh', '-c', 'i=0; while true; do echo $i; i=$((i+1)); sleep 0.1; done'];
const NAMES = ['lr-one', 'lr-two', 'lr-three'];

function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

describe('live restore after berthd is killed', { timeout: 60_000 }, () => {
  let d: Daemon;

  before(async () => {
    d = await startDaemon('e2e-engine-live-restore');
  });
  after(async () => {
    await d?.cleanup();
  });

  test('containers survive, logs go on, an exit while down is picked up', async () => {
    const ids: string[] = [];
    for (const n of NAMES) ids.push((await d.dockerOk(['run', '-d', '--name', n, ...COUNTER])).trim());
    const quitter = (await d.dockerOk(['run', '-d', '--name', 'lr-exits', 'busybox', 'sh', '-c', 'sleep 2; exit 7'])).trim();

    const logLines = async (ref: string) => (await d.dockerOk(['logs', ref])).split('\n').filter(Boolean);
    for (const n of NAMES) await pollUntil(async () => (await logLines(n)).length >= 3, { timeoutMs: 10_000, what: `${n} to log` });
    const pids = new Map<string, number>();
    for (const n of [...NAMES, 'lr-exits']) pids.set(n, Number((await d.dockerOk(['inspect', '-f', '{{.State.Pid}}', n])).trim()));
    const quitterPid = pids.get('lr-exits')!;
    assert.ok(running(quitterPid), 'lr-exits must still be running when berthd is killed (it sleeps 2 s)');

    await d.kill9();
    for (const n of NAMES) assert.ok(running(pids.get(n)!), `${n} (pid ${pids.get(n)}) died with berthd`);
    await pollUntil(() => !running(quitterPid), { timeoutMs: 10_000, what: `lr-exits (pid ${quitterPid}) to exit while berthd is down` });

    await d.restart();

    const ps = (await d.dockerOk(['ps', '--format', '{{.Names}} {{.State}}'])).split('\n').filter(Boolean).sort();
    assert.deepEqual(ps, ['lr-one running', 'lr-three running', 'lr-two running']);
    for (const [i, n] of NAMES.entries()) {
      assert.equal((await d.dockerOk(['inspect', '-f', '{{.Id}} {{.State.Status}} {{.State.Pid}}', n])).trim(), `${ids[i]} running ${pids.get(n)}`);
      assert.ok(running(pids.get(n)!), `${n} is not running after the restart`);
    }

    for (const n of NAMES) {
      const at = (await logLines(n)).length;
      await pollUntil(async () => (await logLines(n)).length > at + 2, { timeoutMs: 10_000, what: `${n}'s log to grow after the restart (${at} lines)` });
      // the counter's output is complete: nothing was lost while no daemon was there
      const got = await logLines(n);
      assert.deepEqual(got, got.map((_, k) => String(k)), `${n}'s log has gaps`);
    }

    assert.equal((await d.dockerOk(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}} {{.State.Running}}', 'lr-exits'])).trim(), 'exited 7 false');
    assert.equal(await d.dockerOk(['wait', quitter], { timeoutMs: 10_000 }), '7\n');
    const all = (await d.dockerOk(['ps', '-a', '--filter', 'status=exited', '--format', '{{.Names}} {{.Status}}'])).trim();
    assert.match(all, /^lr-exits Exited \(7\) /);

    // the new daemon controls the restored containers
    assert.equal(await d.dockerOk(['exec', 'lr-one', 'echo', 'exec-ok']), 'exec-ok\n');
    await d.dockerOk(['stop', '-t', '1', ...NAMES], { timeoutMs: 20_000 });
    for (const n of NAMES) {
      assert.equal((await d.dockerOk(['inspect', '-f', '{{.State.Status}}', n])).trim(), 'exited');
      assert.ok(!running(pids.get(n)!), `${n} still runs after docker stop`);
    }
    await d.dockerOk(['rm', ...NAMES, 'lr-exits']);
    assert.equal(await d.dockerOk(['ps', '-aq']), '');
  });
});
