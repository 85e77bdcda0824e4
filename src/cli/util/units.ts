// docker/go-units: the size and duration wording docker prints and parses ("64m", "1.99MB", "2 hours"),
// so that berth reads the same flag values and prints the same columns.
import { formatFloat } from '../format/index.js';

const KB = 1000;
const KiB = 1024;
const DECIMAL: Record<string, number> = { k: KB, m: KB ** 2, g: KB ** 3, t: KB ** 4, p: KB ** 5 };
const BINARY: Record<string, number> = { k: KiB, m: KiB ** 2, g: KiB ** 3, t: KiB ** 4, p: KiB ** 5 };
const DECIMAL_ABBRS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
const BINARY_ABBRS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

function scale(size: number, base: number, abbrs: readonly string[]): [number, string] {
  let i = 0;
  let s = size;
  while (s >= base && i < abbrs.length - 1) {
    s /= base;
    i++;
  }
  return [s, abbrs[i]!];
}

/** HumanSize: decimal units with 4 significant digits, e.g. "1.99MB". */
export function humanSize(size: number): string {
  return humanSizeWithPrecision(size, 4);
}

export function humanSizeWithPrecision(size: number, precision: number): string {
  const [s, unit] = scale(size, 1000, DECIMAL_ABBRS);
  return `${formatFloat(s, 'g', precision)}${unit}`;
}

/** BytesSize: binary units, e.g. "64MiB" (docker stats). */
export function bytesSize(size: number): string {
  const [s, unit] = scale(size, 1024, BINARY_ABBRS);
  return `${formatFloat(s, 'g', 4)}${unit}`;
}

/** RAMInBytes: "64m" → 67108864 (binary multiples). */
export function ramInBytes(text: string): number {
  return parseSize(text, BINARY);
}

/** FromHumanSize: "1k" → 1000 (decimal multiples). */
export function fromHumanSize(text: string): number {
  return parseSize(text, DECIMAL);
}

function parseSize(sizeStr: string, map: Record<string, number>): number {
  let sep = -1;
  for (let i = sizeStr.length - 1; i >= 0; i--) {
    if ('0123456789. '.includes(sizeStr[i]!)) {
      sep = i;
      break;
    }
  }
  if (sep === -1) throw new Error(`invalid size: '${sizeStr}'`);
  const num = sizeStr[sep] !== ' ' ? sizeStr.slice(0, sep + 1) : sizeStr.slice(0, sep);
  let sfx = sizeStr.slice(sep + 1);
  const size = parseGoFloat(num);
  if (size < 0) throw new Error(`invalid size: '${sizeStr}'`);
  if (sfx.length === 0) return Math.trunc(size);
  const bad = () => new Error(`invalid suffix: '${sfx}'`);
  if (sfx.length > 3) throw bad();
  sfx = sfx.toLowerCase();
  if (sfx[0] === 'b') {
    if (sfx.length > 1) throw bad();
    return Math.trunc(size);
  }
  const mul = map[sfx[0]!];
  if (mul === undefined) throw bad();
  if ((sfx.length === 2 && sfx[1] !== 'b') || (sfx.length === 3 && sfx.slice(1) !== 'ib')) throw bad();
  return Math.trunc(size * mul);
}

/** strconv.ParseFloat's accepted syntax (decimal only), with its error wording. */
export function parseGoFloat(s: string): number {
  if (!/^[+-]?(\d[\d_]*\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) && !/^[+-]?(inf|infinity|nan)$/i.test(s)) {
    throw new Error(`strconv.ParseFloat: parsing ${JSON.stringify(s)}: invalid syntax`);
  }
  return Number(s.replace(/_/g, ''));
}

/** HumanDuration: "Less than a second", "About a minute", "3 hours", "2 weeks". */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(ms / 3_600_000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(ms / 3_600_000) / 24 / 365)} years`;
}
