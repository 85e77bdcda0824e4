// A container's life under Berth's runtime, seen from outside: the OCI states and their transitions, kill
// and wait, delete (with and without force), exec, the json-file log the shim writes (partial lines,
// rotation), the attach socket (stdcopy framing, stdin), and the shim carrying on when its parent dies.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ctl, waitExit } from '../../../src/runtime/index.js';
import type { Process } from '../../../src/spec/oci-runtime.js';
import { pollUntil } from '../../helpers/cleanup.js';
import {
  alive,
  assertNoTrace,
  attach,
  cgroupDirsOf,
  parseReport,
  parseStdcopy,
  probeSpec,
  processesMentioning,
  runToEnd,
  withContainer,
  withTimeout,
} from '../../helpers/runtime.js';

const SIGTERM = 15;
const SIGKILL = 9;

// RFC 3339 with nanoseconds the way Go's RFC3339Nano prints it: trailing zeros of the fraction dropped.
const RFC3339_NANO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{0,8}[1-9])?Z$/;

interface LogEntry {
  log: string;
  stream: 'stdout' | 'stderr';
  time: string;
}

function readLog(file: string): LogEntry[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as LogEntry);
}

test('create, start, kill, wait, delete: states and what is left at each step', async (t) => {
  await withContainer(t, async ({ rt, id, tmp, makeBundle }) => {
    const bundle = await makeBundle(probeSpec(['/probe', 'signals']));
    const pidFile = join(tmp, 'pid');
    const { pid } = await rt.create(id, bundle, { io: { mode: 'pipes' }, pidFile });
    assert.equal(readFileSync(pidFile, 'utf8'), String(pid));
    let st = await rt.state(id);
    assert.deepEqual({ status: st.status, pid: st.pid, id: st.id, bundle: st.bundle }, { status: 'created', pid, id, bundle });
    assert.ok(alive(pid), 'a created container has its process, waiting for start');
    assert.equal(readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('/probe'), false, 'the process must not have exec()ed before start');
    assert.ok(cgroupDirsOf(`/berth/${id}`).length > 0, 'no cgroup for the created container');

    const client = await attach(join(rt.dir(id), 'attach'));
    await rt.start(id);
    assert.equal((await rt.state(id)).status, 'running');
    await assert.rejects(rt.start(id), { name: 'EngineError', kind: 'conflict' });
    // The handlers exist once the probe says so; a signal sent earlier would be ignored by pid 1.
    await client.until(() => client.stream(1).includes('ready\n'), 'the probe to be ready');
    await rt.kill(id, SIGTERM);
    const exit = await withTimeout(rt.wait(id), 10_000, 'the container to exit');
    assert.deepEqual({ exitCode: exit.exitCode, signal: exit.signal, oomKilled: exit.oomKilled, pid: exit.pid }, { exitCode: 0, signal: 0, oomKilled: false, pid });
    assert.match(exit.finishedAt, RFC3339_NANO);
    await withTimeout(client.closed, 5000, 'the attach stream to end');
    assert.equal(client.stream(1), 'ready\nSIGTERM\n');

    st = await rt.state(id);
    assert.equal(st.status, 'stopped');
    assert.equal(st.pid, 0);
    assert.equal(st.exit?.exitCode, 0);
    await assert.rejects(rt.kill(id, SIGTERM), { name: 'EngineError', kind: 'conflict' });
    await assert.rejects(rt.start(id), { name: 'EngineError', kind: 'conflict' });

    await rt.delete(id);
    await assertNoTrace(rt, id, [pid]);
    await assert.rejects(rt.state(id), { name: 'EngineError', kind: 'not-found' });
  });
});

test('SIGTERM to a process that is not a pid namespace init ends it with 143', async (t) => {
  await withContainer(t, async ({ rt, id, makeBundle }) => {
    // Without its own pid namespace the probe is not an init, so the default action of SIGTERM applies.
    const spec = probeSpec(['/probe', 'sleep', '30']);
    spec.linux!.namespaces = spec.linux!.namespaces!.filter((n) => n.type !== 'pid');
    const bundle = await makeBundle(spec);
    const { pid } = await rt.create(id, bundle, { io: { mode: 'pipes' }, start: true });
    await pollUntil(() => readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('/probe'), { timeoutMs: 5000, what: 'the probe to run' });
    await rt.kill(id, SIGTERM);
    const exit = await withTimeout(rt.wait(id), 10_000, 'the container to exit');
    assert.deepEqual({ exitCode: exit.exitCode, signal: exit.signal }, { exitCode: 143, signal: SIGTERM });
    await rt.delete(id);
    await assertNoTrace(rt, id, [pid]);
  });
});

test('delete: a running container needs force, and force leaves nothing', async (t) => {
  await withContainer(t, async ({ rt, id, makeBundle }) => {
    const bundle = await makeBundle(probeSpec(['/probe', 'sleep', '30']));
    const { pid } = await rt.create(id, bundle, { io: { mode: 'pipes' }, start: true });
    await assert.rejects(rt.delete(id), { name: 'EngineError', kind: 'conflict' });
    assert.ok(alive(pid), 'a refused delete must not harm the container');
    assert.equal((await rt.state(id)).status, 'running');
    await rt.delete(id, true);
    assert.ok(!existsSync(`/proc/${pid}`) || !alive(pid), `pid ${pid} survived a forced delete`);
    await assertNoTrace(rt, id, [pid]);
  });
});

test('delete: a created (never started) container is removed with force', async (t) => {
  await withContainer(t, async ({ rt, id, makeBundle }) => {
    const bundle = await makeBundle(probeSpec(['/probe', 'sleep', '30']));
    const { pid } = await rt.create(id, bundle, { io: { mode: 'pipes' } });
    await assert.rejects(rt.delete(id), { name: 'EngineError', kind: 'conflict' });
    await rt.delete(id, true);
    await assertNoTrace(rt, id, [pid]);
  });
});

test('kill --all reaches every process of a container without its own pid namespace', async (t) => {
  await withContainer(t, async ({ rt, id, makeBundle }) => {
    // Without a pid namespace the background probe would outlive sh: only the cgroup knows about it.
    const spec = probeSpec(['/bin/sh', '-c', '/probe sleep 30 >/dev/null 2>&1 & exec /probe sleep 30']);
    spec.linux!.namespaces = spec.linux!.namespaces!.filter((n) => n.type !== 'pid');
    const bundle = await makeBundle(spec);
    const { pid } = await rt.create(id, bundle, { io: { mode: 'pipes' }, start: true });
    const pids = await pollUntil(async () => {
      const p = await rt.ps(id);
      return p.length === 2 && p;
    }, { timeoutMs: 5000, what: 'two processes in the container' });
    await rt.kill(id, SIGKILL, true);
    const exit = await withTimeout(rt.wait(id), 10_000, 'the container to exit');
    assert.deepEqual({ exitCode: exit.exitCode, signal: exit.signal }, { exitCode: 137, signal: SIGKILL });
    await pollUntil(async () => (await rt.ps(id)).length === 0, { timeoutMs: 5000, what: 'every process to be gone' });
    await rt.delete(id);
    await assertNoTrace(rt, id, [pid, ...pids]);
  });
});

test('delete of a stopped container kills what its init left in the cgroup (no pid namespace)', async (t) => {
  await withContainer(t, async ({ rt, id, makeBundle }) => {
    // runc's delete SIGKILLs every process left in the cgroup when the container had no pid namespace of
    // its own: otherwise the cgroup stays busy and cannot be removed.
    const spec = probeSpec(['/bin/sh', '-c', '/probe sleep 30 >/dev/null 2>&1 & exit 0']);
    spec.linux!.namespaces = spec.linux!.namespaces!.filter((n) => n.type !== 'pid');
    const bundle = await makeBundle(spec);
    const { pid } = await rt.create(id, bundle, { io: { mode: 'pipes' }, start: true });
    const exit = await withTimeout(rt.wait(id), 10_000, 'sh to exit');
    assert.equal(exit.exitCode, 0);
    assert.equal((await rt.state(id)).status, 'stopped');
    const orphans = await rt.ps(id);
    assert.equal(orphans.length, 1, 'the background probe should still be running');
    const del = rt.delete(id).then(() => undefined, (e: unknown) => e);
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([del, new Promise((r) => (timer = setTimeout(() => r('timeout'), 4000)))]);
    clearTimeout(timer);
    if (outcome !== undefined) {
      // Let the pending delete finish before the test ends: kill the orphan it is waiting for.
      for (const o of orphans) if (alive(o)) process.kill(o, 'SIGKILL');
      await del;
      assert.fail(`delete of a stopped container with a process left in its cgroup: ${outcome instanceof Error ? outcome.message : 'still busy after 4 s'}`);
    }
    await assertNoTrace(rt, id, [pid, ...orphans]);
  });
});

test('control socket: pid, closestdin, resize and unknown commands', async (t) => {
  await withContainer(t, async ({ rt, id, makeBundle }) => {
    const bundle = await makeBundle(probeSpec(['/probe', 'stdin']));
    const { pid } = await rt.create(id, bundle, { io: { mode: 'pipes', stdin: true } });
    const sock = join(rt.dir(id), 'ctl');
    assert.equal(await ctl(sock, 'pid'), String(pid));
    await assert.rejects(ctl(sock, 'resize 40 100'), /no terminal/);
    await assert.rejects(ctl(sock, 'frobnicate'), /unknown command/);
    const client = await attach(join(rt.dir(id), 'attach'));
    await rt.start(id);
    await client.write('before close\n');
    await client.until(() => client.stream(1) === 'before close\n', 'the echo');
    // Without stdinOnce the attach client keeps stdin open; closestdin ends it for everyone.
    await ctl(sock, 'closestdin');
    const exit = await withTimeout(rt.wait(id), 10_000, 'the probe to see EOF on stdin');
    assert.equal(exit.exitCode, 0);
    client.destroy();
  });
});

test('terminal: resize through the control socket reaches the container', async (t) => {
  await withContainer(t, async ({ rt, id, makeBundle }) => {
    const spec = probeSpec(['/bin/sh'], { terminal: true });
    spec.process!.consoleSize = { height: 30, width: 90 };
    const bundle = await makeBundle(spec);
    await rt.create(id, bundle, { io: { mode: 'pipes' } });
    const client = await attach(join(rt.dir(id), 'attach'));
    await rt.start(id);
    await client.write('stty size\n');
    await client.until(() => /\n30 90\r\n/.test(client.raw().toString()), 'the initial console size');
    await ctl(join(rt.dir(id), 'ctl'), 'resize 40 100');
    await client.write('stty size; exit 0\n');
    await withTimeout(rt.wait(id), 10_000, 'the shell to exit');
    await withTimeout(client.closed, 5000, 'the terminal to close');
    assert.match(client.raw().toString(), /\n40 100\r\n/);
  });
});

test('exec joins the container: same hostname, pid namespace and cgroup; exit code; terminal', async (t) => {
  await withContainer(t, async ({ rt, id, makeBundle }) => {
    const spec = probeSpec(['/probe', 'sleep', '30'], { hostname: 'exec-host' });
    const bundle = await makeBundle(spec);
    const { pid } = await rt.create(id, bundle, { io: { mode: 'pipes' }, start: true });
    const proc = (args: string[], extra: Partial<Process> = {}): Process => ({ ...spec.process!, args, ...extra });

    // Not started yet, so that the attach client is there before the first byte.
    const report = await rt.exec(id, proc(['/probe', 'report']), { execId: `${id}-report`, io: { mode: 'pipes' }, start: false });
    const client = await attach(join(report.dir, 'attach'));
    await ctl(join(report.dir, 'ctl'), 'start');
    const exit = await withTimeout(waitExit(join(report.dir, 'ctl'), join(report.dir, 'exit.json')), 10_000, 'the exec to end');
    await withTimeout(client.closed, 5000, 'the exec output to end');
    assert.equal(exit.exitCode, 0, client.stream(2));
    const r = parseReport(client.stream(1));
    assert.equal(r.hostname, 'exec-host');
    assert.notEqual(r.pid, 1);
    assert.ok((r.processes as number[]).includes(1), 'the container init is not visible to exec');
    assert.ok((r.processes as number[]).includes(r.pid as number));
    assert.deepEqual(r.netDevices, ['lo']);
    for (const line of r.cgroup as string[]) assert.ok(line.endsWith(`/berth/${id}`), `exec cgroup ${line}`);
    assert.equal(r.seccomp, 2);
    assert.equal(r.capBnd, '00000000a80425fb');

    const code = await rt.exec(id, proc(['/probe', 'exit', '7']), { execId: `${id}-exit7`, io: { mode: 'pipes' } });
    const codeExit = await withTimeout(waitExit(join(code.dir, 'ctl'), join(code.dir, 'exit.json')), 10_000, 'exit 7');
    assert.equal(codeExit.exitCode, 7);

    const missing = rt.exec(id, proc(['no-such-binary']), { execId: `${id}-missing`, io: { mode: 'pipes' } });
    await assert.rejects(missing, (e: Error & { exitCode?: number }) => /executable file not found in \$PATH/.test(e.message) && e.exitCode === 127);

    const tty = await rt.exec(id, proc(['/bin/sh'], { terminal: true }), { execId: `${id}-tty`, io: { mode: 'pipes' } });
    const term = await attach(join(tty.dir, 'attach'));
    await term.write('echo hi; exit 5\n');
    const ttyExit = await withTimeout(waitExit(join(tty.dir, 'ctl'), join(tty.dir, 'exit.json')), 10_000, 'the exec shell to exit');
    await withTimeout(term.closed, 5000, 'the exec terminal to close');
    assert.equal(ttyExit.exitCode, 5);
    assert.match(term.raw().toString(), /(^|\n)hi\r\n/);

    assert.ok(alive(pid), 'the container init must outlive its execs');
    await rt.delete(id, true);
    await assert.rejects(rt.exec(id, proc(['/probe', 'report']), { execId: `${id}-late` }), { name: 'EngineError', kind: 'not-found' });
    await assertNoTrace(rt, id, [pid, report.pid, code.pid, tty.pid], [report.dir, code.dir, tty.dir]);
  });
});

test('exec into a stopped container is refused', async (t) => {
  await withContainer(t, async ({ rt, id, makeBundle }) => {
    const spec = probeSpec(['/probe', 'exit', '0']);
    const bundle = await makeBundle(spec);
    await runToEnd(rt, id, bundle);
    await assert.rejects(rt.exec(id, { ...spec.process!, args: ['/probe'] }, { execId: `${id}-x` }), { name: 'EngineError', kind: 'conflict' });
  });
});

test('log: json-file lines per stream with RFC3339Nano times', async (t) => {
  await withContainer(t, async ({ rt, id, tmp, makeBundle }) => {
    const bundle = await makeBundle(probeSpec(['/bin/sh', '-c', 'echo out1; echo err1 >&2; echo out2; printf "no newline"']));
    const log = join(tmp, 'ctr.log');
    const before = Date.now();
    const { exit } = await runToEnd(rt, id, bundle, { log: { path: log, maxSize: 0, maxFiles: 1 } });
    assert.equal(exit.exitCode, 0);
    const entries = readLog(log);
    for (const e of entries) {
      assert.deepEqual(Object.keys(e), ['log', 'stream', 'time']);
      assert.match(e.time, RFC3339_NANO);
      const ms = Date.parse(e.time);
      assert.ok(ms >= before - 1000 && ms <= Date.now() + 1000, `time ${e.time} is not now`);
    }
    // The two streams are separate pipes, so only the order within each is defined.
    assert.deepEqual(entries.filter((e) => e.stream === 'stdout').map((e) => e.log), ['out1\n', 'out2\n', 'no newline']);
    assert.deepEqual(entries.filter((e) => e.stream === 'stderr').map((e) => e.log), ['err1\n']);
  });
});

test('log: a line longer than 16 KiB is split into 16 KiB entries', async (t) => {
  await withContainer(t, async ({ rt, id, tmp, makeBundle }) => {
    const bundle = await makeBundle(probeSpec(['/probe', 'lines', '2', '40000']));
    const log = join(tmp, 'ctr.log');
    const { exit, stdout } = await runToEnd(rt, id, bundle, { log: { path: log, maxSize: 0, maxFiles: 1 } });
    assert.equal(exit.exitCode, 0);
    const entries = readLog(log);
    assert.deepEqual(entries.map((e) => e.log.length), [16384, 16384, 7233, 16384, 16384, 7233]);
    // Only the last piece of each line carries the newline (Docker's partial messages).
    assert.deepEqual(entries.map((e) => e.log.endsWith('\n')), [false, false, true, false, false, true]);
    assert.equal(entries.map((e) => e.log).join(''), stdout, 'the log does not add up to the output');
    assert.ok(entries[0]!.log.startsWith('0000000001xxx') && entries[3]!.log.startsWith('0000000002xxx'));
  });
});

test('log: rotation at maxSize keeps maxFiles files', async (t) => {
  await withContainer(t, async ({ rt, id, tmp, makeBundle }) => {
    const bundle = await makeBundle(probeSpec(['/probe', 'lines', '2000', '100']));
    const dir = join(tmp, 'logs');
    await mkdir(dir);
    const log = join(dir, 'ctr.log');
    const { exit } = await runToEnd(rt, id, bundle, { log: { path: log, maxSize: 10 * 1024, maxFiles: 3 } });
    assert.equal(exit.exitCode, 0);
    assert.deepEqual(readdirSync(dir).sort(), ['ctr.log', 'ctr.log.1', 'ctr.log.2']);
    const files = [`${log}.2`, `${log}.1`, log];
    for (const f of files) assert.ok(readFileSync(f).length <= 10 * 1024, `${f} is ${readFileSync(f).length} bytes`);
    // Oldest to newest, the kept lines are consecutive and end with the last one written.
    const numbers = files.flatMap((f) => readLog(f)).map((e) => {
      assert.equal(e.log.length, 101);
      return Number(e.log.slice(0, 10));
    });
    assert.equal(numbers.at(-1), 2000);
    numbers.forEach((n, i) => assert.equal(n, numbers[0]! + i, `line ${n} out of sequence at ${i}`));
  });
});

test('attach: stdout and stderr in stdcopy frames', async (t) => {
  await withContainer(t, async ({ rt, id, makeBundle }) => {
    const bundle = await makeBundle(probeSpec(['/bin/sh', '-c', 'echo to-stdout; echo to-stderr >&2']));
    const { pid } = await rt.create(id, bundle, { io: { mode: 'pipes' } });
    const client = await attach(join(rt.dir(id), 'attach'));
    await rt.start(id);
    await withTimeout(rt.wait(id), 10_000, 'the container to exit');
    await withTimeout(client.closed, 5000, 'the attach stream to end');
    const { frames, rest } = parseStdcopy(client.raw());
    assert.equal(rest.length, 0, 'a truncated frame at the end');
    assert.ok(frames.every((f) => f.stream === 1 || f.stream === 2));
    assert.equal(client.stream(1), 'to-stdout\n');
    assert.equal(client.stream(2), 'to-stderr\n');
    await rt.delete(id);
    await assertNoTrace(rt, id, [pid]);
  });
});

test('attach: stdin reaches the container and a half-close ends it (stdinOnce)', async (t) => {
  await withContainer(t, async ({ rt, id, makeBundle }) => {
    const bundle = await makeBundle(probeSpec(['/probe', 'stdin']));
    await rt.create(id, bundle, { io: { mode: 'pipes', stdin: true, stdinOnce: true } });
    const client = await attach(join(rt.dir(id), 'attach'));
    await rt.start(id);
    await client.write('hello\n');
    await client.until(() => client.stream(1) === 'hello\n', 'the echo of the first line');
    await client.write('world\n');
    client.end();
    const exit = await withTimeout(rt.wait(id), 10_000, 'the probe to see EOF on stdin');
    await withTimeout(client.closed, 5000, 'the attach stream to end');
    assert.equal(exit.exitCode, 0);
    assert.equal(client.stream(1), 'hello\nworld\n');
  });
});

test('attach: 4 MiB of stdin echoed back intact', async (t) => {
  await withContainer(t, async ({ rt, id, makeBundle }) => {
    const bundle = await makeBundle(probeSpec(['/probe', 'stdin']));
    await rt.create(id, bundle, { io: { mode: 'pipes', stdin: true, stdinOnce: true } });
    const client = await attach(join(rt.dir(id), 'attach'));
    await rt.start(id);
    const payload = Buffer.alloc(4 * 1024 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = 97 + (i % 26);
    // Input and output flow at once: a shim that blocks on one pipe while the other fills deadlocks here.
    await withTimeout(client.write(payload), 20_000, 'the shim to take 4 MiB of stdin');
    client.end();
    const exit = await withTimeout(rt.wait(id), 20_000, 'the probe to see EOF on stdin');
    await withTimeout(client.closed, 5000, 'the attach stream to end');
    assert.equal(exit.exitCode, 0);
    const out = Buffer.concat(client.frames().filter((f) => f.stream === 1).map((f) => f.data));
    assert.equal(out.length, payload.length);
    assert.ok(out.equals(payload), 'stdin came back altered');
  });
});

test('a stalled attach client does not stall the shim: control commands and kill still work', async (t) => {
  await withContainer(t, async ({ rt, id, makeBundle }) => {
    const bundle = await makeBundle(probeSpec(['/probe', 'lines', '500000', '100']));
    const { pid } = await rt.create(id, bundle, { io: { mode: 'pipes' } });
    const client = await attach(join(rt.dir(id), 'attach'));
    // A client that stops reading (a hung `docker attach`, a suspended terminal): the kernel buffers fill.
    client.sock.pause();
    try {
      await rt.start(id);
      // Once the output pipe is full the probe blocks in pipe_write; a shim that keeps serving everyone else
      // (buffering or dropping the slow client) never lets that last, so this is only a wait, not a check.
      await pollUntil(() => readFileSync(`/proc/${pid}/wchan`, 'utf8') === 'pipe_write' || !alive(pid), {
        timeoutMs: 2000,
        what: 'the output to back up',
      }).catch(() => undefined);
      const answer = await withTimeout(ctl(join(rt.dir(id), 'ctl'), 'pid'), 3000, 'the shim to answer "pid" while an attach client is stalled').catch((e: Error) => e);
      assert.equal(answer, String(pid), answer instanceof Error ? answer.message : undefined);
      await withTimeout(rt.kill(id, SIGKILL), 3000, 'kill to be accepted');
      const exit = await withTimeout(rt.wait(id), 5000, 'the exit to be recorded');
      assert.equal(exit.signal, SIGKILL);
    } finally {
      // Unblocks a stuck shim so that the cleanup can delete the container.
      client.destroy();
    }
  });
});

test('exec with an execId already in use is refused as a conflict', async (t) => {
  await withContainer(t, async ({ rt, id, makeBundle }) => {
    const spec = probeSpec(['/probe', 'sleep', '30']);
    const bundle = await makeBundle(spec);
    await rt.create(id, bundle, { io: { mode: 'pipes' }, start: true });
    const first = await rt.exec(id, { ...spec.process!, args: ['/probe', 'sleep', '30'] }, { execId: `${id}-same`, io: { mode: 'pipes' } });
    const again = await rt.exec(id, { ...spec.process!, args: ['/probe', 'exit', '0'] }, { execId: `${id}-same`, io: { mode: 'pipes' } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(again !== undefined, 'a second exec with the same id was accepted');
    assert.equal((again as Error).name, 'EngineError', `a raw ${String(again)} instead of an EngineError`);
    assert.equal((again as { kind?: string }).kind, 'conflict');
    assert.ok(alive(first.pid), 'the refused exec harmed the first one');
  });
});

test('the shim outlives the process that created the container', async (t) => {
  await withContainer(t, async ({ rt, id, makeBundle }) => {
    const bundle = await makeBundle(probeSpec(['/probe', 'sleep', '30']));
    const index = fileURLToPath(new URL('../../../src/runtime/index.js', import.meta.url));
    // The parent stays alive after create (as berthd would) until it is SIGKILLed: no cleanup can run.
    const script = `
      const { Runtime } = await import(${JSON.stringify(index)});
      const rt = new Runtime(process.argv[1]);
      const { pid } = await rt.create(process.argv[2], process.argv[3], { io: { mode: 'pipes' }, start: true });
      process.stdout.write(pid + '\\n');
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['--input-type=module', '-e', script, rt.root, id, bundle], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    parent.stdout.on('data', (d: Buffer) => (out += d.toString()));
    parent.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const parentExit = new Promise<NodeJS.Signals | null>((resolve) => parent.once('exit', (_c, s) => resolve(s)));
    try {
      const pid = Number(await pollUntil(() => /^\d+\n/.exec(out)?.[0], { timeoutMs: 15_000, what: `the parent to create the container (stderr: ${err})` }));
      const shims = await pollUntil(() => {
        const p = processesMentioning(`${rt.dir(id)}/plan`).filter((n) => n !== pid);
        return p.length > 0 && p;
      }, { timeoutMs: 5000, what: 'the shim process' });
      parent.kill('SIGKILL');
      assert.equal(await withTimeout(parentExit, 5000, 'the parent to die'), 'SIGKILL');

      assert.ok(alive(pid), 'the container died with the process that created it');
      assert.ok(shims.every(alive), 'the shim died with the process that created it');
      assert.equal((await rt.state(id)).status, 'running');
      await rt.kill(id, SIGKILL);
      const exit = await withTimeout(rt.wait(id), 10_000, 'the container to exit');
      assert.deepEqual({ exitCode: exit.exitCode, signal: exit.signal, pid: exit.pid }, { exitCode: 137, signal: SIGKILL, pid });
      const recorded = JSON.parse(await readFile(join(rt.dir(id), 'exit.json'), 'utf8')) as { signal: number; exitCode: number };
      assert.deepEqual({ signal: recorded.signal, exitCode: recorded.exitCode }, { signal: SIGKILL, exitCode: 137 });
      await rt.delete(id);
      await assertNoTrace(rt, id, [pid, ...shims]);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});

test('CLI: create, state, start, ps, kill, delete with runc\'s verbs', async (t) => {
  await withContainer(t, async ({ rt, id, tmp, makeBundle }) => {
    const bundle = await makeBundle(probeSpec(['/probe', 'sleep', '30']));
    const cli = fileURLToPath(new URL('../../../bin/berth-runtime.js', import.meta.url));
    // In runc's pass-through mode the container inherits the CLI's stdio: give it a file, not a pipe the
    // test would wait on until the container ends.
    const sink = openSync(join(tmp, 'cli-output'), 'a');
    const berth = (...args: string[]) => {
      const stdout = args[0] === 'create' ? sink : 'pipe';
      const r = spawnSync(process.execPath, [cli, '--root', rt.root, ...args], { stdio: ['ignore', stdout, sink], timeout: 20_000, encoding: 'utf8' });
      return { code: r.status, stdout: r.stdout };
    };
    try {
      const pidFile = join(tmp, 'pid');
      assert.equal(berth('create', '--bundle', bundle, '--pid-file', pidFile, id).code, 0, readFileSync(join(tmp, 'cli-output'), 'utf8'));
      const pid = Number(readFileSync(pidFile, 'utf8'));
      const state = () => JSON.parse(berth('state', id).stdout) as { status: string; pid: number; id: string; bundle: string };
      assert.deepEqual(state(), { ...state(), status: 'created', pid, id, bundle });
      assert.equal(berth('start', id).code, 0);
      assert.equal(state().status, 'running');
      assert.deepEqual(JSON.parse(berth('ps', '--format', 'json', id).stdout), [pid]);
      assert.match(berth('list').stdout, new RegExp(`^${id}\\s+${pid}\\s+running\\s`, 'm'));
      assert.notEqual(berth('delete', id).code, 0, 'delete of a running container without --force');
      assert.equal(berth('kill', id, 'KILL').code, 0);
      await pollUntil(() => state().status === 'stopped', { timeoutMs: 5000, what: 'the container to stop' });
      assert.equal(berth('delete', id).code, 0);
      assert.notEqual(berth('state', id).code, 0);
      await assertNoTrace(rt, id, [pid]);
    } finally {
      closeSync(sink);
    }
  });
});
