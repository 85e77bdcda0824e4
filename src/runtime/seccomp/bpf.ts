// Classic BPF, only the subset seccomp's filter checker accepts, and a code generator that builds the
// program from its last instruction to its first.
//
// Building backwards is what makes jump offsets easy: when an instruction is emitted, every instruction
// it can jump to already exists, so its offset is known at once and never patched. A label is an
// instruction's distance from the end of the program, which does not change as more code is put in
// front of it. Conditional jumps carry 8-bit offsets; a target further than 255 instructions away is
// reached through an unconditional `ja` (32-bit offset) emitted right after the conditional.

/** struct sock_filter codes (linux/filter.h: class | size | mode / op | source). */
export const OP = {
  LD_W_ABS: 0x20, // BPF_LD | BPF_W | BPF_ABS
  ALU_AND_K: 0x54, // BPF_ALU | BPF_AND | BPF_K
  JA: 0x05, // BPF_JMP | BPF_JA
  JEQ_K: 0x15, // BPF_JMP | BPF_JEQ | BPF_K
  JGT_K: 0x25, // BPF_JMP | BPF_JGT | BPF_K
  JGE_K: 0x35, // BPF_JMP | BPF_JGE | BPF_K
  RET_K: 0x06, // BPF_RET | BPF_K
} as const;

export type CondJumpCode = typeof OP.JEQ_K | typeof OP.JGT_K | typeof OP.JGE_K;

/** BPF_MAXINSNS: the kernel refuses longer classic programs. */
export const BPF_MAXINSNS = 4096;

export interface Insn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

/** Distance of an instruction from the end of the program (0 = the last instruction). */
export type Label = number;

const MAX_SHORT_JUMP = 255;

// A `ret` is one instruction, the same price as a trampoline, so a far one is re-emitted instead of
// jumped to. The margin leaves room for the trampolines a caller may still put in between.
const RET_REUSE_DISTANCE = 240;

export class BackwardEmitter {
  private readonly rev: Insn[] = [];
  private readonly rets = new Map<number, Label>();

  get length(): number {
    return this.rev.length;
  }

  /** `ret k`; an earlier identical `ret` is reused while it is near. */
  ret(k: number): Label {
    const known = this.rets.get(k);
    if (known !== undefined && this.offsetTo(known) <= RET_REUSE_DISTANCE) return known;
    const label = this.push({ code: OP.RET_K, jt: 0, jf: 0, k: k >>> 0 });
    this.rets.set(k, label);
    return label;
  }

  /** A = 32-bit word at `offset` of struct seccomp_data, then continue at `next`. */
  load(offset: number, next: Label): Label {
    this.fallInto(next);
    return this.push({ code: OP.LD_W_ABS, jt: 0, jf: 0, k: offset });
  }

  /** A &= mask, then continue at `next`. */
  and(mask: number, next: Label): Label {
    this.fallInto(next);
    return this.push({ code: OP.ALU_AND_K, jt: 0, jf: 0, k: mask >>> 0 });
  }

  /** if (A <op> k) goto t else goto f. Emits nothing when both branches meet. */
  jump(code: CondJumpCode, k: number, t: Label, f: Label): Label {
    if (t === f) return t;
    let tFar = this.offsetTo(t) > MAX_SHORT_JUMP;
    let fFar = this.offsetTo(f) > MAX_SHORT_JUMP;
    // A single trampoline pushes the other target one instruction further away.
    if (tFar && !fFar) fFar = this.offsetTo(f) + 1 > MAX_SHORT_JUMP;
    if (fFar && !tFar) tFar = this.offsetTo(t) + 1 > MAX_SHORT_JUMP;
    const ff = fFar ? this.ja(f) : f;
    const tt = tFar ? this.ja(t) : t;
    return this.push({ code, jt: this.offsetTo(tt), jf: this.offsetTo(ff), k: k >>> 0 });
  }

  /** Unconditional jump. */
  ja(target: Label): Label {
    return this.push({ code: OP.JA, jt: 0, jf: 0, k: this.offsetTo(target) });
  }

  /** The program in execution order; `entry` must be the last label emitted. */
  finish(entry: Label): Insn[] {
    if (entry !== this.rev.length - 1) this.ja(entry);
    return [...this.rev].reverse();
  }

  // Non-jump instructions fall through to the instruction emitted just before them.
  private fallInto(next: Label): void {
    if (next !== this.rev.length - 1) this.ja(next);
  }

  /** The jump offset the next emitted instruction needs to reach `target`. */
  private offsetTo(target: Label): number {
    return this.rev.length - target - 1;
  }

  private push(insn: Insn): Label {
    this.rev.push(insn);
    return this.rev.length - 1;
  }
}

/** struct sock_filter[]: u16 code, u8 jt, u8 jf, u32 k, little-endian (both supported arches are). */
export function encodeProgram(insns: readonly Insn[]): Buffer {
  const buf = Buffer.alloc(insns.length * 8);
  insns.forEach((insn, i) => {
    buf.writeUInt16LE(insn.code, i * 8);
    buf.writeUInt8(insn.jt, i * 8 + 2);
    buf.writeUInt8(insn.jf, i * 8 + 3);
    buf.writeUInt32LE(insn.k >>> 0, i * 8 + 4);
  });
  return buf;
}

export function decodeProgram(buf: Buffer): Insn[] {
  const out: Insn[] = [];
  for (let off = 0; off + 8 <= buf.length; off += 8) {
    out.push({ code: buf.readUInt16LE(off), jt: buf.readUInt8(off + 2), jf: buf.readUInt8(off + 3), k: buf.readUInt32LE(off + 4) });
  }
  return out;
}
