// Go's encoding/json scanner, reduced to finding where the first JSON value of a text ends or what is wrong
// with it. dockerd's 400s read "invalid JSON: invalid character 'x' looking for beginning of value", and
// people (and tests ported from moby) compare those strings; V8's wording is different.

export type ScanResult =
  | { ok: true; end: number }
  | { ok: false; message: string }
  | { ok: false; eof: true };

type Frame = 'object' | 'array';
type Step = 'value' | 'key-or-close' | 'key' | 'after-key' | 'value-or-close' | 'after-value';

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);

/** Go's quoteChar: the offending byte as Go prints it inside single quotes. */
export function quoteChar(c: number): string {
  if (c === 0x27) return `'\\''`;
  if (c === 0x22) return `'"'`;
  const named: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 92: '\\\\' };
  if (named[c] !== undefined) return `'${named[c]}'`;
  if (c < 0x20 || c === 0x7f) return `'\\x${c.toString(16).padStart(2, '0')}'`;
  return `'${String.fromCharCode(c)}'`;
}

/** Scans the first JSON value in `buf` (bytes, as Go sees them) and reports its end or Go's error text. */
export function scanJsonValue(buf: Uint8Array): ScanResult {
  const stack: Frame[] = [];
  let step: Step = 'value';
  let i = 0;
  const bad = (context: string): ScanResult => ({ ok: false, message: `invalid character ${quoteChar(buf[i]!)} ${context}` });
  for (;;) {
    if (step === 'after-value' && stack.length === 0) return { ok: true, end: i };
    while (i < buf.length && isSpace(buf[i]!)) i++;
    if (i >= buf.length) return { ok: false, eof: true };
    const c = buf[i]!;
    switch (step) {
      case 'value': {
        const r = scanValueStart(buf, i, stack);
        if (typeof r !== 'number') return r;
        step = c === 0x7b ? 'key-or-close' : c === 0x5b ? 'value-or-close' : 'after-value';
        i = r;
        break;
      }
      case 'key-or-close':
      case 'value-or-close':
        if (c === (step === 'key-or-close' ? 0x7d : 0x5d)) {
          stack.pop();
          step = 'after-value';
          i++;
        } else {
          step = step === 'key-or-close' ? 'key' : 'value';
        }
        break;
      case 'key': {
        if (c !== 0x22) return bad('looking for beginning of object key string');
        const r = scanValueStart(buf, i, stack);
        if (typeof r !== 'number') return r;
        step = 'after-key';
        i = r;
        break;
      }
      case 'after-key':
        if (c !== 0x3a) return bad('after object key');
        step = 'value';
        i++;
        break;
      case 'after-value': {
        const inObject = stack[stack.length - 1] === 'object';
        if (c === 0x2c) step = inObject ? 'key' : 'value';
        else if (c === (inObject ? 0x7d : 0x5d)) stack.pop();
        else return bad(inObject ? 'after object key:value pair' : 'after array element');
        i++;
        break;
      }
    }
  }
}

/** Reads a scalar or an opening bracket at `i`; returns the index after it, or a result on error/EOF. */
function scanValueStart(buf: Uint8Array, i: number, stack: Frame[]): number | ScanResult {
  const bad = (at: number, context: string): ScanResult => ({ ok: false, message: `invalid character ${quoteChar(buf[at]!)} ${context}` });
  const eof: ScanResult = { ok: false, eof: true };
  const c = buf[i]!;
  if (c === 0x7b) {
    stack.push('object');
    return i + 1;
  }
  if (c === 0x5b) {
    stack.push('array');
    return i + 1;
  }
  if (c === 0x22) {
    let j = i + 1;
    for (;;) {
      if (j >= buf.length) return eof;
      const d = buf[j]!;
      if (d === 0x22) break;
      if (d < 0x20) return bad(j, 'in string literal');
      if (d === 0x5c) {
        j++;
        if (j >= buf.length) return eof;
        const e = buf[j]!;
        if (e === 0x75) {
          for (let k = 1; k <= 4; k++) {
            if (j + k >= buf.length) return eof;
            if (!isHex(buf[j + k]!)) return bad(j + k, 'in \\u hexadecimal character escape');
          }
          j += 4;
        } else if (!'"\\/bfnrt'.includes(String.fromCharCode(e))) {
          return bad(j, 'in string escape code');
        }
      }
      j++;
    }
    return j + 1;
  }
  if (c === 0x2d || isDigit(c)) return scanNumber(buf, i);
  for (const word of ['true', 'false', 'null']) {
    if (c !== word.charCodeAt(0)) continue;
    for (let k = 1; k < word.length; k++) {
      if (i + k >= buf.length) return eof;
      if (buf[i + k] !== word.charCodeAt(k)) return bad(i + k, `in literal ${word} (expecting '${word[k]}')`);
    }
    return i + word.length;
  }
  return bad(i, 'looking for beginning of value');
}

function scanNumber(buf: Uint8Array, i: number): number | ScanResult {
  const bad = (at: number, context: string): ScanResult => ({ ok: false, message: `invalid character ${quoteChar(buf[at]!)} ${context}` });
  const eof: ScanResult = { ok: false, eof: true };
  let j = i;
  if (buf[j] === 0x2d) {
    j++;
    if (j >= buf.length) return eof;
    if (!isDigit(buf[j]!)) return bad(j, 'in numeric literal');
  }
  if (buf[j] === 0x30) j++;
  else while (j < buf.length && isDigit(buf[j]!)) j++;
  if (buf[j] === 0x2e) {
    j++;
    if (j >= buf.length) return eof;
    if (!isDigit(buf[j]!)) return bad(j, 'after decimal point in numeric literal');
    while (j < buf.length && isDigit(buf[j]!)) j++;
  }
  if (buf[j] === 0x65 || buf[j] === 0x45) {
    j++;
    if (buf[j] === 0x2b || buf[j] === 0x2d) j++;
    if (j >= buf.length) return eof;
    if (!isDigit(buf[j]!)) return bad(j, 'in exponent of numeric literal');
    while (j < buf.length && isDigit(buf[j]!)) j++;
  }
  return j;
}
