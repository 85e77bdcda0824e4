// Namespace types of the runtime spec ↔ the kernel's CLONE_NEW* flags and /proc/PID/ns names.
import type { Namespace, NamespaceType } from '../spec/oci-runtime.js';
import { invalidArgument } from '../common/errors.js';

export const CLONE_FLAG: Record<NamespaceType, number> = {
  mount: 0x00020000,
  cgroup: 0x02000000,
  uts: 0x04000000,
  ipc: 0x08000000,
  user: 0x10000000,
  pid: 0x20000000,
  network: 0x40000000,
  time: 0x00000080,
};

export const PROC_NS_NAME: Record<NamespaceType, string> = {
  mount: 'mnt',
  cgroup: 'cgroup',
  uts: 'uts',
  ipc: 'ipc',
  user: 'user',
  pid: 'pid',
  network: 'net',
  time: 'time',
};

export interface NamespacePlan {
  cloneFlags: number;
  join: { type: number; path: string }[];
  has: (t: NamespaceType) => boolean;
  isNew: (t: NamespaceType) => boolean;
}

export function planNamespaces(list: readonly Namespace[] = []): NamespacePlan {
  const seen = new Map<NamespaceType, Namespace>();
  for (const ns of list) {
    if (!Object.hasOwn(CLONE_FLAG, ns.type)) throw invalidArgument(`namespace type "${ns.type}" is not supported`);
    if (seen.has(ns.type)) throw invalidArgument(`duplicate namespace type "${ns.type}"`);
    seen.set(ns.type, ns);
  }
  let cloneFlags = 0;
  const join: { type: number; path: string }[] = [];
  for (const [type, ns] of seen) {
    if (ns.path) {
      if (!ns.path.startsWith('/')) throw invalidArgument(`namespace ${type} path must be absolute: ${ns.path}`);
      join.push({ type: CLONE_FLAG[type], path: ns.path });
    } else {
      if (type === 'time') throw invalidArgument('creating a new time namespace is not supported');
      cloneFlags |= CLONE_FLAG[type];
    }
  }
  return {
    cloneFlags,
    join,
    has: (t) => seen.has(t),
    isNew: (t) => seen.has(t) && !seen.get(t)!.path,
  };
}
