// OCI mount options → the mount(2) flags, propagation and data string the C helper passes to the kernel.
// The table mirrors mount(8)'s option names, which is what the runtime spec refers to.

export const MS = {
  RDONLY: 0x1,
  NOSUID: 0x2,
  NODEV: 0x4,
  NOEXEC: 0x8,
  SYNCHRONOUS: 0x10,
  REMOUNT: 0x20,
  MANDLOCK: 0x40,
  DIRSYNC: 0x80,
  NOATIME: 0x400,
  NODIRATIME: 0x800,
  BIND: 0x1000,
  REC: 0x4000,
  UNBINDABLE: 0x20000,
  PRIVATE: 0x40000,
  SLAVE: 0x80000,
  SHARED: 0x100000,
  RELATIME: 0x200000,
  STRICTATIME: 0x1000000,
  LAZYTIME: 0x2000000,
} as const;

const FLAGS: Record<string, [set: boolean, flag: number]> = {
  ro: [true, MS.RDONLY],
  rw: [false, MS.RDONLY],
  nosuid: [true, MS.NOSUID],
  suid: [false, MS.NOSUID],
  nodev: [true, MS.NODEV],
  dev: [false, MS.NODEV],
  noexec: [true, MS.NOEXEC],
  exec: [false, MS.NOEXEC],
  sync: [true, MS.SYNCHRONOUS],
  async: [false, MS.SYNCHRONOUS],
  dirsync: [true, MS.DIRSYNC],
  remount: [true, MS.REMOUNT],
  mand: [true, MS.MANDLOCK],
  nomand: [false, MS.MANDLOCK],
  noatime: [true, MS.NOATIME],
  atime: [false, MS.NOATIME],
  nodiratime: [true, MS.NODIRATIME],
  diratime: [false, MS.NODIRATIME],
  bind: [true, MS.BIND],
  rbind: [true, MS.BIND | MS.REC],
  relatime: [true, MS.RELATIME],
  norelatime: [false, MS.RELATIME],
  strictatime: [true, MS.STRICTATIME],
  nostrictatime: [false, MS.STRICTATIME],
  lazytime: [true, MS.LAZYTIME],
  nolazytime: [false, MS.LAZYTIME],
  defaults: [false, 0],
};

const PROPAGATION: Record<string, number> = {
  private: MS.PRIVATE,
  rprivate: MS.PRIVATE | MS.REC,
  shared: MS.SHARED,
  rshared: MS.SHARED | MS.REC,
  slave: MS.SLAVE,
  rslave: MS.SLAVE | MS.REC,
  unbindable: MS.UNBINDABLE,
  runbindable: MS.UNBINDABLE | MS.REC,
};

export interface ParsedOptions {
  flags: number;
  propagation: number;
  data: string;
}

export function parseMountOptions(options: readonly string[] = []): ParsedOptions {
  let flags = 0;
  let propagation = 0;
  const data: string[] = [];
  for (const o of options) {
    const f = Object.hasOwn(FLAGS, o) ? FLAGS[o] : undefined;
    if (f) {
      flags = f[0] ? flags | f[1] : flags & ~f[1];
      continue;
    }
    const p = Object.hasOwn(PROPAGATION, o) ? PROPAGATION[o] : undefined;
    if (p !== undefined) {
      propagation = p;
      continue;
    }
    data.push(o);
  }
  return { flags, propagation, data: data.join(',') };
}

/** The propagation flags for a `rootfsPropagation` value; Docker's default is rslave. */
export function rootPropagation(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  return Object.hasOwn(PROPAGATION, value) ? PROPAGATION[value] : undefined;
}
