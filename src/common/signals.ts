// Signal names ↔ numbers (Linux x86_64/aarch64 numbering), accepting Docker's and runc's spellings:
// "TERM", "SIGTERM", "sigterm", "15", and the real-time forms "RTMIN+3".
import { invalidArgument } from './errors.js';

export const SIGNALS: Record<string, number> = {
  HUP: 1, INT: 2, QUIT: 3, ILL: 4, TRAP: 5, ABRT: 6, IOT: 6, BUS: 7, FPE: 8, KILL: 9, USR1: 10, SEGV: 11,
  USR2: 12, PIPE: 13, ALRM: 14, TERM: 15, STKFLT: 16, CHLD: 17, CONT: 18, STOP: 19, TSTP: 20, TTIN: 21,
  TTOU: 22, URG: 23, XCPU: 24, XFSZ: 25, VTALRM: 26, PROF: 27, WINCH: 28, IO: 29, POLL: 29, PWR: 30, SYS: 31,
};
const RTMIN = 34;
const RTMAX = 64;

export function parseSignal(input: string): number {
  const s = input.trim().toUpperCase().replace(/^SIG/, '');
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    if (n >= 1 && n <= RTMAX) return n;
  } else if (s in SIGNALS) {
    return SIGNALS[s]!;
  } else {
    const rt = /^RTMIN(?:\+(\d+))?$/.exec(s) ?? /^RTMAX(?:-(\d+))?$/.exec(s);
    if (rt) {
      const off = Number(rt[1] ?? 0);
      const n = s.startsWith('RTMIN') ? RTMIN + off : RTMAX - off;
      if (n >= RTMIN && n <= RTMAX) return n;
    }
  }
  throw invalidArgument(`Invalid signal: ${input}`);
}

export function signalName(n: number): string {
  for (const [k, v] of Object.entries(SIGNALS)) if (v === n && k !== 'IOT' && k !== 'POLL') return `SIG${k}`;
  return String(n);
}
