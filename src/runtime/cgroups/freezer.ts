// Freezing and thawing a cgroup. Both versions answer asynchronously: v1's freezer.state passes through
// FREEZING, v2 reports completion in cgroup.events, so every change is polled to its end with a deadline.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { internal } from '../../common/errors.js';
import { cgroupError } from './errors.js';
import type { CgroupFs } from './fs.js';
import { parseFlatKeyed } from './stats.js';

export interface FreezeTarget {
  version: 1 | 2;
  /** v1: the container's directory in the freezer hierarchy; v2: its cgroup2 directory. */
  dir: string;
}

async function read(fs: CgroupFs, file: string): Promise<string> {
  return fs.readFile(file).catch((e: unknown) => Promise.reject(cgroupError(`reading ${file}`, e)));
}

async function write(fs: CgroupFs, file: string, value: string): Promise<void> {
  await fs.writeFile(file, value).catch((e: unknown) => Promise.reject(cgroupError(`writing "${value}" to ${file}`, e)));
}

/** True when the kernel reports the whole cgroup frozen (v1 FREEZING still counts as not frozen). */
export async function freezeState(fs: CgroupFs, t: FreezeTarget): Promise<boolean> {
  if (t.version === 1) return (await read(fs, join(t.dir, 'freezer.state'))).trim() === 'FROZEN';
  return parseFlatKeyed(await read(fs, join(t.dir, 'cgroup.events'))).frozen === 1;
}

export async function setFrozen(fs: CgroupFs, t: FreezeTarget, frozen: boolean, timeoutMs: number, pollMs: number): Promise<void> {
  const [file, value] = t.version === 1 ? ['freezer.state', frozen ? 'FROZEN' : 'THAWED'] : ['cgroup.freeze', frozen ? '1' : '0'];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // v1: a task stuck in the kernel can leave the cgroup FREEZING; asking again retries the stragglers.
    await write(fs, join(t.dir, file), value);
    if ((await freezeState(fs, t)) === frozen) return;
    if (Date.now() >= deadline) break;
    await sleep(pollMs);
  }
  // Half-frozen is the worst state to leave a container in: nothing runs and nobody is told.
  if (frozen) await write(fs, join(t.dir, file), t.version === 1 ? 'THAWED' : '0');
  throw internal(`cgroup: timed out after ${timeoutMs} ms ${frozen ? 'freezing' : 'thawing'} ${t.dir}`);
}
