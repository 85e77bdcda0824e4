// A real berthd for end-to-end tests (test/e2e/engine/): a child process on a private socket, data root and
// exec root in one short temp dir, with a busybox image imported offline, driven through the docker CLI.
// Everything it starts (berthd, shims, container processes, cgroups) is found again from that dir and removed
// afterwards; a rerun of the same test first removes what a crashed run left behind.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, openSync, closeSync, readdirSync, readFileSync } from 'node:fs';
import { appendFile, mkdir, readFile, readdir, rmdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { killPid, pollUntil, removeTree } from './cleanup.js';
import { buildTestRootfs, repoRoot } from './rootfs.js';

export interface DockerResult {
  stdout: string;
  stderr: string;
  /** Exit status; a CLI killed by a signal (or by the timeout) reports 128 + signal number. */
  code: number;
}

export interface DockerOptions {
  input?: string | Buffer;
  /** Kills the CLI after this long (default 20 s): a hung CLI must fail the test, not the whole run. */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export interface Daemon {
  /** The test's private directory (data/, run/, s.sock, berthd.log). */
  dir: string;
  socket: string;
  dataRoot: string;
  execRoot: string;
  env: { DOCKER_HOST: string; DOCKER_CONFIG: string };
  /** The network namespace berthd runs in (its "host" network), or undefined when it shares the host's. */
  netns: string | undefined;
  /** The current berthd's pid (changes on restart). */
  readonly pid: number;
  docker(args: string[], opts?: DockerOptions): Promise<DockerResult>;
  /** Like docker(), but a non-zero exit fails with the CLI's output and the daemon's log. */
  dockerOk(args: string[], opts?: DockerOptions): Promise<string>;
  /** SIGTERM to berthd, then wait for it to exit. */
  stop(): Promise<void>;
  /** SIGKILL to berthd only (its containers and shims live on). */
  kill9(): Promise<void>;
  /** A new berthd on the same dirs (after stop() or kill9()). */
  restart(): Promise<void>;
  alive(): boolean;
  /** The last part of berthd's stderr, for failure messages. */
  logTail(chars?: number): string;
  /** Removes everything this daemon started; safe to call twice. */
  cleanup(): Promise<void>;
}

type Named = string | { name: string; fullName?: string; after?: (fn: () => Promise<void>) => void };

const BERTHD_PIDS = 'berthd.pids';
const OWNER = 'owner';

/** Short and fixed per test, so that a rerun finds the leftovers: "/tmp/bt-" + 8 hex characters. */
export function daemonDir(name: string): string {
  return `/tmp/bt-${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
}

/**
 * `netns` (default true): berthd runs in a network namespace of the test's own (`bt-<hash>`), so its bridges,
 * veths, iptables rules and published ports exist only there and go with it; the test's "host" address is
 * inside it (see Daemon.inNetns). false: berthd shares the host's network (to reach registries the test runs
 * on the host's loopback) with `--bridge none`, so it makes no bridge or rule there.
 */
export async function startDaemon(t: Named, opts: { image?: boolean; args?: string[]; netns?: boolean } = {}): Promise<Daemon> {
  const name = typeof t === 'string' ? t : (t.fullName ?? t.name);
  const dir = daemonDir(name);
  await removeLeftovers(dir);
  await mkdir(dir, { recursive: true, mode: 0o711 });
  await writeFile(join(dir, OWNER), `${process.pid}\n`);
  const socket = join(dir, 's.sock');
  const netns = opts.netns === false ? undefined : basename(dir);
  if (netns) await makeNetns(netns);
  const dataRoot = join(dir, 'data');
  const execRoot = join(dir, 'run');
  const env = { DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: join(dir, 'docker-config') };
  await mkdir(env.DOCKER_CONFIG, { recursive: true });
  const berthd = join(repoRoot(), 'dist', 'bin', 'berthd.js');
  const logFile = join(dir, 'berthd.log');

  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let cleaned = false;

  const launch = async () => {
    const fd = openSync(logFile, 'a');
    try {
      // stderr to a file, not a pipe: berthd must survive this process (live restore after kill9) and
      // must never block on a full pipe nobody reads.
      const args = [berthd, '-H', `unix://${socket}`, '--data-root', dataRoot, '--exec-root', execRoot, '--pidfile', join(dir, 'pid'), ...(netns ? [] : ['--bridge', 'none']), ...(opts.args ?? [])];
      // nsenter enters only the network namespace and execs node (same pid: the pid files stay right).
      child = netns
        ? spawn('nsenter', [`--net=/run/netns/${netns}`, process.execPath, ...args], { stdio: ['ignore', fd, fd] })
        : spawn(process.execPath, args, { stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    const c = child;
    if (c.pid === undefined) throw new Error(`spawning berthd failed`);
    await appendFile(join(dir, BERTHD_PIDS), `${c.pid}\n`);
    exited = new Promise((resolve) => c.once('exit', () => resolve()));
    let gone = false;
    void exited.then(() => (gone = true));
    await pollUntil(
      async () => {
        if (gone) throw new Error(`berthd exited: ${tail(logFile)}`);
        const r = await docker(['version', '--format', '{{.Server.Version}}'], { timeoutMs: 2000 });
        return r.code === 0;
      },
      { timeoutMs: 15_000, intervalMs: 50, what: `berthd to answer on ${socket}` },
    ).catch((e: Error) => {
      throw new Error(`${e.message}\nberthd log:\n${tail(logFile)}`);
    });
  };

  const docker = (args: string[], o: DockerOptions = {}): Promise<DockerResult> =>
    new Promise((resolve) => {
      const p = execFile(
        'docker',
        args,
        { env: { ...process.env, ...env, ...o.env }, timeout: o.timeoutMs ?? 20_000, maxBuffer: 64 << 20, encoding: 'utf8', killSignal: 'SIGKILL' },
        (err, stdout, stderr) => {
          let code = 0;
          if (err) {
            const e = err as { code?: number | string; signal?: NodeJS.Signals | null };
            code = typeof e.code === 'number' ? e.code : e.signal ? 128 + (e.signal === 'SIGKILL' ? 9 : 15) : 1;
          }
          resolve({ stdout, stderr, code });
        },
      );
      if (o.input !== undefined) p.stdin?.end(o.input);
      else p.stdin?.end();
    });

  const dockerOk = async (args: string[], o?: DockerOptions): Promise<string> => {
    const r = await docker(args, o);
    if (r.code !== 0) {
      throw new Error(`docker ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}\nberthd log:\n${tail(logFile, 2000)}`);
    }
    return r.stdout;
  };

  const stopChild = async (signal: NodeJS.Signals) => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    c.kill(signal);
    const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  const d: Daemon = {
    dir,
    socket,
    dataRoot,
    execRoot,
    env,
    netns,
    get pid() {
      return child?.pid ?? 0;
    },
    docker,
    dockerOk,
    stop: () => stopChild('SIGTERM'),
    kill9: () => stopChild('SIGKILL'),
    restart: async () => {
      await stopChild('SIGTERM');
      await launch();
    },
    alive: () => child !== undefined && child.exitCode === null && child.signalCode === null,
    logTail: (n = 4000) => tail(logFile, n),
    cleanup: async () => {
      if (cleaned) return;
      cleaned = true;
      if (d.alive()) {
        // through the daemon first: the normal path also exercises rm -f, and leaves the least behind
        const ids = (await docker(['ps', '-aq', '--no-trunc'], { timeoutMs: 10_000 })).stdout.split('\n').filter(Boolean);
        if (ids.length) await docker(['rm', '-f', ...ids], { timeoutMs: 30_000 });
      }
      await stopChild('SIGTERM');
      await removeLeftovers(dir);
    },
  };
  if (typeof t !== 'string' && typeof t.after === 'function') t.after(() => d.cleanup());

  try {
    await launch();
    if (opts.image !== false) await importBusybox(d);
  } catch (e) {
    await d.cleanup().catch((ce: unknown) => console.error(`startDaemon: cleanup after a failed start failed:`, ce));
    throw e;
  }
  return d;
}

/** busybox:latest from the host's static busybox (and the probe), without any registry. */
async function importBusybox(d: Daemon): Promise<void> {
  const rootfs = join(d.dir, 'rootfs');
  await buildTestRootfs(rootfs, { probe: true });
  const r = await new Promise<DockerResult>((resolve) => {
    const tar = spawn('tar', ['-C', rootfs, '--numeric-owner', '-c', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const imp = spawn('docker', ['import', '-', 'busybox:latest'], { env: { ...process.env, ...d.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    tar.stdout.pipe(imp.stdin);
    let stdout = '';
    let stderr = '';
    tar.stderr.on('data', (b: Buffer) => (stderr += b));
    imp.stdout.on('data', (b: Buffer) => (stdout += b));
    imp.stderr.on('data', (b: Buffer) => (stderr += b));
    imp.on('close', (code) => resolve({ stdout, stderr, code: code ?? 1 }));
  });
  if (r.code !== 0) throw new Error(`docker import of the test rootfs failed (${r.code}): ${r.stderr}\nberthd log:\n${d.logTail()}`);
}

function tail(file: string, n = 4000): string {
  try {
    const s = readFileSync(file, 'utf8');
    return s.length > n ? `…${s.slice(-n)}` : s;
  } catch {
    return '(no log)';
  }
}

function procAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

function ppidOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function cgroupOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  } catch {
    return '';
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** Processes whose command line names a path below `dir`: berthd (its flags), shims and not yet exec'd
 * container processes (the plan file below the exec root). */
function processesUnder(dir: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const pid = Number(e);
    if (pid === process.pid || pid <= 1) continue;
    if (cmdline(pid).includes(`${dir}/`) && procAlive(pid)) out.push(pid);
  }
  return out;
}

const CGROUP_ROOT = '/sys/fs/cgroup';

/** Every existing directory of cgroup `rel` (e.g. "berth/<id>") across v1 hierarchies, or the v2 one. */
function cgroupDirs(rel: string): string[] {
  rel = rel.replace(/^\/+/, '');
  if (!rel || rel.split('/').some((p) => p === '..')) return [];
  if (existsSync(join(CGROUP_ROOT, 'cgroup.controllers'))) return [join(CGROUP_ROOT, rel)].filter((d) => existsSync(d));
  let hier: string[];
  try {
    hier = readdirSync(CGROUP_ROOT, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
  return hier.map((h) => join(CGROUP_ROOT, h, rel)).filter((d) => existsSync(d));
}

function cgroupProcs(dirs: string[]): number[] {
  const pids = new Set<number>();
  for (const d of dirs) {
    try {
      for (const l of readFileSync(join(d, 'cgroup.procs'), 'utf8').split('\n')) if (l) pids.add(Number(l));
    } catch {
      // gone meanwhile
    }
  }
  pids.delete(process.pid);
  pids.delete(1);
  return [...pids];
}

async function thaw(dirs: string[]): Promise<void> {
  for (const d of dirs) {
    // a frozen task takes SIGKILL only once thawed (v1 freezer, v2 cgroup.freeze)
    if (existsSync(join(d, 'freezer.state'))) await writeFile(join(d, 'freezer.state'), 'THAWED').catch(() => undefined);
    if (existsSync(join(d, 'cgroup.freeze'))) await writeFile(join(d, 'cgroup.freeze'), '0').catch(() => undefined);
  }
}

async function rmCgroup(dir: string): Promise<void> {
  // children first: rmdir only works on a cgroup without sub-cgroups
  const subs = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const s of subs) if (s.isDirectory()) await rmCgroup(join(dir, s.name));
  await pollUntil(
    async () => {
      try {
        await rmdir(dir);
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return true;
        throw e;
      }
    },
    { timeoutMs: 5000, intervalMs: 20, what: `rmdir ${dir}` },
  );
}

/**
 * Removes what a daemon in `dir` may have left: berthd processes, shims and container processes, the
 * containers' cgroups, mounts below `dir`, and `dir` itself. Refuses if another live test process owns it.
 */
export async function removeLeftovers(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  const owner = Number((await readFile(join(dir, OWNER), 'utf8').catch(() => '')).trim());
  if (owner && owner !== process.pid && procAlive(owner) && cmdline(owner).includes('node')) {
    throw new Error(`${dir} belongs to a running test (pid ${owner}); is the same test running twice?`);
  }
  const errors: string[] = [];
  const kill = async (pid: number, why: string) => {
    try {
      await killPid(pid);
    } catch (e) {
      errors.push(`kill ${pid} (${why}): ${(e as Error).message}`);
    }
  };

  // berthd first, so that it restarts nothing while the rest goes
  const berthds = (await readFile(join(dir, BERTHD_PIDS), 'utf8').catch(() => ''))
    .split('\n')
    .filter(Boolean)
    .map(Number);
  for (const pid of berthds) if (procAlive(pid) && cmdline(pid).includes(dir)) await kill(pid, 'berthd');

  // container ids: from the runtime's state dirs, and from the daemon's container store for ones whose
  // runtime state is already gone
  const execRoot = join(dir, 'run');
  const stateRoot = join(execRoot, 'r');
  const cgroupPaths = new Set<string>();
  const shims = new Set<number>();
  const containerPids = new Set<number>();
  for (const id of await readdir(stateRoot).catch(() => [] as string[])) {
    try {
      const s = JSON.parse(readFileSync(join(stateRoot, id, 'state.json'), 'utf8')) as { pid?: number; cgroupPath?: string };
      if (s.cgroupPath) cgroupPaths.add(s.cgroupPath);
      if (s.pid && s.pid > 1) {
        containerPids.add(s.pid);
        const pp = ppidOf(s.pid);
        // only a parent that is ours: once the shim is gone the container is reparented (to init or a
        // subreaper), which must not be killed
        if (pp && pp > 1 && pp !== process.pid && cmdline(pp).includes(`${dir}/`)) shims.add(pp);
      }
    } catch {
      // no state.json: the @exec dir, or a container being created
    }
  }
  for (const id of await readdir(join(dir, 'data', 'containers')).catch(() => [] as string[])) {
    if (/^[0-9a-f]{64}$/.test(id)) cgroupPaths.add(`/berth/${id}`);
  }
  const cgDirs = [...cgroupPaths].flatMap((p) => cgroupDirs(p));
  await thaw(cgDirs);
  for (const pid of shims) await kill(pid, 'shim');
  for (const pid of cgroupProcs(cgDirs)) await kill(pid, 'in a container cgroup');
  for (const pid of containerPids) {
    // pids are reused: only a process that still sits in one of this test's cgroups
    if (procAlive(pid) && [...cgroupPaths].some((p) => cgroupOf(pid).includes(`:${p}\n`))) await kill(pid, 'container');
  }
  for (const pid of processesUnder(dir)) await kill(pid, 'mentions the test dir');
  for (const d of cgDirs) {
    try {
      await rmCgroup(d);
    } catch (e) {
      errors.push(`${d}: ${(e as Error).message}`);
    }
  }
  const netnsError = deleteNetns(basename(dir));
  if (netnsError) errors.push(netnsError);
  try {
    await removeTree(dir);
  } catch (e) {
    errors.push(`remove ${dir}: ${(e as Error).message}`);
  }
  if (errors.length) throw new Error(`cleaning up ${dir} left things behind:\n${errors.join('\n')}`);
}

/** Polls `docker inspect -f <format> <ref>` until `want` accepts the output (trimmed). */
export async function waitInspect(d: Daemon, ref: string, format: string, want: (v: string) => boolean, timeoutMs = 10_000): Promise<string> {
  let last = '';
  return pollUntil(
    async () => {
      const r = await d.docker(['inspect', '-f', format, ref], { timeoutMs: 5000 });
      last = r.code === 0 ? r.stdout.trim() : `exit ${r.code}: ${r.stderr.trim()}`;
      return r.code === 0 && want(last) ? last : undefined;
    },
    { timeoutMs, intervalMs: 50, what: `inspect ${format} of ${ref}` },
  ).catch((e: Error) => {
    throw new Error(`${e.message}; last value ${JSON.stringify(last)}`);
  });
}

export interface TtyResult {
  /** Everything the pty showed: the echo of the input, the program's output, with \r\n line ends. */
  output: string;
  code: number;
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

/**
 * Runs the docker CLI on a pseudo-terminal (util-linux `script`), types `input`, and waits for the CLI to
 * exit; `script -e` exits with the CLI's status.
 */
export function dockerTty(d: Daemon, args: string[], input: string, timeoutMs = 20_000): Promise<TtyResult> {
  return new Promise((resolve, reject) => {
    const cmd = ['docker', ...args].map(shellQuote).join(' ');
    const p = spawn('script', ['-qfec', cmd, '/dev/null'], { env: { ...process.env, ...d.env, TERM: 'dumb' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    p.stdout.on('data', (b: Buffer) => (output += b));
    p.stderr.on('data', (b: Buffer) => (output += b));
    // stdin stays open until the CLI exits: an EOF would reach the container's shell as ^D
    p.stdin.write(input);
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`docker ${args.join(' ')} on a pty did not exit within ${timeoutMs} ms; output so far: ${JSON.stringify(output)}`));
    }, timeoutMs);
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      p.stdin.destroy();
      resolve({ output, code: code ?? 128 + (signal === 'SIGKILL' ? 9 : 15) });
    });
  });
}

/** A fresh named network namespace with loopback up (a leftover of the same name is replaced). */
async function makeNetns(name: string): Promise<void> {
  spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
  for (const args of [['netns', 'add', name], ['-n', name, 'link', 'set', 'lo', 'up']]) {
    const r = spawnSync('ip', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
  }
}

function deleteNetns(name: string): string | undefined {
  if (!existsSync(`/run/netns/${name}`)) return undefined;
  const r = spawnSync('ip', ['netns', 'del', name], { encoding: 'utf8' });
  return r.status === 0 ? undefined : `ip netns del ${name}: ${r.stderr.trim()}`;
}
