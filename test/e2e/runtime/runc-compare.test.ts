// Berth's runtime against runc, the reference OCI runtime: the same bundle is run by `runc run` and by
// `berth-runtime run`, and what the probe sees inside (and the exit status outside) must be the same.
// runc is an external peer, so these tests are skipped, with the reason, where it is not installed.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import type { Spec } from '../../../src/spec/oci-runtime.js';
import { pollUntil } from '../../helpers/cleanup.js';
import { parseReport, probeSpec, withContainer, withTimeout, type ContainerCtx } from '../../helpers/runtime.js';

const RUNC_CANDIDATES = ['/usr/sbin/runc', '/usr/bin/runc', '/usr/local/sbin/runc', '/usr/local/bin/runc'];
const RUNC = RUNC_CANDIDATES.find((p) => existsSync(p));
const skip = RUNC ? false : `runc is not installed (looked for ${RUNC_CANDIDATES.join(', ')})`;
// Fixed, like Berth's test root, so that a crashed run's runc container can be found and deleted.
const RUNC_ROOT = '/run/berth-test-runc';
const CLI = fileURLToPath(new URL('../../../bin/berth-runtime.js', import.meta.url));
const MiB = 1024 * 1024;

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

function exec(file: string, args: string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 30_000, maxBuffer: 16 * MiB }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const runcDelete = (id: string) => exec(RUNC!, ['--root', RUNC_ROOT, 'delete', '--force', id]);

/** Runs one bundle under runc, then under berth-runtime (the same id, one after the other). */
async function runBoth(c: ContainerCtx, spec: Spec): Promise<{ runc: Outcome; berth: Outcome }> {
  // Both runtimes put the container in the same cgroup, so the test's cleanup finds whatever either leaves.
  spec.linux!.cgroupsPath = `/berth/${c.id}`;
  const bundle = await c.makeBundle(spec);
  await runcDelete(c.id);
  try {
    const runc = await exec(RUNC!, ['--root', RUNC_ROOT, 'run', '--bundle', bundle, c.id]);
    const berth = await exec(process.execPath, [CLI, '--root', c.rt.root, 'run', '--bundle', bundle, c.id]);
    return { runc, berth };
  } finally {
    await runcDelete(c.id);
  }
}

/** The probe's report under each runtime; skips (with runc's error) when runc itself cannot run here. */
function reports(t: { skip: (m: string) => void }, { runc, berth }: { runc: Outcome; berth: Outcome }) {
  let r: Record<string, any>;
  try {
    r = parseReport(runc.stdout);
  } catch {
    t.skip(`runc cannot run the bundle on this host (exit ${runc.code}): ${runc.stderr.trim()}`);
    return undefined;
  }
  assert.equal(berth.code, 0, `berth-runtime run failed: ${berth.stderr}`);
  return { r, b: parseReport(berth.stdout) };
}

// /sys/fs/cgroup's children depend on the host's hierarchies and on how each runtime names them: runc
// mounts one per hierarchy it finds, Berth from its own layout detection; their order and set can differ
// (e.g. the unified hierarchy of a hybrid host) without the container seeing anything different of itself.
function mountSet(mounts: string[]): string[] {
  return [...new Set(mounts.filter((m) => !m.startsWith('/sys/fs/cgroup/')))].sort();
}

const FIELDS = [
  'pid', 'ppid', 'uid', 'gid', 'euid', 'groups', 'hostname', 'cwd', 'umask', 'capEff', 'capPrm', 'capBnd',
  'capInh', 'capAmb', 'noNewPrivs', 'seccomp', 'oomScoreAdj', 'rlimitNofile', 'env', 'netDevices', 'processes',
  'syscalls', 'writeRoot', 'readKcore', 'writeProcSys',
];

function compare(r: Record<string, any>, b: Record<string, any>): void {
  const diffs = FIELDS.filter((f) => !isDeepStrictEqual(r[f], b[f])).map((f) => ({ field: f, runc: r[f], berth: b[f] }));
  const rm = mountSet(r.mounts as string[]);
  const bm = mountSet(b.mounts as string[]);
  if (!isDeepStrictEqual(rm, bm)) diffs.push({ field: 'mounts', runc: rm, berth: bm });
  assert.deepEqual(diffs, [], `berth-runtime differs from runc:\n${JSON.stringify(diffs, null, 1)}`);
}

test('Docker defaults with seccomp: the probe sees the same under runc and berth-runtime', { skip }, async (t) => {
  await withContainer(t, async (c) => {
    const got = reports(t, await runBoth(c, probeSpec(['/probe', 'report'], { hostname: 'compare' })));
    if (!got) return;
    assert.equal(got.r.hostname, 'compare');
    compare(got.r, got.b);
  });
});

test('process settings: the probe sees the same under runc and berth-runtime', { skip }, async (t) => {
  await withContainer(t, async (c) => {
    const spec = probeSpec(['/probe', 'report']);
    const p = spec.process!;
    p.user = { uid: 1000, gid: 1000, additionalGids: [2000], umask: 0o027 };
    p.cwd = '/made/by/runtime';
    p.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 512, hard: 1024 }];
    p.noNewPrivileges = true;
    p.oomScoreAdj = 300;
    spec.root = { path: 'rootfs', readonly: true };
    const got = reports(t, await runBoth(c, spec));
    if (!got) return;
    compare(got.r, got.b);
  });
});

// mountinfo as "point per-mount-options fstype source super-options", the mount ids and device numbers
// left out (they are per boot), and the cgroup children left out for the reason given at mountSet.
function mountTable(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => /^\d+ \d+ \d+:\d+ /.test(l))
    .map((l) => {
      const f = l.split(' ');
      const sep = f.indexOf('-');
      // Masked directories are empty read-only tmpfs either way; runc passes no size, Berth size=0k.
      const superOpts = f[sep + 3]!.replace(/,size=0k$/, '');
      return [f[4], f[5], f[sep + 1], f[sep + 2], superOpts].join(' ');
    })
    .filter((m) => !m.startsWith('/sys/fs/cgroup/'))
    .sort();
}

test('mount options and /dev are the same under runc and berth-runtime', { skip }, async (t) => {
  await withContainer(t, async (c) => {
    const script = 'cat /proc/self/mountinfo; echo ---; ls -lA /dev /dev/pts /dev/shm /dev/mqueue | grep -v "^total"';
    const { runc, berth } = await runBoth(c, probeSpec(['/bin/sh', '-c', script]));
    if (runc.code !== 0) return t.skip(`runc cannot run the bundle on this host (exit ${runc.code}): ${runc.stderr.trim()}`);
    assert.equal(berth.code, 0, berth.stderr);
    const [rMounts, rDev] = runc.stdout.split('---\n');
    const [bMounts, bDev] = berth.stdout.split('---\n');
    assert.deepEqual(mountTable(bMounts!), mountTable(rMounts!));
    // Times differ between the two runs; names, types, modes, owners and device numbers must not.
    const dev = (s: string) => s.split('\n').map((l) => l.replace(/\s+[A-Z][a-z]{2}\s+\d+\s+[\d:]+\s+/, ' ').replace(/\s+/g, ' ')).filter((l) => l !== '');
    assert.deepEqual(dev(bDev!), dev(rDev!));
  });
});

test('exit status: exit 3 gives 3 under both', { skip }, async (t) => {
  await withContainer(t, async (c) => {
    const { runc, berth } = await runBoth(c, probeSpec(['/probe', 'exit', '3']));
    assert.deepEqual({ runc: runc.code, berth: berth.code }, { runc: 3, berth: 3 }, `runc: ${runc.stderr} berth: ${berth.stderr}`);
  });
});

test('exit status: an OOM kill gives 137 under both', { skip }, async (t) => {
  await withContainer(t, async (c) => {
    const spec = probeSpec(['/probe', 'alloc', '200']);
    spec.linux!.resources = { ...spec.linux!.resources, memory: { limit: 32 * MiB, swap: 32 * MiB } };
    const { runc, berth } = await runBoth(c, spec);
    assert.deepEqual({ runc: runc.code, berth: berth.code }, { runc: 137, berth: 137 });
  });
});

test('a missing executable: both report Docker\'s "executable file not found in $PATH"', { skip }, async (t) => {
  await withContainer(t, async (c) => {
    const { runc, berth } = await runBoth(c, probeSpec(['no-such-command']));
    // runc exits 1 here; berth-runtime gives 127 as the Engine does for `docker run` (tested in bad-input).
    assert.notEqual(runc.code, 0);
    assert.equal(berth.code, 127);
    for (const [who, o] of [['runc', runc], ['berth-runtime', berth]] as const) {
      // runc logs through logrus, which escapes the quotes.
      assert.match(o.stderr, /exec: \\?"no-such-command\\?": executable file not found in \$PATH/, `${who}: ${o.stderr}`);
    }
  });
});

/** Runs `run` in the foreground, SIGTERMs the runtime's own process (not its process group, as a
 * supervisor or `kill PID` would) once the container is running and ready, and reports how it ended. */
async function terminateRun(file: string, args: string[], stateArgs: string[]): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const ended = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  try {
    await pollUntil(() => stdout.includes('ready\n'), { timeoutMs: 15_000, what: `${file} run to print ready (stderr: ${stderr})` });
    // The runtime records the container before it may be signalled; that is when a user could see it.
    await pollUntil(async () => (await exec(stateArgs[0]!, stateArgs.slice(1))).stdout.includes('"running"'), { timeoutMs: 5000, what: 'state running' });
    child.kill('SIGTERM');
    const end = await withTimeout(ended, 10_000, `${file} run to end after SIGTERM`);
    return { ...end, stdout, stderr };
  } finally {
    child.kill('SIGKILL');
  }
}

test('SIGTERM to a foreground `run` is forwarded to the container under both', { skip }, async (t) => {
  await withContainer(t, async (c) => {
    const spec = probeSpec(['/probe', 'signals']);
    spec.linux!.cgroupsPath = `/berth/${c.id}`;
    const bundle = await c.makeBundle(spec);
    await runcDelete(c.id);
    let runc;
    try {
      runc = await terminateRun(RUNC!, ['--root', RUNC_ROOT, 'run', '--bundle', bundle, c.id], [RUNC!, '--root', RUNC_ROOT, 'state', c.id]);
    } finally {
      await runcDelete(c.id);
    }
    const berth = await terminateRun(process.execPath, [CLI, '--root', c.rt.root, 'run', '--bundle', bundle, c.id], [process.execPath, CLI, '--root', c.rt.root, 'state', c.id]);
    // runc relays the signal and exits with the container's status (the probe exits 0 after SIGTERM).
    assert.deepEqual({ code: runc.code, stdout: runc.stdout }, { code: 0, stdout: 'ready\nSIGTERM\n' }, runc.stderr);
    assert.deepEqual(
      { code: berth.code, signal: berth.signal, stdout: berth.stdout },
      { code: 0, signal: null, stdout: 'ready\nSIGTERM\n' },
      `berth-runtime run did not relay SIGTERM to the container (stderr: ${berth.stderr})`,
    );
    assert.equal(existsSync(c.rt.dir(c.id)), false, 'berth-runtime run left the container behind');
  });
});
