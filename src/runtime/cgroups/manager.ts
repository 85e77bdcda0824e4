// Executes cgroup plans against the kernel and runs a container's cgroup through its life: create with
// limits (all or nothing), update, freeze/thaw, list and kill its processes, report usage, remove it.
// It never starts processes: the runtime's C helper writes each new pid into procsFiles().
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { EngineError, errnoCode, notFound } from '../../common/errors.js';
import type { Resources } from '../../spec/oci-runtime.js';
import type { CgroupLayout } from './detect.js';
import { cgroupError } from './errors.js';
import { freezeState, setFrozen } from './freezer.js';
import type { CgroupFs } from './fs.js';
import type { CgroupPlan, PlanOptions } from './plan.js';
import { leafDirs, normalizeCgroupPath, v1Leaf } from './plan.js';
import type { CgroupStats } from './stats.js';
import { parseFlatKeyed, parseLimit, statsV1, statsV2 } from './stats.js';
import { planV1 } from './v1.js';
import { planV2 } from './v2.js';

export interface ManagerOptions {
  /** Sends a signal; injected so unit tests never signal real pids. Default process.kill. */
  kill?: (pid: number, signal: NodeJS.Signals | number) => void;
  /** How long freeze() waits for the kernel to report the cgroup frozen. Default 5 s. */
  freezeTimeoutMs?: number;
  /** How long destroy() retries rmdir while exiting processes keep a cgroup busy. Default 5 s. */
  busyTimeoutMs?: number;
  pollMs?: number;
}

/** The plan for this host's cgroup version: v1 planner on v1 and hybrid hosts, v2 planner on pure v2. */
export function planCgroup(layout: CgroupLayout, cgPath: string, resources: Resources = {}, opts: PlanOptions = {}): CgroupPlan {
  return layout.mode === 'v2' ? planV2(layout, cgPath, resources, opts) : planV1(layout, cgPath, resources, opts);
}

export class CgroupManager {
  /** Normalised cgroupfs path ("/berth/<id>"). */
  readonly path: string;
  private readonly kill: (pid: number, signal: NodeJS.Signals | number) => void;
  private readonly freezeTimeoutMs: number;
  private readonly busyTimeoutMs: number;
  private readonly pollMs: number;

  constructor(
    readonly layout: CgroupLayout,
    private readonly fs: CgroupFs,
    cgPath: string,
    opts: ManagerOptions = {},
  ) {
    this.path = normalizeCgroupPath(cgPath);
    this.kill = opts.kill ?? ((pid, signal) => process.kill(pid, signal));
    this.freezeTimeoutMs = opts.freezeTimeoutMs ?? 5000;
    this.busyTimeoutMs = opts.busyTimeoutMs ?? 5000;
    this.pollMs = opts.pollMs ?? 10;
  }

  /** Creates the cgroup in every hierarchy and applies `resources`; on failure removes what it made. */
  async create(resources: Resources = {}): Promise<void> {
    const base = await this.hostOptions();
    // Planned once before any effect so that invalid resources fail with nothing to undo.
    const first = planCgroup(this.layout, this.path, resources, base);
    const created: string[] = [];
    const done = new Set<string>();
    try {
      for (const dir of first.dirs) {
        // A v2 parent must enable controllers before the child exists for it to get their knobs.
        const ctl = join(dirname(dir), 'cgroup.subtree_control');
        for (const [file, value] of first.writes) {
          if (file !== ctl || done.has(file)) continue;
          await this.write(file, value);
          done.add(file);
        }
        if (await this.fs.exists(dir)) continue;
        await this.fs.mkdir(dir).catch((e: unknown) => Promise.reject(cgroupError(`creating ${dir}`, e)));
        created.push(dir);
      }
      const plan = planCgroup(this.layout, this.path, resources, { ...base, ...(await this.leafOptions(resources)) });
      for (const file of plan.inherit) await this.inherit(file);
      for (const [file, value] of plan.writes) if (!done.has(file)) await this.write(file, value);
    } catch (e) {
      const failures: string[] = [];
      for (const dir of created.reverse()) {
        await this.fs.rmdir(dir).catch((err: unknown) => failures.push(cgroupError(`removing ${dir}`, err).message));
      }
      const err = cgroupError('create', e);
      if (failures.length === 0) throw err;
      throw new EngineError(err.kind, `${err.message} (cleanup also failed: ${failures.join('; ')})`, { cause: e });
    }
  }

  /** Applies `resources` to the existing cgroup; fields left out keep their current values. */
  async update(resources: Resources): Promise<void> {
    await this.requireExists();
    const opts = { ...(await this.hostOptions()), ...(await this.leafOptions(resources)) };
    const plan = planCgroup(this.layout, this.path, resources, opts);
    for (const [file, value] of plan.writes) await this.write(file, value);
  }

  procsFiles(): string[] {
    return planCgroup(this.layout, this.path).procsFiles;
  }

  /** Where the kernel counts OOM kills of this cgroup, and the key of that counter. */
  oomFile(): { path: string; key: string } {
    if (this.layout.mode === 'v2') return { path: join(this.unifiedLeaf(), 'memory.events'), key: 'oom_kill' };
    const dir = v1Leaf(this.layout, this.path, 'memory');
    if (dir === undefined) throw new EngineError('unavailable', 'the memory cgroup controller is not mounted');
    return { path: join(dir, 'memory.oom_control'), key: 'oom_kill' };
  }

  async oomKillCount(): Promise<number> {
    const { path, key } = this.oomFile();
    return parseFlatKeyed(await this.read(path))[key] ?? 0;
  }

  async freeze(): Promise<void> {
    await setFrozen(this.fs, this.freezeTarget(), true, this.freezeTimeoutMs, this.pollMs);
  }

  async thaw(): Promise<void> {
    await setFrozen(this.fs, this.freezeTarget(), false, this.freezeTimeoutMs, this.pollMs);
  }

  async state(): Promise<'frozen' | 'thawed'> {
    return (await freezeState(this.fs, this.freezeTarget())) ? 'frozen' : 'thawed';
  }

  /** Every pid in the container's cgroup and its descendants; [] once the cgroup is gone. */
  async pids(): Promise<number[]> {
    const out: number[] = [];
    const walk = async (dir: string): Promise<void> => {
      let text: string;
      try {
        text = await this.fs.readFile(join(dir, 'cgroup.procs'));
      } catch (e) {
        if (errnoCode(e) === 'ENOENT') return;
        throw cgroupError(`reading ${join(dir, 'cgroup.procs')}`, e);
      }
      for (const line of text.split('\n')) if (line.trim() !== '') out.push(Number(line));
      const entries = await this.fs.readdir(dir).catch((e: unknown) => (errnoCode(e) === 'ENOENT' ? [] : Promise.reject(e)));
      for (const entry of entries) if (entry.isDirectory) await walk(join(dir, entry.name));
    };
    await walk(this.processDir());
    return [...new Set(out)].sort((a, b) => a - b);
  }

  /**
   * Signals every process of the container, frozen first so nothing forks in between (v2 with SIGKILL:
   * cgroup.kill does it atomically). For cleanup: a freeze failure does not stop the killing, it is
   * reported afterwards.
   */
  async killAll(signal: NodeJS.Signals | number = 'SIGKILL'): Promise<void> {
    if (!(await this.fs.exists(this.processDir()))) return;
    if (this.layout.mode === 'v2' && (signal === 'SIGKILL' || signal === 9)) {
      const file = join(this.unifiedLeaf(), 'cgroup.kill');
      if (await this.fs.exists(file)) return this.write(file, '1');
    }
    const canFreeze = this.layout.mode === 'v2' || this.layout.v1.freezer !== undefined;
    let freezeError: unknown;
    if (canFreeze) await this.freeze().catch((e: unknown) => { freezeError = e; });
    try {
      for (const pid of await this.pids()) {
        try {
          this.kill(pid, signal);
        } catch (e) {
          if (errnoCode(e) !== 'ESRCH') throw cgroupError(`signalling pid ${pid}`, e);
        }
      }
    } finally {
      if (canFreeze) await this.thaw();
    }
    if (freezeError !== undefined) {
      throw new EngineError('internal', `cgroup ${this.path}: signalled its processes without freezing them first`, { cause: freezeError });
    }
  }

  /** Removes the cgroup (and any child cgroups) from every hierarchy. Idempotent. */
  async destroy(): Promise<void> {
    const errors: EngineError[] = [];
    for (const dir of leafDirs(this.layout, this.path)) await this.removeTree(dir).catch((e: unknown) => errors.push(cgroupError(`removing ${dir}`, e)));
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new EngineError('internal', errors.map((e) => e.message).join('; '), { cause: errors[0] });
  }

  async stats(): Promise<CgroupStats> {
    await this.requireExists();
    const read = (path: string) =>
      this.fs.readFile(path).catch((e: unknown) => (errnoCode(e) === 'ENOENT' ? undefined : Promise.reject(cgroupError(`reading ${path}`, e))));
    if (this.layout.mode === 'v2') return statsV2(read, this.unifiedLeaf());
    const at = (c: string) => v1Leaf(this.layout, this.path, c);
    return statsV1(read, { memory: at('memory'), cpu: at('cpu'), cpuacct: at('cpuacct'), pids: at('pids'), blkio: at('blkio') });
  }

  // Host facts needed before anything is created: the controllers a v2 root can hand down.
  private async hostOptions(): Promise<PlanOptions> {
    if (this.layout.mode !== 'v2' || this.layout.unified === undefined) return {};
    const text = await this.read(join(this.layout.unified, 'cgroup.controllers'));
    return { controllers: text.split(/\s+/).filter((c) => c !== '') };
  }

  // Facts only the container's own directory can tell (some knobs exist only below the root).
  private async leafOptions(r: Resources): Promise<PlanOptions> {
    const opts: PlanOptions = {};
    if (this.layout.mode === 'v2') {
      const leaf = this.unifiedLeaf();
      if (r.memory !== undefined) opts.swapAccounting = await this.fs.exists(join(leaf, 'memory.swap.max'));
      if (r.blockIO !== undefined) opts.ioBfq = await this.fs.exists(join(leaf, 'io.bfq.weight'));
      return opts;
    }
    const mem = v1Leaf(this.layout, this.path, 'memory');
    if (r.memory !== undefined && mem !== undefined) {
      opts.swapAccounting = await this.fs.exists(join(mem, 'memory.memsw.limit_in_bytes'));
      // Unreadable means no cgroup yet (plan-only call): a new cgroup starts unlimited.
      const file = join(mem, 'memory.limit_in_bytes');
      const current = parseLimit(await this.fs.readFile(file).catch((e: unknown) => (errnoCode(e) === 'ENOENT' ? undefined : Promise.reject(cgroupError(`reading ${file}`, e)))));
      opts.currentMemoryLimit = current === Infinity ? -1 : current;
    }
    const blkio = v1Leaf(this.layout, this.path, 'blkio');
    if (r.blockIO !== undefined && blkio !== undefined) opts.blkioCfqWeight = await this.fs.exists(join(blkio, 'blkio.weight'));
    return opts;
  }

  // A new v1 cpuset cgroup has no cpus and no mems, and no process may join it until it has some.
  private async inherit(file: string): Promise<void> {
    const own = await this.fs.readFile(file).catch((e: unknown) => (errnoCode(e) === 'ENOENT' ? '' : Promise.reject(cgroupError(`reading ${file}`, e))));
    if (own.trim() !== '') return;
    const value = (await this.read(join(dirname(dirname(file)), basename(file)))).trim();
    await this.write(file, value);
  }

  private async removeTree(dir: string): Promise<void> {
    let entries;
    try {
      entries = await this.fs.readdir(dir);
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return;
      throw e;
    }
    for (const entry of entries) if (entry.isDirectory) await this.removeTree(join(dir, entry.name));
    const deadline = Date.now() + this.busyTimeoutMs;
    for (;;) {
      try {
        return await this.fs.rmdir(dir);
      } catch (e) {
        const code = errnoCode(e);
        if (code === 'ENOENT') return;
        // Killed processes leave the cgroup only once the kernel has finished tearing them down.
        if (code !== 'EBUSY' || Date.now() >= deadline) throw e;
        await sleep(this.pollMs);
      }
    }
  }

  private async requireExists(): Promise<void> {
    const dir = this.processDir();
    if (!(await this.fs.exists(dir))) throw notFound(`cgroup ${this.path} does not exist (${dir})`);
  }

  private freezeTarget() {
    if (this.layout.mode === 'v2') return { version: 2 as const, dir: this.unifiedLeaf() };
    const dir = v1Leaf(this.layout, this.path, 'freezer');
    if (dir === undefined) throw new EngineError('unavailable', 'the freezer cgroup controller is not mounted');
    return { version: 1 as const, dir };
  }

  // The hierarchy whose membership is authoritative for "the container's processes": the one that is
  // frozen, so a kill loop sees exactly the processes it froze.
  private processDir(): string {
    if (this.layout.mode === 'v2') return this.unifiedLeaf();
    for (const c of ['freezer', 'pids', 'memory']) {
      const dir = v1Leaf(this.layout, this.path, c);
      if (dir !== undefined) return dir;
    }
    const first = leafDirs(this.layout, this.path)[0];
    if (first === undefined) throw new EngineError('unavailable', 'no cgroup hierarchy is mounted');
    return first;
  }

  private unifiedLeaf(): string {
    if (this.layout.unified === undefined) throw new EngineError('unavailable', 'no cgroup2 hierarchy is mounted');
    return join(this.layout.unified, this.path);
  }

  private async read(path: string): Promise<string> {
    return this.fs.readFile(path).catch((e: unknown) => Promise.reject(cgroupError(`reading ${path}`, e)));
  }

  private async write(file: string, value: string): Promise<void> {
    await this.fs.writeFile(file, value).catch((e: unknown) => Promise.reject(cgroupError(`writing "${value}" to ${file}`, e)));
  }
}
