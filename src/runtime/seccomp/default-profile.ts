// Berth's default seccomp profile. It is written to decide exactly as Docker's default profile does
// (moby/profiles seccomp/default.json): deny with EPERM unless listed, and open the calls a capability
// stands for only when the container holds that capability — the kernel checks the capability too, but
// many of these calls were the entry points of real kernel bugs, so they stay closed when unneeded.
// Deliberate differences: pivot_root and open_tree_attr open with CAP_SYS_ADMIN like their siblings.
// Lists are grouped by purpose; names a given ABI lacks are dropped by the compiler, and the 32-bit
// variants stay so the same profile in config.json behaves alike under runc, which does filter i386/arm.
import type { Seccomp, SeccompSyscall } from '../../spec/oci-runtime.js';
import type { SeccompArch } from './syscalls.js';

const PROCESSES = [
  'execve', 'execveat', 'exit', 'exit_group', 'fork', 'vfork', 'wait4', 'waitid', 'waitpid',
  'kill', 'tkill', 'tgkill', 'pidfd_open', 'pidfd_send_signal', 'process_mrelease',
  'set_tid_address', 'set_robust_list', 'get_robust_list', 'rseq', 'restart_syscall', 'prctl',
  'capget', 'capset', 'seccomp', 'landlock_create_ruleset', 'landlock_add_rule', 'landlock_restrict_self',
  'get_thread_area', 'set_thread_area', 'getcpu', 'membarrier', 'uretprobe',
  // Safe for everyone since Linux 4.8, which stopped ptrace from being used to bypass seccomp.
  'ptrace', 'process_vm_readv', 'process_vm_writev',
];

const IDENTITY = [
  'getpid', 'getppid', 'gettid', 'getpgid', 'setpgid', 'getpgrp', 'getsid', 'setsid',
  'getuid', 'geteuid', 'getgid', 'getegid', 'getresuid', 'getresgid', 'getgroups',
  'setuid', 'setgid', 'setreuid', 'setregid', 'setresuid', 'setresgid', 'setfsuid', 'setfsgid', 'setgroups',
];

const MEMORY = [
  'brk', 'mmap', 'mmap2', 'munmap', 'mremap', 'mprotect', 'madvise', 'mincore', 'msync',
  'mlock', 'mlock2', 'mlockall', 'munlock', 'munlockall', 'remap_file_pages',
  'memfd_create', 'memfd_secret', 'pkey_alloc', 'pkey_free', 'pkey_mprotect', 'map_shadow_stack', 'mseal',
];

const FILE_IO = [
  'open', 'openat', 'openat2', 'creat', 'close', 'close_range', 'read', 'write', 'readv', 'writev',
  'pread64', 'pwrite64', 'preadv', 'pwritev', 'preadv2', 'pwritev2', 'lseek', '_llseek',
  'dup', 'dup2', 'dup3', 'fcntl', 'fcntl64', 'ioctl', 'flock', 'fsync', 'fdatasync', 'sync', 'syncfs',
  'sync_file_range', 'fallocate', 'fadvise64', 'fadvise64_64', 'readahead',
  'truncate', 'truncate64', 'ftruncate', 'ftruncate64', 'sendfile', 'sendfile64', 'splice', 'tee', 'vmsplice',
  'copy_file_range', 'cachestat', 'pipe', 'pipe2', 'name_to_handle_at', 'getdents', 'getdents64',
];

const PATHS = [
  'stat', 'stat64', 'lstat', 'lstat64', 'fstat', 'fstat64', 'fstatat64', 'newfstatat', 'statx',
  'statfs', 'statfs64', 'fstatfs', 'fstatfs64', 'statmount', 'listmount',
  'access', 'faccessat', 'faccessat2', 'chdir', 'fchdir', 'getcwd', 'mkdir', 'mkdirat', 'rmdir',
  'mknod', 'mknodat', 'link', 'linkat', 'symlink', 'symlinkat', 'unlink', 'unlinkat',
  'rename', 'renameat', 'renameat2', 'readlink', 'readlinkat',
  'chmod', 'fchmod', 'fchmodat', 'fchmodat2', 'chown', 'fchown', 'fchownat', 'lchown', 'umask',
  'utime', 'utimes', 'utimensat', 'utimensat_time64', 'futimesat',
  'getxattr', 'lgetxattr', 'fgetxattr', 'getxattrat', 'setxattr', 'lsetxattr', 'fsetxattr', 'setxattrat',
  'listxattr', 'llistxattr', 'flistxattr', 'listxattrat', 'removexattr', 'lremovexattr', 'fremovexattr',
  'removexattrat',
];

const EVENTS = [
  'poll', 'ppoll', 'ppoll_time64', 'select', '_newselect', 'pselect6', 'pselect6_time64',
  'epoll_create', 'epoll_create1', 'epoll_ctl', 'epoll_ctl_old', 'epoll_wait', 'epoll_wait_old',
  'epoll_pwait', 'epoll_pwait2', 'eventfd', 'eventfd2', 'signalfd', 'signalfd4',
  'timerfd_create', 'timerfd_settime', 'timerfd_settime64', 'timerfd_gettime', 'timerfd_gettime64',
  'inotify_init', 'inotify_init1', 'inotify_add_watch', 'inotify_rm_watch', 'fanotify_mark',
  // Linux AIO stays; io_uring does not (Docker closed it after a run of io_uring escapes).
  'io_setup', 'io_destroy', 'io_submit', 'io_cancel', 'io_getevents', 'io_pgetevents', 'io_pgetevents_time64',
  'futex', 'futex_time64', 'futex_waitv', 'futex_wake', 'futex_wait', 'futex_requeue',
];

const SIGNALS_AND_TIME = [
  'rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn', 'rt_sigpending', 'rt_sigsuspend', 'rt_sigtimedwait',
  'rt_sigtimedwait_time64', 'rt_sigqueueinfo', 'rt_tgsigqueueinfo', 'sigaltstack', 'sigprocmask', 'sigreturn',
  'pause', 'alarm', 'getitimer', 'setitimer', 'time', 'gettimeofday', 'times',
  'clock_gettime', 'clock_gettime64', 'clock_getres', 'clock_getres_time64', 'clock_nanosleep',
  'clock_nanosleep_time64', 'nanosleep',
  // Reading the clock adjustment is harmless; setting it is refused by the kernel without CAP_SYS_TIME.
  'adjtimex', 'clock_adjtime', 'clock_adjtime64',
  'timer_create', 'timer_delete', 'timer_getoverrun', 'timer_gettime', 'timer_gettime64',
  'timer_settime', 'timer_settime64',
];

const SCHEDULING = [
  'sched_yield', 'sched_getaffinity', 'sched_setaffinity', 'sched_getattr', 'sched_setattr',
  'sched_getparam', 'sched_setparam', 'sched_getscheduler', 'sched_setscheduler',
  'sched_get_priority_max', 'sched_get_priority_min', 'sched_rr_get_interval', 'sched_rr_get_interval_time64',
  'getpriority', 'setpriority', 'ioprio_get', 'ioprio_set',
  'getrlimit', 'setrlimit', 'ugetrlimit', 'prlimit64', 'getrusage', 'uname', 'sysinfo', 'getrandom',
];

const IPC_AND_SOCKETS = [
  'socketpair', 'bind', 'connect', 'listen', 'accept', 'accept4', 'getsockname', 'getpeername',
  'getsockopt', 'setsockopt', 'send', 'sendto', 'sendmsg', 'sendmmsg', 'recv', 'recvfrom', 'recvmsg',
  'recvmmsg', 'recvmmsg_time64', 'shutdown', 'socketcall',
  'ipc', 'msgget', 'msgsnd', 'msgrcv', 'msgctl', 'semget', 'semop', 'semtimedop', 'semtimedop_time64', 'semctl',
  'shmget', 'shmat', 'shmdt', 'shmctl', 'mq_open', 'mq_unlink', 'mq_timedsend', 'mq_timedsend_time64',
  'mq_timedreceive', 'mq_timedreceive_time64', 'mq_notify', 'mq_getsetattr',
];

// The 16-bit-uid era left i386 and arm with a second set of identity calls.
const COMPAT_32 = [
  'getuid32', 'geteuid32', 'getgid32', 'getegid32', 'getresuid32', 'getresgid32', 'getgroups32',
  'setuid32', 'setgid32', 'setreuid32', 'setregid32', 'setresuid32', 'setresgid32', 'setfsuid32',
  'setfsgid32', 'setgroups32', 'chown32', 'fchown32', 'lchown32',
];

const PER_ARCH: Readonly<Record<SeccompArch, { arches: readonly string[]; allow: readonly string[] }>> = {
  x86_64: { arches: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'], allow: ['arch_prctl', 'modify_ldt'] },
  aarch64: {
    arches: ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM'],
    allow: ['arm_fadvise64_64', 'arm_sync_file_range', 'sync_file_range2', 'breakpoint', 'cacheflush', 'set_tls'],
  },
};

/** Calls opened by one capability. keyctl, add_key and request_key are opened by none: keys are not namespaced. */
const BY_CAPABILITY: readonly (readonly [string, readonly string[]])[] = [
  ['CAP_DAC_READ_SEARCH', ['open_by_handle_at']],
  ['CAP_SYS_ADMIN', [
    'mount', 'umount', 'umount2', 'pivot_root', 'unshare', 'setns', 'clone', 'clone3',
    'fsopen', 'fsconfig', 'fsmount', 'fspick', 'move_mount', 'open_tree', 'open_tree_attr', 'mount_setattr',
    'quotactl', 'quotactl_fd', 'sethostname', 'setdomainname', 'fanotify_init', 'lookup_dcookie',
    'lsm_get_self_attr', 'lsm_set_self_attr', 'lsm_list_modules', 'bpf', 'perf_event_open', 'syslog',
  ]],
  ['CAP_SYS_BOOT', ['reboot']],
  ['CAP_SYS_CHROOT', ['chroot']],
  ['CAP_SYS_MODULE', ['init_module', 'finit_module', 'delete_module']],
  ['CAP_SYS_PACCT', ['acct']],
  ['CAP_SYS_PTRACE', ['kcmp', 'pidfd_getfd', 'process_madvise']],
  ['CAP_SYS_RAWIO', ['iopl', 'ioperm']],
  ['CAP_SYS_TIME', ['settimeofday', 'stime', 'clock_settime', 'clock_settime64']],
  ['CAP_SYS_TTY_CONFIG', ['vhangup']],
  ['CAP_SYS_NICE', ['mbind', 'get_mempolicy', 'set_mempolicy', 'set_mempolicy_home_node']],
  ['CAP_SYSLOG', ['syslog']],
  ['CAP_BPF', ['bpf']],
  ['CAP_PERFMON', ['perf_event_open']],
];

/** CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET: creating namespaces needs CAP_SYS_ADMIN. */
const CLONE_NAMESPACE_FLAGS = 0x7e020000;
const ENOSYS = 38;
const AF_ALG = 38;
const AF_NFC = 39;
const AF_VSOCK = 40;

/**
 * Execution domains a container may switch to: PER_LINUX, PER_LINUX with UNAME26 (0x20000) and/or
 * PER_LINUX32 (0x8), and 0xffffffff, which only queries the current one.
 */
const PERSONALITIES = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];

export function dockerDefaultProfile(caps: readonly string[], arch: SeccompArch): Seccomp {
  const held = new Set(caps.map(normalizeCap));
  const allow = (names: readonly string[], args?: SeccompSyscall['args']): SeccompSyscall =>
    args === undefined ? { names: [...names], action: 'SCMP_ACT_ALLOW' } : { names: [...names], action: 'SCMP_ACT_ALLOW', args };
  const syscalls: SeccompSyscall[] = [
    allow([...PROCESSES, ...IDENTITY, ...MEMORY, ...FILE_IO, ...PATHS, ...EVENTS, ...SIGNALS_AND_TIME,
      ...SCHEDULING, ...IPC_AND_SOCKETS, ...COMPAT_32, ...PER_ARCH[arch].allow]),
    // Every address family but AF_ALG (kernel crypto, a history of bugs) and AF_VSOCK (host channel).
    // Three rules rather than one with two conditions: libseccomp (runc) takes one per argument.
    allow(['socket'], [{ index: 0, op: 'SCMP_CMP_LT', value: AF_ALG }]),
    allow(['socket'], [{ index: 0, op: 'SCMP_CMP_EQ', value: AF_NFC }]),
    allow(['socket'], [{ index: 0, op: 'SCMP_CMP_GT', value: AF_VSOCK }]),
    ...PERSONALITIES.map((p) => allow(['personality'], [{ index: 0, op: 'SCMP_CMP_EQ', value: p }])),
  ];
  for (const [cap, names] of BY_CAPABILITY) if (held.has(cap)) syscalls.push(allow(names));
  if (!held.has('CAP_SYS_ADMIN')) {
    // The flags are clone's first argument on both x86_64 and arm64 (s390 is the odd one out).
    syscalls.push(allow(['clone'], [{ index: 0, op: 'SCMP_CMP_MASKED_EQ', value: CLONE_NAMESPACE_FLAGS, valueTwo: 0 }]));
    // clone3 passes its flags in memory, out of a filter's reach; ENOSYS makes libc fall back to clone.
    syscalls.push({ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS });
  }
  return {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: 1,
    architectures: [...PER_ARCH[arch].arches],
    syscalls,
  };
}

/** 'sys_admin' and 'CAP_SYS_ADMIN' name the same capability. */
function normalizeCap(cap: string): string {
  const upper = cap.toUpperCase();
  return upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
}
