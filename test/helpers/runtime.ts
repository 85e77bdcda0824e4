// Helpers for the runtime's root tests (test/e2e/runtime/): a probe bundle with Docker's defaults, a
// container that is removed before and after the test whatever happens, an attach client that decodes
// Docker's stdcopy frames, and checks that a container left nothing behind (state dir, cgroups, processes,
// mounts).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import { Runtime, DOCKER_DEFAULT_CAPS, defaultSpec, seccompArch, type IoOptions } from '../../src/runtime/index.js';
import { dockerDefaultProfile } from '../../src/runtime/seccomp/index.js';
import type { Spec } from '../../src/spec/oci-runtime.js';
import { pollUntil, testName, withTempDir } from './cleanup.js';
import { makeBundle } from './rootfs.js';

/** One state root for every runtime test: fixed, so a rerun finds (and deletes) what a crashed run left. Short,
 * because the shim's sockets live below it and a socket path is limited to 107 bytes. */
export const RUNTIME_TEST_ROOT = '/run/berth-test-runtime';

export const CGROUP_ROOT = '/sys/fs/cgroup';

/** Docker's defaults (caps, mounts, masks, namespaces) plus Docker's seccomp profile, running `args`. */
export function probeSpec(args: string[], opts: { seccomp?: boolean; hostname?: string; terminal?: boolean } = {}): Spec {
  const spec = defaultSpec({ args, hostname: opts.hostname, terminal: opts.terminal });
  if (opts.seccomp !== false) spec.linux!.seccomp = dockerDefaultProfile(DOCKER_DEFAULT_CAPS, seccompArch());
  return spec;
}

/** True on a host where the unified hierarchy is mounted at /sys/fs/cgroup itself. */
export function pureCgroupV2(): boolean {
  return existsSync(join(CGROUP_ROOT, 'cgroup.controllers'));
}

/** Every directory of cgroup `cgPath` that exists, in any hierarchy (v1 controllers, unified, named). */
export function cgroupDirsOf(cgPath: string): string[] {
  const rel = cgPath.replace(/^\/+/, '');
  const candidates = pureCgroupV2()
    ? [join(CGROUP_ROOT, rel)]
    : readdirSync(CGROUP_ROOT, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => join(CGROUP_ROOT, d.name, rel));
  return candidates.filter((d) => existsSync(d));
}

/** The container's cgroup directory in one v1 controller (or the unified dir on a pure v2 host). */
export function cgroupDir(id: string, controller: string): string {
  return pureCgroupV2() ? join(CGROUP_ROOT, 'berth', id) : join(CGROUP_ROOT, controller, 'berth', id);
}

/** Host pids whose command line mentions `needle` (the shim and the container before exec carry the
 * plan's path in argv[1], since the container process is a clone of the shim). */
export function processesMentioning(needle: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      const state = procState(Number(name));
      if (cmdline.includes(needle) && state !== undefined && state !== 'Z') out.push(Number(name));
    } catch {
      // gone while we looked
    }
  }
  return out;
}

/** The state letter of /proc/PID/stat, or undefined if there is no such process. */
export function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

/** A live (non-zombie) process. */
export function alive(pid: number): boolean {
  const s = procState(pid);
  return s !== undefined && s !== 'Z' && s !== 'X';
}

/** The processes in a cgroup directory and its children. */
function cgroupProcs(dir: string): number[] {
  const out: number[] = [];
  const walk = (d: string) => {
    try {
      for (const l of readFileSync(join(d, 'cgroup.procs'), 'utf8').split('\n')) if (l.trim()) out.push(Number(l));
      for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(join(d, e.name));
    } catch {
      // removed meanwhile
    }
  };
  walk(dir);
  return out;
}

/** Removes container `id` whatever state a previous (possibly crashed) run left it in: Runtime.delete when
 * it still has a state file, else by hand (kill what is in its cgroups, remove them and the state dir). */
export async function purgeContainer(rt: Runtime, id: string, cgPath = `/berth/${id}`): Promise<void> {
  await rt.delete(id, true).catch(() => undefined);
  for (const pid of processesMentioning(`${rt.dir(id)}/`)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const dirs = cgroupDirsOf(cgPath);
  for (const d of dirs) {
    // Thaw first: a frozen process cannot act on SIGKILL, and its cgroup stays busy.
    await writeIfExists(join(d, 'freezer.state'), 'THAWED');
    await writeIfExists(join(d, 'cgroup.freeze'), '0');
  }
  for (const d of dirs) {
    for (const pid of cgroupProcs(d)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  for (const d of dirs) await removeCgroupTree(d);
  await rm(rt.dir(id), { recursive: true, force: true });
  for (const d of execDirsOf(rt, id)) {
    for (const pid of processesMentioning(`${d}/`)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await rm(d, { recursive: true, force: true });
  }
}

/** Exec state dirs of container `id`: they live apart from its state dir (root/@exec/<execId>), each with a
 * `container` file naming its owner. */
export function execDirsOf(rt: Runtime, id: string): string[] {
  const root = join(rt.root, '@exec');
  let names: string[] = [];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  return names
    .map((n) => join(root, n))
    .filter((d) => {
      try {
        return readFileSync(join(d, 'container'), 'utf8') === id;
      } catch {
        return false;
      }
    });
}

async function writeIfExists(file: string, value: string): Promise<void> {
  if (existsSync(file)) await writeFile(file, value).catch(() => undefined);
}

async function removeCgroupTree(dir: string): Promise<void> {
  let entries: string[] = [];
  try {
    entries = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return;
  }
  for (const e of entries) await removeCgroupTree(join(dir, e));
  // Killed processes leave the cgroup only once the kernel has finished tearing them down.
  await pollUntil(
    async () => {
      try {
        await rmdir(dir);
        return true;
      } catch (e) {
        return (e as NodeJS.ErrnoException).code === 'ENOENT';
      }
    },
    { timeoutMs: 5000, what: `rmdir ${dir}` },
  );
}

export interface ContainerCtx {
  rt: Runtime;
  id: string;
  /** A fresh temp directory, removed after the test. */
  tmp: string;
  /** tmp/bundle, made by makeBundle when the test asks for it. */
  bundle: string;
  makeBundle: (spec: Spec) => Promise<string>;
}

/** Runs `fn` with a container id named after the test; the container is purged before and after. */
export async function withContainer<T>(t: { name: string; fullName?: string }, fn: (c: ContainerCtx) => Promise<T>): Promise<T> {
  const rt = new Runtime(RUNTIME_TEST_ROOT);
  const id = testName(t);
  await purgeContainer(rt, id);
  try {
    return await withTempDir(id, async (tmp) => {
      const bundle = join(tmp, 'bundle');
      return fn({
        rt,
        id,
        tmp,
        bundle,
        makeBundle: async (spec) => {
          await makeBundle(bundle, spec);
          return bundle;
        },
      });
    });
  } finally {
    await purgeContainer(rt, id);
  }
}

/** Asserts that container `id` left nothing on the host: no state dir, no exec dirs, no cgroup, no process
 * (neither `pids` nor a shim of the container or of the execs whose dirs are given). */
export async function assertNoTrace(rt: Runtime, id: string, pids: number[] = [], execDirs: string[] = []): Promise<void> {
  assert.equal(existsSync(rt.dir(id)), false, `state dir ${rt.dir(id)} is left`);
  assert.deepEqual(cgroupDirsOf(`/berth/${id}`), [], 'cgroup dirs are left');
  assert.deepEqual(execDirsOf(rt, id), [], 'exec state dirs are left');
  const needles = [`${rt.dir(id)}/`, ...execDirs.map((d) => `${d}/`)];
  await pollUntil(() => pids.every((p) => !alive(p)) && needles.every((n) => processesMentioning(n).length === 0), {
    timeoutMs: 5000,
    what: `the processes of ${id} to be gone (${pids.join(',')})`,
  });
}

export interface Frame {
  stream: number;
  data: Buffer;
}

/** Splits Docker stdcopy output (8-byte header: stream, 3 zero bytes, big-endian length) into frames;
 * throws on a malformed header, and returns the incomplete tail separately. */
export function parseStdcopy(buf: Buffer): { frames: Frame[]; rest: Buffer } {
  const frames: Frame[] = [];
  let off = 0;
  while (buf.length - off >= 8) {
    const stream = buf[off]!;
    if (stream < 0 || stream > 2 || buf[off + 1] !== 0 || buf[off + 2] !== 0 || buf[off + 3] !== 0) {
      throw new Error(`bad stdcopy header at ${off}: ${buf.subarray(off, off + 8).toString('hex')}`);
    }
    const len = buf.readUInt32BE(off + 4);
    if (buf.length - off - 8 < len) break;
    frames.push({ stream, data: buf.subarray(off + 8, off + 8 + len) });
    off += 8 + len;
  }
  return { frames, rest: buf.subarray(off) };
}

export class AttachClient {
  readonly chunks: Buffer[] = [];
  readonly closed: Promise<void>;
  private listeners: (() => void)[] = [];

  constructor(readonly sock: net.Socket) {
    sock.on('data', (d: Buffer) => {
      this.chunks.push(d);
      for (const l of this.listeners) l();
    });
    this.closed = new Promise((resolve) => {
      if (sock.closed) resolve();
      else sock.once('close', () => resolve());
    });
    sock.on('error', () => undefined);
  }

  raw(): Buffer {
    return Buffer.concat(this.chunks);
  }

  frames(): Frame[] {
    return parseStdcopy(this.raw()).frames;
  }

  stream(n: 1 | 2): string {
    return Buffer.concat(this.frames().filter((f) => f.stream === n).map((f) => f.data)).toString();
  }

  /** Resolves once `pred` holds for what arrived so far (checked on every chunk), within `timeoutMs`. */
  async until(pred: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    if (pred()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners = this.listeners.filter((l) => l !== check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${JSON.stringify(this.raw().toString())}`));
      }, timeoutMs);
      const check = () => {
        if (!pred()) return;
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== check);
        resolve();
      };
      this.listeners.push(check);
      void this.closed.then(() => {
        if (pred()) check();
      });
    });
  }

  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.sock.write(data, (e) => (e ? reject(e) : resolve())));
  }

  /** Half-close: the shim takes it as the end of stdin (with stdinOnce). */
  end(): void {
    this.sock.end();
  }

  destroy(): void {
    this.sock.destroy();
  }
}

export function attach(path: string): Promise<AttachClient> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(path);
    sock.once('error', reject);
    sock.once('connect', () => {
      sock.off('error', reject);
      resolve(new AttachClient(sock));
    });
  });
}

export interface RunResult {
  pid: number;
  exit: Awaited<ReturnType<Runtime['wait']>>;
  stdout: string;
  stderr: string;
}

/** Creates the container in pipes mode, attaches before starting (so no output is missed), starts it and
 * waits for it and for its output to end. The container stays (stopped) for the caller to inspect. */
export async function runToEnd(
  rt: Runtime,
  id: string,
  bundle: string,
  io: Partial<IoOptions> = {},
  timeoutMs = 20_000,
): Promise<RunResult> {
  const { pid } = await rt.create(id, bundle, { io: { mode: 'pipes', ...io } });
  const client = await attach(join(rt.dir(id), 'attach'));
  await rt.start(id);
  const exit = await withTimeout(rt.wait(id), timeoutMs, `container ${id} to exit`);
  await withTimeout(client.closed, 5000, `the attach stream of ${id} to end`);
  return { pid, exit, stdout: client.stream(1), stderr: client.stream(2) };
}

/** The probe's report: the one line of stdout that is a JSON object. */
export function parseReport(stdout: string): Record<string, any> {
  const line = stdout.split('\n').find((l) => l.startsWith('{"pid"'));
  if (!line) throw new Error(`no probe report in ${JSON.stringify(stdout)}`);
  return JSON.parse(line) as Record<string, any>;
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]);
}

/** Mount points of this (the host's) mount namespace, one per line of mountinfo: "id point fstype". */
export async function hostMounts(): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const f = l.split(' ');
      const sep = f.indexOf('-');
      return `${f[0]} ${f[4]} ${f[sep + 1]}`;
    });
}

/** Mount entries in `after` that were not in `before`. */
export function newMounts(before: string[], after: string[]): string[] {
  const seen = new Set(before);
  return after.filter((m) => !seen.has(m));
}

/** The namespace inode link of a process ("pid:[4026531836]"). */
export function nsOf(pid: number | 'self', ns: string): string {
  return readlinkSync(`/proc/${pid}/ns/${ns}`);
}
