// The device nodes every container gets (as runc creates them) and the /dev symlinks that go with them.
import type { Device, DeviceCgroup } from '../spec/oci-runtime.js';

export const DEFAULT_DEVICES: readonly Device[] = [
  { path: '/dev/null', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/zero', type: 'c', major: 1, minor: 5, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/full', type: 'c', major: 1, minor: 7, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/random', type: 'c', major: 1, minor: 8, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/urandom', type: 'c', major: 1, minor: 9, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/tty', type: 'c', major: 5, minor: 0, fileMode: 0o666, uid: 0, gid: 0 },
];

export const DEV_SYMLINKS: readonly [target: string, link: string][] = [
  ['/proc/self/fd', '/dev/fd'],
  ['/proc/self/fd/0', '/dev/stdin'],
  ['/proc/self/fd/1', '/dev/stdout'],
  ['/proc/self/fd/2', '/dev/stderr'],
  ['pts/ptmx', '/dev/ptmx'],
];

const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const S_IFIFO = 0o010000;

/** st_mode for mknod: file type bits plus permissions. */
export function deviceMode(d: Device): number {
  const type = d.type === 'b' ? S_IFBLK : d.type === 'p' ? S_IFIFO : S_IFCHR;
  return type | ((d.fileMode ?? 0o666) & 0o7777);
}

/** The spec's devices, with the defaults added where the spec does not name the same path. */
export function withDefaultDevices(devices: readonly Device[] = []): Device[] {
  const named = new Set(devices.map((d) => d.path));
  return [...DEFAULT_DEVICES.filter((d) => !named.has(d.path)), ...devices];
}

/** Device-cgroup rules a runtime always appends (as runc does), so a deny-all spec still leaves the default
 * nodes and ptys usable and mknod possible. */
export function defaultDeviceRules(devices: readonly Device[] = []): DeviceCgroup[] {
  const rules: DeviceCgroup[] = [
    { allow: true, type: 'c', major: null, minor: null, access: 'm' },
    { allow: true, type: 'b', major: null, minor: null, access: 'm' },
    { allow: true, type: 'c', major: 5, minor: 1, access: 'rwm' },
    { allow: true, type: 'c', major: 136, minor: null, access: 'rwm' },
    { allow: true, type: 'c', major: 5, minor: 2, access: 'rwm' },
  ];
  for (const d of withDefaultDevices(devices)) {
    if (d.type === 'c' || d.type === 'b') rules.push({ allow: true, type: d.type, major: d.major ?? 0, minor: d.minor ?? 0, access: 'rwm' });
  }
  return rules;
}
