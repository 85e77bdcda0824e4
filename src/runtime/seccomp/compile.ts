// OCI seccomp profile → classic BPF program for seccomp(SECCOMP_SET_MODE_FILTER).
//
// Semantics (what the program decides for one system call):
//   1. seccomp_data.arch is not the native ABI → default action. Other ABIs named in the profile
//      (SCMP_ARCH_X86, SCMP_ARCH_X32, SCMP_ARCH_ARM, …) are accepted but not compiled, so 32-bit
//      binaries see the default action for every call. On x86_64 the x32 ABI (nr | 0x40000000) shares
//      the arch value and is sent to the default action explicitly.
//   2. The syscall number picks its rules through a balanced binary search (jge) over the number line
//      cut into intervals with the same outcome; runs of plainly allowed numbers cost one interval.
//   3. The syscall's rules are tried in profile order; a rule matches when all its argument conditions
//      hold (64-bit, unsigned); the first match decides; no match → default action.
// Names the chosen ABI does not have are skipped, as libseccomp does.
import { invalidArgument } from '../../common/errors.js';
import type { Seccomp, SeccompAction, SeccompArg, SeccompSyscall } from '../../spec/oci-runtime.js';
import { BackwardEmitter, BPF_MAXINSNS, encodeProgram, OP, type Insn, type Label } from './bpf.js';
import { syscallTable, type SeccompArch } from './syscalls.js';

interface Target {
  auditArch: number;
  scmpArch: string;
  /** Set on ABIs that multiplex another ABI into the syscall number (x32 on x86_64). */
  foreignNrBit?: number;
}

const TARGETS: Readonly<Record<SeccompArch, Target>> = {
  x86_64: { auditArch: 0xc000003e, scmpArch: 'SCMP_ARCH_X86_64', foreignNrBit: 0x40000000 },
  aarch64: { auditArch: 0xc00000b7, scmpArch: 'SCMP_ARCH_AARCH64' },
};

// libseccomp's architecture names; anything else is a typo we should report rather than ignore.
const KNOWN_ARCHES: ReadonlySet<string> = new Set([
  'SCMP_ARCH_NATIVE', 'SCMP_ARCH_X86', 'SCMP_ARCH_X86_64', 'SCMP_ARCH_X32', 'SCMP_ARCH_ARM', 'SCMP_ARCH_AARCH64',
  'SCMP_ARCH_MIPS', 'SCMP_ARCH_MIPS64', 'SCMP_ARCH_MIPS64N32', 'SCMP_ARCH_MIPSEL', 'SCMP_ARCH_MIPSEL64',
  'SCMP_ARCH_MIPSEL64N32', 'SCMP_ARCH_PPC', 'SCMP_ARCH_PPC64', 'SCMP_ARCH_PPC64LE', 'SCMP_ARCH_S390',
  'SCMP_ARCH_S390X', 'SCMP_ARCH_PARISC', 'SCMP_ARCH_PARISC64', 'SCMP_ARCH_RISCV64', 'SCMP_ARCH_LOONGARCH64',
  'SCMP_ARCH_M68K', 'SCMP_ARCH_SH', 'SCMP_ARCH_SHEB',
]);

const FILTER_FLAGS: Readonly<Record<string, number>> = {
  SECCOMP_FILTER_FLAG_TSYNC: 1,
  SECCOMP_FILTER_FLAG_LOG: 2,
  SECCOMP_FILTER_FLAG_SPEC_ALLOW: 4,
};

/** SECCOMP_RET_* (linux/seccomp.h). */
const RET = {
  KILL_PROCESS: 0x80000000,
  KILL_THREAD: 0x00000000,
  TRAP: 0x00030000,
  ERRNO: 0x00050000,
  TRACE: 0x7ff00000,
  LOG: 0x7ffc0000,
  ALLOW: 0x7fff0000,
} as const;

const EPERM = 1;
const SECCOMP_DATA_NR = 0;
const SECCOMP_DATA_ARCH = 4;
const SECCOMP_DATA_ARGS = 16;
const MAX_ARGS = 6;
const U32 = 0xffffffffn;
const U64_MAX = (1n << 64n) - 1n;

interface Cond {
  index: number;
  op: SeccompArg['op'];
  value: bigint;
  valueTwo: bigint;
}

interface Rule {
  ret: number;
  conds: Cond[];
}

export interface CompiledSeccomp {
  /** struct sock_filter[], ready for seccomp(SECCOMP_SET_MODE_FILTER, flags, &sock_fprog). */
  program: Buffer;
  /** SECCOMP_FILTER_FLAG_* bits for the same call. */
  flags: number;
}

export function compileSeccomp(profile: Seccomp, arch: SeccompArch): CompiledSeccomp {
  const target = Object.hasOwn(TARGETS, arch) ? TARGETS[arch] : undefined;
  if (target === undefined) throw invalidArgument(`seccomp: unsupported architecture ${JSON.stringify(arch)}`);
  checkArchitectures(profile.architectures);
  const flags = filterFlags(profile.flags);
  const defaultRet = actionRet(profile.defaultAction, undefined, profile.defaultErrnoRet);
  const rules = rulesByNumber(profile.syscalls ?? [], syscallTable(arch), defaultRet, profile.defaultErrnoRet);
  const insns = emitProgram(rules, defaultRet, target);
  if (insns.length > BPF_MAXINSNS) {
    throw invalidArgument(
      `seccomp: profile compiles to ${insns.length} BPF instructions, over the kernel limit of ${BPF_MAXINSNS}`,
    );
  }
  return { program: encodeProgram(insns), flags };
}

function checkArchitectures(arches: readonly string[] | undefined): void {
  for (const a of arches ?? []) {
    if (!KNOWN_ARCHES.has(a)) throw invalidArgument(`seccomp: unknown architecture ${JSON.stringify(a)}`);
  }
}

function filterFlags(names: readonly string[] | undefined): number {
  let flags = 0;
  for (const name of names ?? []) {
    const bit = Object.hasOwn(FILTER_FLAGS, name) ? FILTER_FLAGS[name] : undefined;
    if (bit === undefined) throw invalidArgument(`seccomp: unsupported filter flag ${JSON.stringify(name)}`);
    flags |= bit;
  }
  return flags;
}

function actionRet(action: SeccompAction, errnoRet: number | undefined, defaultErrnoRet: number | undefined): number {
  switch (action) {
    case 'SCMP_ACT_KILL':
    case 'SCMP_ACT_KILL_THREAD':
      return RET.KILL_THREAD;
    case 'SCMP_ACT_KILL_PROCESS':
      return RET.KILL_PROCESS;
    case 'SCMP_ACT_TRAP':
      return RET.TRAP;
    case 'SCMP_ACT_ERRNO':
      return (RET.ERRNO | retData(errnoRet ?? defaultErrnoRet ?? EPERM)) >>> 0;
    case 'SCMP_ACT_TRACE':
      return (RET.TRACE | retData(errnoRet ?? defaultErrnoRet ?? EPERM)) >>> 0;
    case 'SCMP_ACT_LOG':
      return RET.LOG;
    case 'SCMP_ACT_ALLOW':
      return RET.ALLOW;
    case 'SCMP_ACT_NOTIFY':
      throw invalidArgument('seccomp: action SCMP_ACT_NOTIFY is not supported (no seccomp agent)');
    default:
      throw invalidArgument(`seccomp: unknown action ${JSON.stringify(action as unknown)}`);
  }
}

/** SECCOMP_RET_DATA is 16 bits; the kernel clamps errno values itself. */
function retData(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff) throw invalidArgument(`seccomp: invalid errno return ${n}`);
  return n;
}

function rulesByNumber(
  entries: readonly SeccompSyscall[],
  table: ReadonlyMap<string, number>,
  defaultRet: number,
  defaultErrnoRet: number | undefined,
): Map<number, Rule[]> {
  const byNr = new Map<number, Rule[]>();
  for (const entry of entries) {
    // Validate every entry, even one whose names this ABI lacks: a bad profile is bad on every host.
    const rule: Rule = { ret: actionRet(entry.action, entry.errnoRet, defaultErrnoRet), conds: (entry.args ?? []).map(toCond) };
    for (const name of entry.names ?? []) {
      const nr = table.get(name);
      if (nr === undefined) continue;
      const list = byNr.get(nr) ?? [];
      list.push(rule);
      byNr.set(nr, list);
    }
  }
  for (const [nr, list] of byNr) {
    const unconditional = list.findIndex((r) => r.conds.length === 0);
    if (unconditional >= 0) list.length = unconditional + 1; // later rules can never be reached
    while (list.length > 0 && list[list.length - 1]!.ret === defaultRet) list.pop(); // same outcome as no match
    if (list.length === 0) byNr.delete(nr);
  }
  return byNr;
}

function toCond(arg: SeccompArg): Cond {
  if (!Number.isInteger(arg.index) || arg.index < 0 || arg.index >= MAX_ARGS) {
    throw invalidArgument(`seccomp: argument index ${arg.index} out of range 0-${MAX_ARGS - 1}`);
  }
  switch (arg.op) {
    case 'SCMP_CMP_NE':
    case 'SCMP_CMP_LT':
    case 'SCMP_CMP_LE':
    case 'SCMP_CMP_EQ':
    case 'SCMP_CMP_GE':
    case 'SCMP_CMP_GT':
    case 'SCMP_CMP_MASKED_EQ':
      return { index: arg.index, op: arg.op, value: toU64(arg.value), valueTwo: toU64(arg.valueTwo ?? 0) };
    default:
      throw invalidArgument(`seccomp: unknown argument operator ${JSON.stringify(arg.op as unknown)}`);
  }
}

function toU64(v: number | bigint): bigint {
  if (typeof v === 'bigint') {
    if (v < 0n || v > U64_MAX) throw invalidArgument(`seccomp: argument value ${v} is not a 64-bit unsigned integer`);
    return v;
  }
  if (!Number.isInteger(v) || v < 0 || v > 2 ** 64) {
    throw invalidArgument(`seccomp: argument value ${v} is not a 64-bit unsigned integer`);
  }
  // JSON numbers are doubles: every u64 from 2^64-1024 up (in practice all-ones, "-1") parses as 2^64.
  return v === 2 ** 64 ? U64_MAX : BigInt(v);
}

type Dest = { ret: number } | { label: Label };

function emitProgram(byNr: Map<number, Rule[]>, defaultRet: number, target: Target): Insn[] {
  const em = new BackwardEmitter();
  const blocks = new Map<string, Label>(); // identical rule lists share one block
  const dests = new Map<number, Dest>();
  for (const nr of [...byNr.keys()].sort((a, b) => b - a)) {
    const rules = byNr.get(nr)!;
    if (rules.length === 1 && rules[0]!.conds.length === 0) {
      dests.set(nr, { ret: rules[0]!.ret });
      continue;
    }
    const key = JSON.stringify(rules, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    let label = blocks.get(key);
    if (label === undefined) {
      label = emitRules(em, rules, defaultRet);
      blocks.set(key, label);
    }
    dests.set(nr, { label });
  }

  const intervals = numberLine(dests, defaultRet);
  const resolve = (d: Dest): Label => ('ret' in d ? em.ret(d.ret) : d.label);
  const search = (lo: number, hi: number): Label => {
    if (hi - lo === 1) return resolve(intervals[lo]!.dest);
    const mid = (lo + hi) >>> 1;
    const upper = search(mid, hi);
    const lower = search(lo, mid);
    return em.jump(OP.JGE_K, intervals[mid]!.start, upper, lower);
  };
  let entry = search(0, intervals.length);
  if (target.foreignNrBit !== undefined) {
    entry = em.jump(OP.JGE_K, target.foreignNrBit, em.ret(defaultRet), entry);
  }
  entry = em.load(SECCOMP_DATA_NR, entry);
  entry = em.jump(OP.JEQ_K, target.auditArch, entry, em.ret(defaultRet));
  entry = em.load(SECCOMP_DATA_ARCH, entry);
  return em.finish(entry);
}

/** [0, 2^32) cut into maximal intervals of syscall numbers that share one destination. */
function numberLine(dests: Map<number, Dest>, defaultRet: number): { start: number; dest: Dest }[] {
  const fallback: Dest = { ret: defaultRet };
  const out: { start: number; dest: Dest }[] = [];
  const add = (start: number, dest: Dest) => {
    const last = out[out.length - 1];
    if (last !== undefined && sameDest(last.dest, dest)) return;
    out.push({ start, dest });
  };
  let next = 0;
  for (const nr of [...dests.keys()].sort((a, b) => a - b)) {
    if (nr > next) add(next, fallback);
    add(nr, dests.get(nr)!);
    next = nr + 1;
  }
  add(next, fallback);
  return out;
}

function sameDest(a: Dest, b: Dest): boolean {
  return 'ret' in a ? 'ret' in b && a.ret === b.ret : 'label' in b && a.label === b.label;
}

function emitRules(em: BackwardEmitter, rules: readonly Rule[], defaultRet: number): Label {
  let next = em.ret(defaultRet);
  for (let r = rules.length - 1; r >= 0; r--) {
    const rule = rules[r]!;
    let entry = em.ret(rule.ret);
    for (let c = rule.conds.length - 1; c >= 0; c--) entry = emitCond(em, rule.conds[c]!, entry, next);
    next = entry;
  }
  return next;
}

/**
 * Tests one 64-bit argument as two 32-bit words (the BPF accumulator is 32 bits): the high word decides
 * unless the two high words are equal, then the low word does.
 */
function emitCond(em: BackwardEmitter, c: Cond, match: Label, fail: Label): Label {
  const lo = SECCOMP_DATA_ARGS + 8 * c.index; // both ABIs are little-endian
  const hi = lo + 4;
  const vLo = Number(c.value & U32);
  const vHi = Number(c.value >> 32n);
  switch (c.op) {
    case 'SCMP_CMP_EQ': {
      const low = em.load(lo, em.jump(OP.JEQ_K, vLo, match, fail));
      return em.load(hi, em.jump(OP.JEQ_K, vHi, low, fail));
    }
    case 'SCMP_CMP_NE': {
      const low = em.load(lo, em.jump(OP.JEQ_K, vLo, fail, match));
      return em.load(hi, em.jump(OP.JEQ_K, vHi, low, match));
    }
    case 'SCMP_CMP_GT':
    case 'SCMP_CMP_GE': {
      const op = c.op === 'SCMP_CMP_GT' ? OP.JGT_K : OP.JGE_K;
      const low = em.load(lo, em.jump(op, vLo, match, fail));
      return em.load(hi, em.jump(OP.JGT_K, vHi, match, em.jump(OP.JEQ_K, vHi, low, fail)));
    }
    case 'SCMP_CMP_LT':
    case 'SCMP_CMP_LE': {
      // arg < v is !(arg >= v); arg <= v is !(arg > v).
      const op = c.op === 'SCMP_CMP_LT' ? OP.JGE_K : OP.JGT_K;
      const low = em.load(lo, em.jump(op, vLo, fail, match));
      return em.load(hi, em.jump(OP.JGT_K, vHi, fail, em.jump(OP.JEQ_K, vHi, low, match)));
    }
    case 'SCMP_CMP_MASKED_EQ':
      return emitMaskedEq(em, c, lo, hi, match, fail);
  }
}

/** (arg & value) == valueTwo, skipping a word whose mask is empty. */
function emitMaskedEq(em: BackwardEmitter, c: Cond, lo: number, hi: number, match: Label, fail: Label): Label {
  const mask = c.value;
  const want = c.valueTwo;
  if ((want & ~mask) !== 0n) return fail; // expects bits the mask clears: never true
  const word = (offset: number, m: number, w: number, onMatch: Label): Label => {
    if (m === 0) return onMatch;
    const test = em.jump(OP.JEQ_K, w, onMatch, fail);
    return em.load(offset, m === 0xffffffff ? test : em.and(m, test));
  };
  const low = word(lo, Number(mask & U32), Number(want & U32), match);
  return word(hi, Number(mask >> 32n), Number(want >> 32n), low);
}
