import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AUDIT_ARCH_AARCH64, AUDIT_ARCH_I386, AUDIT_ARCH_X86_64, checkProgram, runProgram } from './bpf-interpreter.testkit.js';
import { compileSeccomp, dockerDefaultProfile, syscallNumber, type SeccompArch } from './index.js';

const ALLOW = 0x7fff0000;
const EPERM_RET = 0x00050000 | 1;
const ENOSYS_RET = 0x00050000 | 38;
const AUDIT: Record<SeccompArch, number> = { x86_64: AUDIT_ARCH_X86_64, aarch64: AUDIT_ARCH_AARCH64 };
const ARCHES = ['x86_64', 'aarch64'] as const;

/** Docker's default capability set (moby daemon/pkg/oci/caps/defaults.go). */
const DOCKER_CAPS = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

const CLONE_NEWUSER = 0x10000000n;
const CLONE_NEWNS = 0x00020000n;
const CLONE_NEWNET = 0x40000000n;
// What glibc's fork() passes: CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD.
const FORK_FLAGS = 0x01200011n;
// What pthread_create passes.
const THREAD_FLAGS = 0x003d0f00n;

function filter(caps: readonly string[], arch: SeccompArch) {
  const { program } = compileSeccomp(dockerDefaultProfile(caps, arch), arch);
  return (name: string, args: readonly bigint[] = []): number => {
    const nr = syscallNumber(name, arch);
    assert.notEqual(nr, undefined, `${name} on ${arch}`);
    return runProgram(program, { nr: nr!, arch: AUDIT[arch], args });
  };
}

describe('dockerDefaultProfile', () => {
  for (const arch of ARCHES) {
    describe(arch, () => {
      const decide = filter(DOCKER_CAPS, arch);

      it('compiles under BPF_MAXINSNS, even with every capability', () => {
        for (const caps of [[], DOCKER_CAPS, [...DOCKER_CAPS, 'CAP_SYS_ADMIN', 'CAP_SYS_PTRACE', 'CAP_SYS_TIME',
          'CAP_SYS_MODULE', 'CAP_SYS_BOOT', 'CAP_SYS_RAWIO', 'CAP_SYS_PACCT', 'CAP_SYS_NICE', 'CAP_SYSLOG', 'CAP_BPF',
          'CAP_PERFMON', 'CAP_DAC_READ_SEARCH', 'CAP_SYS_TTY_CONFIG']]) {
          const insns = checkProgram(compileSeccomp(dockerDefaultProfile(caps, arch), arch).program);
          assert.ok(insns.length < 4096, `${insns.length} instructions`);
        }
      });

      it('allows what every program needs', () => {
        for (const name of ['execve', 'read', 'write', 'exit_group', 'futex', 'rt_sigreturn', 'wait4', 'openat',
          'mmap', 'brk', 'close', 'newfstatat', 'getdents64', 'pipe2', 'epoll_pwait', 'rseq', 'set_tid_address',
          'fchmodat2', 'statx', 'getrandom', 'chroot', 'ptrace', 'prlimit64']) {
          assert.equal(decide(name), ALLOW, name);
        }
      });

      it('denies namespace, mount and keyring calls with EPERM without CAP_SYS_ADMIN', () => {
        for (const name of ['unshare', 'mount', 'umount2', 'setns', 'pivot_root', 'keyctl', 'add_key', 'request_key',
          'bpf', 'perf_event_open', 'reboot', 'init_module', 'kcmp', 'settimeofday', 'syslog', 'acct', 'mbind',
          'open_by_handle_at', 'sethostname', 'fsopen', 'io_uring_setup', 'kexec_load', 'swapon']) {
          assert.equal(decide(name), EPERM_RET, name);
        }
      });

      it('allows clone without namespace flags only; clone3 says ENOSYS', () => {
        assert.equal(decide('clone', [FORK_FLAGS]), ALLOW);
        assert.equal(decide('clone', [THREAD_FLAGS]), ALLOW);
        for (const flag of [CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWNET]) {
          assert.equal(decide('clone', [FORK_FLAGS | flag]), EPERM_RET, `flag 0x${flag.toString(16)}`);
        }
        // Flags above 32 bits are not namespace bits.
        assert.equal(decide('clone', [FORK_FLAGS | (1n << 40n)]), ALLOW);
        assert.equal(decide('clone3'), ENOSYS_RET);
      });

      it('allows only the listed personalities', () => {
        for (const p of [0x0n, 0x8n, 0x20000n, 0x20008n, 0xffffffffn]) assert.equal(decide('personality', [p]), ALLOW);
        for (const p of [0x1n, 0x0400000n, 0x1_0000_0000n]) assert.equal(decide('personality', [p]), EPERM_RET);
      });

      it('denies AF_VSOCK and AF_ALG sockets, allows the rest', () => {
        for (const af of [1n, 2n, 10n, 16n, 17n, 39n, 41n, 44n]) assert.equal(decide('socket', [af]), ALLOW, `af ${af}`);
        for (const af of [38n, 40n]) assert.equal(decide('socket', [af]), EPERM_RET, `af ${af}`);
      });

      it('opens the namespace and mount calls with CAP_SYS_ADMIN, never the keyring', () => {
        const admin = filter([...DOCKER_CAPS, 'CAP_SYS_ADMIN'], arch);
        for (const name of ['mount', 'umount2', 'unshare', 'setns', 'pivot_root', 'sethostname', 'fsopen', 'clone3']) {
          assert.equal(admin(name), ALLOW, name);
        }
        assert.equal(admin('clone', [FORK_FLAGS | CLONE_NEWUSER | CLONE_NEWNS]), ALLOW);
        for (const name of ['keyctl', 'add_key', 'request_key']) assert.equal(admin(name), EPERM_RET, name);
      });

      it('opens each capability\'s calls with that capability only', () => {
        const groups: [string, string[]][] = [
          ['CAP_SYS_PTRACE', ['kcmp', 'pidfd_getfd', 'process_madvise']],
          ['CAP_SYS_MODULE', ['init_module', 'finit_module', 'delete_module']],
          ['CAP_SYS_TIME', ['settimeofday', 'clock_settime']],
          ['CAP_SYS_BOOT', ['reboot']],
          ['CAP_SYS_PACCT', ['acct']],
          ['CAP_SYS_NICE', ['mbind', 'set_mempolicy']],
          ['CAP_SYSLOG', ['syslog']],
          ['CAP_BPF', ['bpf']],
          ['CAP_PERFMON', ['perf_event_open']],
          ['CAP_DAC_READ_SEARCH', ['open_by_handle_at']],
          ['CAP_SYS_TTY_CONFIG', ['vhangup']],
          ...(arch === 'x86_64' ? [['CAP_SYS_RAWIO', ['iopl', 'ioperm']] as [string, string[]]] : []),
        ];
        for (const [cap, names] of groups) {
          const withCap = filter([cap], arch);
          const without = filter([], arch);
          for (const name of names) {
            assert.equal(withCap(name), ALLOW, `${name} with ${cap}`);
            assert.equal(without(name), EPERM_RET, `${name} without ${cap}`);
          }
        }
        assert.equal(filter([], arch)('chroot'), EPERM_RET);
        assert.equal(filter(['sys_chroot'], arch)('chroot'), ALLOW);
      });

      it('gives foreign ABIs the default action', () => {
        const { program } = compileSeccomp(dockerDefaultProfile(DOCKER_CAPS, arch), arch);
        const read = syscallNumber('read', arch)!;
        assert.equal(runProgram(program, { nr: read, arch: AUDIT_ARCH_I386 }), EPERM_RET);
        assert.equal(runProgram(program, { nr: read, arch: arch === 'x86_64' ? AUDIT_ARCH_AARCH64 : AUDIT_ARCH_X86_64 }), EPERM_RET);
      });
    });
  }

  it('x86_64: sends x32 numbers to the default action and keeps arch_prctl', () => {
    const { program } = compileSeccomp(dockerDefaultProfile(DOCKER_CAPS, 'x86_64'), 'x86_64');
    assert.equal(runProgram(program, { nr: 0x40000000 | 0, arch: AUDIT_ARCH_X86_64 }), EPERM_RET);
    assert.equal(filter(DOCKER_CAPS, 'x86_64')('arch_prctl'), ALLOW);
    assert.equal(filter(DOCKER_CAPS, 'x86_64')('open'), ALLOW);
  });

  it('returns a fresh profile each call', () => {
    const a = dockerDefaultProfile(DOCKER_CAPS, 'x86_64');
    a.syscalls![0]!.names.push('keyctl');
    assert.ok(!dockerDefaultProfile(DOCKER_CAPS, 'x86_64').syscalls![0]!.names.includes('keyctl'));
  });
});
