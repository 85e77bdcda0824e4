// The only door to the kernel's cgroup files. Everything above it (planners, manager, stats) talks to
// this interface, so unit tests run against the recording fake in fake-fs.ts and only root tests touch
// the real /sys/fs/cgroup.
import { constants } from 'node:fs';
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
