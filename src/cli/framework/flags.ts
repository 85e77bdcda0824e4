// Flag declarations in pflag's terms (bool, typed values, repeatable lists), so each command states its
// flags once and gets docker's parsing (strconv/time/go-units rules and error wording) and docker's help
// lines from the same declaration.
import { parseGoDuration } from '../util/gotime.js';
import { parseGoFloat, ramInBytes } from '../util/units.js';

export type FlagKind = 'bool' | 'value' | 'list';

export interface FlagSpec {
  long: string;
  short?: string;
  kind: FlagKind;
  /** The value's type as pflag's help names it ("string", "int", "list", "bytes"…); none for bools. */
  type: string;
  usage: string;
  /** The value before any flag is given. Lists start empty. */
  initial?: unknown;
  /** What help prints as "(default …)"; omitted when the default is the type's zero value. */
  defaultText?: string;
  /** Converts and validates one value; throws an Error whose message docker would print. */
  parse?: (raw: string) => unknown;
  hidden?: boolean;
}

type Extra = Partial<Pick<FlagSpec, 'initial' | 'defaultText' | 'parse' | 'hidden' | 'type'>>;

function make(kind: FlagKind, type: string, names: string, usage: string, extra: Extra = {}): FlagSpec {
  const [long, short] = names.split(',').map((s) => s.trim());
  const spec: FlagSpec = { long: long!, kind, type, usage, ...extra };
  if (short) spec.short = short;
  return spec;
}

/** strconv.ParseBool. */
export function parseGoBool(raw: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(raw)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(raw)) return false;
  throw new Error(`strconv.ParseBool: parsing ${JSON.stringify(raw)}: invalid syntax`);
}

/** strconv.ParseInt(raw, 0, bits): 0x/0o/0b prefixes and underscores, Go's errors. */
export function parseGoInt(raw: string, bits = 64, unsigned = false): number {
  const fn = unsigned ? 'strconv.ParseUint' : 'strconv.ParseInt';
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|0[0-7_]*|[1-9][0-9_]*)$/.exec(raw);
  if (!m || (unsigned && m[1] !== '') || /__|_$/.test(raw)) {
    throw new Error(`${fn}: parsing ${JSON.stringify(raw)}: invalid syntax`);
  }
  const body = m[2]!.replace(/_/g, '');
  let v: bigint;
  if (/^0[xXoObB]/.test(body)) v = BigInt(body.toLowerCase());
  else if (body.length > 1 && body.startsWith('0')) v = BigInt(`0o${body.slice(1)}`);
  else v = BigInt(body);
  if (m[1] === '-') v = -v;
  const max = unsigned ? (1n << BigInt(bits)) - 1n : (1n << BigInt(bits - 1)) - 1n;
  const min = unsigned ? 0n : -(1n << BigInt(bits - 1));
  if (v > max || v < min) throw new Error(`${fn}: parsing ${JSON.stringify(raw)}: value out of range`);
  return Number(v);
}

/** opts.NanoCPUs: a decimal number of CPUs, in billionths. */
export function parseNanoCpus(raw: string): number {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(raw);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new Error(`failed to parse ${raw} as a rational number`);
  const frac = m[3] ?? '';
  if (frac.replace(/0+$/, '').length > 9) throw new Error('value is too precise');
  const nanos = BigInt(m[2] || '0') * 1_000_000_000n + BigInt((frac + '000000000').slice(0, 9) || '0');
  return Number(m[1] === '-' ? -nanos : nanos);
}

/** opts.MemSwapBytes: -1 for unlimited, else a size. */
export function parseMemSwap(raw: string): number {
  return raw === '-1' ? -1 : ramInBytes(raw);
}

export const flag = {
  bool: (names: string, usage: string, extra: Extra = {}) => make('bool', '', names, usage, { initial: false, ...extra }),
  string: (names: string, usage: string, extra: Extra = {}) => make('value', 'string', names, usage, { initial: '', ...extra }),
  int: (names: string, usage: string, extra: Extra = {}) =>
    make('value', 'int', names, usage, { initial: 0, parse: (r) => parseGoInt(r), ...extra }),
  uint16: (names: string, usage: string, extra: Extra = {}) =>
    make('value', 'uint16', names, usage, { initial: 0, parse: (r) => parseGoInt(r, 16, true), ...extra }),
  float: (names: string, usage: string, extra: Extra = {}) =>
    make('value', 'float', names, usage, { initial: 0, parse: parseGoFloat, ...extra }),
  /** opts.ListOpts: repeatable, values kept in order. */
  list: (names: string, usage: string, extra: Extra = {}) => make('list', 'list', names, usage, { initial: [], ...extra }),
  /** opts.MemBytes. */
  bytes: (names: string, usage: string, extra: Extra = {}) =>
    make('value', 'bytes', names, usage, { initial: 0, parse: ramInBytes, ...extra }),
  memSwap: (names: string, usage: string, extra: Extra = {}) =>
    make('value', 'bytes', names, usage, { initial: 0, parse: parseMemSwap, ...extra }),
  decimal: (names: string, usage: string, extra: Extra = {}) =>
    make('value', 'decimal', names, usage, { initial: 0, parse: parseNanoCpus, ...extra }),
  /** time.Duration, in nanoseconds. */
  duration: (names: string, usage: string, extra: Extra = {}) =>
    make('value', 'duration', names, usage, { initial: 0, parse: parseGoDuration, ...extra }),
};

/** pflag's name for a flag in errors: "-m, --memory" or "--cpus". */
export function flagDisplayName(spec: Pick<FlagSpec, 'long' | 'short'>): string {
  return spec.short ? `-${spec.short}, --${spec.long}` : `--${spec.long}`;
}

/** The parsed flags of one command, by long name. */
export class FlagValues {
  constructor(
    private readonly values: ReadonlyMap<string, unknown>,
    private readonly given: ReadonlySet<string>,
  ) {}


  get<T>(name: string): T {
    return this.values.get(name) as T;
  }

  string(name: string): string {
    return (this.values.get(name) as string | undefined) ?? '';
  }

  bool(name: string): boolean {
    return this.values.get(name) === true;
  }

  number(name: string): number {
    return (this.values.get(name) as number | undefined) ?? 0;
  }

  list(name: string): string[] {
    return (this.values.get(name) as string[] | undefined) ?? [];
  }

  /** pflag's Changed: the flag appeared on the command line (even with its default value). */
  changed(name: string): boolean {
    return this.given.has(name);
  }
}
