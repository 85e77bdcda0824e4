// An in-memory CgroupFs for unit tests: it records every change in order (mkdir, write, rmdir), can be
// told to fail a given operation with a given errno, and mimics the few kernel behaviours the code
// depends on (rmdir of a cgroup with children is EBUSY; a cgroup's files vanish with it).
import { basename, dirname } from 'node:path';

import type { CgroupFs, DirEntry } from './fs.js';

export type FakeOp = 'mkdir' | 'write' | 'rmdir' | 'read';

export interface FakeCall {
  op: Exclude<FakeOp, 'read'>;
  path: string;
  value?: string;
}

const MESSAGES: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EBUSY: 'resource busy or locked',
  EINVAL: 'invalid argument',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on device',
};

/** An error shaped like the ones node:fs throws, so code under test cannot tell the difference. */
export function fakeErrno(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`${code}: ${MESSAGES[code] ?? 'unknown error'}, ${syscall} '${path}'`);
  err.code = code;
  err.syscall = syscall;
  err.path = path;
  return err;
}

interface Failure {
  op: FakeOp;
  path: string;
  code: string;
  times: number;
}

export class FakeCgroupFs implements CgroupFs {
  readonly dirs = new Set<string>();
  readonly files = new Map<string, string>();
  readonly calls: FakeCall[] = [];
  /** Called after each successful write, to simulate the kernel's reaction (freezer state, …). */
  onWrite: ((path: string, value: string) => void) | undefined;
  /** Files the "kernel" puts in each directory mkdir creates (interface files of a new cgroup). */
  knobs: ((dir: string) => Record<string, string>) | undefined;
  /** When true, writing a file that was never seeded fails with ENOENT, as a missing knob does. */
  strictFiles = false;
  private readonly failures: Failure[] = [];

  constructor(dirs: string[] = [], files: Record<string, string> = {}) {
    for (const d of dirs) this.addDir(d);
    for (const [path, value] of Object.entries(files)) this.setFile(path, value);
  }

  addDir(path: string): void {
    for (let p = path; !this.dirs.has(p); p = dirname(p)) {
      this.dirs.add(p);
      if (p === '/') break;
    }
  }

  setFile(path: string, value: string): void {
    this.addDir(dirname(path));
    this.files.set(path, value);
  }

  /** Makes the next `times` calls of `op` on `path` fail with `code`. */
  fail(op: FakeOp, path: string, code: string, times = Infinity): void {
    this.failures.push({ op, path, code, times });
  }

  /** Recorded writes as [path, value] pairs, the shape planners produce. */
  writes(): Array<[string, string]> {
    return this.calls.filter((c) => c.op === 'write').map((c) => [c.path, c.value ?? '']);
  }

  private check(op: FakeOp, syscall: string, path: string): void {
    const f = this.failures.find((x) => x.op === op && x.path === path && x.times > 0);
    if (f === undefined) return;
    f.times -= 1;
    throw fakeErrno(f.code, syscall, path);
  }

  async readFile(path: string): Promise<string> {
    this.check('read', 'open', path);
    const value = this.files.get(path);
    if (value === undefined) throw fakeErrno('ENOENT', 'open', path);
    return value;
  }

  async writeFile(path: string, data: string): Promise<void> {
    this.check('write', 'open', path);
    if (!this.dirs.has(dirname(path))) throw fakeErrno('ENOENT', 'open', path);
    if (this.strictFiles && !this.files.has(path)) throw fakeErrno('ENOENT', 'open', path);
    this.files.set(path, data);
    this.calls.push({ op: 'write', path, value: data });
    this.onWrite?.(path, data);
  }

  async mkdir(path: string): Promise<void> {
    this.check('mkdir', 'mkdir', path);
    const fresh: string[] = [];
    for (let p = path; !this.dirs.has(p); p = dirname(p)) fresh.push(p);
    this.addDir(path);
    for (const dir of fresh.reverse()) {
      for (const [name, value] of Object.entries(this.knobs?.(dir) ?? {})) this.files.set(`${dir}/${name}`, value);
    }
    this.calls.push({ op: 'mkdir', path });
  }

  async rmdir(path: string): Promise<void> {
    this.check('rmdir', 'rmdir', path);
    if (!this.dirs.has(path)) throw fakeErrno('ENOENT', 'rmdir', path);
    if ([...this.dirs].some((d) => dirname(d) === path && d !== path)) throw fakeErrno('EBUSY', 'rmdir', path);
    this.dirs.delete(path);
    for (const f of [...this.files.keys()]) if (dirname(f) === path) this.files.delete(f);
    this.calls.push({ op: 'rmdir', path });
  }

  async readdir(path: string): Promise<DirEntry[]> {
    if (!this.dirs.has(path)) throw fakeErrno('ENOENT', 'scandir', path);
    const out: DirEntry[] = [];
    for (const d of this.dirs) if (d !== path && dirname(d) === path) out.push({ name: basename(d), isDirectory: true });
    for (const f of this.files.keys()) if (dirname(f) === path) out.push({ name: basename(f), isDirectory: false });
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  async exists(path: string): Promise<boolean> {
    return this.dirs.has(path) || this.files.has(path);
  }
}
