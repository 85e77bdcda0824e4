// seccomp: turns an OCI seccomp profile into the classic BPF program and filter flags that
// seccomp(SECCOMP_SET_MODE_FILTER) takes, and writes Berth's default profile (Docker's behaviour).
// It owns the syscall number tables of the ABIs Berth supports. It is pure: it must not load filters,
// call the kernel or read files (the runtime installs the program through the shim), and it must not
// decide which capabilities a container gets; callers pass them in.
export { compileSeccomp, type CompiledSeccomp } from './compile.js';
export { dockerDefaultProfile } from './default-profile.js';
export { syscallNumber, type SeccompArch } from './syscalls.js';
