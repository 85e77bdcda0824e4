// `berth run` and `berth create`/`start` against berthd: exit statuses (the container's, and 125/126/127),
// output on the right streams, stdin, --rm, -d, and `berth version`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useCliDaemon, withContainers } from './harness.js';

const cli = useCliDaemon('run');

describe('berth run', () => {
  it('propagates the container exit status and keeps stdout and stderr apart', async () => {
    const { berth } = cli();
    assert.deepEqual(await berth(['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3']), { code: 3, stdout: 'out\n', stderr: 'err\n' });
    assert.deepEqual(await berth(['run', '--rm', 'busybox', 'true']), { code: 0, stdout: '', stderr: '' });
  });

  it('keeps flags after the image for the container', async () => {
    const r = await cli().berth(['run', '--rm', 'busybox', 'ls', '-d', '/']);
    assert.deepEqual(r, { code: 0, stdout: '/\n', stderr: '' });
  });

  it('exits 127 when the command is not found and 126 when it cannot be invoked', async () => {
    const missing = await cli().berth(['run', '--rm', 'busybox', 'nosuchcommand']);
    assert.equal(missing.code, 127, missing.stderr);
    assert.match(missing.stderr, /^berth: Error response from daemon: .*(executable file not found|no such file or directory).*\n\nRun 'berth run --help' for more information\n$/s);
    const dir = await cli().berth(['run', 'busybox', '/etc']);
    assert.equal(dir.code, 126, dir.stderr);
    await cli().berthOk(['container', 'prune', '-f']);
  });

  it('exits 125 for flag errors and for daemon errors before the start', async () => {
    const flagErr = await cli().berth(['run', '--nosuchflag', 'busybox']);
    assert.equal(flagErr.code, 125);
    assert.equal(flagErr.stderr, "unknown flag: --nosuchflag\n\nUsage:  berth run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'berth run --help' for more information\n");
    const badValue = await cli().berth(['run', '-m', 'lots', 'busybox']);
    assert.equal(badValue.code, 125);
    assert.match(badValue.stderr, /^invalid argument "lots" for "-m, --memory" flag: invalid size: 'lots'\n/);
    const noImage = await cli().berth(['run', '--rm', '--pull', 'never', 'nosuchimage']);
    assert.equal(noImage.code, 125);
    assert.match(noImage.stderr, /^berth: Error response from daemon: No such image: nosuchimage:latest\n/);
    const pull = await cli().berth(['run', '--rm', 'nosuchimage']);
    assert.equal(pull.code, 125);
    assert.match(pull.stderr, /^Unable to find image 'nosuchimage:latest' locally\nberth: Error response from daemon: /);
  });

  it('forwards stdin with -i and closes it at EOF', async () => {
    const r = await cli().berth(['run', '--rm', '-i', 'busybox', 'sh', '-c', 'wc -l; echo after-eof'], { input: 'a\nb\nc\n' });
    assert.deepEqual(r, { code: 0, stdout: '3\nafter-eof\n', stderr: '' });
  });

  it('-t without a terminal on stdin: refuses -it, allows -t alone', async () => {
    const both = await cli().berth(['run', '--rm', '-it', 'busybox', 'true']);
    assert.deepEqual(both, { code: 1, stdout: '', stderr: 'the input device is not a TTY\n' });
    const t = await cli().berth(['run', '--rm', '-t', 'busybox', 'echo', 'tty']);
    assert.equal(t.code, 0);
    assert.equal(t.stdout, 'tty\r\n');
  });

  it('--rm removes the container; -d prints the full ID', async () => {
    const { berth, berthOk } = cli();
    await withContainers(cli(), ['run-rm', 'run-d'], async () => {
      await berthOk(['run', '--rm', '--name', 'run-rm', 'busybox', 'true']);
      assert.equal(await berthOk(['ps', '-a', '-q', '--filter', 'name=run-rm']), '');
      const id = (await berthOk(['run', '-d', '--name', 'run-d', 'busybox', 'sleep', '100'])).trim();
      assert.match(id, /^[0-9a-f]{64}$/);
      assert.equal((await berthOk(['inspect', '-f', '{{.Id}} {{.State.Running}}', 'run-d'])).trim(), `${id} true`);
      const again = await berth(['run', '-d', '--name', 'run-d', 'busybox', 'true']);
      assert.equal(again.code, 125);
      assert.match(again.stderr, /^berth: Error response from daemon: Conflict\. The container name "\/run-d" is already in use/);
    });
  });

  it('passes resource flags through to the container config', async () => {
    await withContainers(cli(), ['run-res'], async () => {
      await cli().berthOk(['create', '--name', 'run-res', '-m', '64m', '--cpus', '1.5', '--ulimit', 'nofile=1024:2048', '--restart', 'on-failure:3', '-e', 'A=1', '-l', 'k=v', 'busybox', 'true']);
      const f = '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{json .HostConfig.Ulimits}} {{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}} {{index .Config.Labels "k"}}';
      assert.equal(
        (await cli().berthOk(['inspect', '-f', f, 'run-res'])).trim(),
        '67108864 1500000000 [{"Name":"nofile","Hard":2048,"Soft":1024}] on-failure:3 v',
      );
      assert.match(await cli().berthOk(['inspect', '-f', '{{json .Config.Env}}', 'run-res']), /"A=1"/);
    });
  });

  it('create, then start -a, exits with the container status', async () => {
    await withContainers(cli(), ['run-create'], async () => {
      const id = (await cli().berthOk(['create', '--name', 'run-create', 'busybox', 'sh', '-c', 'echo started; exit 4'])).trim();
      assert.match(id, /^[0-9a-f]{64}$/);
      assert.deepEqual(await cli().berth(['start', '-a', 'run-create']), { code: 4, stdout: 'started\n', stderr: '' });
    });
  });
});

describe('berth version', () => {
  it('prints client and server sections, and templates', async () => {
    const out = await cli().berthOk(['version']);
    assert.match(out, /^Client:\n Version: {11}\d+\.\d+\.\d+\n API version: {7}1\.\d+\n/);
    assert.match(out, /\n\nServer: .*\n Engine:\n  Version: {10}\S+\n  API version: {6}1\.\d+ \(minimum version 1\.\d+\)\n/);
    assert.match(await cli().berthOk(['version', '--format', '{{.Server.Os}}/{{.Client.Os}}']), /^linux\/linux\n$/);
    const bad = await cli().berth(['version', '--format', '{{.Nope']);
    assert.equal(bad.code, 64);
  });
});
