// Unit conversions between OCI's (cgroup v1 flavoured) resource values and cgroup v2 knobs, with runc's
// formulas, so a container gets the same share of the machine whichever runtime started it.
import { invalidArgument } from '../../common/errors.js';

const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));

/**
 * cpu.shares (2–262144, default 1024) → cpu.weight (1–10000, default 100): runc's linear map, which
 * sends 1024 to 39 rather than 100. 0 stays 0 ("not set"); out-of-range shares are clamped as v1's
 * kernel does instead of wrapping around.
 */
export function sharesToWeight(shares: number): number {
  if (shares === 0) return 0;
  const s = clamp(Math.trunc(shares), 2, 262144);
  return 1 + Math.floor(((s - 2) * 9999) / 262142);
}

/** blkio.weight (10–1000) → io.weight (1–10000). 0 stays 0 ("not set"). */
export function blkioWeightToIoWeight(weight: number): number {
  if (weight === 0) return 0;
  const w = clamp(Math.trunc(weight), 10, 1000);
  return 1 + Math.floor(((w - 10) * 9999) / 990);
}

/**
 * OCI swap is memory+swap (v1's memsw); v2's memory.swap.max is swap alone. Returns the v2 value with
 * -1 = unlimited and 0 = leave alone. Memory unlimited with swap unset means both unlimited, as on v1.
 */
export function swapToV2(swap: number, memory: number): number {
  if (memory === -1 && swap === 0) return -1;
  if (swap === -1 || swap === 0) return swap;
  if (memory === 0 || memory === -1) throw invalidArgument('unable to set swap limit without memory limit');
  if (memory < 0) throw invalidArgument(`invalid memory value: ${memory}`);
  if (swap < memory) throw invalidArgument('memory+swap limit should be >= memory limit');
  return swap - memory;
}

/** A v2 limit: -1 (or any negative) → "max". */
export const v2Limit = (n: number): string => (n < 0 ? 'max' : String(Math.trunc(n)));
