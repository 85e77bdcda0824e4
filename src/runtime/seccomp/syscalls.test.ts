import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { syscallNumber, syscallTable } from './syscalls.js';

describe('syscall tables', () => {
  it('know the x86_64 numbers', () => {
    const want: Record<string, number> = {
      read: 0, write: 1, open: 2, rt_sigreturn: 15, clone: 56, fork: 57, execve: 59, wait4: 61,
      personality: 135, pivot_root: 155, mount: 165, futex: 202, exit_group: 231, openat: 257,
      keyctl: 250, unshare: 272, setns: 308, clone3: 435, uretprobe: 335, fchmodat2: 452, mseal: 462,
    };
    for (const [name, nr] of Object.entries(want)) assert.equal(syscallNumber(name, 'x86_64'), nr, name);
  });

  it('know the aarch64 (asm-generic) numbers and lack the legacy calls', () => {
    const want: Record<string, number> = {
      io_setup: 0, fcntl: 25, umount2: 39, mount: 40, pivot_root: 41, openat: 56, read: 63, write: 64,
      newfstatat: 79, fstat: 80, exit_group: 94, unshare: 97, futex: 98, rt_sigreturn: 139, socket: 198,
      keyctl: 219, clone: 220, execve: 221, mmap: 222, wait4: 260, setns: 268, clone3: 435, fchmodat2: 452,
    };
    for (const [name, nr] of Object.entries(want)) assert.equal(syscallNumber(name, 'aarch64'), nr, name);
    for (const name of ['open', 'fork', 'stat', 'arch_prctl', 'uretprobe', 'chown32']) {
      assert.equal(syscallNumber(name, 'aarch64'), undefined, name);
    }
  });

  it('map each number to one name and ignore object prototype keys', () => {
    for (const arch of ['x86_64', 'aarch64'] as const) {
      const numbers = [...syscallTable(arch).values()];
      assert.equal(new Set(numbers).size, numbers.length, arch);
      assert.ok(numbers.length > 300, arch);
      assert.equal(syscallNumber('constructor', arch), undefined);
    }
  });
});
