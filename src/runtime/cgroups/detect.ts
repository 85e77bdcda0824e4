// Which cgroup hierarchies this host has, and where they are mounted, read from /proc/self/mountinfo
// (never assumed: hosts differ in where v1 controllers live and which ones are co-mounted).
import { readFile } from 'node:fs/promises';

import { EngineError } from '../../common/errors.js';

export type CgroupMode = 'v1' | 'v2' | 'hybrid';

export interface CgroupLayout {
  /** v1: controllers only; v2: cgroup2 only; hybrid: v1 controllers plus a cgroup2 mount beside them. */
  mode: CgroupMode;
  /**
   * v1 hierarchy of each controller (and of named hierarchies, keyed "name=systemd") → its mountpoint.
   * Co-mounted controllers share a mountpoint ("cpu" and "cpuacct" → /sys/fs/cgroup/cpu,cpuacct).
   * Empty in v2 mode.
   */
  v1: Record<string, string>;
  /** The cgroup2 mountpoint (v2, hybrid). */
  unified?: string;
}

// Super options of a v1 cgroup mount mix controllers with flags (rw, xattr, clone_children,
// release_agent=…); only names from this list (and name=…) are controllers.
const V1_CONTROLLERS = new Set([
  'blkio', 'cpu', 'cpuacct', 'cpuset', 'debug', 'devices', 'freezer', 'hugetlb',
  'memory', 'misc', 'net_cls', 'net_prio', 'perf_event', 'pids', 'rdma',
]);

export interface MountinfoEntry {
  root: string;
  mountpoint: string;
  fstype: string;
  source: string;
  superOptions: string[];
}

// mountinfo escapes space, tab, newline and backslash in paths as \ooo.
const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));

export function parseMountinfo(text: string): MountinfoEntry[] {
  const out: MountinfoEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const fields = line.split(' ');
    // Optional fields (shared:N, master:N, …) come between field 6 and the lone "-".
    const sep = fields.indexOf('-', 6);
    if (sep < 0 || fields.length < sep + 4) continue;
    out.push({
      root: unescape(fields[3] ?? ''),
      mountpoint: unescape(fields[4] ?? ''),
      fstype: fields[sep + 1] ?? '',
      source: unescape(fields[sep + 2] ?? ''),
      superOptions: (fields[sep + 3] ?? '').split(','),
    });
  }
  return out;
}

/** Pure: the cgroup layout described by a mountinfo text. The first mount of a hierarchy wins. */
export function detectLayout(mountinfoText: string): CgroupLayout {
  const v1: Record<string, string> = {};
  let unified: string | undefined;
  for (const m of parseMountinfo(mountinfoText)) {
    if (m.fstype === 'cgroup2') {
      unified ??= m.mountpoint;
    } else if (m.fstype === 'cgroup') {
      const names = m.superOptions.filter((o) => V1_CONTROLLERS.has(o) || o.startsWith('name='));
      for (const name of names) v1[name] ??= m.mountpoint;
    }
  }
  // A named hierarchy alone (name=systemd beside a cgroup2 root) holds no controllers: still pure v2.
  const hasV1Controllers = Object.keys(v1).some((k) => !k.startsWith('name='));
  if (hasV1Controllers) {
    return unified === undefined ? { mode: 'v1', v1 } : { mode: 'hybrid', v1, unified };
  }
  if (unified !== undefined) return { mode: 'v2', v1: {}, unified };
  throw new EngineError('unavailable', 'no cgroup filesystem is mounted (neither cgroup nor cgroup2 in /proc/self/mountinfo)');
}

export async function loadLayout(mountinfoPath = '/proc/self/mountinfo'): Promise<CgroupLayout> {
  return detectLayout(await readFile(mountinfoPath, 'utf8'));
}

/** Distinct v1 hierarchies: mountpoint → the controllers (or name=…) mounted there, sorted. */
export function v1Hierarchies(layout: CgroupLayout): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [controller, mountpoint] of Object.entries(layout.v1).sort(([a], [b]) => a.localeCompare(b))) {
    const list = out.get(mountpoint);
    if (list === undefined) out.set(mountpoint, [controller]);
    else list.push(controller);
  }
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)));
}
