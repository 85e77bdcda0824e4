// Test support: checks a program the way the kernel's classic BPF checker does and runs it against a
// struct seccomp_data, so the unit tests observe decisions instead of instruction sequences.
import { decodeProgram, OP, type Insn } from './bpf.js';

export const AUDIT_ARCH_X86_64 = 0xc000003e;
export const AUDIT_ARCH_AARCH64 = 0xc00000b7;
export const AUDIT_ARCH_I386 = 0x40000003;

const SECCOMP_DATA_SIZE = 64;

export interface SeccompData {
  nr: number;
  arch: number;
  args?: readonly bigint[];
  instructionPointer?: bigint;
}

/** Throws when the kernel would refuse the program (for the parts of the checker our subset touches). */
export function checkProgram(program: Buffer): Insn[] {
  if (program.length === 0 || program.length % 8 !== 0) throw new Error(`program size ${program.length} is not n*8`);
  const insns = decodeProgram(program);
  if (insns.length > 4096) throw new Error(`program has ${insns.length} instructions`);
  insns.forEach((insn, pc) => {
    const left = insns.length - pc - 1;
    switch (insn.code) {
      case OP.LD_W_ABS:
        if (insn.k % 4 !== 0 || insn.k >= SECCOMP_DATA_SIZE) throw new Error(`pc ${pc}: bad load offset ${insn.k}`);
        break;
      case OP.ALU_AND_K:
      case OP.RET_K:
        break;
      case OP.JA:
        if (insn.k >= left) throw new Error(`pc ${pc}: ja ${insn.k} leaves the program`);
        break;
      case OP.JEQ_K:
      case OP.JGT_K:
      case OP.JGE_K:
        if (insn.jt >= left || insn.jf >= left) throw new Error(`pc ${pc}: jump ${insn.jt}/${insn.jf} leaves the program`);
        break;
      default:
        throw new Error(`pc ${pc}: opcode 0x${insn.code.toString(16)} not expected`);
    }
  });
  if (insns[insns.length - 1]!.code !== OP.RET_K) throw new Error('last instruction is not a ret');
  return insns;
}

export function runProgram(program: Buffer, data: SeccompData): number {
  const insns = checkProgram(program);
  const mem = Buffer.alloc(SECCOMP_DATA_SIZE);
  mem.writeUInt32LE(data.nr >>> 0, 0);
  mem.writeUInt32LE(data.arch >>> 0, 4);
  mem.writeBigUInt64LE(data.instructionPointer ?? 0n, 8);
  (data.args ?? []).forEach((a, i) => mem.writeBigUInt64LE(BigInt.asUintN(64, a), 16 + 8 * i));
  let a = 0;
  for (let pc = 0; pc < insns.length; pc++) {
    const { code, jt, jf, k } = insns[pc]!;
    switch (code) {
      case OP.LD_W_ABS:
        a = mem.readUInt32LE(k);
        break;
      case OP.ALU_AND_K:
        a = (a & k) >>> 0;
        break;
      case OP.JA:
        pc += k;
        break;
      case OP.JEQ_K:
        pc += a === k ? jt : jf;
        break;
      case OP.JGT_K:
        pc += a > k ? jt : jf;
        break;
      case OP.JGE_K:
        pc += a >= k ? jt : jf;
        break;
      case OP.RET_K:
        return k;
      default:
        throw new Error(`pc ${pc}: opcode 0x${code.toString(16)}`);
    }
  }
  throw new Error('ran off the end of the program');
}
