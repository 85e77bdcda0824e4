// Minimal root filesystems for root tests and runtime conformance runs: the host's static busybox, a few
// users and groups whose resolution tests can check, and optionally the probe (test/fixtures/probe.c).
import { execFile } from 'node:child_process';
import { constants as fsc, existsSync } from 'node:fs';
import { chmod, chown, copyFile, mkdir, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const HOST_BUSYBOX = '/bin/busybox';

/** Walks up from this module: compiled code runs from dist/, but probe.c is only in the source tree. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'test', 'fixtures', 'probe.c'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json with test/fixtures/probe.c above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

export function probeSourcePath(): string {
  return join(repoRoot(), 'test', 'fixtures', 'probe.c');
}

/** Where ensureProbe() caches the binary (gitignore it). */
export function probeBinaryPath(): string {
  return join(repoRoot(), 'test', 'fixtures', '.build', 'probe');
}

// Per-process memo: every test in a file reuses one compile and one `busybox --list`.
let probePromise: Promise<string> | undefined;
let appletsPromise: Promise<string[]> | undefined;

/** Compiles the probe unless the cached binary is newer than probe.c; returns the binary's path. */
export function ensureProbe(): Promise<string> {
  probePromise ??= buildProbe().catch((err: unknown) => {
    probePromise = undefined; // let a later call retry, e.g. once gcc is installed
    throw err;
  });
  return probePromise;
}

async function buildProbe(): Promise<string> {
  const src = probeSourcePath();
  const out = probeBinaryPath();
  const [srcStat, outStat] = await Promise.all([stat(src), stat(out).catch(() => undefined)]);
  if (outStat && outStat.mtimeMs >= srcStat.mtimeMs) return out;
  await mkdir(dirname(out), { recursive: true });
  // node --test runs files in parallel processes: compile to a private name, then rename atomically.
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    await run('gcc', ['-static', '-O2', '-Wall', '-o', tmp, src]);
    await rename(tmp, out);
  } catch (err) {
    await rm(tmp, { force: true });
    const e = err as { stderr?: string; message?: string };
    throw new Error(`building the probe failed: gcc -static -O2 -o ${tmp} ${src}: ${e.stderr || e.message}`, {
      cause: err,
    });
  }
  return out;
}

function busyboxApplets(): Promise<string[]> {
  appletsPromise ??= run(HOST_BUSYBOX, ['--list']).then(
    ({ stdout }) => stdout.split('\n').filter((a) => a !== '' && a !== 'busybox' && !a.includes('/')),
    (err: unknown) => {
      appletsPromise = undefined;
      throw new Error(`${HOST_BUSYBOX} --list failed (is busybox-static installed?)`, { cause: err });
    },
  );
  return appletsPromise;
}

const DIRS: ReadonlyArray<readonly [string, number]> = [
  ['bin', 0o755], ['etc', 0o755], ['proc', 0o555], ['sys', 0o555], ['dev', 0o755], ['tmp', 0o1777],
  ['root', 0o700], ['home', 0o755], ['home/app', 0o755], ['var', 0o755], ['run', 0o755], ['mnt', 0o755],
  ['usr', 0o755], ['usr/bin', 0o755], ['sbin', 0o755],
];

const FILES: Readonly<Record<string, string>> = {
  'etc/passwd': [
    'root:x:0:0:root:/root:/bin/sh',
    'app:x:1000:1000:app:/home/app:/bin/sh',
    'nobody:x:65534:65534:nobody:/nonexistent:/bin/false',
    '',
  ].join('\n'),
  'etc/group': ['root:x:0:', 'app:x:1000:', 'extra:x:2000:app', 'nogroup:x:65534:', ''].join('\n'),
  'etc/hosts': '',
  'etc/resolv.conf': '',
};

export interface RootfsOptions {
  /** Also install the static probe as /probe. */
  probe?: boolean;
}

/**
 * Fills `dir` (created if missing) with a busybox root filesystem: /bin/busybox and one relative symlink per
 * applet in /bin, the usual top-level directories, /etc/passwd (root, app 1000:1000, nobody 65534),
 * /etc/group (root, app 1000, extra 2000 with member app, nogroup 65534), empty /etc/hosts and
 * /etc/resolv.conf, and with `probe` the binary /probe.
 */
export async function buildTestRootfs(dir: string, opts: RootfsOptions = {}): Promise<void> {
  const [applets, probe] = await Promise.all([busyboxApplets(), opts.probe ? ensureProbe() : undefined]);
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o755);
  // Sequential: parents before children, and chmod because mkdir's mode is filtered by the umask.
  for (const [d, mode] of DIRS) {
    await mkdir(join(dir, d), { recursive: true });
    await chmod(join(dir, d), mode);
  }
  const jobs: Promise<unknown>[] = [
    copyFile(HOST_BUSYBOX, join(dir, 'bin', 'busybox'), fsc.COPYFILE_FICLONE),
    ...Object.entries(FILES).map(([f, text]) => writeFile(join(dir, f), text, { mode: 0o644 })),
    ...applets.map((a) => symlinkIfMissing('busybox', join(dir, 'bin', a))),
    chownIfRoot(join(dir, 'home', 'app'), 1000, 1000),
  ];
  if (probe) jobs.push(copyFile(probe, join(dir, 'probe'), fsc.COPYFILE_FICLONE));
  await Promise.all(jobs);
}

/**
 * Writes an OCI bundle: `dir/config.json` from `spec` as given (root.path should be "rootfs") and a test
 * rootfs in `dir/rootfs`, with the probe unless `opts.probe` is false.
 */
export async function makeBundle(dir: string, spec: object, opts: RootfsOptions = { probe: true }): Promise<void> {
  await mkdir(dir, { recursive: true });
  await Promise.all([
    writeFile(join(dir, 'config.json'), JSON.stringify(spec, null, 2) + '\n'),
    buildTestRootfs(join(dir, 'rootfs'), { probe: opts.probe ?? true }),
  ]);
}

async function symlinkIfMissing(target: string, path: string): Promise<void> {
  try {
    await symlink(target, path);
  } catch (err) {
    // rebuilding into an existing rootfs is allowed
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

async function chownIfRoot(path: string, uid: number, gid: number): Promise<void> {
  if (process.getuid?.() === 0) await chown(path, uid, gid);
}
