import { SYSCALLS_AARCH64 } from './syscalls-aarch64.js';
import { SYSCALLS_X86_64 } from './syscalls-x86_64.js';

/** The native ABIs Berth builds filters for; each is one seccomp_data.arch value. */
export type SeccompArch = 'x86_64' | 'aarch64';

export function syscallTable(arch: SeccompArch): ReadonlyMap<string, number> {
  switch (arch) {
    case 'x86_64':
      return SYSCALLS_X86_64;
    case 'aarch64':
      return SYSCALLS_AARCH64;
  }
}

/** The number of a system call on `arch`, or undefined when that ABI has no such call. */
export function syscallNumber(name: string, arch: SeccompArch): number | undefined {
  return syscallTable(arch).get(name);
}
