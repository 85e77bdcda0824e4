// dockerode (docker-modem) against berthd over the unix socket: the hijacked attach and exec streams and the
// multiplexed (stdcopy) framing that Node clients depend on.
import assert from 'node:assert/strict';
import { PassThrough, type Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import Docker from 'dockerode';
import { pollUntil } from '../../helpers/cleanup.js';
import { startDaemon, type Daemon } from '../../helpers/daemon.js';

/** Collects what a stream carries until it ends (or closes: a hijacked socket may just close). */
function collect(s: Readable): { text: () => string; done: Promise<void> } {
  let buf = '';
  s.on('data', (b: Buffer) => (buf += b.toString('utf8')));
  const done = new Promise<void>((resolve, reject) => {
    s.once('end', resolve);
    s.once('close', resolve);
    s.once('error', reject);
  });
  return { text: () => buf, done };
}

/** Splits a stdcopy buffer (8-byte headers: stream, 0, 0, 0, big-endian length) into stdout and stderr. */
function demuxBuffer(b: Buffer): { stdout: string; stderr: string } {
  const out = { stdout: '', stderr: '' };
  let i = 0;
  while (i < b.length) {
    assert.ok(i + 8 <= b.length, `truncated stdcopy header at ${i} of ${b.length}`);
    const kind = b[i]!;
    const len = b.readUInt32BE(i + 4);
    assert.ok(kind === 1 || kind === 2, `stream type ${kind} at ${i}`);
    const body = b.subarray(i + 8, i + 8 + len).toString('utf8');
    if (kind === 1) out.stdout += body;
    else out.stderr += body;
    i += 8 + len;
  }
  return out;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms))),
  ]);
}

describe('dockerode against berthd', { timeout: 60_000 }, () => {
  let d: Daemon;
  let docker: Docker;

  before(async () => {
    d = await startDaemon('e2e-engine-dockerode');
    docker = new Docker({ socketPath: d.socket });
  });
  after(async () => {
    await d?.cleanup();
  });

  test('ping and version', async () => {
    assert.equal(String(await docker.ping()), 'OK');
    const v = await docker.version();
    assert.equal(v.ApiVersion, '1.50');
  });

  test('create, attach (hijacked, with stdin), start, wait, logs', async () => {
    const c = await docker.createContainer({
      name: 'dockerode-attach',
      Image: 'busybox',
      Cmd: ['sh', '-c', 'read line; echo "got $line"; echo to-stderr >&2; exit 3'],
      OpenStdin: true,
      StdinOnce: true,
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
    });
    assert.match(c.id, /^[0-9a-f]{64}$/);
    const stream = (await c.attach({ stream: true, stdout: true, stderr: true, stdin: true, hijack: true })) as NodeJS.ReadWriteStream & Readable;
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const out = collect(stdout);
    const err = collect(stderr);
    const ended = collect(stream);
    docker.modem.demuxStream(stream, stdout, stderr);
    await c.start();
    stream.write('hello\n');

    const w = (await withTimeout(c.wait(), 15_000, 'container.wait')) as { StatusCode: number; Error?: { Message: string } | null };
    assert.equal(w.StatusCode, 3);
    await withTimeout(ended.done, 5000, 'the attach stream to end after the container exited');
    assert.equal(out.text(), 'got hello\n');
    assert.equal(err.text(), 'to-stderr\n');

    const info = await c.inspect();
    assert.equal(info.State.Status, 'exited');
    assert.equal(info.State.ExitCode, 3);

    const logs = (await c.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    assert.ok(Buffer.isBuffer(logs), `logs without follow is a buffer, got ${typeof logs}`);
    assert.deepEqual(demuxBuffer(logs), { stdout: 'got hello\n', stderr: 'to-stderr\n' });
    const onlyErr = (await c.logs({ stdout: false, stderr: true, follow: false })) as unknown as Buffer;
    assert.deepEqual(demuxBuffer(onlyErr), { stdout: '', stderr: 'to-stderr\n' });

    const listed = await docker.listContainers({ all: true, filters: { name: ['dockerode-attach'] } });
    assert.equal(listed.length, 1);
    assert.equal(listed[0]!.Id, c.id);
    assert.equal(listed[0]!.State, 'exited');
    await c.remove();
    await assert.rejects(c.inspect(), (e: { statusCode?: number }) => e.statusCode === 404);
  });

  test('exec create/start (hijacked, with stdin) and inspect ExitCode', async () => {
    const c = await docker.createContainer({ name: 'dockerode-exec', Image: 'busybox', Cmd: ['sh', '-c', 'while true; do sleep 0.1; done'] });
    await c.start();
    try {
      const exec = await c.exec({ Cmd: ['sh', '-c', 'cat; echo done; echo oops >&2; exit 6'], AttachStdin: true, AttachStdout: true, AttachStderr: true });
      const before = await exec.inspect();
      assert.equal(before.Running, false);
      assert.equal(before.ExitCode, null);

      const stream = (await exec.start({ hijack: true, stdin: true })) as NodeJS.ReadWriteStream & Readable;
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      const out = collect(stdout);
      const err = collect(stderr);
      const ended = collect(stream);
      docker.modem.demuxStream(stream, stdout, stderr);
      stream.write('typed\n');
      // half-close: the exec's stdin gets EOF, so cat ends
      stream.end();
      await withTimeout(ended.done, 10_000, 'the exec stream to end');
      assert.equal(out.text(), 'typed\ndone\n');
      assert.equal(err.text(), 'oops\n');

      // Docker records the exit code before it closes the exec's stream: clients (the docker CLI too) inspect
      // right after the stream ends
      const now = await exec.inspect();
      const eventually = await pollUntil(async () => {
        const i = await exec.inspect();
        return i.Running ? undefined : i;
      }, { timeoutMs: 5000, what: 'the exec to be reported finished' });
      assert.equal(eventually.ExitCode, 6, 'exit code of the exec');

      const e2 = await c.exec({ Cmd: ['sh', '-c', 'echo plain'], AttachStdout: true, AttachStderr: true });
      const s2 = (await e2.start({ hijack: true, stdin: false })) as NodeJS.ReadWriteStream & Readable;
      const o2 = new PassThrough();
      const got2 = collect(o2);
      const end2 = collect(s2);
      docker.modem.demuxStream(s2, o2, new PassThrough());
      await withTimeout(end2.done, 10_000, 'the second exec stream to end');
      assert.equal(got2.text(), 'plain\n');

      const info = await c.inspect();
      assert.ok(info.ExecIDs?.includes(exec.id), `ExecIDs ${JSON.stringify(info.ExecIDs)} lacks ${exec.id}`);
      // last, so that the checks above still run when only this ordering is wrong
      assert.deepEqual({ Running: now.Running, ExitCode: now.ExitCode }, { Running: false, ExitCode: 6 }, 'exec inspect right after its stream ended');
    } finally {
      await c.remove({ force: true });
    }
  });
});
