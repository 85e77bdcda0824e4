// The real docker CLI (28) against berthd: each command's visible behaviour as a Docker user sees it.
// One daemon serves the whole file; each test names its containers after itself.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pollUntil } from '../../helpers/cleanup.js';
import { dockerTty, startDaemon, waitInspect, type Daemon, type DockerResult } from '../../helpers/daemon.js';

const V2 = existsSync('/sys/fs/cgroup/cgroup.controllers');

/** The container's cgroup file seen from the host, for a v1 controller / its v2 name. */
function cgroupFile(id: string, v1: [string, string], v2: string): string {
  return V2 ? join('/sys/fs/cgroup/berth', id, v2) : join('/sys/fs/cgroup', v1[0], 'berth', id, v1[1]);
}

const LOOP = ['busybox', 'sh', '-c', 'while true; do echo x; sleep 0.2; done'];
const IDLE = ['busybox', 'sh', '-c', 'trap "exit 42" TERM; while true; do sleep 0.1; done'];

describe('docker CLI against berthd', { timeout: 60_000 }, () => {
  let d: Daemon;

  before(async () => {
    d = await startDaemon('e2e-engine-docker-cli');
  });
  after(async () => {
    await d?.cleanup();
  });

  const lines = (s: string) => s.split('\n').filter((l) => l !== '');
  const inspect = async (ref: string, format: string) => (await d.dockerOk(['inspect', '-f', format, ref])).trim();

  test('run --rm with -e, -w, -u and --name', async () => {
    const out = await d.dockerOk(['run', '--rm', '--name', 'cli-run-rm', '-e', 'FOO=bar baz', '-w', '/tmp', '-u', '1000:1000', 'busybox', 'sh', '-c', 'echo "$FOO"; pwd; id -u; id -g']);
    assert.equal(out, 'bar baz\n/tmp\n1000\n1000\n');
    // the CLI returns once the daemon has removed an --rm container
    const ps = await d.dockerOk(['ps', '-a', '--filter', 'name=cli-run-rm', '--format', '{{.Names}}']);
    assert.equal(ps, '');
    // attached run: the CLI exits with the container's status, and -i carries stdin to it
    assert.equal((await d.docker(['run', '--rm', 'busybox', 'sh', '-c', 'exit 13'])).code, 13);
    assert.deepEqual(await d.docker(['run', '--rm', '-i', 'busybox', 'sh', '-c', 'cat; echo done >&2'], { input: 'piped\n' }), { stdout: 'piped\n', stderr: 'done\n', code: 0 });
  });

  test('run -d with a bind mount, --tmpfs and --read-only', async () => {
    const host = join(d.dir, 'bind');
    await mkdir(host, { recursive: true });
    await writeFile(join(host, 'in'), 'from-host\n');
    const script = [
      'cat /v/in',
      'echo from-container > /v/out',
      'touch /scratch/t && echo tmpfs-writable',
      'touch /etc/nope 2>/dev/null || echo root-read-only',
      'grep " /scratch " /proc/mounts | cut -d" " -f3',
    ].join('; ');
    const id = (await d.dockerOk(['run', '-d', '--name', 'cli-mounts', '-v', `${host}:/v`, '--tmpfs', '/scratch', '--read-only', 'busybox', 'sh', '-c', script])).trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    assert.equal((await d.dockerOk(['wait', id])).trim(), '0');
    assert.equal(await d.dockerOk(['logs', id]), 'from-host\ntmpfs-writable\nroot-read-only\ntmpfs\n');
    assert.equal(await readFile(join(host, 'out'), 'utf8'), 'from-container\n');
    assert.equal(await inspect(id, '{{.HostConfig.ReadonlyRootfs}} {{json .HostConfig.Tmpfs}}'), 'true {"/scratch":""}');
  });

  test('run with --memory, --cpus, --pids-limit and --cap-drop', async () => {
    const id = (await d.dockerOk(['run', '-d', '--name', 'cli-limits', '--memory', '64m', '--cpus', '0.5', '--pids-limit', '50', '--cap-drop', 'NET_RAW', ...IDLE])).trim();
    // the CLI normalizes capabilities to CAP_<name> before sending them, and Docker stores what it got
    assert.equal(await inspect(id, '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}} {{json .HostConfig.CapDrop}}'), '67108864 500000000 50 ["CAP_NET_RAW"]');
    assert.equal((await readFile(cgroupFile(id, ['memory', 'memory.limit_in_bytes'], 'memory.max'), 'utf8')).trim(), '67108864');
    assert.equal((await readFile(cgroupFile(id, ['pids', 'pids.max'], 'pids.max'), 'utf8')).trim(), '50');
    if (V2) assert.equal((await readFile(cgroupFile(id, ['', ''], 'cpu.max'), 'utf8')).trim(), '50000 100000');
    else {
      assert.equal((await readFile(cgroupFile(id, ['cpu', 'cpu.cfs_quota_us'], ''), 'utf8')).trim(), '50000');
      assert.equal((await readFile(cgroupFile(id, ['cpu', 'cpu.cfs_period_us'], ''), 'utf8')).trim(), '100000');
    }
    const status = await d.dockerOk(['exec', id, 'cat', '/proc/self/status']);
    const capEff = BigInt(`0x${/^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1] ?? 'x'}`);
    const CAP_CHOWN = 0n;
    const CAP_NET_RAW = 13n;
    assert.equal((capEff >> CAP_NET_RAW) & 1n, 0n, `NET_RAW still in CapEff ${capEff.toString(16)}`);
    assert.equal((capEff >> CAP_CHOWN) & 1n, 1n, `CHOWN (a default) missing from CapEff ${capEff.toString(16)}`);
    await d.dockerOk(['rm', '-f', id]);
  });

  test('--restart on-failure:2 restarts a failing command twice', async () => {
    const id = (await d.dockerOk(['run', '-d', '--name', 'cli-restart-policy', '--restart', 'on-failure:2', 'busybox', 'sh', '-c', 'exit 1'])).trim();
    const v = await waitInspect(d, id, '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}', (s) => s === '2 exited 1', 15_000);
    assert.equal(v, '2 exited 1');
    assert.equal(await inspect(id, '{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}'), 'on-failure:2');
    await d.dockerOk(['rm', '-f', id]);
  });

  test('run -it through a pty', async () => {
    const r = await dockerTty(d, ['run', '-it', '--rm', '--name', 'cli-run-it', 'busybox', 'sh'], 'echo hi; exit 3\n');
    assert.match(r.output, /(^|\r?\n)hi\r?\n/, `output: ${JSON.stringify(r.output)}`);
    assert.equal(r.code, 3, `output: ${JSON.stringify(r.output)}`);
  });

  test('ps -a, -q, --filter and --format', async () => {
    const running = (await d.dockerOk(['run', '-d', '--name', 'cli-ps-running', ...IDLE])).trim();
    const exited = (await d.dockerOk(['run', '-d', '--name', 'cli-ps-exited', 'busybox', 'sh', '-c', 'exit 2'])).trim();
    await d.dockerOk(['wait', exited]);

    const q = lines(await d.dockerOk(['ps', '-q']));
    assert.ok(q.includes(running.slice(0, 12)), `ps -q: ${q.join(' ')}`);
    assert.ok(!q.includes(exited.slice(0, 12)), `ps -q lists the exited container: ${q.join(' ')}`);
    const aq = lines(await d.dockerOk(['ps', '-aq']));
    assert.ok(aq.includes(running.slice(0, 12)) && aq.includes(exited.slice(0, 12)), `ps -aq: ${aq.join(' ')}`);

    const a = await d.dockerOk(['ps', '-a']);
    assert.match(a, /^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES$/m);
    assert.match(a, /cli-ps-running$/m);
    assert.match(a, /Exited \(2\) .* cli-ps-exited$/m);

    const ex = lines(await d.dockerOk(['ps', '-a', '--filter', 'status=exited', '--format', '{{.Names}}']));
    assert.ok(ex.includes('cli-ps-exited') && !ex.includes('cli-ps-running'), `status=exited: ${ex.join(' ')}`);
    const byName = lines(await d.dockerOk(['ps', '-a', '--filter', 'name=cli-ps-', '--format', '{{.Names}} {{.Status}}'])).sort();
    assert.equal(byName.length, 2, byName.join('\n'));
    assert.match(byName[0]!, /^cli-ps-exited Exited \(2\) .+ ago$/);
    assert.match(byName[1]!, /^cli-ps-running Up .+/);
    await d.dockerOk(['rm', '-f', running, exited]);
  });

  test('logs -f ends with the container; --tail 2; -t', async () => {
    const id = (await d.dockerOk(['run', '-d', '--name', 'cli-logs', 'busybox', 'sh', '-c', 'for i in 1 2 3 4 5; do echo l$i; sleep 0.1; done; echo err >&2'])).trim();
    const f = await d.docker(['logs', '-f', id], { timeoutMs: 15_000 });
    assert.equal(f.code, 0, f.stderr);
    assert.equal(f.stdout, 'l1\nl2\nl3\nl4\nl5\n');
    assert.equal(f.stderr, 'err\n');
    assert.equal(await inspect(id, '{{.State.Status}}'), 'exited');
    const t2 = await d.docker(['logs', '--tail', '2', id]);
    assert.equal(t2.stdout + t2.stderr, 'l5\nerr\n');
    const ts = lines((await d.docker(['logs', '-t', id])).stdout);
    assert.equal(ts.length, 5);
    for (const [i, l] of ts.entries()) assert.match(l, new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{1,9}Z l${i + 1}$`));
    await d.dockerOk(['rm', id]);
  });

  test('exec: plain (exit code passed on), and -it through a pty', async () => {
    const id = (await d.dockerOk(['run', '-d', '--name', 'cli-exec', ...IDLE])).trim();
    const e = await d.docker(['exec', '-e', 'X=1', '-w', '/etc', '-u', 'app', id, 'sh', '-c', 'echo $X $(pwd) $(id -un)']);
    assert.deepEqual(e, { stdout: '1 /etc app\n', stderr: '', code: 0 });
    // several runs: the CLI reads the exit code from an inspect right after the stream ends, so a daemon
    // that records it late fails only some of the time
    const plain: DockerResult[] = [];
    for (let i = 0; i < 3; i++) plain.push(await d.docker(['exec', id, 'sh', '-c', 'echo exec-ok; echo exec-err >&2; exit 4']));
    const t = await dockerTty(d, ['exec', '-it', id, 'sh'], 'tty; exit 5\n');
    assert.match(t.output, /\/dev\/pts\/\d+/, `output: ${JSON.stringify(t.output)}`);
    assert.deepEqual(
      { plain, tty: t.code },
      { plain: Array(3).fill({ stdout: 'exec-ok\n', stderr: 'exec-err\n', code: 4 }), tty: 5 },
      'docker exec output and exit status (plain ×3, then -it)',
    );
    await d.dockerOk(['rm', '-f', id]);
  });

  test('attach to a running container, detach by killing the CLI', async () => {
    const id = (await d.dockerOk(['run', '-d', '--name', 'cli-attach', ...LOOP])).trim();
    const cli = spawn('docker', ['attach', id], { env: { ...process.env, ...d.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    cli.stdout.on('data', (b: Buffer) => (out += b));
    const closed = new Promise<void>((r) => cli.once('close', () => r()));
    try {
      // output written after the attach: the loop prints every 0.2 s
      await pollUntil(() => (out.match(/^x$/gm) ?? []).length >= 3, { timeoutMs: 10_000, what: `3 lines through docker attach (got ${JSON.stringify(out)})` });
    } finally {
      cli.kill('SIGKILL');
      await closed;
    }
    assert.equal(await inspect(id, '{{.State.Running}}'), 'true', 'killing the attached CLI must not stop the container');
    const before = lines(await d.dockerOk(['logs', id])).length;
    await pollUntil(async () => lines(await d.dockerOk(['logs', id])).length > before, { timeoutMs: 5000, what: 'the container to go on logging' });
    await d.dockerOk(['rm', '-f', id]);
  });

  test('stop, kill, start and restart', async () => {
    const id = (await d.dockerOk(['run', '-d', '--name', 'cli-stop', ...IDLE])).trim();
    assert.equal((await d.dockerOk(['stop', id])).trim(), id);
    // the trap answers SIGTERM: stop must not have needed its SIGKILL
    assert.equal(await inspect(id, '{{.State.Status}} {{.State.ExitCode}}'), 'exited 42');

    await d.dockerOk(['start', id]);
    assert.equal(await inspect(id, '{{.State.Status}}'), 'running');
    await d.dockerOk(['kill', id]);
    assert.equal(await waitInspect(d, id, '{{.State.Status}} {{.State.ExitCode}}', (s) => s.startsWith('exited')), 'exited 137');

    await d.dockerOk(['start', id]);
    const [pid1, started1] = (await inspect(id, '{{.State.Pid}} {{.State.StartedAt}}')).split(' ');
    await d.dockerOk(['restart', '-t', '5', id]);
    const [status, pid2, started2] = (await inspect(id, '{{.State.Status}} {{.State.Pid}} {{.State.StartedAt}}')).split(' ');
    assert.equal(status, 'running');
    assert.notEqual(pid2, pid1);
    assert.ok(started2! > started1!, `StartedAt ${started1} → ${started2}`);
    await d.dockerOk(['kill', '-s', 'TERM', id]);
    assert.equal(await waitInspect(d, id, '{{.State.Status}} {{.State.ExitCode}}', (s) => s.startsWith('exited')), 'exited 42');
    await d.dockerOk(['rm', id]);
  });

  test('pause and unpause', async () => {
    const id = (await d.dockerOk(['run', '-d', '--name', 'cli-pause', ...LOOP])).trim();
    await d.dockerOk(['pause', id]);
    assert.equal(await inspect(id, '{{.State.Status}} {{.State.Paused}} {{.State.Running}}'), 'paused true true');
    assert.match(await d.dockerOk(['ps', '--filter', 'name=cli-pause', '--format', '{{.Status}}']), /^Up .*\(Paused\)\n$/);
    const frozen = lines(await d.dockerOk(['logs', id])).length;
    const ex = await d.docker(['exec', id, 'true']);
    assert.notEqual(ex.code, 0);
    assert.match(ex.stderr, /is paused, unpause the container before exec/);
    await d.dockerOk(['unpause', id]);
    assert.equal(await inspect(id, '{{.State.Status}} {{.State.Paused}}'), 'running false');
    assert.doesNotMatch(await d.dockerOk(['ps', '--filter', 'name=cli-pause', '--format', '{{.Status}}']), /Paused/);
    await pollUntil(async () => lines(await d.dockerOk(['logs', id])).length > frozen, { timeoutMs: 5000, what: 'output after unpause' });
    await d.dockerOk(['rm', '-f', id]);
  });

  test('wait prints the exit code', async () => {
    const id = (await d.dockerOk(['run', '-d', '--name', 'cli-wait', 'busybox', 'sh', '-c', 'sleep 0.3; exit 9'])).trim();
    assert.equal(await d.dockerOk(['wait', id]), '9\n');
    // and again once it has exited
    assert.equal(await d.dockerOk(['wait', 'cli-wait']), '9\n');
    await d.dockerOk(['rm', id]);
  });

  test('top and stats --no-stream', async () => {
    const id = (await d.dockerOk(['run', '-d', '--name', 'cli-top', 'busybox', 'sh', '-c', 'sleep 1000 & wait'])).trim();
    const top = lines(await d.dockerOk(['top', id]));
    assert.match(top[0]!, /^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD$/);
    assert.ok(top.some((l) => /\ssleep 1000$/.test(l)), top.join('\n'));
    assert.ok(top.some((l) => /\ssh -c sleep 1000 & wait$/.test(l)), top.join('\n'));
    const pidCol = lines(await d.dockerOk(['top', id, '-o', 'pid,comm'])).slice(1);
    assert.equal(pidCol.length, 2, pidCol.join('\n'));

    const stats = await d.dockerOk(['stats', '--no-stream', '--format', '{{.Name}}|{{.PIDs}}|{{.MemUsage}}|{{.CPUPerc}}', id]);
    const m = /^cli-top\|(\d+)\|([\d.]+)([KMG]i?B|B) \/ [\d.]+[KMGT]i?B\|([\d.]+)%\n$/.exec(stats);
    assert.ok(m, `stats: ${JSON.stringify(stats)}`);
    assert.equal(m[1], '2');
    assert.ok(Number(m[2]) > 0, `memory usage ${m[2]}${m[3]}`);
    await d.dockerOk(['rm', '-f', id]);
  });

  test('diff lists the changes to the container filesystem', async () => {
    const id = (await d.dockerOk(['run', '-d', '--name', 'cli-diff', 'busybox', 'sh', '-c', 'echo new > /newfile; echo x >> /etc/passwd; rm /etc/group'])).trim();
    await d.dockerOk(['wait', id]);
    const diff = lines(await d.dockerOk(['diff', id])).sort();
    assert.ok(diff.includes('A /newfile'), diff.join('\n'));
    assert.ok(diff.includes('C /etc'), diff.join('\n'));
    assert.ok(diff.includes('C /etc/passwd'), diff.join('\n'));
    assert.ok(diff.includes('D /etc/group'), diff.join('\n'));
    await d.dockerOk(['rm', id]);
  });

  test('export writes the container filesystem as a tar', async () => {
    const id = (await d.dockerOk(['run', '-d', '--name', 'cli-export', 'busybox', 'sh', '-c', 'echo exported > /newfile'])).trim();
    await d.dockerOk(['wait', id]);
    const tarFile = join(d.dir, 'export.tar');
    await d.dockerOk(['export', '-o', tarFile, id]);
    const list = await new Promise<string>((resolve, reject) => {
      const p = spawn('tar', ['-tf', tarFile]);
      let s = '';
      p.stdout.on('data', (b: Buffer) => (s += b));
      p.on('close', (c) => (c === 0 ? resolve(s) : reject(new Error(`tar -tf exited ${c}`))));
    });
    const names = lines(list).map((n) => n.replace(/^\.\//, ''));
    for (const n of ['bin/busybox', 'etc/passwd', 'newfile']) assert.ok(names.includes(n), `${n} missing from the export (${names.length} entries)`);
    await d.dockerOk(['rm', id]);
  });

  test('cp into and out of a container', async () => {
    const id = (await d.dockerOk(['run', '-d', '--name', 'cli-cp', ...IDLE])).trim();
    const src = join(d.dir, 'cp-in.txt');
    await writeFile(src, 'copied in\n');
    await d.dockerOk(['cp', src, `${id}:/tmp/in.txt`]);
    assert.equal(await d.dockerOk(['exec', id, 'cat', '/tmp/in.txt']), 'copied in\n');
    await d.dockerOk(['exec', id, 'sh', '-c', 'echo copied out > /tmp/out.txt']);
    const dst = join(d.dir, 'cp-out.txt');
    await d.dockerOk(['cp', `${id}:/tmp/out.txt`, dst]);
    assert.equal(await readFile(dst, 'utf8'), 'copied out\n');
    await d.dockerOk(['rm', '-f', id]);
  });

  test('rename', async () => {
    const id = (await d.dockerOk(['create', '--name', 'cli-rename-old', 'busybox', 'true'])).trim();
    await d.dockerOk(['rename', 'cli-rename-old', 'cli-rename-new']);
    assert.equal(await inspect('cli-rename-new', '{{.Id}} {{.Name}}'), `${id} /cli-rename-new`);
    const old = await d.docker(['inspect', 'cli-rename-old']);
    assert.equal(old.code, 1);
    assert.match(old.stderr, /No such object: cli-rename-old/);
    await d.dockerOk(['rm', id]);
  });

  test('update --memory', async () => {
    const id = (await d.dockerOk(['run', '-d', '--name', 'cli-update', '--memory', '64m', ...IDLE])).trim();
    await d.dockerOk(['update', '--memory', '100m', '--memory-swap', '200m', id]);
    assert.equal(await inspect(id, '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}'), '104857600 209715200');
    assert.equal((await readFile(cgroupFile(id, ['memory', 'memory.limit_in_bytes'], 'memory.max'), 'utf8')).trim(), '104857600');
    await d.dockerOk(['rm', '-f', id]);
  });

  test('rm -f removes a running container and its processes', async () => {
    const id = (await d.dockerOk(['run', '-d', '--name', 'cli-rm-f', ...LOOP])).trim();
    const pid = Number(await inspect(id, '{{.State.Pid}}'));
    assert.ok(pid > 1);
    const plain = await d.docker(['rm', id]);
    assert.notEqual(plain.code, 0);
    assert.match(plain.stderr, /cannot remove container .*container is running: stop the container before removing or force remove/i);
    assert.equal((await d.dockerOk(['rm', '-f', id])).trim(), id);
    assert.equal(await d.dockerOk(['ps', '-aq', '--filter', `id=${id}`]), '');
    await pollUntil(() => !existsSync(`/proc/${pid}`) || readFileSyncSafe(`/proc/${pid}/stat`).includes(') Z '), { timeoutMs: 5000, what: `pid ${pid} to be gone` });
  });

  test('inspect -f fields', async () => {
    const id = (await d.dockerOk(['create', '--name', 'cli-inspect', '-e', 'A=1', '--label', 'k=v', '--restart', 'always', 'busybox', 'sh', '-c', 'exit 0'])).trim();
    assert.equal(
      await inspect(id, '{{.Id}}|{{.Name}}|{{.Config.Image}}|{{.State.Status}}|{{.HostConfig.RestartPolicy.Name}}|{{json .Config.Cmd}}|{{index .Config.Labels "k"}}'),
      `${id}|/cli-inspect|busybox|created|always|["sh","-c","exit 0"]|v`,
    );
    assert.match(await inspect(id, '{{json .Config.Env}}'), /"A=1"/);
    assert.match(await inspect(id, '{{.Image}}'), /^sha256:[0-9a-f]{64}$/);
    await d.dockerOk(['rm', id]);
  });

  test('events lists create/start/die/destroy of an earlier container', async () => {
    const id = (await d.dockerOk(['run', '-d', '--name', 'cli-events', 'busybox', 'sh', '-c', 'exit 5'])).trim();
    assert.equal(await d.dockerOk(['wait', id]), '5\n');
    await d.dockerOk(['rm', id]);
    // --until is whole seconds: the next one is after every event above
    const until = String(Math.floor(Date.now() / 1000) + 1);
    const out = await d.dockerOk(['events', '--since', '0', '--until', until, '--filter', `container=${id}`, '--format', '{{.Type}} {{.Action}} {{.Actor.ID}} {{.Actor.Attributes.name}} {{.Actor.Attributes.exitCode}}'], { timeoutMs: 10_000 });
    const evs = lines(out).map((l) => l.trim());
    const wanted = ['create', 'start', 'die', 'destroy'];
    const seen = evs.map((l) => l.split(' ')[1]).filter((a) => wanted.includes(a!));
    assert.deepEqual(seen, wanted, evs.join('\n'));
    assert.ok(evs.includes(`container die ${id} cli-events 5`), evs.join('\n'));
  });

  test('container prune removes stopped containers only', async () => {
    const running = (await d.dockerOk(['run', '-d', '--name', 'cli-prune-running', ...IDLE])).trim();
    const stopped = (await d.dockerOk(['run', '-d', '--name', 'cli-prune-stopped', 'busybox', 'true'])).trim();
    await d.dockerOk(['wait', stopped]);
    const out = await d.dockerOk(['container', 'prune', '-f']);
    assert.match(out, /^Deleted Containers:\n/);
    assert.ok(lines(out).includes(stopped), out);
    assert.ok(!lines(out).includes(running), out);
    const left = lines(await d.dockerOk(['ps', '-a', '--no-trunc', '--format', '{{.ID}}']));
    assert.ok(left.includes(running) && !left.includes(stopped), left.join('\n'));
    await d.dockerOk(['rm', '-f', running]);
  });
});

function readFileSyncSafe(p: string): string {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return '';
  }
}
