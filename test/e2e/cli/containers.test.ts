// Container commands on running containers: ps (--format, -q, --filter), logs (--tail, -t), exec, inspect
// -f, stop/kill/rm, wait and rename, checked against berthd.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pollUntil } from '../../helpers/cleanup.js';
import { useCliDaemon, withContainers } from './harness.js';

const cli = useCliDaemon('containers');

describe('berth ps', () => {
  it('lists running containers; -a, -q, --filter and --format', async () => {
    const { berthOk } = cli();
    await withContainers(cli(), ['ps-up', 'ps-done'], async () => {
      const up = (await berthOk(['run', '-d', '--name', 'ps-up', '-l', 'role=web', 'busybox', 'sleep', '100'])).trim();
      await berthOk(['run', '--name', 'ps-done', 'busybox', 'true']);
      const table = await berthOk(['ps', '--filter', 'name=ps-']);
      const lines = table.trimEnd().split('\n');
      assert.match(lines[0]!, /^CONTAINER ID {3}IMAGE {5}COMMAND +CREATED +STATUS +PORTS +NAMES$/);
      assert.equal(lines.length, 2);
      assert.match(lines[1]!, new RegExp(`^${up.slice(0, 12)} {3}busybox {3}"sleep 100" {3}.* ago +Up .* +ps-up$`));
      assert.equal(await berthOk(['ps', '-q', '--filter', 'name=ps-up']), `${up.slice(0, 12)}\n`);
      assert.equal(await berthOk(['ps', '-q', '--no-trunc', '--filter', 'label=role=web']), `${up}\n`);
      const all = await berthOk(['ps', '-a', '--filter', 'name=ps-', '--format', '{{.Names}} {{.State}}']);
      assert.deepEqual(all.trim().split('\n').sort(), ['ps-done exited', 'ps-up running']);
      assert.equal(await berthOk(['ps', '--filter', 'name=ps-up', '--format', 'table {{.Names}}\t{{.Labels}}']), 'NAMES     LABELS\nps-up     role=web\n');
      const json = JSON.parse(await berthOk(['ps', '--filter', 'name=ps-up', '--format', 'json'])) as Record<string, string>;
      assert.equal(json.Names, 'ps-up');
      assert.equal(json.Command, '"sleep 100"');
    });
  });
});

describe('berth logs', () => {
  it('--tail, -n and -t', async () => {
    const { berthOk } = cli();
    await withContainers(cli(), ['logs-c'], async () => {
      await berthOk(['run', '--name', 'logs-c', 'busybox', 'sh', '-c', 'for i in 1 2 3 4 5; do echo line$i; done; echo oops >&2']);
      const r = await cli().berth(['logs', 'logs-c']);
      assert.deepEqual(r, { code: 0, stdout: 'line1\nline2\nline3\nline4\nline5\n', stderr: 'oops\n' });
      assert.equal((await cli().berth(['logs', '--tail', '2', 'logs-c'])).stdout, 'line5\n');
      const stamped = (await cli().berth(['container', 'logs', '-n', '3', '-t', 'logs-c'])).stdout.trimEnd().split('\n');
      assert.equal(stamped.length, 2);
      for (const l of stamped) assert.match(l, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z line[45]$/);
    });
  });
});

describe('berth exec', () => {
  it('runs in the container with -e, -w, -u and stdin', async () => {
    const { berthOk, berth } = cli();
    await withContainers(cli(), ['exec-c'], async () => {
      await berthOk(['run', '-d', '--name', 'exec-c', 'busybox', 'sleep', '100']);
      assert.equal(await berthOk(['exec', '-e', 'A=1', '-w', '/tmp', 'exec-c', 'sh', '-c', 'echo $A; pwd']), '1\n/tmp\n');
      assert.equal(await berthOk(['exec', '-u', '1000:1000', 'exec-c', 'id', '-u']), '1000\n');
      assert.equal(await berthOk(['exec', '-i', 'exec-c', 'cat'], { input: 'piped\n' }), 'piped\n');
      assert.equal((await berth(['exec', 'exec-c', 'nosuch'])).code, 127);
      const noArgs = await berth(['exec', 'exec-c']);
      assert.equal(noArgs.code, 1);
      assert.match(noArgs.stderr, /^berth: 'berth exec' requires at least 2 arguments\n/);
    });
  });
});

describe('stop, kill, rm, wait, rename, inspect', () => {
  it('follow the container through its life', async () => {
    const { berthOk, berth } = cli();
    await withContainers(cli(), ['life-a', 'life-b', 'life-c'], async () => {
      await berthOk(['run', '-d', '--name', 'life-a', 'busybox', 'sleep', '100']);
      await berthOk(['run', '-d', '--name', 'life-b', 'busybox', 'sh', '-c', 'trap "exit 7" TERM; while :; do sleep 0.1; done']);
      assert.equal(await berthOk(['inspect', '-f', '{{.State.Status}}', 'life-a']), 'running\n');
      assert.equal(await berthOk(['kill', 'life-a']), 'life-a\n');
      assert.equal(await berthOk(['wait', 'life-a']), '137\n');
      assert.equal(await berthOk(['stop', '-t', '5', 'life-b']), 'life-b\n');
      assert.equal(await berthOk(['inspect', '-f', '{{.State.ExitCode}}', 'life-b']), '7\n');
      assert.equal(await berthOk(['rename', 'life-b', 'life-c']), '');
      assert.equal(await berthOk(['inspect', '-f', '{{.Name}}', 'life-c']), '/life-c\n');
      const gone = await berth(['container', 'inspect', '-f', '{{.Name}}', 'life-c', 'life-b']);
      assert.deepEqual(gone, { code: 1, stdout: '/life-c\n', stderr: 'Error response from daemon: No such container: life-b\n' });
      // the generic inspect tries every kind of object before giving up
      assert.deepEqual(await berth(['inspect', 'life-b']), { code: 1, stdout: '[]\n', stderr: 'Error: No such object: life-b\n' });
      const rm = await berth(['rm', 'life-a', 'nosuch-x']);
      assert.deepEqual(rm, { code: 1, stdout: 'life-a\n', stderr: 'Error response from daemon: No such container: nosuch-x\n' });
      await berthOk(['run', '-d', '--name', 'life-a', 'busybox', 'sleep', '100']);
      const busy = await berth(['rm', 'life-a']);
      assert.equal(busy.code, 1);
      assert.equal(await berthOk(['rm', '-f', 'life-a']), 'life-a\n');
      await pollUntil(async () => (await berthOk(['ps', '-aq', '--filter', 'name=life-a'])) === '', { what: 'life-a to be gone' });
    });
  });
});
