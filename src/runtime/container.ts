// The container lifecycle of an OCI runtime (create, start, state, kill, delete, pause, resume, ps, exec,
// run) over berth-shim. State lives in files under `root/<id>/`, so any process (berth-runtime, berthd after
// a restart) can pick a container up where another left it.
import { existsSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { NamespaceType, Process, Resources, Spec, State } from '../spec/oci-runtime.js';
import { EngineError, conflict, errnoCode, internal, invalidArgument, notFound } from '../common/errors.js';
import { writeFileAtomic } from '../common/atomic-file.js';
import { CgroupManager, cgroupMounts, loadLayout, syncCgroupFs, normalizeCgroupPath, type CgroupLayout } from './cgroups/index.js';
import { compileSeccomp } from './seccomp/index.js';
import { planExec, planLaunch, type HostFacts, type LaunchPlan, type ShimSettings } from './plan.js';
import { encodePlan } from './plan-codec.js';
import { defaultDeviceRules } from './devices.js';
import { ctl, readExit, spawnShim, waitExit, type ExitInfo } from './shim-client.js';
import { isAlive, processStartTime } from './proc.js';

export interface StoredState {
  ociVersion: string;
  id: string;
  bundle: string;
  pid: number;
  pidStartTime?: string;
  created: string;
  cgroupPath: string;
  started: boolean;
  annotations?: Record<string, string>;
  namespaces: NamespaceType[];
  /** Shared namespaces (joined by path) are not the container's to enter for exec. */
  ownNamespaces: NamespaceType[];
}

/** How the container's stdio is wired (decided by the caller). */
export interface IoOptions {
  /** inherit: the container uses the caller's stdio (runc's pass-through); pipes: the shim owns it. */
  mode: 'inherit' | 'pipes';
  log?: { path: string; maxSize: number; maxFiles: number };
  stdin?: boolean;
  stdinOnce?: boolean;
  /** File that receives the shim's own error messages (pipes mode). */
  shimLog?: number;
}

export interface CreateOptions {
  io?: IoOptions;
  pidFile?: string;
  /** Start the process as soon as it is set up (create + start in one step). */
  start?: boolean;
  foreground?: boolean;
  /** The spec, when the caller has it in memory already (otherwise bundle/config.json is read). */
  spec?: Spec;
}

const ID_RE = /^[\w+.-]+$/;

export function validateId(id: string): void {
  if (typeof id !== 'string' || !ID_RE.test(id) || id === '.' || id === '..' || id.length > 1024) {
    throw invalidArgument(`invalid container id format: ${id}`);
  }
}

export function seccompArch(): 'x86_64' | 'aarch64' {
  if (process.arch === 'x64') return 'x86_64';
  if (process.arch === 'arm64') return 'aarch64';
  throw internal(`unsupported architecture ${process.arch}`);
}

export async function readSpec(bundle: string): Promise<Spec> {
  const file = path.join(bundle, 'config.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') throw invalidArgument(`JSON specification file config.json not found in ${bundle}`);
    throw invalidArgument(`read ${file}: ${(e as Error).message}`, e);
  }
  try {
    return JSON.parse(text) as Spec;
  } catch (e) {
    throw invalidArgument(`failed to parse config.json: ${(e as Error).message}`, e);
  }
}

/** The home directory of `uid` in the container's /etc/passwd, as runc sets HOME when the spec doesn't.
 * A passwd that is a symlink is not followed: through /proc/PID/root it would resolve on the host. */
export async function homeOf(rootfs: string, uid: number): Promise<string> {
  const file = path.join(rootfs, 'etc', 'passwd');
  try {
    if ((await lstat(file)).isSymbolicLink()) return '/';
    for (const line of (await readFile(file, 'utf8')).split('\n')) {
      const f = line.split(':');
      if (f.length >= 6 && Number(f[2]) === uid && f[2] !== '') return f[5] || '/';
    }
  } catch {
    // no passwd: '/'
  }
  return '/';
}

const SECCOMP_CACHE = 64;
/** Killed containers' last processes can take seconds to be reaped on a loaded host (100 removed at once on 2
 * cores): a cgroup's rmdir is retried that long before it counts as busy. */
const CGROUP_OPTS = { busyTimeoutMs: 15_000 };
/** A shim that is just ending may still unlink its sockets while its directory is removed: retry ENOTEMPTY. */
const RM_LIVE = { recursive: true, force: true, maxRetries: 10, retryDelay: 20 } as const;

export class Runtime {
  private layout: Promise<CgroupLayout> | undefined;
  /** Compiled filters by profile: almost every container and exec asks for the same one (~1 ms to compile). */
  private readonly seccompCache = new Map<string, { flags: number; program: Buffer }>();

  private compiledSeccomp(profile: NonNullable<NonNullable<Spec['linux']>['seccomp']>): { flags: number; program: Buffer } {
    const arch = seccompArch();
    const key = `${arch}\0${JSON.stringify(profile)}`;
    let hit = this.seccompCache.get(key);
    if (!hit) {
      hit = compileSeccomp(profile, arch);
      if (this.seccompCache.size >= SECCOMP_CACHE) this.seccompCache.delete(this.seccompCache.keys().next().value!);
      this.seccompCache.set(key, hit);
    }
    return hit;
  }

  constructor(readonly root: string) {}

  dir(id: string): string {
    return path.join(this.root, id);
  }

  private files(id: string) {
    const d = this.dir(id);
    return {
      state: path.join(d, 'state.json'),
      plan: path.join(d, 'plan'),
      ctl: path.join(d, 'ctl'),
      attach: path.join(d, 'attach'),
      exit: path.join(d, 'exit.json'),
    };
  }

  private cgroupLayout(): Promise<CgroupLayout> {
    return (this.layout ??= loadLayout());
  }

  private async cgroup(cgroupPath: string): Promise<CgroupManager> {
    return new CgroupManager(await this.cgroupLayout(), syncCgroupFs, cgroupPath, CGROUP_OPTS);
  }

  async load(id: string): Promise<StoredState> {
    validateId(id);
    try {
      return JSON.parse(await readFile(this.files(id).state, 'utf8')) as StoredState;
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') throw notFound(`container ${id} does not exist`);
      throw internal(`read state of ${id}`, e);
    }
  }

  private save(s: StoredState): Promise<void> {
    // Runtime state describes live processes; it lives on /run (tmpfs) and an fsync would buy nothing.
    return writeFileAtomic(this.files(s.id).state, JSON.stringify(s), 0o600, false);
  }

  async create(id: string, bundle: string, opts: CreateOptions = {}): Promise<{ pid: number; exited?: Promise<number>; shimPid?: number }> {
    validateId(id);
    bundle = path.resolve(bundle);
    const spec = opts.spec ?? (await readSpec(bundle));
    const f = this.files(id);
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    try {
      await mkdir(this.dir(id), { mode: 0o700 });
    } catch (e) {
      if (errnoCode(e) === 'EEXIST') throw conflict(`container with id exists: ${id}`);
      throw e;
    }
    let cg: CgroupManager | undefined;
    try {
      const layout = await this.cgroupLayout();
      const cgroupPath = normalizeCgroupPath(spec.linux?.cgroupsPath || `/berth/${id}`);
      const seccomp = spec.linux?.seccomp ? this.compiledSeccomp(spec.linux.seccomp) : undefined;
      cg = new CgroupManager(layout, syncCgroupFs, cgroupPath, CGROUP_OPTS);
      const io = opts.io ?? { mode: 'inherit' };
      const shim: ShimSettings = {
        id,
        foreground: opts.foreground,
        inherit: io.mode === 'inherit',
        autostart: opts.start,
        reportFd: 3,
        pidFile: opts.pidFile ? path.resolve(opts.pidFile) : undefined,
        exitFile: f.exit,
        ctlSock: f.ctl,
        attachSock: io.mode === 'pipes' || spec.process?.terminal ? f.attach : undefined,
        log: io.log,
        stdin: io.stdin,
        stdinOnce: io.stdinOnce,
      };
      // Plan before touching the kernel: a bad spec must leave nothing behind.
      const rootfs = path.resolve(bundle, spec.root?.path ?? '');
      if (spec.process && !(spec.process.env ?? []).some((e) => e.startsWith('HOME='))) {
        spec.process.env = [...(spec.process.env ?? []), `HOME=${await homeOf(rootfs, spec.process.user?.uid ?? 0)}`];
      }
      const host = (procs: string[], oom?: { path: string; key: string }): HostFacts => ({
        kcore: existsSync('/proc/kcore'),
        cgroupProcs: procs,
        oomFile: oom,
        cgroupMounts: (dest, ro, cgroupns) => cgroupMounts(layout, cgroupPath, dest, { readonly: ro, cgroupns }),
        seccomp,
      });
      planLaunch(spec, bundle, host([]), shim);
      const resources = spec.linux?.resources ?? {};
      await cg.create({ ...resources, devices: [...(resources.devices ?? []), ...defaultDeviceRules(spec.linux?.devices)] });
      const plan: LaunchPlan = planLaunch(spec, bundle, host(cg.procsFiles(), cg.oomFile()), shim);
      const namespaces = (spec.linux?.namespaces ?? []).map((n) => n.type);
      const state: StoredState = {
        ociVersion: spec.ociVersion,
        id,
        bundle,
        pid: 0,
        created: new Date().toISOString(),
        cgroupPath,
        started: false,
        annotations: spec.annotations,
        namespaces,
        ownNamespaces: (spec.linux?.namespaces ?? []).filter((n) => !n.path).map((n) => n.type),
      };
      // Saved before the process exists, so a caller that dies mid-create leaves a container that delete
      // can find (its cgroup holds whatever was started).
      await this.save(state);
      const res = await spawnShim({
        planFile: f.plan,
        plan: encodePlan(plan),
        stdio: io.mode === 'inherit' ? 'inherit' : io.shimLog !== undefined ? { stderrFd: io.shimLog } : 'ignore',
        foreground: opts.foreground,
      });
      state.pid = res.pid;
      state.pidStartTime = processStartTime(res.pid);
      state.started = opts.start === true;
      await this.save(state);
      return res;
    } catch (e) {
      await cg?.destroy().catch(() => undefined);
      await rm(this.dir(id), { recursive: true, force: true });
      throw e;
    }
  }

  async start(id: string): Promise<void> {
    const s = await this.load(id);
    const st = await this.status(s);
    if (st !== 'created') throw conflict(`cannot start a container that has ${st === 'stopped' ? 'stopped' : `already ${st === 'paused' ? 'been paused' : 'started'}`}`);
    await ctl(this.files(id).ctl, 'start');
    s.started = true;
    await this.save(s);
  }

  private async status(s: StoredState): Promise<State['status']> {
    if ((await readExit(this.files(s.id).exit)) || !isAlive(s.pid, s.pidStartTime)) return 'stopped';
    const cg = await this.cgroup(s.cgroupPath);
    if ((await cg.state().catch(() => 'thawed')) === 'frozen') return 'paused';
    return s.started ? 'running' : 'created';
  }

  async state(id: string): Promise<State & { created: string; exit?: ExitInfo }> {
    const s = await this.load(id);
    const status = await this.status(s);
    const exit = await readExit(this.files(id).exit);
    return {
      ociVersion: s.ociVersion,
      id,
      pid: status === 'stopped' ? 0 : s.pid,
      status,
      bundle: s.bundle,
      created: s.created,
      annotations: s.annotations,
      ...(exit ? { exit } : {}),
    };
  }

  async list(): Promise<string[]> {
    try {
      return (await readdir(this.root, { withFileTypes: true })).filter((d) => d.isDirectory() && ID_RE.test(d.name)).map((d) => d.name);
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return [];
      throw e;
    }
  }

  async kill(id: string, signal: number, all = false): Promise<void> {
    const s = await this.load(id);
    const st = await this.status(s);
    if (st === 'stopped') throw conflict('container not running');
    if (all) {
      await (await this.cgroup(s.cgroupPath)).killAll(signal);
      return;
    }
    await ctl(this.files(id).ctl, `kill ${signal}`);
  }

  async wait(id: string): Promise<ExitInfo> {
    const f = this.files(id);
    await this.load(id);
    return waitExit(f.ctl, f.exit);
  }

  async pause(id: string): Promise<void> {
    const s = await this.load(id);
    const st = await this.status(s);
    if (st !== 'running' && st !== 'created') throw conflict(`container not running or created: ${st}`);
    await (await this.cgroup(s.cgroupPath)).freeze();
  }

  async resume(id: string): Promise<void> {
    const s = await this.load(id);
    if ((await this.status(s)) !== 'paused') throw conflict('container not paused');
    await (await this.cgroup(s.cgroupPath)).thaw();
  }

  async ps(id: string): Promise<number[]> {
    const s = await this.load(id);
    return (await this.cgroup(s.cgroupPath)).pids();
  }

  /** Changes the cgroup limits of a live container (docker update). */
  async update(id: string, resources: Resources): Promise<void> {
    const s = await this.load(id);
    await (await this.cgroup(s.cgroupPath)).update(resources);
  }

  async stats(id: string) {
    const s = await this.load(id);
    return (await this.cgroup(s.cgroupPath)).stats();
  }

  async delete(id: string, force = false): Promise<void> {
    const s = await this.load(id);
    const st = await this.status(s);
    const cg = await this.cgroup(s.cgroupPath);
    if (st !== 'stopped') {
      if (!force) throw conflict(`cannot delete container ${id} that is not stopped: ${st}`);
      // Thaw first: a frozen process can't act on SIGKILL, and the shim can't record the exit.
      if (st === 'paused') await cg.thaw().catch(() => undefined);
      await cg.killAll(9).catch(() => undefined);
      try {
        process.kill(s.pid, 9);
      } catch {
        // already gone
      }
      const f = this.files(id);
      await waitExit(f.ctl, f.exit).catch(() => undefined);
    }
    // Without its own PID namespace a container's init can end and leave processes in its cgroup: they go
    // with it, as under runc.
    // (killAll freezes and polls: only worth it when something is left.)
    if ((await cg.pids().catch(() => [])).length) await cg.killAll(9).catch(() => undefined);
    try {
      await cg.destroy();
    } finally {
      // The state goes even when the cgroup stays busy (its error still surfaces): a later delete finds no
      // container, and the cgroup error names what is left.
      await rm(this.dir(id), RM_LIVE);
      await this.removeExecDirs(id);
    }
  }

  /** Exec directories of a deleted container (their processes died with its PID namespace or cgroup). */
  private async removeExecDirs(id: string): Promise<void> {
    const root = path.join(this.root, '@exec');
    for (const e of await readdir(root).catch(() => [] as string[])) {
      const owner = await readFile(path.join(root, e, 'container'), 'utf8').catch(() => '');
      if (owner === id) await rm(path.join(root, e), RM_LIVE);
    }
  }

  /** Run another process in the container's namespaces and cgroup. Resolves with its pid (and, in the
   * foreground, its exit status); detached execs are tracked under `root/<id>/exec-<execId>/`. */
  async exec(
    id: string,
    procIn: Process,
    opts: { execId: string; io?: IoOptions; foreground?: boolean; pidFile?: string; start?: boolean },
  ): Promise<{ pid: number; exited?: Promise<number>; shimPid?: number; dir: string }> {
    let proc = procIn;
    const s = await this.load(id);
    const st = await this.status(s);
    if (st !== 'running') throw conflict(`cannot exec in a ${st === 'paused' ? 'paused' : 'stopped'} container`);
    validateId(opts.execId);
    // Exec state sits outside the container's directory so its socket paths stay short whatever the
    // container id's length (unix socket paths are limited to 107 bytes). '@' can't occur in an id.
    const dir = path.join(this.root, '@exec', opts.execId);
    await mkdir(path.dirname(dir), { recursive: true, mode: 0o700 });
    try {
      await mkdir(dir, { mode: 0o700 });
    } catch (e) {
      if (errnoCode(e) === 'EEXIST') throw conflict(`exec id in use: ${opts.execId}`);
      throw e;
    }
    await writeFile(path.join(dir, 'container'), id);
    try {
      const cg = await this.cgroup(s.cgroupPath);
      const spec = JSON.parse(await readFile(path.join(s.bundle, 'config.json'), 'utf8').catch(() => '{}')) as Spec;
      const seccomp = spec.linux?.seccomp ? this.compiledSeccomp(spec.linux.seccomp) : undefined;
      const io = opts.io ?? { mode: 'inherit' };
      if (!(proc.env ?? []).some((e) => e.startsWith('HOME='))) {
        proc = { ...proc, env: [...(proc.env ?? []), `HOME=${await homeOf(`/proc/${s.pid}/root`, proc.user?.uid ?? 0)}`] };
      }
      const plan = planExec(
        proc,
        s.pid,
        s.ownNamespaces.filter((n) => n !== 'time'),
        { cgroupProcs: cg.procsFiles(), seccomp },
        {
          id: `${id}/${opts.execId}`,
          foreground: opts.foreground,
          inherit: io.mode === 'inherit',
          autostart: opts.start ?? true,
          reportFd: 3,
          pidFile: opts.pidFile,
          exitFile: path.join(dir, 'exit.json'),
          ctlSock: path.join(dir, 'ctl'),
          attachSock: io.mode === 'pipes' || proc.terminal ? path.join(dir, 'attach') : undefined,
          log: io.log,
          stdin: io.stdin,
          stdinOnce: io.stdinOnce,
        },
      );
      const res = await spawnShim({
        planFile: path.join(dir, 'plan'),
        plan: encodePlan(plan),
        stdio: io.mode === 'inherit' ? 'inherit' : io.shimLog !== undefined ? { stderrFd: io.shimLog } : 'ignore',
        foreground: opts.foreground,
      });
      return { ...res, dir };
    } catch (e) {
      await rm(dir, { recursive: true, force: true });
      if (e instanceof EngineError) throw e;
      throw internal(`exec in ${id}`, e);
    }
  }
}
