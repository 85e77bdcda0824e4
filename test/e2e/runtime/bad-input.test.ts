// Bundles Berth's runtime must refuse, and what a refusal must leave behind: nothing. Each case checks the
// error (Docker's wording and exit status where clients depend on them) and that no state dir, cgroup,
// process or host mount survived, whether the failure came from the planner (before anything was made)
// or from inside the new container (after the shim, the cgroups and the namespaces existed).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { EngineError } from '../../../src/common/errors.js';
import type { Spec } from '../../../src/spec/oci-runtime.js';
import {
  RUNTIME_TEST_ROOT,
  alive,
  assertNoTrace,
  hostMounts,
  newMounts,
  parseReport,
  probeSpec,
  runToEnd,
  withContainer,
  type ContainerCtx,
} from '../../helpers/runtime.js';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../../../bin/berth-runtime.js', import.meta.url));

// Mount points a container's setup could leak onto the host if it escaped its mount namespace or rootfs.
function suspicious(entry: string, tmp: string): boolean {
  const point = entry.split(' ')[1]!;
  return (
    point.startsWith(tmp) ||
    point.startsWith(RUNTIME_TEST_ROOT) ||
    ['/', '/proc', '/dev', '/sys'].includes(point) ||
    /^\/(proc|dev|sys)\//.test(point)
  );
}

interface Expect {
  message: RegExp;
  kind?: string;
  exitCode?: number;
}

/** Creates the container from `setup`'s bundle, expects `want`, and checks that nothing was left. */
async function refused(c: ContainerCtx, setup: (c: ContainerCtx) => Promise<void>, want: Expect): Promise<void> {
  await setup(c);
  const before = await hostMounts();
  const err = await c.rt.create(c.id, c.bundle, { io: { mode: 'pipes' } }).then(
    () => assert.fail('create succeeded'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof EngineError, `not an EngineError: ${String(err)}`);
  assert.match(err.message, want.message);
  if (want.kind) assert.equal(err.kind, want.kind, err.message);
  if (want.exitCode !== undefined) assert.equal(err.exitCode, want.exitCode, err.message);
  await assertNoTrace(c.rt, c.id);
  const leaked = newMounts(before, await hostMounts()).filter((m) => suspicious(m, c.tmp));
  assert.deepEqual(leaked, [], 'new mounts on the host');
}

function withSpec(mutate: (s: Spec) => void, args = ['/probe', 'report']) {
  return async (c: ContainerCtx) => {
    const spec = probeSpec(args);
    mutate(spec);
    await c.makeBundle(spec);
  };
}

const cases: [string, (c: ContainerCtx) => Promise<void>, Expect][] = [
  [
    'config.json that is not JSON',
    async (c) => {
      await c.makeBundle(probeSpec(['/probe']));
      await writeFile(join(c.bundle, 'config.json'), '{"ociVersion": "1.0.2", "process": ');
    },
    { message: /failed to parse config\.json/, kind: 'invalid-argument' },
  ],
  ['a bundle without config.json', async (c) => mkdir(c.bundle).then(() => undefined), { message: /config\.json not found/, kind: 'invalid-argument' }],
  ['no process', withSpec((s) => delete s.process), { message: /process must be set/, kind: 'invalid-argument' }],
  ['empty args', withSpec((s) => (s.process!.args = [])), { message: /args must not be empty/, kind: 'invalid-argument' }],
  ['no root', withSpec((s) => delete (s as Partial<Spec>).root), { message: /root\.path must be set/, kind: 'invalid-argument' }],
  ['a relative cwd', withSpec((s) => (s.process!.cwd = 'work')), { message: /cwd must be an absolute path/, kind: 'invalid-argument' }],
  [
    'an unknown namespace type',
    withSpec((s) => s.linux!.namespaces!.push({ type: 'bogus' as 'pid' })),
    { message: /namespace type "bogus" is not supported/, kind: 'invalid-argument' },
  ],
  [
    'no mount namespace',
    withSpec((s) => (s.linux!.namespaces = s.linux!.namespaces!.filter((n) => n.type !== 'mount'))),
    { message: /mount namespace is required/, kind: 'invalid-argument' },
  ],
  [
    'a user namespace without mappings',
    withSpec((s) => s.linux!.namespaces!.push({ type: 'user' })),
    { message: /no mapping found/, kind: 'invalid-argument' },
  ],
  [
    'a hostname without a uts namespace',
    withSpec((s) => (s.linux!.namespaces = s.linux!.namespaces!.filter((n) => n.type !== 'uts'))),
    { message: /unable to set hostname without a private UTS namespace/, kind: 'invalid-argument' },
  ],
  [
    'an unknown rlimit type',
    withSpec((s) => s.process!.rlimits!.push({ type: 'RLIMIT_BOGUS', soft: 1, hard: 1 })),
    { message: /rlimit type "RLIMIT_BOGUS" is not supported/, kind: 'invalid-argument' },
  ],
  [
    'a sysctl that would change the host (kernel.pid_max)',
    withSpec((s) => (s.linux!.sysctl = { 'kernel.pid_max': '4194304' })),
    { message: /sysctl "kernel\.pid_max" is not in a separate kernel namespace/, kind: 'invalid-argument' },
  ],
  [
    'a net sysctl without a network namespace',
    withSpec((s) => {
      s.linux!.namespaces = s.linux!.namespaces!.filter((n) => n.type !== 'network');
      s.linux!.sysctl = { 'net.ipv4.ip_forward': '1' };
    }),
    { message: /not allowed in host network namespace/, kind: 'invalid-argument' },
  ],
  [
    'a cpuset the host does not have',
    withSpec((s) => (s.linux!.resources = { ...s.linux!.resources, cpu: { cpus: '4095' } })),
    { message: /cpuset/ },
  ],
  ['a missing executable', withSpec(() => undefined, ['no-such-command']), { message: /exec: "no-such-command": executable file not found in \$PATH/, exitCode: 127 }],
  ['a missing absolute path', withSpec(() => undefined, ['/no/such/file']), { message: /no such file or directory/, exitCode: 127 }],
  ['a file that is not executable', withSpec(() => undefined, ['/etc/passwd']), { message: /exec: "\/etc\/passwd": permission denied/, exitCode: 126 }],
  ['a directory as the executable', withSpec(() => undefined, ['/tmp']), { message: /permission denied/, exitCode: 126 }],
  ['a rootfs that does not exist', withSpec((s) => (s.root = { path: 'no-such-rootfs' })), { message: /no-such-rootfs/ }],
  [
    'a bind mount whose source does not exist',
    withSpec((s) => s.mounts!.push({ destination: '/data', type: 'bind', source: '/no/such/source', options: ['rbind'] })),
    { message: /\/no\/such\/source/ },
  ],
  ['a cwd that is a file', withSpec((s) => (s.process!.cwd = '/etc/passwd')), { message: /chdir to cwd/ }],
  [
    'an rlimit above what the kernel allows (NOFILE > fs.nr_open)',
    withSpec((s) => (s.process!.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 2 ** 40, hard: 2 ** 40 }])),
    { message: /rlimit/ },
  ],
];

for (const [name, setup, want] of cases) {
  test(`refused, leaving nothing behind: ${name}`, async (t) => {
    const pidMax = readFileSync('/proc/sys/kernel/pid_max', 'utf8');
    await withContainer(t, (c) => refused(c, setup, want));
    assert.equal(readFileSync('/proc/sys/kernel/pid_max', 'utf8'), pidMax, 'kernel.pid_max changed on the host');
  });
}

test('an executable the kernel cannot run fails at start and leaves a stopped container', async (t) => {
  await withContainer(t, async ({ rt, id, bundle, makeBundle }) => {
    await makeBundle(probeSpec(['/garbage']));
    // Executable bits but no ELF header and no "#!": only execve itself can tell (ENOEXEC).
    await writeFile(join(bundle, 'rootfs', 'garbage'), 'not a program\n', { mode: 0o755 });
    const { pid } = await rt.create(id, bundle, { io: { mode: 'pipes' } });
    const err = await rt.start(id).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof EngineError, `start of an unrunnable executable: ${String(err)}`);
    assert.match(err.message, /exec format error/i);
    const exit = await rt.wait(id);
    assert.notEqual(exit.exitCode, 0);
    assert.equal((await rt.state(id)).status, 'stopped');
    await rt.delete(id);
    await assertNoTrace(rt, id, [pid]);
  });
});

test('an invalid container id is refused before anything is made', async (t) => {
  await withContainer(t, async ({ rt, makeBundle }) => {
    const bundle = await makeBundle(probeSpec(['/probe']));
    for (const bad of ['../escape', 'a/b', '.', '..', '']) {
      await assert.rejects(rt.create(bad, bundle), { name: 'EngineError', kind: 'invalid-argument' }, `id ${JSON.stringify(bad)}`);
    }
    assert.ok(!existsSync(join(RUNTIME_TEST_ROOT, '..', 'escape')));
  });
});

test('a second create with the same id is refused and leaves the first container alone', async (t) => {
  await withContainer(t, async ({ rt, id, makeBundle }) => {
    const bundle = await makeBundle(probeSpec(['/probe', 'sleep', '30']));
    const { pid } = await rt.create(id, bundle, { io: { mode: 'pipes' }, start: true });
    await assert.rejects(rt.create(id, bundle, { io: { mode: 'pipes' }, start: true }), { name: 'EngineError', kind: 'conflict' });
    assert.ok(alive(pid));
    assert.equal((await rt.state(id)).status, 'running');
    assert.deepEqual(await rt.ps(id), [pid]);
    await rt.delete(id, true);
    await assertNoTrace(rt, id, [pid]);
  });
});

/** A bundle whose rootfs has /evil → hostDir (absolute) and /evil2 → ../../…/hostDir, with mounts below both. */
async function hostileBundle(c: ContainerCtx): Promise<{ hostDir: string; rootfs: string }> {
  const hostDir = join(c.tmp, 'host-dir');
  await mkdir(hostDir);
  const spec = probeSpec(['/probe', 'report']);
  spec.mounts!.push(
    { destination: '/evil/x', type: 'tmpfs', source: 'tmpfs', options: ['size=1m'] },
    { destination: '/evil2/y', type: 'tmpfs', source: 'tmpfs', options: ['size=1m'] },
    { destination: '/evil/bound', type: 'bind', source: join(c.bundle, 'config.json'), options: ['rbind', 'ro'] },
  );
  await c.makeBundle(spec);
  const rootfs = join(c.bundle, 'rootfs');
  await symlink(hostDir, join(rootfs, 'evil'));
  // Enough ".." to climb from the rootfs to the host's /, then down to the host directory.
  await symlink(`${'../'.repeat(12)}${hostDir.slice(1)}`, join(rootfs, 'evil2'));
  return { hostDir, rootfs };
}

test('mount destinations through hostile symlinks land inside the rootfs (target present in it)', async (t) => {
  await withContainer(t, async (c) => {
    const { rt, id, bundle, tmp } = c;
    const { hostDir, rootfs } = await hostileBundle(c);
    // The same path exists inside the rootfs: that is where the symlinks must lead.
    await mkdir(join(rootfs, hostDir), { recursive: true });
    const before = await hostMounts();
    const { pid, exit, stdout, stderr } = await runToEnd(rt, id, bundle);
    assert.deepEqual(readdirSync(hostDir), [], 'the container setup wrote into a host directory');
    const leaked = newMounts(before, await hostMounts()).filter((m) => m.split(' ')[1]!.startsWith(tmp));
    assert.deepEqual(leaked, [], 'mounts on the host');
    assert.equal(exit.exitCode, 0, stderr);
    const mounts = parseReport(stdout).mounts as string[];
    for (const m of ['x', 'y', 'bound']) assert.ok(mounts.includes(join(hostDir, m)), `${join(hostDir, m)} not mounted in the container`);
    assert.deepEqual(readdirSync(join(rootfs, hostDir)).sort(), ['bound', 'x', 'y']);
    await rt.delete(id);
    await assertNoTrace(rt, id, [pid]);
  });
});

test('mount destinations through dangling hostile symlinks are created inside the rootfs, as runc does', async (t) => {
  await withContainer(t, async (c) => {
    const { rt, id, bundle, tmp } = c;
    const { hostDir, rootfs } = await hostileBundle(c);
    const before = await hostMounts();
    const outcome = await runToEnd(rt, id, bundle).catch((e: Error) => e);
    // Safety first, whatever the outcome: nothing on the host side.
    assert.deepEqual(readdirSync(hostDir), [], 'the container setup wrote into a host directory');
    const leaked = newMounts(before, await hostMounts()).filter((m) => m.split(' ')[1]!.startsWith(tmp));
    assert.deepEqual(leaked, [], 'mounts on the host');
    // runc (securejoin + MkdirAll) resolves the symlinks as if the rootfs were / and creates the missing
    // directories there; an image with a dangling symlink on a volume's path must still start.
    if (outcome instanceof Error) {
      await assertNoTrace(rt, id);
      assert.fail(`create refused a mount through a symlink whose target is missing in the rootfs: ${outcome.message}`);
    }
    assert.equal(outcome.exit.exitCode, 0, outcome.stderr);
    const mounts = parseReport(outcome.stdout).mounts as string[];
    for (const m of ['x', 'y', 'bound']) assert.ok(mounts.includes(join(hostDir, m)), `${join(hostDir, m)} not mounted in the container`);
    assert.deepEqual(readdirSync(join(rootfs, hostDir)).sort(), ['bound', 'x', 'y']);
    await rt.delete(id);
    await assertNoTrace(rt, id, [outcome.pid]);
  });
});

test('CLI: run of a missing executable exits 127 with the message on stderr', async (t) => {
  await withContainer(t, async ({ rt, id, makeBundle }) => {
    const bundle = await makeBundle(probeSpec(['no-such-command']));
    const res = await run(process.execPath, [CLI, '--root', rt.root, 'run', '--bundle', bundle, id], { timeout: 20_000 }).then(
      () => assert.fail('berth-runtime run succeeded'),
      (e: { code?: number; stderr?: string; stdout?: string }) => e,
    );
    assert.equal(res.code, 127, `stderr: ${res.stderr}`);
    assert.match(res.stderr ?? '', /executable file not found in \$PATH/);
    await assertNoTrace(rt, id);
  });
});

test('CLI: run of a non-executable file exits 126', async (t) => {
  await withContainer(t, async ({ rt, id, makeBundle }) => {
    const bundle = await makeBundle(probeSpec(['/etc/passwd']));
    const res = await run(process.execPath, [CLI, '--root', rt.root, 'run', '--bundle', bundle, id], { timeout: 20_000 }).then(
      () => assert.fail('berth-runtime run succeeded'),
      (e: { code?: number; stderr?: string }) => e,
    );
    assert.equal(res.code, 126, `stderr: ${res.stderr}`);
    assert.match(res.stderr ?? '', /permission denied/);
    await assertNoTrace(rt, id);
  });
});
