// The only door to the kernel's cgroup files. Everything above it (planners, manager, stats) talks to
// this interface, so unit tests run against the recording fake in fake-fs.ts and only root tests touch
// the real /sys/fs/cgroup.
import { accessSync, closeSync, constants, mkdirSync, openSync, readdirSync, readFileSync, rmdirSync, writeSync } from 'node:fs';
import { access, mkdir, open, readdir, readFile, rmdir } from 'node:fs/promises';

import { errnoCode } from '../../common/errors.js';

export interface DirEntry {
  name: string;
  isDirectory: boolean;
}

export interface CgroupFs {
  readFile(path: string): Promise<string>;
  /** One write(2) of `data`: cgroup files act on each write, so a value must never be split. */
  writeFile(path: string, data: string): Promise<void>;
  /** mkdir -p */
  mkdir(path: string): Promise<void>;
  rmdir(path: string): Promise<void>;
  readdir(path: string): Promise<DirEntry[]>;
  exists(path: string): Promise<boolean>;
}

export const nodeCgroupFs: CgroupFs = {
  readFile: (path) => readFile(path, 'utf8'),

  async writeFile(path, data) {
    // Neither O_CREAT nor O_TRUNC: cgroupfs cannot create files, and a missing knob must fail with
    // ENOENT rather than a confusing EACCES. Write-only, because some knobs (devices.allow,
    // cgroup.kill) refuse to be opened for reading.
    const handle = await open(path, constants.O_WRONLY);
    try {
      const buf = Buffer.from(data);
      const { bytesWritten } = await handle.write(buf, 0, buf.length, null);
      if (bytesWritten !== buf.length) throw new Error(`short write to ${path}: ${bytesWritten} of ${buf.length} bytes`);
    } finally {
      await handle.close();
    }
  },

  async mkdir(path) {
    await mkdir(path, { recursive: true });
  },

  rmdir: (path) => rmdir(path),

  async readdir(path) {
    const entries = await readdir(path, { withFileTypes: true });
    return entries.map((e) => ({ name: e.name, isDirectory: e.isDirectory() }));
  },

  async exists(path) {
    try {
      await access(path);
      return true;
    } catch (e) {
      const code = errnoCode(e);
      if (code === 'ENOENT' || code === 'ENOTDIR') return false;
      throw e;
    }
  },
};

/**
 * The same operations done synchronously. Each is one syscall on an in-kernel file that answers at once,
 * so going through libuv's thread pool costs more than the work: creating a container's cgroup in 9 v1
 * hierarchies takes ~5 ms with nodeCgroupFs and well under 1 ms with this. Used on the container start
 * path; a throw inside an async method still surfaces as a rejected promise.
 */
export const syncCgroupFs: CgroupFs = {
  async readFile(path) {
    return readFileSync(path, 'utf8');
  },

  async writeFile(path, data) {
    const fd = openSync(path, constants.O_WRONLY);
    try {
      const buf = Buffer.from(data);
      const n = writeSync(fd, buf, 0, buf.length, null);
      if (n !== buf.length) throw new Error(`short write to ${path}: ${n} of ${buf.length} bytes`);
    } finally {
      closeSync(fd);
    }
  },

  async mkdir(path) {
    mkdirSync(path, { recursive: true });
  },

  async rmdir(path) {
    rmdirSync(path);
  },

  async readdir(path) {
    return readdirSync(path, { withFileTypes: true }).map((e) => ({ name: e.name, isDirectory: e.isDirectory() }));
  },

  async exists(path) {
    try {
      accessSync(path);
      return true;
    } catch (e) {
      const code = errnoCode(e);
      if (code === 'ENOENT' || code === 'ENOTDIR') return false;
      throw e;
    }
  },
};
