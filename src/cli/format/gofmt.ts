// Go's fmt (Sprint, Sprintln, Sprintf) and the strconv pieces it rests on. Every value a template prints
// goes through fmt in the docker CLI, so "map[a:1 b:2]", "[a b]", "<nil>", "1e+06" and
// "%!d(string=x)" have to come out exactly as Go writes them.
import {
  kindOf,
  numberValue,
  sortedEntries,
  stringerOf,
  structFields,
  typeName,
  type Kind,
} from './values.js';

// ---------------------------------------------------------------------------------------------------
// strconv

const LOWER_HEX = '0123456789abcdef';
const UPPER_HEX = '0123456789ABCDEF';

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
export function isPrint(r: number): boolean {
  if (r === 0x20) return true;
  if (r < 0x20 || r === 0x7f) return false;
  if (r >= 0xd800 && r <= 0xdfff) return false;
  return PRINTABLE.test(String.fromCodePoint(r));
}

/** Code points of a JS string; lone surrogates become U+FFFD as they would once encoded to UTF-8. */
export function runes(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) {
    const r = ch.codePointAt(0)!;
    out.push(r >= 0xd800 && r <= 0xdfff ? 0xfffd : r);
  }
  return out;
}

export function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function hexDigits(r: number, n: number): string {
  return r.toString(16).padStart(n, '0');
}

function appendEscapedRune(r: number, quote: string, asciiOnly: boolean): string {
  const ch = String.fromCodePoint(r);
  if (ch === quote || ch === '\\') return '\\' + ch;
  if (asciiOnly) {
    if (r < 0x80 && isPrint(r)) return ch;
  } else if (isPrint(r)) {
    return ch;
  }
  switch (r) {
    case 0x07:
      return '\\a';
    case 0x08:
      return '\\b';
    case 0x0c:
      return '\\f';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
    case 0x0b:
      return '\\v';
  }
  if (r < 0x20 || r === 0x7f) return '\\x' + hexDigits(r, 2);
  if (r < 0x10000) return '\\u' + hexDigits(r, 4);
  return '\\U' + hexDigits(r, 8);
}

/** strconv.Quote (or QuoteToASCII). */
export function quote(s: string, asciiOnly = false): string {
  let out = '"';
  for (const r of runes(s)) out += appendEscapedRune(r, '"', asciiOnly);
  return out + '"';
}

/** strconv.QuoteRune. */
export function quoteRune(r: number, asciiOnly = false): string {
  if (r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff) || r < 0) r = 0xfffd;
  return "'" + appendEscapedRune(r, "'", asciiOnly) + "'";
}

/** strconv.CanBackquote. */
export function canBackquote(s: string): boolean {
  for (const r of runes(s)) {
    if (r === 0xfeff || r === 0x60) return false;
    if ((r < 0x20 && r !== 0x09) || r === 0x7f) return false;
  }
  return true;
}

/** A positive finite double as exact decimal digits: value = 0.d × 10^dp (Go's strconv decimal). */
interface Decimal {
  d: string;
  dp: number;
}

function exactDecimal(x: number): Decimal {
  if (x === 0) return { d: '', dp: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (biased === 0) {
    exp = -1074;
  } else {
    mant |= 1n << 52n;
    exp = biased - 1075;
  }
  let digits: string;
  let dp: number;
  if (exp >= 0) {
    digits = (mant << BigInt(exp)).toString();
    dp = digits.length;
  } else {
    digits = (mant * 5n ** BigInt(-exp)).toString();
    dp = digits.length + exp;
  }
  digits = digits.replace(/0+$/, '');
  return { d: digits, dp };
}

function shortestDecimal(x: number): Decimal {
  if (x === 0) return { d: '', dp: 0 };
  // JS's Number→string conversion produces the shortest round-tripping digits, as Go's does.
  const m = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(x.toExponential())!;
  const d = (m[1]! + (m[2] ?? '')).replace(/0+$/, '');
  return { d, dp: Number(m[3]) + 1 };
}

// decimal.Round: round half to even on the exact value.
function roundDecimal(a: Decimal, nd: number): Decimal {
  if (nd < 0 || nd >= a.d.length) return a;
  let up: boolean;
  if (a.d[nd] === '5' && nd + 1 === a.d.length) {
    up = nd > 0 && (a.d.charCodeAt(nd - 1) - 48) % 2 === 1;
  } else {
    up = a.d[nd]! >= '5';
  }
  if (!up) {
    const d = a.d.slice(0, nd).replace(/0+$/, '');
    return { d, dp: d === '' ? 0 : a.dp };
  }
  for (let i = nd - 1; i >= 0; i--) {
    if (a.d[i]! < '9') {
      return { d: a.d.slice(0, i) + String.fromCharCode(a.d.charCodeAt(i) + 1), dp: a.dp };
    }
  }
  return { d: '1', dp: a.dp + 1 };
}

function fmtE(neg: boolean, d: Decimal, prec: number, fmt: string): string {
  let out = neg ? '-' : '';
  out += d.d.length !== 0 ? d.d[0] : '0';
  if (prec > 0) {
    out += '.';
    const m = Math.min(d.d.length, prec + 1);
    let i = 1;
    if (i < m) {
      out += d.d.slice(i, m);
      i = m;
    }
    for (; i <= prec; i++) out += '0';
  }
  out += fmt;
  let exp = d.d.length === 0 ? 0 : d.dp - 1;
  out += exp < 0 ? '-' : '+';
  exp = Math.abs(exp);
  out += exp < 10 ? '0' + exp : String(exp);
  return out;
}

function fmtF(neg: boolean, d: Decimal, prec: number): string {
  let out = neg ? '-' : '';
  if (d.dp > 0) {
    const m = Math.min(d.d.length, d.dp);
    out += d.d.slice(0, m) + '0'.repeat(d.dp - m);
  } else {
    out += '0';
  }
  if (prec > 0) {
    out += '.';
    for (let i = 1; i <= prec; i++) {
      const j = d.dp + i - 1;
      out += j >= 0 && j < d.d.length ? d.d[j] : '0';
    }
  }
  return out;
}

/** strconv.FormatFloat(x, fmt, prec, 64) for fmt in e E f g G (prec -1 = shortest). */
export function formatFloat(x: number, fmt: 'e' | 'E' | 'f' | 'g' | 'G', prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  const neg = x < 0 || Object.is(x, -0);
  const abs = Math.abs(x);
  const shortest = prec < 0;
  let digs: Decimal;
  if (shortest) {
    digs = shortestDecimal(abs);
    switch (fmt) {
      case 'e':
      case 'E':
        prec = Math.max(digs.d.length - 1, 0);
        break;
      case 'f':
        prec = Math.max(digs.d.length - digs.dp, 0);
        break;
      default:
        prec = digs.d.length;
    }
  } else {
    digs = exactDecimal(abs);
    switch (fmt) {
      case 'e':
      case 'E':
        digs = roundDecimal(digs, prec + 1);
        break;
      case 'f':
        digs = roundDecimal(digs, digs.dp + prec);
        break;
      default:
        if (prec === 0) prec = 1;
        digs = roundDecimal(digs, prec);
    }
  }
  switch (fmt) {
    case 'e':
    case 'E':
      return fmtE(neg, digs, prec, fmt);
    case 'f':
      return fmtF(neg, digs, prec);
  }
  let eprec = prec;
  if (eprec > digs.d.length && digs.d.length >= digs.dp) eprec = digs.d.length;
  if (shortest) eprec = 6;
  const exp = digs.dp - 1;
  if (exp < -4 || exp >= eprec) {
    if (prec > digs.d.length) prec = digs.d.length;
    return fmtE(neg, digs, prec - 1, fmt === 'g' ? 'e' : 'E');
  }
  if (prec > digs.dp) prec = digs.d.length;
  return fmtF(neg, digs, Math.max(prec - digs.dp, 0));
}

// ---------------------------------------------------------------------------------------------------
// fmt

interface Flags {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  plusV: boolean;
  sharpV: boolean;
  wid: number;
  widPresent: boolean;
  prec: number;
  precPresent: boolean;
}

function clearFlags(): Flags {
  return {
    plus: false,
    minus: false,
    sharp: false,
    space: false,
    zero: false,
    plusV: false,
    sharpV: false,
    wid: 0,
    widPresent: false,
    prec: 0,
    precPresent: false,
  };
}

function isStringArg(v: unknown): boolean {
  return typeof v === 'string';
}

class Printer {
  buf = '';
  f: Flags = clearFlags();
  // The operand being printed, for "%!verb(type=value)"; undefined once printValue has taken over.
  private arg: unknown = undefined;
  private argSet = false;
  private erroring = false;

  private writePadding(n: number): void {
    if (n <= 0) return;
    this.buf += (this.f.zero && !this.f.minus ? '0' : ' ').repeat(n);
  }

  pad(s: string): void {
    if (!this.f.widPresent || this.f.wid === 0) {
      this.buf += s;
      return;
    }
    const width = this.f.wid - runeCount(s);
    if (!this.f.minus) {
      this.writePadding(width);
      this.buf += s;
    } else {
      this.buf += s;
      this.writePadding(width);
    }
  }

  private truncate(s: string): string {
    if (this.f.precPresent) {
      const rs = Array.from(s);
      if (rs.length > this.f.prec) return rs.slice(0, this.f.prec).join('');
    }
    return s;
  }

  private fmtS(s: string): void {
    this.pad(this.truncate(s));
  }

  private fmtQ(s: string): void {
    s = this.truncate(s);
    if (this.f.sharp && canBackquote(s)) {
      this.pad('`' + s + '`');
      return;
    }
    this.pad(quote(s, this.f.plus));
  }

  private fmtSbx(bytes: Uint8Array, digits: string): void {
    let length = bytes.length;
    if (this.f.precPresent && this.f.prec < length) length = this.f.prec;
    let width = 2 * length;
    if (width > 0) {
      if (this.f.space) {
        if (this.f.sharp) width *= 2;
        width += length - 1;
      } else if (this.f.sharp) {
        width += 2;
      }
    } else {
      if (this.f.widPresent) this.writePadding(this.f.wid);
      return;
    }
    if (this.f.widPresent && this.f.wid > width && !this.f.minus) this.writePadding(this.f.wid - width);
    const x = digits === UPPER_HEX ? 'X' : 'x';
    if (this.f.sharp) this.buf += '0' + x;
    for (let i = 0; i < length; i++) {
      if (this.f.space && i > 0) {
        this.buf += ' ';
        if (this.f.sharp) this.buf += '0' + x;
      }
      const c = bytes[i]!;
      this.buf += digits[c >> 4]! + digits[c & 0xf]!;
    }
    if (this.f.widPresent && this.f.wid > width && this.f.minus) this.writePadding(this.f.wid - width);
  }

  private fmtBoolean(v: boolean): void {
    this.pad(v ? 'true' : 'false');
  }

  private fmtIntegerBase(v: bigint, base: number, verb: string, digits: string): void {
    const negative = v < 0n;
    let u = negative ? -v : v;
    let prec = 0;
    if (this.f.precPresent) {
      prec = this.f.prec;
      if (prec === 0 && u === 0n) {
        const oldZero = this.f.zero;
        this.f.zero = false;
        this.writePadding(this.f.wid);
        this.f.zero = oldZero;
        return;
      }
    } else if (this.f.zero && !this.f.minus && this.f.widPresent) {
      prec = this.f.wid;
      if (negative || this.f.plus || this.f.space) prec--;
    }
    let s = '';
    const b = BigInt(base);
    if (u === 0n) s = '0';
    while (u > 0n) {
      s = digits[Number(u % b)]! + s;
      u /= b;
    }
    if (s.length < prec) s = '0'.repeat(prec - s.length) + s;
    if (this.f.sharp) {
      if (base === 2) s = '0b' + s;
      else if (base === 8 && s[0] !== '0') s = '0' + s;
      else if (base === 16) s = '0' + digits[16]! + s;
    }
    if (verb === 'O') s = '0o' + s;
    if (negative) s = '-' + s;
    else if (this.f.plus) s = '+' + s;
    else if (this.f.space) s = ' ' + s;
    const oldZero = this.f.zero;
    this.f.zero = false;
    this.pad(s);
    this.f.zero = oldZero;
  }

  private fmtInteger(v: bigint, verb: string): void {
    switch (verb) {
      case 'v':
      case 'd':
        this.fmtIntegerBase(v, 10, verb, LOWER_HEX);
        return;
      case 'b':
        this.fmtIntegerBase(v, 2, verb, LOWER_HEX);
        return;
      case 'o':
      case 'O':
        this.fmtIntegerBase(v, 8, verb, LOWER_HEX);
        return;
      case 'x':
        this.fmtIntegerBase(v, 16, verb, LOWER_HEX + 'x');
        return;
      case 'X':
        this.fmtIntegerBase(v, 16, verb, UPPER_HEX + 'X');
        return;
      case 'c': {
        const r = v < 0n || v > 0x10ffffn || (v >= 0xd800n && v <= 0xdfffn) ? 0xfffd : Number(v);
        this.pad(String.fromCodePoint(r));
        return;
      }
      case 'q':
        this.pad(quoteRune(v < 0n || v > 0x10ffffn ? 0xfffd : Number(v), this.f.plus));
        return;
      case 'U': {
        let s = 'U+' + (v < 0n ? v + 2n ** 64n : v).toString(16).toUpperCase().padStart(4, '0');
        if (this.f.precPresent && this.f.prec > 4) {
          s = 'U+' + s.slice(2).padStart(this.f.prec, '0');
        }
        if (this.f.sharp && v >= 0n && v <= 0x10ffffn && isPrint(Number(v))) {
          s += " '" + String.fromCodePoint(Number(v)) + "'";
        }
        const oldZero = this.f.zero;
        this.f.zero = false;
        this.pad(s);
        this.f.zero = oldZero;
        return;
      }
      default:
        this.badVerb(verb);
    }
  }

  private fmtFloatVerb(v: number, verb: string, defaultPrec: number): void {
    const prec = this.f.precPresent ? this.f.prec : defaultPrec;
    const fmtChar = (verb === 'F' ? 'f' : verb) as 'e' | 'E' | 'f' | 'g' | 'G';
    let num = formatFloat(v, fmtChar, prec);
    if (num[0] !== '-' && num[0] !== '+') num = '+' + num;
    if (this.f.space && num[0] === '+' && !this.f.plus) num = ' ' + num.slice(1);
    if (num[1] === 'I' || num[1] === 'N') {
      const oldZero = this.f.zero;
      this.f.zero = false;
      if (num[1] === 'N' && !this.f.space && !this.f.plus) num = num.slice(1);
      this.pad(num);
      this.f.zero = oldZero;
      return;
    }
    if (this.f.sharp) {
      let digits = 0;
      if (fmtChar === 'g' || fmtChar === 'G') {
        digits = prec;
        if (digits === -1) digits = 6;
      }
      let tail = '';
      let hasDecimalPoint = false;
      let sawNonzeroDigit = false;
      for (let i = 1; i < num.length; i++) {
        const c = num[i]!;
        if (c === '.') {
          hasDecimalPoint = true;
        } else if (c === 'e' || c === 'E') {
          tail = num.slice(i);
          num = num.slice(0, i);
          break;
        } else {
          if (c !== '0') sawNonzeroDigit = true;
          if (sawNonzeroDigit) digits--;
        }
      }
      if (!hasDecimalPoint) {
        if (num.length === 2 && num[1] === '0') digits--;
        num += '.';
      }
      while (digits > 0) {
        num += '0';
        digits--;
      }
      num += tail;
    }
    if (this.f.plus || num[0] !== '+') {
      if (this.f.zero && !this.f.minus && this.f.widPresent && this.f.wid > num.length) {
        this.buf += num[0];
        this.writePadding(this.f.wid - num.length);
        this.buf += num.slice(1);
        return;
      }
      this.pad(num);
      return;
    }
    this.pad(num.slice(1));
  }

  private fmtFloat(v: number, verb: string): void {
    switch (verb) {
      case 'v':
        this.fmtFloatVerb(v, 'g', -1);
        return;
      case 'g':
      case 'G':
        this.fmtFloatVerb(v, verb, -1);
        return;
      case 'f':
      case 'F':
      case 'e':
      case 'E':
        this.fmtFloatVerb(v, verb, 6);
        return;
      default:
        this.badVerb(verb);
    }
  }

  private fmtString(v: string, verb: string): void {
    switch (verb) {
      case 'v':
        if (this.f.sharpV) this.fmtQ(v);
        else this.fmtS(v);
        return;
      case 's':
        this.fmtS(v);
        return;
      case 'x':
        this.fmtSbx(Buffer.from(v, 'utf8'), LOWER_HEX);
        return;
      case 'X':
        this.fmtSbx(Buffer.from(v, 'utf8'), UPPER_HEX);
        return;
      case 'q':
        this.fmtQ(v);
        return;
      default:
        this.badVerb(verb);
    }
  }

  private badVerb(verb: string): void {
    this.erroring = true;
    this.buf += '%!' + verb + '(';
    if (this.argSet && this.arg !== undefined && this.arg !== null) {
      const a = this.arg;
      this.buf += typeName(a) + '=';
      this.printArg(a, 'v');
    } else {
      this.buf += '<nil>';
    }
    this.buf += ')';
    this.erroring = false;
  }

  private handleMethods(v: unknown, verb: string): boolean {
    if (this.erroring || this.f.sharpV) return false;
    if (verb !== 'v' && verb !== 's' && verb !== 'x' && verb !== 'X' && verb !== 'q') return false;
    const str = stringerOf(v);
    if (str === undefined) return false;
    this.fmtString(str(), verb);
    return true;
  }

  printArg(arg: unknown, verb: string): void {
    this.arg = arg;
    this.argSet = true;
    if (arg === undefined || arg === null) {
      if (verb === 'T' || verb === 'v') this.pad('<nil>');
      else this.badVerb(verb);
      return;
    }
    if (verb === 'T') {
      this.fmtS(typeName(arg));
      return;
    }
    this.printKind(arg, kindOf(arg), verb, 0);
  }

  private printKind(v: unknown, kind: Kind, verb: string, depth: number): void {
    switch (kind) {
      case 'bool':
        if (verb === 't' || verb === 'v') this.fmtBoolean(v as boolean);
        else this.badVerb(verb);
        return;
      case 'int':
        this.fmtInteger(BigInt(v as number | bigint), verb);
        return;
      case 'float':
        this.fmtFloat(numberValue(v), verb);
        return;
      case 'string':
        this.fmtString(v as string, verb);
        return;
      default:
        if (depth === 0 && this.handleMethods(v, verb)) return;
        this.printValue(v, verb, depth);
    }
  }

  printValue(value: unknown, verb: string, depth: number): void {
    if (depth > 0 && value !== undefined && value !== null) {
      this.arg = value;
      this.argSet = true;
      if (this.handleMethods(value, verb)) return;
    }
    this.argSet = false;
    this.arg = value;
    const kind = kindOf(value);
    switch (kind) {
      case 'invalid':
      case 'nil':
        // Nested nils are nil interfaces (or pointers): fmt writes "<nil>" whatever the verb.
        if (depth === 0 && kind === 'invalid') this.buf += '<invalid reflect.Value>';
        else this.buf += '<nil>';
        return;
      case 'bool':
      case 'int':
      case 'float':
      case 'string':
        this.arg = value;
        this.argSet = true;
        this.printKind(value, kind, verb, depth);
        return;
      case 'func':
        this.buf += this.f.sharpV ? '(func())(0x0)' : '0x0';
        return;
      case 'map': {
        const entries = sortedEntries(value as object);
        if (this.f.sharpV) {
          this.buf += typeName(value) + '{';
        } else {
          this.buf += 'map[';
        }
        entries.forEach(([k, v], i) => {
          if (i > 0) this.buf += this.f.sharpV ? ', ' : ' ';
          this.printValue(k, verb, depth + 1);
          this.buf += ':';
          this.printValue(v, verb, depth + 1);
        });
        this.buf += this.f.sharpV ? '}' : ']';
        return;
      }
      case 'struct': {
        if (this.f.sharpV) this.buf += typeName(value).replace(/^\*/, '');
        this.buf += '{';
        structFields(value as object).forEach(([name, v], i) => {
          if (i > 0) this.buf += this.f.sharpV ? ', ' : ' ';
          if (this.f.plusV || this.f.sharpV) this.buf += name + ':';
          this.printValue(v, verb, depth + 1);
        });
        this.buf += '}';
        return;
      }
      case 'bytes': {
        const bytes = value as Uint8Array;
        this.arg = value;
        this.argSet = true;
        if (verb === 's' || verb === 'q') {
          this.fmtString(Buffer.from(bytes).toString('utf8'), verb);
        } else if (verb === 'x' || verb === 'X') {
          this.fmtSbx(bytes, verb === 'X' ? UPPER_HEX : LOWER_HEX);
        } else {
          this.printSlice(Array.from(bytes), verb, depth, '[]uint8');
        }
        return;
      }
      case 'slice':
        this.printSlice(value as unknown[], verb, depth, typeName(value));
        return;
    }
  }

  private printSlice(items: unknown[], verb: string, depth: number, type: string): void {
    if (this.f.sharpV) {
      this.buf += type + '{';
      items.forEach((v, i) => {
        if (i > 0) this.buf += ', ';
        this.printValue(v, verb, depth + 1);
      });
      this.buf += '}';
      return;
    }
    this.buf += '[';
    items.forEach((v, i) => {
      if (i > 0) this.buf += ' ';
      this.printValue(v, verb, depth + 1);
    });
    this.buf += ']';
  }

  doPrint(args: readonly unknown[]): void {
    let prevString = false;
    args.forEach((arg, i) => {
      const isString = isStringArg(arg);
      if (i > 0 && !isString && !prevString) this.buf += ' ';
      this.printArg(arg, 'v');
      prevString = isString;
    });
  }

  doPrintln(args: readonly unknown[]): void {
    args.forEach((arg, i) => {
      if (i > 0) this.buf += ' ';
      this.printArg(arg, 'v');
    });
    this.buf += '\n';
  }

  doPrintf(format: string, a: readonly unknown[]): void {
    const end = format.length;
    let argNum = 0;
    let afterIndex = false;
    let reordered = false;
    let goodArgNum = true;

    const parsenum = (i: number): [number, boolean, number] => {
      let num = 0;
      let isnum = false;
      while (i < end && format[i]! >= '0' && format[i]! <= '9') {
        if (num > 1e6) return [0, false, end];
        num = num * 10 + (format.charCodeAt(i) - 48);
        isnum = true;
        i++;
      }
      return [num, isnum, i];
    };
    const argNumber = (argN: number, i: number): [number, number, boolean] => {
      if (i >= end || format[i] !== '[') return [argN, i, false];
      reordered = true;
      // parseArgNumber
      let index = 0;
      let wid = 1;
      let ok = false;
      if (end - i >= 3) {
        for (let j = i + 1; j < end; j++) {
          if (format[j] === ']') {
            const saved = parsenumRange(i + 1, j);
            if (!saved.ok || saved.next !== j) {
              wid = j - i + 1;
              ok = false;
            } else {
              index = saved.num - 1;
              wid = j - i + 1;
              ok = true;
            }
            break;
          }
        }
      }
      if (ok && index >= 0 && index < a.length) return [index, i + wid, true];
      goodArgNum = false;
      return [argN, i + wid, ok];
    };
    const parsenumRange = (start: number, stop: number) => {
      let num = 0;
      let isnum = false;
      let i = start;
      while (i < stop && format[i]! >= '0' && format[i]! <= '9') {
        if (num > 1e6) return { num: 0, ok: false, next: stop };
        num = num * 10 + (format.charCodeAt(i) - 48);
        isnum = true;
        i++;
      }
      return { num, ok: isnum, next: i };
    };
    const intFromArg = (argN: number): [number, boolean, number] => {
      let num = 0;
      let isInt = false;
      let newArgNum = argN;
      if (argN < a.length) {
        const v = a[argN];
        if (kindOf(v) === 'int') {
          num = Number(v);
          isInt = true;
        }
        newArgNum = argN + 1;
        if (num > 1e6 || num < -1e6) {
          num = 0;
          isInt = false;
        }
      }
      return [num, isInt, newArgNum];
    };

    let i = 0;
    formatLoop: while (i < end) {
      goodArgNum = true;
      const lasti = i;
      while (i < end && format[i] !== '%') i++;
      if (i > lasti) this.buf += format.slice(lasti, i);
      if (i >= end) break;
      i++;
      this.f = clearFlags();
      simple: for (; i < end; i++) {
        const c = format[i]!;
        switch (c) {
          case '#':
            this.f.sharp = true;
            break;
          case '0':
            this.f.zero = !this.f.minus;
            break;
          case '+':
            this.f.plus = true;
            break;
          case '-':
            this.f.minus = true;
            this.f.zero = false;
            break;
          case ' ':
            this.f.space = true;
            break;
          default:
            if (c >= 'a' && c <= 'z' && argNum < a.length) {
              if (c === 'v') {
                this.f.sharpV = this.f.sharp;
                this.f.sharp = false;
                this.f.plusV = this.f.plus;
                this.f.plus = false;
              }
              this.printArg(a[argNum], c);
              argNum++;
              i++;
              continue formatLoop;
            }
            break simple;
        }
      }

      [argNum, i, afterIndex] = argNumber(argNum, i);

      if (i < end && format[i] === '*') {
        i++;
        [this.f.wid, this.f.widPresent, argNum] = intFromArg(argNum);
        if (!this.f.widPresent) this.buf += '%!(BADWIDTH)';
        if (this.f.wid < 0) {
          this.f.wid = -this.f.wid;
          this.f.minus = true;
          this.f.zero = false;
        }
        afterIndex = false;
      } else {
        [this.f.wid, this.f.widPresent, i] = parsenum(i);
        if (afterIndex && this.f.widPresent) goodArgNum = false;
      }

      if (i + 1 < end && format[i] === '.') {
        i++;
        if (afterIndex) goodArgNum = false;
        [argNum, i, afterIndex] = argNumber(argNum, i);
        if (i < end && format[i] === '*') {
          i++;
          [this.f.prec, this.f.precPresent, argNum] = intFromArg(argNum);
          if (this.f.prec < 0) {
            this.f.prec = 0;
            this.f.precPresent = false;
          }
          if (!this.f.precPresent) this.buf += '%!(BADPREC)';
          afterIndex = false;
        } else {
          [this.f.prec, this.f.precPresent, i] = parsenum(i);
          if (!this.f.precPresent) {
            this.f.prec = 0;
            this.f.precPresent = true;
          }
        }
      }

      if (!afterIndex) [argNum, i, afterIndex] = argNumber(argNum, i);

      if (i >= end) {
        this.buf += '%!(NOVERB)';
        break;
      }
      const cp = format.codePointAt(i)!;
      const verb = String.fromCodePoint(cp);
      i += verb.length;

      if (verb === '%') {
        this.buf += '%';
      } else if (!goodArgNum) {
        this.buf += '%!' + verb + '(BADINDEX)';
      } else if (argNum >= a.length) {
        this.buf += '%!' + verb + '(MISSING)';
      } else {
        if (verb === 'v') {
          this.f.sharpV = this.f.sharp;
          this.f.sharp = false;
          this.f.plusV = this.f.plus;
          this.f.plus = false;
        }
        this.printArg(a[argNum], verb);
        argNum++;
      }
    }

    if (!reordered && argNum < a.length) {
      this.f = clearFlags();
      this.buf += '%!(EXTRA ';
      a.slice(argNum).forEach((arg, j) => {
        if (j > 0) this.buf += ', ';
        if (arg === undefined || arg === null) {
          this.buf += '<nil>';
        } else {
          this.buf += typeName(arg) + '=';
          this.printArg(arg, 'v');
        }
      });
      this.buf += ')';
    }
  }
}

/** fmt.Sprint. */
export function sprint(...args: unknown[]): string {
  const p = new Printer();
  p.doPrint(args);
  return p.buf;
}

/** fmt.Sprintln. */
export function sprintln(...args: unknown[]): string {
  const p = new Printer();
  p.doPrintln(args);
  return p.buf;
}

/** fmt.Sprintf. */
export function sprintf(format: string, ...args: unknown[]): string {
  const p = new Printer();
  p.doPrintf(format, args);
  return p.buf;
}
