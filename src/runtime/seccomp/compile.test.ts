import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isEngineError } from '../../common/errors.js';
import type { Seccomp, SeccompArg, SeccompSyscall } from '../../spec/oci-runtime.js';
import { decodeProgram, OP } from './bpf.js';
import { AUDIT_ARCH_AARCH64, AUDIT_ARCH_I386, AUDIT_ARCH_X86_64, checkProgram, runProgram } from './bpf-interpreter.testkit.js';
import { compileSeccomp } from './compile.js';
import { syscallNumber, syscallTable, type SeccompArch } from './syscalls.js';

const ALLOW = 0x7fff0000;
const ERRNO = 0x00050000;
const EPERM_RET = ERRNO | 1;
const AUDIT: Record<SeccompArch, number> = { x86_64: AUDIT_ARCH_X86_64, aarch64: AUDIT_ARCH_AARCH64 };

function nr(name: string, arch: SeccompArch = 'x86_64'): number {
  const n = syscallNumber(name, arch);
  assert.notEqual(n, undefined, name);
  return n!;
}

function decide(profile: Seccomp, name: string, args: readonly bigint[] = [], arch: SeccompArch = 'x86_64'): number {
  return runProgram(compileSeccomp(profile, arch).program, { nr: nr(name, arch), arch: AUDIT[arch], args });
}

function profileOf(syscalls: SeccompSyscall[], extra: Partial<Seccomp> = {}): Seccomp {
  return { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 1, syscalls, ...extra };
}

const rejects = (fn: () => unknown, pattern: RegExp) =>
  assert.throws(fn, (e: unknown) => isEngineError(e, 'invalid-argument') && pattern.test((e as Error).message));

describe('compileSeccomp: dispatch', () => {
  const profile = profileOf([{ names: ['read', 'write', 'exit_group', 'no_such_call'], action: 'SCMP_ACT_ALLOW' }]);

  it('allows listed calls and gives the default action to the rest', () => {
    for (const name of ['read', 'write', 'exit_group']) assert.equal(decide(profile, name), ALLOW, name);
    for (const name of ['open', 'mount', 'keyctl', 'clone']) assert.equal(decide(profile, name), EPERM_RET, name);
    const { program } = compileSeccomp(profile, 'x86_64');
    for (const n of [600, 0x3fffffff, 0xffffffff]) assert.equal(runProgram(program, { nr: n, arch: AUDIT_ARCH_X86_64 }), EPERM_RET);
  });

  it('gives the default action to another ABI and to x32 numbers', () => {
    const { program } = compileSeccomp(profile, 'x86_64');
    assert.equal(runProgram(program, { nr: 0, arch: AUDIT_ARCH_X86_64 }), ALLOW);
    assert.equal(runProgram(program, { nr: 0, arch: AUDIT_ARCH_I386 }), EPERM_RET);
    assert.equal(runProgram(program, { nr: 0, arch: AUDIT_ARCH_AARCH64 }), EPERM_RET);
    assert.equal(runProgram(program, { nr: 0x40000000 | 0, arch: AUDIT_ARCH_X86_64 }), EPERM_RET);
    assert.equal(runProgram(program, { nr: 0x40000000 | 1, arch: AUDIT_ARCH_X86_64 }), EPERM_RET);
  });

  it('uses the aarch64 numbering and arch value on aarch64', () => {
    const { program } = compileSeccomp(profile, 'aarch64');
    assert.equal(runProgram(program, { nr: 63, arch: AUDIT_ARCH_AARCH64 }), ALLOW); // read
    assert.equal(runProgram(program, { nr: 0, arch: AUDIT_ARCH_AARCH64 }), EPERM_RET); // io_setup
    assert.equal(runProgram(program, { nr: 63, arch: AUDIT_ARCH_X86_64 }), EPERM_RET);
  });

  it('compiles an empty profile to the default action', () => {
    const { program } = compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW' }, 'x86_64');
    assert.equal(runProgram(program, { nr: 1, arch: AUDIT_ARCH_X86_64 }), ALLOW);
    assert.equal(runProgram(program, { nr: 1, arch: AUDIT_ARCH_I386 }), ALLOW);
  });
});

describe('compileSeccomp: argument conditions', () => {
  const edges = (v: bigint): bigint[] => {
    const out = [0n, 1n, v - 1n, v, v + 1n, v + (1n << 32n), v - (1n << 32n), v ^ (1n << 63n), (1n << 64n) - 1n,
      v & 0xffffffffn, (v & ~0xffffffffn) | 0xffffffffn, (v & ~0xffffffffn) + 0x100000000n];
    return out.map((x) => BigInt.asUintN(64, x));
  };
  const holds: Record<SeccompArg['op'], (a: bigint, v: bigint, w: bigint) => boolean> = {
    SCMP_CMP_NE: (a, v) => a !== v,
    SCMP_CMP_LT: (a, v) => a < v,
    SCMP_CMP_LE: (a, v) => a <= v,
    SCMP_CMP_EQ: (a, v) => a === v,
    SCMP_CMP_GE: (a, v) => a >= v,
    SCMP_CMP_GT: (a, v) => a > v,
    SCMP_CMP_MASKED_EQ: (a, v, w) => (a & v) === w,
  };
  // Values whose high words are zero, non-zero, and that sit on word boundaries.
  const values = [0, 5, 0xffffffff, 0x100000000, 0x1_0000_0005, 0x7_ffff_fffe, 2 ** 53 - 1];

  for (const op of Object.keys(holds) as SeccompArg['op'][]) {
    it(`${op} compares all 64 bits, unsigned`, () => {
      for (const value of values) {
        const valueTwo = op === 'SCMP_CMP_MASKED_EQ' ? value & 0x0f0f0f0f : undefined;
        const arg: SeccompArg = valueTwo === undefined ? { index: 2, value, op } : { index: 2, value, valueTwo, op };
        const { program } = compileSeccomp(profileOf([{ names: ['ioctl'], action: 'SCMP_ACT_ALLOW', args: [arg] }]), 'x86_64');
        for (const a of edges(BigInt(value))) {
          const want = holds[op](a, BigInt(value), BigInt(valueTwo ?? 0)) ? ALLOW : EPERM_RET;
          const got = runProgram(program, { nr: nr('ioctl'), arch: AUDIT_ARCH_X86_64, args: [0n, 0n, a] });
          assert.equal(got, want, `${op} value=0x${value.toString(16)} arg=0x${a.toString(16)}`);
        }
      }
    });
  }

  it('MASKED_EQ works across both words and never matches bits outside the mask', () => {
    const mask = 0xff00_0000_00ff;
    const rule = (valueTwo: number): Seccomp =>
      profileOf([{ names: ['ioctl'], action: 'SCMP_ACT_ALLOW', args: [{ index: 1, op: 'SCMP_CMP_MASKED_EQ', value: mask, valueTwo }] }]);
    const p = rule(0x1200_0000_0034);
    assert.equal(decide(p, 'ioctl', [0n, 0x12ab_cdef_ab34n]), ALLOW);
    assert.equal(decide(p, 'ioctl', [0n, 0x13ab_cdef_ab34n]), EPERM_RET);
    assert.equal(decide(p, 'ioctl', [0n, 0x12ab_cdef_ab35n]), EPERM_RET);
    assert.equal(decide(rule(0x100), 'ioctl', [0n, 0x100n]), EPERM_RET);
  });

  it('reads 2^64 (how JSON spells all-ones) as 2^64-1', () => {
    const p = profileOf([{ names: ['ioctl'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, op: 'SCMP_CMP_EQ', value: 2 ** 64 }] }]);
    assert.equal(decide(p, 'ioctl', [(1n << 64n) - 1n]), ALLOW);
    assert.equal(decide(p, 'ioctl', [0xffffffffn]), EPERM_RET);
  });

  it('ANDs the conditions of one rule and tries rules in order, first match wins', () => {
    const p = profileOf([
      { names: ['ioctl'], action: 'SCMP_ACT_ERRNO', errnoRet: 5, args: [{ index: 0, op: 'SCMP_CMP_EQ', value: 1 }] },
      {
        names: ['ioctl'], action: 'SCMP_ACT_ALLOW',
        args: [{ index: 0, op: 'SCMP_CMP_LT', value: 10 }, { index: 5, op: 'SCMP_CMP_EQ', value: 7 }],
      },
      { names: ['ioctl'], action: 'SCMP_ACT_LOG', args: [{ index: 1, op: 'SCMP_CMP_GE', value: 100 }] },
    ]);
    assert.equal(decide(p, 'ioctl', [1n, 0n, 0n, 0n, 0n, 7n]), ERRNO | 5);
    assert.equal(decide(p, 'ioctl', [3n, 0n, 0n, 0n, 0n, 7n]), ALLOW);
    assert.equal(decide(p, 'ioctl', [3n, 0n, 0n, 0n, 0n, 8n]), EPERM_RET);
    assert.equal(decide(p, 'ioctl', [3n, 100n, 0n, 0n, 0n, 8n]), 0x7ffc0000);
    assert.equal(decide(p, 'ioctl', [10n, 0n, 0n, 0n, 0n, 7n]), EPERM_RET);
  });

  it('stops at an unconditional rule', () => {
    const p = profileOf([
      { names: ['ioctl'], action: 'SCMP_ACT_TRAP' },
      { names: ['ioctl'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, op: 'SCMP_CMP_EQ', value: 1 }] },
    ]);
    assert.equal(decide(p, 'ioctl', [1n]), 0x00030000);
  });
});

describe('compileSeccomp: actions, flags and errors', () => {
  it('maps every action to its SECCOMP_RET value', () => {
    const cases: [Seccomp['defaultAction'], number][] = [
      ['SCMP_ACT_KILL', 0], ['SCMP_ACT_KILL_THREAD', 0], ['SCMP_ACT_KILL_PROCESS', 0x80000000],
      ['SCMP_ACT_TRAP', 0x00030000], ['SCMP_ACT_ERRNO', ERRNO | 1], ['SCMP_ACT_TRACE', 0x7ff00000 | 1],
      ['SCMP_ACT_LOG', 0x7ffc0000], ['SCMP_ACT_ALLOW', ALLOW],
    ];
    for (const [action, ret] of cases) {
      assert.equal(decide({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['getpid'], action }] }, 'getpid'), ret, action);
      if (action !== 'SCMP_ACT_ALLOW') assert.equal(decide({ defaultAction: action }, 'getpid'), ret, `default ${action}`);
    }
  });

  it('takes errnoRet, then defaultErrnoRet, then EPERM', () => {
    const p = (extra: Partial<Seccomp>, errnoRet?: number): Seccomp => ({
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [errnoRet === undefined ? { names: ['getpid'], action: 'SCMP_ACT_ERRNO' } : { names: ['getpid'], action: 'SCMP_ACT_ERRNO', errnoRet }],
      ...extra,
    });
    assert.equal(decide(p({}, 38), 'getpid'), ERRNO | 38);
    assert.equal(decide(p({ defaultErrnoRet: 13 }), 'getpid'), ERRNO | 13);
    assert.equal(decide(p({}), 'getpid'), ERRNO | 1);
    assert.equal(decide({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38 }, 'getpid'), ERRNO | 38);
  });

  it('turns profile flags into SECCOMP_FILTER_FLAG bits', () => {
    const flags = ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW', 'SECCOMP_FILTER_FLAG_TSYNC'];
    assert.equal(compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', flags }, 'x86_64').flags, 7);
    assert.equal(compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW' }, 'x86_64').flags, 0);
    rejects(() => compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', flags: ['SECCOMP_FILTER_FLAG_NEW_LISTENER'] }, 'x86_64'), /NEW_LISTENER/);
  });

  it('accepts and ignores other architectures, rejects unknown ones', () => {
    const arches = ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32', 'SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM'];
    const p = profileOf([{ names: ['read'], action: 'SCMP_ACT_ALLOW' }], { architectures: arches });
    assert.equal(decide(p, 'read'), ALLOW);
    assert.equal(decide(p, 'read', [], 'aarch64'), ALLOW);
    rejects(() => compileSeccomp(profileOf([], { architectures: ['SCMP_ARCH_Z80'] }), 'x86_64'), /SCMP_ARCH_Z80/);
  });

  it('skips names the ABI does not have', () => {
    const p = profileOf([{ names: ['open', 'chown32', 'read'], action: 'SCMP_ACT_ALLOW' }]);
    assert.equal(decide(p, 'read', [], 'aarch64'), ALLOW);
    assert.equal(decide(p, 'open', [], 'x86_64'), ALLOW);
  });

  it('rejects NOTIFY, unknown actions and operators, bad indexes and values, with their names', () => {
    const bad = (s: SeccompSyscall) => () => compileSeccomp(profileOf([s]), 'x86_64');
    rejects(bad({ names: ['read'], action: 'SCMP_ACT_NOTIFY' }), /SCMP_ACT_NOTIFY/);
    rejects(bad({ names: ['read'], action: 'SCMP_ACT_MAYBE' as never }), /SCMP_ACT_MAYBE/);
    rejects(() => compileSeccomp({ defaultAction: 'SCMP_ACT_NOPE' as never }, 'x86_64'), /SCMP_ACT_NOPE/);
    rejects(bad({ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'SCMP_CMP_SORTA' as never }] }), /SCMP_CMP_SORTA/);
    rejects(bad({ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 6, value: 1, op: 'SCMP_CMP_EQ' }] }), /index 6/);
    rejects(bad({ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: -1, op: 'SCMP_CMP_EQ' }] }), /-1/);
    rejects(bad({ names: ['read'], action: 'SCMP_ACT_ERRNO', errnoRet: 70000 }), /70000/);
    // A bad rule is bad even where its names do not exist.
    rejects(bad({ names: ['chown32'], action: 'SCMP_ACT_NOTIFY' }), /SCMP_ACT_NOTIFY/);
    rejects(() => compileSeccomp(profileOf([]), 'riscv64' as never), /riscv64/);
  });
});

describe('compileSeccomp: program shape', () => {
  // One distinct rule per call of the ABI: far more code than an 8-bit jump spans, nothing to share.
  const everyCall = (arch: SeccompArch): string[] => [...syscallTable(arch).keys()].filter((n) => n !== 'rt_sigreturn');
  const big = (arch: SeccompArch): Seccomp => profileOf(
    [
      ...everyCall(arch).map((name, i): SeccompSyscall => ({
        names: [name], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, op: 'SCMP_CMP_EQ', value: i }],
      })),
      { names: ['kill'], action: 'SCMP_ACT_LOG', args: [{ index: 1, op: 'SCMP_CMP_GT', value: 0x1_0000_0000 }] },
      { names: ['rt_sigreturn'], action: 'SCMP_ACT_ALLOW' },
    ],
    { defaultAction: 'SCMP_ACT_KILL_PROCESS' },
  );
  const unique = (): Seccomp => {
    // Distinct rule lists so no block can be shared.
    const table = [...Array(300).keys()].map((i): SeccompSyscall => ({
      names: [['read', 'write', 'ioctl', 'openat', 'mmap', 'close', 'futex', 'brk', 'dup3', 'pipe2'][i % 10]!],
      action: 'SCMP_ACT_ERRNO', errnoRet: 1 + i,
      args: [{ index: 0, op: 'SCMP_CMP_EQ', value: i }],
    }));
    return profileOf(table);
  };

  it('keeps every jump inside the program and ends on a ret, with trampolines', () => {
    for (const arch of ['x86_64', 'aarch64'] as const) {
      for (const p of [big(arch), unique()]) {
        const { program } = compileSeccomp(p, arch);
        const insns = checkProgram(program);
        assert.ok(insns.length > 600, `${arch}: ${insns.length} instructions`);
        assert.ok(insns.some((i) => i.code === OP.JA && i.k > 255), 'expected a long ja');
      }
    }
  });

  it('still decides correctly when jumps go far', () => {
    const { program } = compileSeccomp(unique(), 'x86_64');
    for (const i of [0, 1, 137, 150, 299]) {
      const name = ['read', 'write', 'ioctl', 'openat', 'mmap', 'close', 'futex', 'brk', 'dup3', 'pipe2'][i % 10]!;
      const got = runProgram(program, { nr: nr(name), arch: AUDIT_ARCH_X86_64, args: [BigInt(i)] });
      assert.equal(got, ERRNO | (1 + i), `${name}(${i})`);
      assert.equal(runProgram(program, { nr: nr(name), arch: AUDIT_ARCH_X86_64, args: [BigInt(i) + (1n << 32n)] }), EPERM_RET);
    }
    for (const arch of ['x86_64', 'aarch64'] as const) {
      const p = big(arch);
      const calls = everyCall(arch);
      const { program } = compileSeccomp(p, arch);
      calls.forEach((name, i) => {
        const data = { nr: nr(name, arch), arch: AUDIT[arch] };
        assert.equal(runProgram(program, { ...data, args: [BigInt(i)] }), ALLOW, `${arch} ${name}`);
        assert.equal(runProgram(program, { ...data, args: [BigInt(i) + (1n << 32n)] }), 0x80000000, `${arch} ${name}`);
      });
      const kill = calls.indexOf('kill');
      assert.equal(decide(p, 'kill', [BigInt(kill) + 1n, 0x1_0000_0001n], arch), 0x7ffc0000);
      assert.equal(decide(p, 'kill', [BigInt(kill) + 1n, 0x1_0000_0000n], arch), 0x80000000);
      assert.equal(decide(p, 'rt_sigreturn', [], arch), ALLOW);
    }
  });

  it('refuses a program over BPF_MAXINSNS', () => {
    const table = [...Array(1200).keys()].map((i): SeccompSyscall => ({
      names: ['ioctl'], action: 'SCMP_ACT_ALLOW', args: [{ index: 1, op: 'SCMP_CMP_EQ', value: i }],
    }));
    rejects(() => compileSeccomp(profileOf(table), 'x86_64'), /4096/);
  });

  it('encodes struct sock_filter little-endian, 8 bytes each', () => {
    const { program } = compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW' }, 'x86_64');
    const insns = decodeProgram(program);
    assert.equal(program.length, insns.length * 8);
    assert.deepEqual(insns[0], { code: OP.LD_W_ABS, jt: 0, jf: 0, k: 4 });
    assert.deepEqual([...program.subarray(0, 8)], [0x20, 0, 0, 0, 4, 0, 0, 0]);
  });
});
