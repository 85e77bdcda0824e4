// Go's text/template, as the docker CLI uses it for --format: same lexer, parser, evaluation rules and
// error messages (positions are "template: :line:col"), with docker's extra functions (json, split,
// join, title, lower, upper, pad, truncate). Users' templates are written against the Go CLI, so
// anything the Go package accepts or rejects should be accepted or rejected here the same way.
import { goJSON } from './gojson.js';
import { isPrint, quote, runes, sprint, sprintf, sprintln } from './gofmt.js';
import {
  byteLength,
  compareStrings,
  kindOf,
  GoFloat,
  lookupMember,
  mapSize,
  numberValue,
  sortedEntries,
  typeName,
} from './values.js';

// ---------------------------------------------------------------------------------------------------
// Errors

export class TemplateError extends Error {
  /** 'parse' errors are found before any data is seen; 'exec' errors while rendering a value. */
  readonly phase: 'parse' | 'exec';
  /** Output written before an exec error (Go leaves it in the writer; docker's table header keeps it). */
  readonly partial: string;

  constructor(phase: 'parse' | 'exec', message: string, partial = '') {
    super(message);
    this.name = 'TemplateError';
    this.phase = phase;
    this.partial = partial;
  }
}

// ---------------------------------------------------------------------------------------------------
// Lexer (text/template/parse/lex.go)

const enum I {
  Error,
  Bool,
  Char,
  CharConstant,
  Comment,
  Complex,
  Assign,
  Declare,
  EOF,
  Field,
  Identifier,
  LeftDelim,
  LeftParen,
  Number,
  Pipe,
  RawString,
  RightDelim,
  RightParen,
  Space,
  String,
  Text,
  Variable,
  Keyword,
  Block,
  Break,
  Continue,
  Dot,
  Define,
  Else,
  End,
  If,
  Nil,
  Range,
  Template,
  With,
}

const KEYWORDS: Record<string, I> = {
  '.': I.Dot,
  block: I.Block,
  break: I.Break,
  continue: I.Continue,
  define: I.Define,
  else: I.Else,
  end: I.End,
  if: I.If,
  range: I.Range,
  nil: I.Nil,
  template: I.Template,
  with: I.With,
};

interface Item {
  typ: I;
  pos: number;
  val: string;
  line: number;
}

function itemString(i: Item): string {
  if (i.typ === I.EOF) return 'EOF';
  if (i.typ === I.Error) return i.val;
  if (i.typ > I.Keyword) return `<${i.val}>`;
  const rs = Array.from(i.val);
  if (rs.length > 10) return quote(rs.slice(0, 10).join('')) + '...';
  return quote(i.val);
}

const EOF = -1;
const LEFT_DELIM = '{{';
const RIGHT_DELIM = '}}';
const LEFT_COMMENT = '/*';
const RIGHT_COMMENT = '*/';
const SPACE_CHARS = ' \t\r\n';

function isSpace(r: number): boolean {
  return r === 0x20 || r === 0x09 || r === 0x0d || r === 0x0a;
}

const LETTER_OR_DIGIT = /^[\p{L}\p{Nd}]$/u;

function isAlphaNumeric(r: number): boolean {
  if (r === 0x5f) return true;
  if (r < 0) return false;
  if (r < 0x80) return (r >= 0x30 && r <= 0x39) || (r >= 0x41 && r <= 0x5a) || (r >= 0x61 && r <= 0x7a);
  return LETTER_OR_DIGIT.test(String.fromCodePoint(r));
}

function hasLeftTrimMarker(s: string): boolean {
  return s.length >= 2 && s[0] === '-' && isSpace(s.charCodeAt(1));
}

function hasRightTrimMarker(s: string): boolean {
  return s.length >= 2 && isSpace(s.charCodeAt(0)) && s[1] === '-';
}

function trimRightLength(s: string): number {
  let i = s.length;
  while (i > 0 && SPACE_CHARS.includes(s[i - 1]!)) i--;
  return s.length - i;
}

function trimLeftLength(s: string): number {
  let i = 0;
  while (i < s.length && SPACE_CHARS.includes(s[i]!)) i++;
  return i;
}

type StateFn = ((l: Lexer) => StateFn) | null;

class Lexer {
  pos = 0;
  start = 0;
  atEOF = false;
  parenDepth = 0;
  line = 1;
  startLine = 1;
  item: Item = { typ: I.EOF, pos: 0, val: 'EOF', line: 1 };
  insideAction = false;

  constructor(public input: string) {}

  next(): number {
    if (this.pos >= this.input.length) {
      this.atEOF = true;
      return EOF;
    }
    const r = this.input.codePointAt(this.pos)!;
    this.pos += r > 0xffff ? 2 : 1;
    if (r === 0x0a) this.line++;
    return r;
  }

  peek(): number {
    const r = this.next();
    this.backup();
    return r;
  }

  backup(): void {
    if (!this.atEOF && this.pos > 0) {
      const c = this.input.charCodeAt(this.pos - 1);
      const w = c >= 0xdc00 && c <= 0xdfff && this.pos > 1 && isHighSurrogate(this.input.charCodeAt(this.pos - 2)) ? 2 : 1;
      this.pos -= w;
      if (c === 0x0a) this.line--;
    }
  }

  thisItem(typ: I): Item {
    const i = { typ, pos: this.start, val: this.input.slice(this.start, this.pos), line: this.startLine };
    this.start = this.pos;
    this.startLine = this.line;
    return i;
  }

  emit(typ: I): StateFn {
    return this.emitItem(this.thisItem(typ));
  }

  emitItem(i: Item): StateFn {
    this.item = i;
    return null;
  }

  ignore(): void {
    this.line += countNewlines(this.input.slice(this.start, this.pos));
    this.start = this.pos;
    this.startLine = this.line;
  }

  accept(valid: string): boolean {
    const r = this.next();
    if (r !== EOF && valid.includes(String.fromCodePoint(r))) return true;
    this.backup();
    return false;
  }

  acceptRun(valid: string): void {
    for (;;) {
      const r = this.next();
      if (r === EOF || !valid.includes(String.fromCodePoint(r))) break;
    }
    this.backup();
  }

  errorf(msg: string): StateFn {
    this.item = { typ: I.Error, pos: this.start, val: msg, line: this.startLine };
    this.start = 0;
    this.pos = 0;
    this.input = '';
    return null;
  }

  nextItem(): Item {
    this.item = { typ: I.EOF, pos: this.pos, val: 'EOF', line: this.startLine };
    let state: StateFn = this.insideAction ? lexInsideAction : lexText;
    while (state !== null) state = state(this);
    return this.item;
  }

  atRightDelim(): [boolean, boolean] {
    const s = this.input;
    const p = this.pos;
    if (isSpace(s.charCodeAt(p)) && s[p + 1] === '-' && s.startsWith(RIGHT_DELIM, p + 2)) return [true, true];
    if (s.startsWith(RIGHT_DELIM, p)) return [true, false];
    return [false, false];
  }

  atTerminator(): boolean {
    const r = this.peek();
    if (isSpace(r)) return true;
    switch (r) {
      case EOF:
      case 0x2e: // .
      case 0x2c: // ,
      case 0x7c: // |
      case 0x3a: // :
      case 0x29: // )
      case 0x28: // (
        return true;
    }
    return this.input.startsWith(RIGHT_DELIM, this.pos);
  }

  scanNumber(): boolean {
    this.accept('+-');
    let digits = '0123456789_';
    if (this.accept('0')) {
      if (this.accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (this.accept('oO')) digits = '01234567_';
      else if (this.accept('bB')) digits = '01_';
    }
    this.acceptRun(digits);
    if (this.accept('.')) this.acceptRun(digits);
    if (digits.length === 11 && this.accept('eE')) {
      this.accept('+-');
      this.acceptRun('0123456789_');
    }
    if (digits.length === 23 && this.accept('pP')) {
      this.accept('+-');
      this.acceptRun('0123456789_');
    }
    this.accept('i');
    if (isAlphaNumeric(this.peek())) {
      this.next();
      return false;
    }
    return true;
  }
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

function runeDesc(r: number): string {
  // fmt's %#U: U+0023 '#'
  const hex = 'U+' + r.toString(16).toUpperCase().padStart(4, '0');
  return r >= 0 && isPrint(r) ? `${hex} '${String.fromCodePoint(r)}'` : hex;
}

function lexText(l: Lexer): StateFn {
  const x = l.input.indexOf(LEFT_DELIM, l.pos);
  if (x >= 0) {
    if (x > l.pos) {
      l.pos = x;
      let trimLength = 0;
      const delimEnd = l.pos + LEFT_DELIM.length;
      if (hasLeftTrimMarker(l.input.slice(delimEnd))) {
        trimLength = trimRightLength(l.input.slice(l.start, l.pos));
      }
      l.pos -= trimLength;
      l.line += countNewlines(l.input.slice(l.start, l.pos));
      const i = l.thisItem(I.Text);
      l.pos += trimLength;
      l.ignore();
      if (i.val.length > 0) return l.emitItem(i);
    }
    return lexLeftDelim;
  }
  l.pos = l.input.length;
  if (l.pos > l.start) {
    l.line += countNewlines(l.input.slice(l.start, l.pos));
    return l.emit(I.Text);
  }
  return l.emit(I.EOF);
}

function lexLeftDelim(l: Lexer): StateFn {
  l.pos += LEFT_DELIM.length;
  const trimSpace = hasLeftTrimMarker(l.input.slice(l.pos));
  const afterMarker = trimSpace ? 2 : 0;
  if (l.input.startsWith(LEFT_COMMENT, l.pos + afterMarker)) {
    l.pos += afterMarker;
    l.ignore();
    return lexComment;
  }
  const i = l.thisItem(I.LeftDelim);
  l.insideAction = true;
  l.pos += afterMarker;
  l.ignore();
  l.parenDepth = 0;
  return l.emitItem(i);
}

function lexComment(l: Lexer): StateFn {
  l.pos += LEFT_COMMENT.length;
  const x = l.input.indexOf(RIGHT_COMMENT, l.pos);
  if (x < 0) return l.errorf('unclosed comment');
  l.pos = x + RIGHT_COMMENT.length;
  const [delim, trimSpace] = l.atRightDelim();
  if (!delim) return l.errorf('comment ends before closing delimiter');
  l.line += countNewlines(l.input.slice(l.start, l.pos));
  l.thisItem(I.Comment);
  if (trimSpace) l.pos += 2;
  l.pos += RIGHT_DELIM.length;
  if (trimSpace) l.pos += trimLeftLength(l.input.slice(l.pos));
  l.ignore();
  return lexText;
}

function lexRightDelim(l: Lexer): StateFn {
  const [, trimSpace] = l.atRightDelim();
  if (trimSpace) {
    l.pos += 2;
    l.ignore();
  }
  l.pos += RIGHT_DELIM.length;
  const i = l.thisItem(I.RightDelim);
  if (trimSpace) {
    l.pos += trimLeftLength(l.input.slice(l.pos));
    l.ignore();
  }
  l.insideAction = false;
  return l.emitItem(i);
}

function lexInsideAction(l: Lexer): StateFn {
  const [delim] = l.atRightDelim();
  if (delim) {
    if (l.parenDepth === 0) return lexRightDelim;
    return l.errorf('unclosed left paren');
  }
  const r = l.next();
  if (r === EOF) return l.errorf('unclosed action');
  if (isSpace(r)) {
    l.backup();
    return lexSpace;
  }
  switch (r) {
    case 0x3d: // =
      return l.emit(I.Assign);
    case 0x3a: // :
      if (l.next() !== 0x3d) return l.errorf('expected :=');
      return l.emit(I.Declare);
    case 0x7c: // |
      return l.emit(I.Pipe);
    case 0x22: // "
      return lexQuote;
    case 0x60: // `
      return lexRawQuote;
    case 0x24: // $
      return lexVariable;
    case 0x27: // '
      return lexChar;
    case 0x28: // (
      l.parenDepth++;
      return l.emit(I.LeftParen);
    case 0x29: // )
      l.parenDepth--;
      if (l.parenDepth < 0) return l.errorf('unexpected right paren');
      return l.emit(I.RightParen);
  }
  if (r === 0x2e) {
    if (l.pos < l.input.length) {
      const c = l.input.charCodeAt(l.pos);
      if (c < 0x30 || c > 0x39) return lexField;
    }
  }
  if (r === 0x2e || r === 0x2b || r === 0x2d || (r >= 0x30 && r <= 0x39)) {
    l.backup();
    return lexNumber;
  }
  if (isAlphaNumeric(r)) {
    l.backup();
    return lexIdentifier;
  }
  if (r <= 0x7f && r >= 0x20 && r !== 0x7f) return l.emit(I.Char);
  return l.errorf(`unrecognized character in action: ${runeDesc(r)}`);
}

function lexSpace(l: Lexer): StateFn {
  let numSpaces = 0;
  for (;;) {
    const r = l.peek();
    if (!isSpace(r)) break;
    l.next();
    numSpaces++;
  }
  // A trim-marked closing delimiter starts with a space: leave it for lexRightDelim.
  const rest = l.input.slice(l.pos - 1);
  if (hasRightTrimMarker(rest) && rest.startsWith(RIGHT_DELIM, 2)) {
    l.backup();
    if (numSpaces === 1) return lexRightDelim;
  }
  return l.emit(I.Space);
}

function lexIdentifier(l: Lexer): StateFn {
  for (;;) {
    const r = l.next();
    if (isAlphaNumeric(r)) continue;
    l.backup();
    const word = l.input.slice(l.start, l.pos);
    if (!l.atTerminator()) return l.errorf(`bad character ${runeDesc(r)}`);
    const key = KEYWORDS[word];
    if (key !== undefined && key > I.Keyword) return l.emit(key);
    if (word[0] === '.') return l.emit(I.Field);
    if (word === 'true' || word === 'false') return l.emit(I.Bool);
    return l.emit(I.Identifier);
  }
}

function lexField(l: Lexer): StateFn {
  return lexFieldOrVariable(l, I.Field);
}

function lexVariable(l: Lexer): StateFn {
  if (l.atTerminator()) return l.emit(I.Variable);
  return lexFieldOrVariable(l, I.Variable);
}

function lexFieldOrVariable(l: Lexer, typ: I): StateFn {
  if (l.atTerminator()) return l.emit(typ === I.Variable ? I.Variable : I.Dot);
  let r: number;
  for (;;) {
    r = l.next();
    if (!isAlphaNumeric(r)) {
      l.backup();
      break;
    }
  }
  if (!l.atTerminator()) return l.errorf(`bad character ${runeDesc(r)}`);
  return l.emit(typ);
}

function lexChar(l: Lexer): StateFn {
  for (;;) {
    const r = l.next();
    if (r === 0x5c) {
      const r2 = l.next();
      if (r2 !== EOF && r2 !== 0x0a) continue;
      return l.errorf('unterminated character constant');
    }
    if (r === EOF || r === 0x0a) return l.errorf('unterminated character constant');
    if (r === 0x27) break;
  }
  return l.emit(I.CharConstant);
}

function lexNumber(l: Lexer): StateFn {
  if (!l.scanNumber()) return l.errorf(`bad number syntax: ${quote(l.input.slice(l.start, l.pos))}`);
  const sign = l.peek();
  if (sign === 0x2b || sign === 0x2d) {
    if (!l.scanNumber() || l.input[l.pos - 1] !== 'i') {
      return l.errorf(`bad number syntax: ${quote(l.input.slice(l.start, l.pos))}`);
    }
    return l.emit(I.Complex);
  }
  return l.emit(I.Number);
}

function lexQuote(l: Lexer): StateFn {
  for (;;) {
    const r = l.next();
    if (r === 0x5c) {
      const r2 = l.next();
      if (r2 !== EOF && r2 !== 0x0a) continue;
      return l.errorf('unterminated quoted string');
    }
    if (r === EOF || r === 0x0a) return l.errorf('unterminated quoted string');
    if (r === 0x22) break;
  }
  return l.emit(I.String);
}

function lexRawQuote(l: Lexer): StateFn {
  for (;;) {
    const r = l.next();
    if (r === EOF) return l.errorf('unterminated raw quoted string');
    if (r === 0x60) break;
  }
  return l.emit(I.RawString);
}

// ---------------------------------------------------------------------------------------------------
// strconv.Unquote / UnquoteChar / ParseInt / ParseFloat for literals

class UnquoteError extends Error {
  constructor() {
    super('invalid syntax');
  }
}

// Returns [rune or byte, isByte, rest]. Mirrors strconv.UnquoteChar.
function unquoteChar(s: string, q: string): [number, boolean, string] {
  const c = s.codePointAt(0)!;
  if (s[0] === q && (q === "'" || q === '"')) throw new UnquoteError();
  if (c !== 0x5c) return [c, false, s.slice(c > 0xffff ? 2 : 1)];
  if (s.length <= 1) throw new UnquoteError();
  const e = s[1]!;
  s = s.slice(2);
  const simple: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 0x5c };
  if (e in simple) return [simple[e]!, false, s];
  if (e === 'x' || e === 'u' || e === 'U') {
    const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
    if (s.length < n || !/^[0-9a-fA-F]+$/.test(s.slice(0, n))) throw new UnquoteError();
    const v = parseInt(s.slice(0, n), 16);
    if (e === 'x') return [v, true, s.slice(n)];
    if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) throw new UnquoteError();
    return [v, false, s.slice(n)];
  }
  if (e >= '0' && e <= '7') {
    if (s.length < 2 || !/^[0-7]{2}$/.test(s.slice(0, 2))) throw new UnquoteError();
    const v = parseInt(e + s.slice(0, 2), 8);
    if (v > 255) throw new UnquoteError();
    return [v, true, s.slice(2)];
  }
  if (e === "'" || e === '"') {
    if (e !== q) throw new UnquoteError();
    return [e.charCodeAt(0), false, s];
  }
  throw new UnquoteError();
}

function unquote(s: string): string {
  const q = s[0];
  if (s.length < 2 || s[s.length - 1] !== q) throw new UnquoteError();
  let body = s.slice(1, -1);
  if (q === '`') {
    if (body.includes('`')) throw new UnquoteError();
    return body.replace(/\r/g, '');
  }
  if (q !== '"' && q !== "'") throw new UnquoteError();
  if (body.includes('\n')) throw new UnquoteError();
  if (!body.includes('\\') && !body.includes(q)) {
    if (q === '"') return body;
    if (Array.from(body).length === 1) return body;
  }
  const bytes: number[] = [];
  while (body.length > 0) {
    const [v, isByte, rest] = unquoteChar(body, q);
    body = rest;
    if (isByte) bytes.push(v);
    else bytes.push(...Buffer.from(String.fromCodePoint(v), 'utf8'));
    if (q === "'" && body.length !== 0) throw new UnquoteError();
  }
  return Buffer.from(bytes).toString('utf8');
}

function parseGoInt(text: string): bigint | undefined {
  let s = text;
  let neg = false;
  if (s[0] === '+' || s[0] === '-') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  let base = 10;
  let underscoresOK = false;
  if (/^0[xX]/.test(s)) {
    base = 16;
    s = s.slice(2);
    underscoresOK = true;
  } else if (/^0[oO]/.test(s)) {
    base = 8;
    s = s.slice(2);
    underscoresOK = true;
  } else if (/^0[bB]/.test(s)) {
    base = 2;
    s = s.slice(2);
    underscoresOK = true;
  } else if (s.length > 1 && s[0] === '0') {
    base = 8;
    s = s.slice(1);
    underscoresOK = true;
  }
  if (s.includes('_')) {
    // Underscores may only separate digits; a base prefix counts as a digit ("0x_1f" is fine).
    const body = underscoresOK && s.startsWith('_') && base !== 8 ? s.slice(1) : s;
    if (body.startsWith('_') || body.endsWith('_') || body.includes('__')) return undefined;
    s = s.replace(/_/g, '');
  }
  if (s === '') return undefined;
  const valid = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ }[base as 2 | 8 | 10 | 16];
  if (!valid.test(s)) return undefined;
  let v = 0n;
  for (const ch of s) v = v * BigInt(base) + BigInt(parseInt(ch, 16));
  return neg ? -v : v;
}

function parseGoFloat(text: string): number | undefined {
  const s = text.replace(/_/g, '');
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number(s);
  if (/^[+-]?0[xX]/.test(s)) {
    const m = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)[pP]([+-]?\d+)$/.exec(s);
    if (!m || (m[2] === '' && m[3] === '')) return undefined;
    const mant = parseInt((m[2] || '0') + (m[3] || ''), 16) / 16 ** (m[3] ?? '').length;
    const v = mant * 2 ** Number(m[4]);
    return m[1] === '-' ? -v : v;
  }
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(s)) return NaN;
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Parse tree (text/template/parse/node.go)

export type Node =
  | TextNode
  | CommentNode
  | ActionNode
  | IfNode
  | RangeNode
  | WithNode
  | TemplateNode
  | ListNode
  | BreakNode
  | ContinueNode
  | PipeNode
  | CommandNode
  | FieldNode
  | VariableNode
  | ChainNode
  | IdentifierNode
  | DotNode
  | NilNode
  | BoolNode
  | NumberNode
  | StringNode
  | EndNode
  | ElseNode;

interface Base {
  pos: number;
  tree: Tree;
}
interface TextNode extends Base {
  type: 'text';
  text: string;
}
interface CommentNode extends Base {
  type: 'comment';
  text: string;
}
interface ActionNode extends Base {
  type: 'action';
  line: number;
  pipe: PipeNode;
}
interface BranchNode extends Base {
  line: number;
  pipe: PipeNode;
  list: ListNode;
  elseList: ListNode | null;
}
interface IfNode extends BranchNode {
  type: 'if';
}
interface RangeNode extends BranchNode {
  type: 'range';
}
interface WithNode extends BranchNode {
  type: 'with';
}
interface TemplateNode extends Base {
  type: 'template';
  line: number;
  name: string;
  pipe: PipeNode | null;
}
interface ListNode extends Base {
  type: 'list';
  nodes: Node[];
}
interface BreakNode extends Base {
  type: 'break';
  line: number;
}
interface ContinueNode extends Base {
  type: 'continue';
  line: number;
}
interface PipeNode extends Base {
  type: 'pipe';
  line: number;
  isAssign: boolean;
  decl: VariableNode[];
  cmds: CommandNode[];
}
interface CommandNode extends Base {
  type: 'command';
  args: Node[];
}
interface FieldNode extends Base {
  type: 'field';
  ident: string[];
}
interface VariableNode extends Base {
  type: 'variable';
  ident: string[];
}
interface ChainNode extends Base {
  type: 'chain';
  node: Node;
  field: string[];
}
interface IdentifierNode extends Base {
  type: 'identifier';
  ident: string;
}
interface DotNode extends Base {
  type: 'dot';
}
interface NilNode extends Base {
  type: 'nil';
}
interface BoolNode extends Base {
  type: 'bool';
  value: boolean;
}
interface NumberNode extends Base {
  type: 'number';
  text: string;
  isInt: boolean;
  isUint: boolean;
  isFloat: boolean;
  isComplex: boolean;
  int: bigint;
  float: number;
}
interface StringNode extends Base {
  type: 'string';
  quoted: string;
  text: string;
}
interface EndNode extends Base {
  type: 'end';
}
interface ElseNode extends Base {
  type: 'else';
  line: number;
}

/** Node.String(): how Go prints a node in "executing … at <…>". */
export function nodeString(n: Node): string {
  switch (n.type) {
    case 'text':
    case 'comment':
      return n.text;
    case 'action':
      return `{{${nodeString(n.pipe)}}}`;
    case 'if':
    case 'range':
    case 'with': {
      let s = `{{${n.type} ${nodeString(n.pipe)}}}${nodeString(n.list)}`;
      if (n.elseList !== null) s += `{{else}}${nodeString(n.elseList)}`;
      return s + '{{end}}';
    }
    case 'template':
      return n.pipe === null
        ? `{{template ${quote(n.name)}}}`
        : `{{template ${quote(n.name)} ${nodeString(n.pipe)}}}`;
    case 'list':
      return n.nodes.map(nodeString).join('');
    case 'break':
      return '{{break}}';
    case 'continue':
      return '{{continue}}';
    case 'pipe': {
      let s = '';
      if (n.decl.length > 0) {
        s = n.decl.map(nodeString).join(', ') + (n.isAssign ? ' = ' : ' := ');
      }
      return s + n.cmds.map(nodeString).join(' | ');
    }
    case 'command':
      return n.args.map((a) => (a.type === 'pipe' ? `(${nodeString(a)})` : nodeString(a))).join(' ');
    case 'field':
      return n.ident.map((id) => '.' + id).join('');
    case 'variable':
      return n.ident.join('.');
    case 'chain': {
      const head = n.node.type === 'pipe' ? `(${nodeString(n.node)})` : nodeString(n.node);
      return head + n.field.map((f) => '.' + f).join('');
    }
    case 'identifier':
      return n.ident;
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'bool':
      return n.value ? 'true' : 'false';
    case 'number':
      return n.text;
    case 'string':
      return n.quoted;
    case 'end':
      return '{{end}}';
    case 'else':
      return '{{else}}';
  }
}

function isEmptyTree(n: Node | null): boolean {
  if (n === null) return true;
  switch (n.type) {
    case 'list':
      return n.nodes.every(isEmptyTree);
    case 'text':
      return n.text.trim() === '';
    case 'comment':
      return true;
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------------------
// Parser (text/template/parse/parse.go)

class ParseFailure extends Error {}

const MAX_STACK_DEPTH = 10000;
const MAX_PIPELINE_CMDS = 100000;

class Tree {
  name: string;
  parseName = '';
  root: ListNode | null = null;
  text = '';
  private lex: Lexer | null = null;
  private token: Item[] = [];
  private peekCount = 0;
  private vars: string[] = [];
  private treeSet: Map<string, Tree> = new Map();
  private funcs: ReadonlySet<string> = new Set();
  private actionLine = 0;
  private rangeDepth = 0;
  private stackDepth = 0;

  constructor(name: string) {
    this.name = name;
    this.token = [
      { typ: I.EOF, pos: 0, val: '', line: 0 },
      { typ: I.EOF, pos: 0, val: '', line: 0 },
      { typ: I.EOF, pos: 0, val: '', line: 0 },
    ];
  }

  static parse(name: string, text: string, funcs: ReadonlySet<string>): Map<string, Tree> {
    const treeSet = new Map<string, Tree>();
    const t = new Tree(name);
    t.text = text;
    t.parseName = name;
    t.startParse(funcs, new Lexer(text), treeSet);
    try {
      t.parseTop();
      t.add();
    } catch (e) {
      if (e instanceof ParseFailure) throw new TemplateError('parse', e.message);
      if (e instanceof UnquoteError) throw new TemplateError('parse', e.message);
      throw e;
    }
    return treeSet;
  }

  private startParse(funcs: ReadonlySet<string>, lex: Lexer, treeSet: Map<string, Tree>): void {
    this.root = null;
    this.lex = lex;
    this.vars = ['$'];
    this.stackDepth = 0;
    this.funcs = funcs;
    this.treeSet = treeSet;
  }

  private next(): Item {
    if (this.peekCount > 0) {
      this.peekCount--;
    } else {
      this.token[0] = this.lex!.nextItem();
    }
    return this.token[this.peekCount]!;
  }

  private backup(): void {
    this.peekCount++;
  }

  private backup2(t1: Item): void {
    this.token[1] = t1;
    this.peekCount = 2;
  }

  private backup3(t2: Item, t1: Item): void {
    this.token[1] = t1;
    this.token[2] = t2;
    this.peekCount = 3;
  }

  private peek(): Item {
    if (this.peekCount > 0) return this.token[this.peekCount - 1]!;
    this.peekCount = 1;
    this.token[0] = this.lex!.nextItem();
    return this.token[0];
  }

  private nextNonSpace(): Item {
    let token: Item;
    do token = this.next();
    while (token.typ === I.Space);
    return token;
  }

  private peekNonSpace(): Item {
    const token = this.nextNonSpace();
    this.backup();
    return token;
  }

  private errorf(msg: string): never {
    this.root = null;
    throw new ParseFailure(`template: ${this.parseName}:${this.token[0]!.line}: ${msg}`);
  }

  private expect(expected: I, context: string): Item {
    const token = this.nextNonSpace();
    if (token.typ !== expected) this.unexpected(token, context);
    return token;
  }

  private expectOneOf(e1: I, e2: I, context: string): Item {
    const token = this.nextNonSpace();
    if (token.typ !== e1 && token.typ !== e2) this.unexpected(token, context);
    return token;
  }

  private unexpected(token: Item, context: string): never {
    if (token.typ === I.Error) {
      let extra = '';
      if (this.actionLine !== 0 && this.actionLine !== token.line) {
        extra = ` in action started at ${this.parseName}:${this.actionLine}`;
        if (token.val.endsWith(' action')) extra = extra.slice(' in action'.length);
      }
      this.errorf(`${itemString(token)}${extra}`);
    }
    this.errorf(`unexpected ${itemString(token)} in ${context}`);
  }

  private add(): void {
    const tree = this.treeSet.get(this.name);
    if (tree === undefined || isEmptyTree(tree.root)) {
      this.treeSet.set(this.name, this);
      return;
    }
    if (!isEmptyTree(this.root)) {
      this.errorf(`template: multiple definition of template ${quote(this.name)}`);
    }
  }

  private newList(pos: number): ListNode {
    return { type: 'list', pos, tree: this, nodes: [] };
  }

  private parseTop(): void {
    this.root = this.newList(this.peek().pos);
    while (this.peek().typ !== I.EOF) {
      if (this.peek().typ === I.LeftDelim) {
        const delim = this.next();
        if (this.nextNonSpace().typ === I.Define) {
          const newT = new Tree('definition');
          newT.text = this.text;
          newT.parseName = this.parseName;
          newT.startParse(this.funcs, this.lex!, this.treeSet);
          newT.parseDefinition();
          continue;
        }
        this.backup2(delim);
      }
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') this.errorf(`unexpected ${nodeString(n)}`);
      this.root.nodes.push(n);
    }
  }

  private parseDefinition(): void {
    const context = 'define clause';
    const name = this.expectOneOf(I.String, I.RawString, context);
    try {
      this.name = unquote(name.val);
    } catch (e) {
      if (e instanceof UnquoteError) this.errorf(e.message);
      throw e;
    }
    this.expect(I.RightDelim, context);
    const [list, end] = this.itemList();
    this.root = list;
    if (end.type !== 'end') this.errorf(`unexpected ${nodeString(end)} in ${context}`);
    this.add();
  }

  private itemList(): [ListNode, Node] {
    const list = this.newList(this.peekNonSpace().pos);
    while (this.peekNonSpace().typ !== I.EOF) {
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') return [list, n];
      list.nodes.push(n);
    }
    this.errorf('unexpected EOF');
  }

  private textOrAction(): Node {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case I.Text:
        return { type: 'text', pos: token.pos, tree: this, text: token.val };
      case I.LeftDelim: {
        this.actionLine = token.line;
        try {
          return this.action();
        } finally {
          this.actionLine = 0;
        }
      }
      case I.Comment:
        return { type: 'comment', pos: token.pos, tree: this, text: token.val };
      default:
        this.unexpected(token, 'input');
    }
  }

  private action(): Node {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case I.Block:
        return this.blockControl();
      case I.Break:
        return this.breakControl(token.pos, token.line);
      case I.Continue:
        return this.continueControl(token.pos, token.line);
      case I.Else:
        return this.elseControl();
      case I.End:
        return this.endControl();
      case I.If:
        return this.ifControl();
      case I.Range:
        return this.rangeControl();
      case I.Template:
        return this.templateControl();
      case I.With:
        return this.withControl();
    }
    this.backup();
    const t = this.peek();
    return { type: 'action', pos: t.pos, tree: this, line: t.line, pipe: this.pipeline('command', I.RightDelim) };
  }

  private breakControl(pos: number, line: number): Node {
    const token = this.nextNonSpace();
    if (token.typ !== I.RightDelim) this.unexpected(token, '{{break}}');
    if (this.rangeDepth === 0) this.errorf('{{break}} outside {{range}}');
    return { type: 'break', pos, tree: this, line };
  }

  private continueControl(pos: number, line: number): Node {
    const token = this.nextNonSpace();
    if (token.typ !== I.RightDelim) this.unexpected(token, '{{continue}}');
    if (this.rangeDepth === 0) this.errorf('{{continue}} outside {{range}}');
    return { type: 'continue', pos, tree: this, line };
  }

  private pipeline(context: string, end: I): PipeNode {
    const token = this.peekNonSpace();
    const pipe: PipeNode = {
      type: 'pipe',
      pos: token.pos,
      tree: this,
      line: token.line,
      isAssign: false,
      decl: [],
      cmds: [],
    };
    decls: for (;;) {
      const v = this.peekNonSpace();
      if (v.typ !== I.Variable) break;
      this.next();
      const tokenAfterVariable = this.peek();
      const next = this.peekNonSpace();
      if (next.typ === I.Assign || next.typ === I.Declare) {
        pipe.isAssign = next.typ === I.Assign;
        this.nextNonSpace();
        pipe.decl.push(this.newVariable(v.pos, v.val));
        this.vars.push(v.val);
      } else if (next.typ === I.Char && next.val === ',') {
        this.nextNonSpace();
        pipe.decl.push(this.newVariable(v.pos, v.val));
        this.vars.push(v.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const t = this.peekNonSpace().typ;
          if (t === I.Variable || t === I.RightDelim || t === I.RightParen) continue decls;
          this.errorf('range can only initialize variables');
        }
        this.errorf(`too many declarations in ${context}`);
      } else if (tokenAfterVariable.typ === I.Space) {
        this.backup3(v, tokenAfterVariable);
      } else {
        this.backup2(v);
      }
      break;
    }
    for (;;) {
      const token = this.nextNonSpace();
      switch (token.typ) {
        case end:
          this.checkPipeline(pipe, context);
          return pipe;
        case I.Bool:
        case I.CharConstant:
        case I.Complex:
        case I.Dot:
        case I.Field:
        case I.Identifier:
        case I.Number:
        case I.Nil:
        case I.RawString:
        case I.String:
        case I.Variable:
        case I.LeftParen:
          this.backup();
          pipe.cmds.push(this.command());
          if (pipe.cmds.length > MAX_PIPELINE_CMDS) this.errorf('pipeline too long');
          break;
        default:
          this.unexpected(token, context);
      }
    }
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    pipe.cmds.slice(1).forEach((c, i) => {
      switch (c.args[0]!.type) {
        case 'bool':
        case 'dot':
        case 'nil':
        case 'number':
        case 'string':
          this.errorf(`non executable command in pipeline stage ${i + 2}`);
      }
    });
  }

  private parseControl(context: string): [number, number, PipeNode, ListNode, ListNode | null] {
    const mark = this.vars.length;
    try {
      const pipe = this.pipeline(context, I.RightDelim);
      if (context === 'range') this.rangeDepth++;
      let [list, next] = this.itemList();
      if (context === 'range') this.rangeDepth--;
      let elseList: ListNode | null = null;
      if (next.type === 'else') {
        if (context === 'if' && this.peek().typ === I.If) {
          this.next();
          elseList = this.newList(next.pos);
          elseList.nodes.push(this.ifControl());
        } else if (context === 'with' && this.peek().typ === I.With) {
          this.next();
          elseList = this.newList(next.pos);
          elseList.nodes.push(this.withControl());
        } else {
          [elseList, next] = this.itemList();
          if (next.type !== 'end') this.errorf(`expected end; found ${nodeString(next)}`);
        }
      }
      return [pipe.pos, pipe.line, pipe, list, elseList];
    } finally {
      this.vars.length = mark;
    }
  }

  private ifControl(): Node {
    const [pos, line, pipe, list, elseList] = this.parseControl('if');
    return { type: 'if', pos, tree: this, line, pipe, list, elseList };
  }

  private rangeControl(): Node {
    const [pos, line, pipe, list, elseList] = this.parseControl('range');
    return { type: 'range', pos, tree: this, line, pipe, list, elseList };
  }

  private withControl(): Node {
    const [pos, line, pipe, list, elseList] = this.parseControl('with');
    return { type: 'with', pos, tree: this, line, pipe, list, elseList };
  }

  private endControl(): Node {
    return { type: 'end', pos: this.expect(I.RightDelim, 'end').pos, tree: this };
  }

  private elseControl(): Node {
    const peek = this.peekNonSpace();
    // "{{else if …" and "{{else with …" become "{{else}}{{if …": leave the keyword pending.
    if (peek.typ === I.If || peek.typ === I.With) return { type: 'else', pos: peek.pos, tree: this, line: peek.line };
    const token = this.expect(I.RightDelim, 'else');
    return { type: 'else', pos: token.pos, tree: this, line: token.line };
  }

  private blockControl(): Node {
    const context = 'block clause';
    const token = this.nextNonSpace();
    const name = this.parseTemplateName(token, context);
    const pipe = this.pipeline(context, I.RightDelim);
    const block = new Tree(name);
    block.text = this.text;
    block.parseName = this.parseName;
    block.startParse(this.funcs, this.lex!, this.treeSet);
    const [list, end] = block.itemList();
    block.root = list;
    if (end.type !== 'end') this.errorf(`unexpected ${nodeString(end)} in ${context}`);
    block.add();
    return { type: 'template', pos: token.pos, tree: this, line: token.line, name, pipe };
  }

  private templateControl(): Node {
    const context = 'template clause';
    const token = this.nextNonSpace();
    const name = this.parseTemplateName(token, context);
    let pipe: PipeNode | null = null;
    if (this.nextNonSpace().typ !== I.RightDelim) {
      this.backup();
      pipe = this.pipeline(context, I.RightDelim);
    }
    return { type: 'template', pos: token.pos, tree: this, line: token.line, name, pipe };
  }

  private parseTemplateName(token: Item, context: string): string {
    if (token.typ === I.String || token.typ === I.RawString) {
      try {
        return unquote(token.val);
      } catch (e) {
        if (e instanceof UnquoteError) this.errorf(e.message);
        throw e;
      }
    }
    this.unexpected(token, context);
  }

  private command(): CommandNode {
    const cmd: CommandNode = { type: 'command', pos: this.peekNonSpace().pos, tree: this, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand !== null) cmd.args.push(operand);
      const token = this.next();
      switch (token.typ) {
        case I.Space:
          continue;
        case I.RightDelim:
        case I.RightParen:
          this.backup();
          break;
        case I.Pipe:
          break;
        default:
          this.unexpected(token, 'operand');
      }
      break;
    }
    if (cmd.args.length === 0) this.errorf('empty command');
    return cmd;
  }

  private operand(): Node | null {
    let node = this.term();
    if (node === null) return null;
    if (this.peek().typ === I.Field) {
      const chain: ChainNode = { type: 'chain', pos: this.peek().pos, tree: this, node, field: [] };
      while (this.peek().typ === I.Field) chain.field.push(this.next().val.slice(1));
      switch (node.type) {
        case 'field':
          node = this.newField(chain.pos, nodeString(chain));
          break;
        case 'variable':
          node = this.newVariable(chain.pos, nodeString(chain));
          break;
        case 'bool':
        case 'string':
        case 'number':
        case 'nil':
        case 'dot':
          this.errorf(`unexpected . after term ${quote(nodeString(node))}`);
          break;
        default:
          node = chain;
      }
    }
    return node;
  }

  private term(): Node | null {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case I.Identifier:
        if (!this.funcs.has(token.val)) this.errorf(`function ${quote(token.val)} not defined`);
        return { type: 'identifier', pos: token.pos, tree: this, ident: token.val };
      case I.Dot:
        return { type: 'dot', pos: token.pos, tree: this };
      case I.Nil:
        return { type: 'nil', pos: token.pos, tree: this };
      case I.Variable:
        return this.useVar(token.pos, token.val);
      case I.Field:
        return this.newField(token.pos, token.val);
      case I.Bool:
        return { type: 'bool', pos: token.pos, tree: this, value: token.val === 'true' };
      case I.CharConstant:
      case I.Complex:
      case I.Number:
        return this.newNumber(token.pos, token.val, token.typ);
      case I.LeftParen:
        if (this.stackDepth >= MAX_STACK_DEPTH) this.errorf('max expression depth exceeded');
        this.stackDepth++;
        try {
          return this.pipeline('parenthesized pipeline', I.RightParen);
        } finally {
          this.stackDepth--;
        }
      case I.String:
      case I.RawString:
        try {
          return { type: 'string', pos: token.pos, tree: this, quoted: token.val, text: unquote(token.val) };
        } catch (e) {
          if (e instanceof UnquoteError) this.errorf(e.message);
          throw e;
        }
    }
    this.backup();
    return null;
  }

  private newField(pos: number, ident: string): FieldNode {
    return { type: 'field', pos, tree: this, ident: ident.slice(1).split('.') };
  }

  private newVariable(pos: number, ident: string): VariableNode {
    return { type: 'variable', pos, tree: this, ident: ident.split('.') };
  }

  private useVar(pos: number, name: string): VariableNode {
    const v = this.newVariable(pos, name);
    if (!this.vars.includes(v.ident[0]!)) this.errorf(`undefined variable ${quote(v.ident[0]!)}`);
    return v;
  }

  private newNumber(pos: number, text: string, typ: I): NumberNode {
    const n: NumberNode = {
      type: 'number',
      pos,
      tree: this,
      text,
      isInt: false,
      isUint: false,
      isFloat: false,
      isComplex: false,
      int: 0n,
      float: 0,
    };
    if (typ === I.CharConstant) {
      let r: number;
      let tail: string;
      try {
        [r, , tail] = unquoteChar(text.slice(1), text[0]!);
      } catch (e) {
        if (e instanceof UnquoteError) this.errorf(e.message);
        throw e;
      }
      if (tail !== "'") this.errorf(`malformed character constant: ${text}`);
      n.int = BigInt(r);
      n.float = r;
      n.isInt = n.isUint = n.isFloat = true;
      return n;
    }
    if (typ === I.Complex || text.endsWith('i')) {
      // Complex numbers print as (a+bi) and compare only with each other; docker templates never
      // use them, so they stay a parse-time curiosity.
      this.errorf(`illegal number syntax: ${quote(text)}`);
    }
    const i = parseGoInt(text);
    if (i !== undefined) {
      if (i >= 0n && i < 2n ** 64n) n.isUint = true;
      if (i >= -(2n ** 63n) && i < 2n ** 63n) n.isInt = true;
      if (n.isInt || n.isUint) {
        n.int = i;
        n.isFloat = true;
        n.float = Number(i);
      }
    }
    if (!n.isInt && !n.isUint) {
      const f = parseGoFloat(text);
      if (f !== undefined && !Number.isNaN(f) && Number.isFinite(f)) {
        if (!/[.eEpP]/.test(text)) this.errorf(`integer overflow: ${quote(text)}`);
        n.isFloat = true;
        n.float = f;
        if (Number.isInteger(f) && Math.abs(f) < 2 ** 63) {
          n.isInt = true;
          n.int = BigInt(f);
        }
      }
    }
    if (!n.isInt && !n.isUint && !n.isFloat) this.errorf(`illegal number syntax: ${quote(text)}`);
    return n;
  }
}

// ---------------------------------------------------------------------------------------------------
// Functions

/**
 * Go parameter types that change how an argument is checked, which is where Go's type errors come
 * from ("wrong type for value; expected []string; got string"). 'value' is reflect.Value: anything,
 * including a missing value.
 */
export type ParamType = 'any' | 'value' | 'string' | 'int' | 'bool' | 'float' | '[]string';

export interface FuncSpec {
  params: ParamType[];
  /** Type of the trailing ...args, if the function is variadic. */
  variadic?: ParamType;
  /** Throwing reports "error calling <name>: <message>". */
  fn: (...args: any[]) => unknown;
}

/** A plain JS function is taken as func(arg ...interface{}) with its declared arity. */
export type TemplateFunc = FuncSpec | ((...args: any[]) => unknown);

function spec(f: TemplateFunc): FuncSpec {
  if (typeof f !== 'function') return f;
  return { params: Array.from({ length: f.length }, () => 'any' as const), fn: f };
}

const PARAM_GO_TYPE: Record<ParamType, string> = {
  any: 'interface {}',
  value: 'reflect.Value',
  string: 'string',
  int: 'int',
  bool: 'bool',
  float: 'float64',
  '[]string': '[]string',
};

function truth(v: unknown): boolean {
  switch (kindOf(v)) {
    case 'invalid':
    case 'nil':
      return false;
    case 'bool':
      return v as boolean;
    case 'int':
    case 'float':
      return numberValue(v) !== 0;
    case 'string':
      return (v as string).length > 0;
    case 'slice':
    case 'bytes':
      return (v as ArrayLike<unknown>).length > 0;
    case 'map':
      return mapSize(v as object) > 0;
    case 'struct':
    case 'func':
      return true;
  }
}

type BasicKind = 'invalid' | 'bool' | 'number' | 'string';

function basicKind(v: unknown): BasicKind {
  switch (kindOf(v)) {
    case 'bool':
      return 'bool';
    case 'int':
    case 'float':
      return 'number';
    case 'string':
      return 'string';
    default:
      return 'invalid';
  }
}

function eq(arg1: unknown, ...arg2: unknown[]): boolean {
  if (arg2.length === 0) throw new Error('missing argument for comparison');
  const k1 = basicKind(arg1);
  for (const arg of arg2) {
    const k2 = basicKind(arg);
    let t = false;
    if (k1 !== k2) {
      if (arg1 !== undefined && arg1 !== null && arg !== undefined && arg !== null) {
        throw new Error('incompatible types for comparison');
      }
    } else if (k1 !== 'invalid') {
      t = k1 === 'number' ? numberValue(arg1) === numberValue(arg) : arg1 === arg;
    } else {
      const nil1 = arg1 === undefined || arg1 === null;
      const nil2 = arg === undefined || arg === null;
      if (nil1 || nil2) {
        t = nil1 === nil2;
      } else {
        const ka = kindOf(arg1);
        if (ka === 'slice' || ka === 'map' || ka === 'func' || ka === 'bytes') {
          throw new Error(`non-comparable type ${sprint(arg1)}: ${typeName(arg1)}`);
        }
        if (kindOf(arg) !== ka) throw new Error('incompatible types for comparison');
        t = arg1 === arg;
      }
    }
    if (t) return true;
  }
  return false;
}

function lt(arg1: unknown, arg2: unknown): boolean {
  const k1 = basicKind(arg1);
  const k2 = basicKind(arg2);
  if (k1 === 'invalid' || k2 === 'invalid') throw new Error('invalid type for comparison');
  if (k1 !== k2) throw new Error('incompatible types for comparison');
  if (k1 === 'bool') throw new Error('invalid type for comparison');
  if (k1 === 'string') return compareStrings(arg1 as string, arg2 as string) < 0;
  return numberValue(arg1) < numberValue(arg2);
}

function length(item: unknown): number {
  switch (kindOf(item)) {
    case 'string':
      return byteLength(item as string);
    case 'slice':
    case 'bytes':
      return (item as ArrayLike<unknown>).length;
    case 'map':
      return mapSize(item as object);
    case 'nil':
      // A JSON null is a nil slice or map far more often than a nil pointer.
      return 0;
    case 'invalid':
      throw new Error('len of untyped nil');
    default:
      throw new Error(`len of type ${typeName(item)}`);
  }
}

// The zero value of a map's element type, which Go returns for a missing key. JS maps carry no element
// type, so it is guessed from the values present: labels and options (string maps) are the usual case.
function zeroElem(m: object): unknown {
  const values = m instanceof Map ? [...m.values()] : Object.values(m);
  if (values.length === 0 || values.every((v) => typeof v === 'string')) return '';
  if (values.every((v) => typeof v === 'number')) return 0;
  if (values.every((v) => typeof v === 'boolean')) return false;
  return null;
}

function indexArg(index: unknown, cap: number): number {
  const k = kindOf(index);
  if (k === 'invalid' || k === 'nil') throw new Error('cannot index slice/array with nil');
  if (k !== 'int') throw new Error(`cannot index slice/array with type ${typeName(index)}`);
  const x = Number(index);
  if (x < 0 || x > cap) throw new Error(`index out of range: ${x}`);
  return x;
}

function index(item: unknown, ...indexes: unknown[]): unknown {
  if (item === undefined) throw new Error('index of untyped nil');
  for (const idx of indexes) {
    if (item === undefined) throw new Error('index of untyped nil');
    switch (kindOf(item)) {
      case 'string': {
        const bytes = Buffer.from(item as string, 'utf8');
        const x = indexArg(idx, bytes.length);
        if (x === bytes.length) throw new Error(`index out of range: ${x}`);
        item = bytes[x];
        break;
      }
      case 'slice':
      case 'bytes': {
        const arr = item as ArrayLike<unknown>;
        const x = indexArg(idx, arr.length);
        if (x === arr.length) throw new Error(`index out of range: ${x}`);
        item = arr[x] ?? null;
        break;
      }
      case 'nil': {
        // Treated as a nil map or slice: Go indexes nil maps fine and nil slices are always out of range.
        if (typeof idx === 'string') {
          item = '';
        } else {
          throw new Error(`index out of range: ${indexArg(idx, 0)}`);
        }
        break;
      }
      case 'map': {
        const m = item as object;
        let key = idx;
        if (key === undefined || key === null) key = '';
        if (m instanceof Map) {
          item = m.has(key) ? m.get(key) : zeroElem(m);
        } else {
          if (typeof key !== 'string') throw new Error(`value has type ${typeName(key)}; should be string`);
          item = Object.hasOwn(m, key) ? (m as Record<string, unknown>)[key] : zeroElem(m);
        }
        break;
      }
      default:
        throw new Error(`can't index item of type ${typeName(item)}`);
    }
  }
  return item;
}

function slice(item: unknown, ...indexes: unknown[]): unknown {
  if (item === undefined) throw new Error('slice of untyped nil');
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`);
  const k = kindOf(item);
  let len: number;
  switch (k) {
    case 'string':
      if (indexes.length === 3) throw new Error('cannot 3-index slice a string');
      len = byteLength(item as string);
      break;
    case 'slice':
    case 'bytes':
      len = (item as ArrayLike<unknown>).length;
      break;
    default:
      throw new Error(`can't slice item of type ${typeName(item)}`);
  }
  const idx = [0, len];
  indexes.forEach((x, i) => {
    idx[i] = indexArg(x, len);
  });
  if (idx[0]! > idx[1]!) throw new Error(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  if (k === 'string') return Buffer.from(item as string, 'utf8').subarray(idx[0], idx[1]).toString('utf8');
  return Array.prototype.slice.call(item as ArrayLike<unknown>, idx[0], idx[1]);
}

// text/template's evalArgs: like Sprint, but missing values print as "<no value>".
function evalArgs(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(...args.map((a) => (a === undefined ? '<no value>' : a)));
}

function htmlEscape(s: string): string {
  return s.replace(/["'&<>]/g, (c) => ({ '"': '&#34;', "'": '&#39;', '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);
}

function jsEscape(s: string): string {
  let out = '';
  for (const r of runes(s)) {
    switch (r) {
      case 0x5c:
        out += '\\\\';
        continue;
      case 0x27:
        out += "\\'";
        continue;
      case 0x22:
        out += '\\"';
        continue;
      case 0x3c:
        out += '\\u003C';
        continue;
      case 0x3e:
        out += '\\u003E';
        continue;
      case 0x26:
        out += '\\u0026';
        continue;
      case 0x3d:
        out += '\\u003D';
        continue;
    }
    if (r < 0x20) out += '\\u00' + r.toString(16).toUpperCase().padStart(2, '0');
    else if (r < 0x80 || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(String.fromCodePoint(r))) out += String.fromCodePoint(r);
    else out += '\\u' + r.toString(16).toUpperCase().padStart(4, '0');
  }
  return out;
}

function urlQueryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

const BUILTINS: Record<string, FuncSpec> = {
  // and/or are evaluated lazily by the executor; these specs only carry their signatures.
  and: { params: ['value'], variadic: 'value', fn: () => undefined },
  or: { params: ['value'], variadic: 'value', fn: () => undefined },
  call: {
    params: ['value'],
    variadic: 'value',
    fn: (fn: unknown, ...args: unknown[]) => {
      if (typeof fn !== 'function') throw new Error(`non-function ${sprint(fn)} of type ${typeName(fn)}`);
      return (fn as (...a: unknown[]) => unknown)(...args);
    },
  },
  html: { params: [], variadic: 'any', fn: (...args: unknown[]) => htmlEscape(evalArgs(args)) },
  index: { params: ['value'], variadic: 'value', fn: index },
  slice: { params: ['value'], variadic: 'value', fn: slice },
  js: { params: [], variadic: 'any', fn: (...args: unknown[]) => jsEscape(evalArgs(args)) },
  len: { params: ['value'], fn: length },
  not: { params: ['value'], fn: (v: unknown) => !truth(v) },
  print: { params: [], variadic: 'any', fn: (...args: unknown[]) => sprint(...args) },
  printf: { params: ['string'], variadic: 'any', fn: (f: string, ...args: unknown[]) => sprintf(f, ...args) },
  println: { params: [], variadic: 'any', fn: (...args: unknown[]) => sprintln(...args) },
  urlquery: { params: [], variadic: 'any', fn: (...args: unknown[]) => urlQueryEscape(evalArgs(args)) },
  eq: { params: ['value'], variadic: 'value', fn: eq },
  ne: { params: ['value', 'value'], fn: (a: unknown, b: unknown) => !eq(a, b) },
  lt: { params: ['value', 'value'], fn: lt },
  le: { params: ['value', 'value'], fn: (a: unknown, b: unknown) => lt(a, b) || eq(a, b) },
  gt: { params: ['value', 'value'], fn: (a: unknown, b: unknown) => !(lt(a, b) || eq(a, b)) },
  ge: { params: ['value', 'value'], fn: (a: unknown, b: unknown) => !lt(a, b) },
};

// strings.Title: upper-case the first letter of each word, words being separated as Go decides.
function isSeparator(r: number): boolean {
  if (r <= 0x7f) {
    if ((r >= 0x30 && r <= 0x39) || (r >= 0x61 && r <= 0x7a) || (r >= 0x41 && r <= 0x5a) || r === 0x5f) return false;
    return true;
  }
  const ch = String.fromCodePoint(r);
  if (/^[\p{L}\p{Nd}\p{Nl}\p{No}]$/u.test(ch)) return false;
  return /^[\s\u0085\u00a0]$/u.test(ch);
}

// unicode.ToUpper/ToLower map one rune to one rune; JS's full case mapping may expand (ß → SS).
function mapRunes(s: string, f: (ch: string) => string): string {
  let out = '';
  for (const ch of s) {
    const m = f(ch);
    out += Array.from(m).length === 1 ? m : ch;
  }
  return out;
}

function title(s: string): string {
  let prev = 0x20;
  let out = '';
  for (const ch of s) {
    const r = ch.codePointAt(0)!;
    out += isSeparator(prev) ? mapRunes(ch, (c) => c.toUpperCase()) : ch;
    prev = r;
  }
  return out;
}

function split(s: string, sep: string): string[] {
  if (sep === '') return Array.from(s);
  return s.split(sep);
}

/** docker/cli templates.basicFunctions. */
export const DOCKER_FUNCS: Readonly<Record<string, FuncSpec>> = {
  json: { params: ['any'], fn: (v: unknown) => goJSON(v, { escapeHTML: false }) },
  split: { params: ['string', 'string'], fn: split },
  join: { params: ['[]string', 'string'], fn: (elems: string[] | null, sep: string) => (elems ?? []).join(sep) },
  title: { params: ['string'], fn: title },
  lower: { params: ['string'], fn: (s: string) => mapRunes(s, (c) => c.toLowerCase()) },
  upper: { params: ['string'], fn: (s: string) => mapRunes(s, (c) => c.toUpperCase()) },
  pad: {
    params: ['string', 'int', 'int'],
    fn: (s: string, prefix: number, suffix: number) => {
      if (s === '') return s;
      if (prefix < 0 || suffix < 0) throw new Error('strings: negative Repeat count');
      return ' '.repeat(prefix) + s + ' '.repeat(suffix);
    },
  },
  truncate: {
    params: ['string', 'int'],
    fn: (s: string, n: number) => {
      const bytes = Buffer.from(s, 'utf8');
      if (bytes.length < n) return s;
      if (n < 0) throw new Error(`slice bounds out of range [:${n}]`);
      return bytes.subarray(0, n).toString('utf8');
    },
  },
};

/**
 * docker/cli templates.HeaderFunctions: table headers are rendered by the row template applied to the
 * header names, so the functions pass the names through (pad is kept, for alignment).
 */
export const HEADER_FUNCS: Readonly<Record<string, FuncSpec>> = {
  json: { params: ['string'], fn: (v: string) => v },
  split: { params: ['string', 'string'], fn: (v: string) => v },
  join: { params: ['string', 'string'], fn: (v: string) => v },
  title: { params: ['string'], fn: (v: string) => v },
  lower: { params: ['string'], fn: (v: string) => v },
  upper: { params: ['string'], fn: (v: string) => v },
  truncate: { params: ['string', 'int'], fn: (v: string) => v },
};

// ---------------------------------------------------------------------------------------------------
// Execution (text/template/exec.go)

export type MissingKey = 'invalid' | 'zero' | 'error';

export interface ExecuteOptions {
  /** Go's Option("missingkey=…"); 'invalid' (the default) prints "<no value>". */
  missingKey?: MissingKey;
  /**
   * Treat the data object itself as a Go struct of this type: unknown fields become
   * "can't evaluate field X in type <rootType>" instead of "<no value>", as with docker's contexts.
   */
  rootType?: string;
  /**
   * Treat plain objects whose keys are all capitalised as structs. Docker's inspect first runs the
   * template over Go structs, where an unknown field is an error but a missing map key is not; JSON
   * objects from the API keep that distinction only in the case of their keys.
   */
  capitalizedStructs?: boolean;
  /**
   * Called with each field looked up on the data object itself, as it is evaluated: how `docker ps`
   * notices that a template really uses .Size before asking the daemon for sizes.
   */
  onField?: (name: string) => void;
}

const MISSING = Symbol('missing');
type Final = unknown | typeof MISSING;

class ExecFailure extends Error {}
class BreakSignal {}
class ContinueSignal {}
const BREAK = new BreakSignal();
const CONTINUE = new ContinueSignal();

const MAX_EXEC_DEPTH = 100000;

class State {
  private readonly root: unknown;
  node: Node | null = null;
  vars: Array<{ name: string; value: unknown }>;
  out: string[] = [];
  depth = 0;

  constructor(
    private readonly tmpl: Template,
    private tree: Tree,
    root: unknown,
    private readonly funcs: ReadonlyMap<string, FuncSpec>,
    private readonly missingKey: MissingKey,
    private readonly rootStruct: { value: object; type: string } | undefined,
    private readonly capitalizedStructs: boolean,
    private readonly onField: ((name: string) => void) | undefined,
  ) {
    this.vars = [{ name: '$', value: root }];
    this.root = root;
  }

  at(n: Node): void {
    this.node = n;
  }

  errorf(msg: string): never {
    const name = this.tree.name;
    if (this.node === null) throw new ExecFailure(`template: ${name}: ${msg}`);
    const n = this.node;
    const text = n.tree.text.slice(0, n.pos);
    const nl = text.lastIndexOf('\n');
    const col = byteLength(nl < 0 ? text : text.slice(nl + 1));
    const line = 1 + countNewlines(text);
    const location = `${n.tree.parseName}:${line}:${col}`;
    throw new ExecFailure(`template: ${location}: executing ${quote(name)} at <${nodeString(n)}>: ${msg}`);
  }

  private mark(): number {
    return this.vars.length;
  }

  private pop(mark: number): void {
    this.vars.length = mark;
  }

  private setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) {
        this.vars[i]!.value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }

  private setTopVar(n: number, value: unknown): void {
    this.vars[this.vars.length - n]!.value = value;
  }

  private varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) return this.vars[i]!.value;
    }
    this.errorf(`undefined variable: ${name}`);
  }

  walk(dot: unknown, node: Node): void {
    this.at(node);
    switch (node.type) {
      case 'action': {
        const val = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return;
      }
      case 'break':
        throw BREAK;
      case 'continue':
        throw CONTINUE;
      case 'comment':
        return;
      case 'if':
      case 'with':
        this.walkIfOrWith(node.type, dot, node.pipe, node.list, node.elseList);
        return;
      case 'list':
        for (const n of node.nodes) this.walk(dot, n);
        return;
      case 'range':
        this.walkRange(dot, node);
        return;
      case 'template':
        this.walkTemplate(dot, node);
        return;
      case 'text':
        this.out.push(node.text);
        return;
      default:
        this.errorf(`unknown node: ${nodeString(node)}`);
    }
  }

  private walkIfOrWith(typ: 'if' | 'with', dot: unknown, pipe: PipeNode, list: ListNode, elseList: ListNode | null): void {
    const mark = this.mark();
    try {
      const val = this.evalPipeline(dot, pipe);
      if (truth(val)) {
        this.walk(typ === 'with' ? val : dot, list);
      } else if (elseList !== null) {
        this.walk(dot, elseList);
      }
    } finally {
      this.pop(mark);
    }
  }

  private walkRange(dot: unknown, r: RangeNode): void {
    this.at(r);
    const outer = this.mark();
    try {
      const val = this.evalPipeline(dot, r.pipe);
      const mark = this.mark();
      const decl = r.pipe.decl;
      const oneIteration = (idx: unknown, elem: unknown): boolean => {
        if (decl.length > 0) {
          if (r.pipe.isAssign) {
            this.setVar(decl[0]!.ident[0]!, decl.length > 1 ? idx : elem);
          } else {
            this.setTopVar(1, elem);
          }
        }
        if (decl.length > 1) {
          if (r.pipe.isAssign) this.setVar(decl[1]!.ident[0]!, elem);
          else this.setTopVar(2, idx);
        }
        try {
          this.walk(elem, r.list);
        } catch (e) {
          if (e === BREAK) return false;
          if (e !== CONTINUE) throw e;
        } finally {
          this.pop(mark);
        }
        return true;
      };
      let ran = false;
      switch (kindOf(val)) {
        case 'slice':
        case 'bytes': {
          const arr = val as ArrayLike<unknown>;
          for (let i = 0; i < arr.length; i++) {
            ran = true;
            if (!oneIteration(i, arr[i] ?? null)) break;
          }
          break;
        }
        case 'map':
          for (const [k, v] of sortedEntries(val as object)) {
            ran = true;
            if (!oneIteration(k, v)) break;
          }
          break;
        case 'int': {
          if (decl.length > 1) this.errorf(`can't use ${sprint(val)} to iterate over more than one variable`);
          const n = Number(val);
          for (let i = 0; i < n; i++) {
            ran = true;
            if (!oneIteration(i, i)) break;
          }
          break;
        }
        case 'invalid':
        case 'nil':
          break;
        default:
          this.errorf(`range can't iterate over ${sprint(val)}`);
      }
      if (!ran && r.elseList !== null) this.walk(dot, r.elseList);
    } finally {
      this.pop(outer);
    }
  }

  private walkTemplate(dot: unknown, t: TemplateNode): void {
    this.at(t);
    const tree = this.tmpl.trees.get(t.name);
    if (tree === undefined || tree.root === null) this.errorf(`template ${quote(t.name)} not defined`);
    if (this.depth === MAX_EXEC_DEPTH) this.errorf(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
    dot = this.evalPipeline(dot, t.pipe);
    const savedVars = this.vars;
    const savedTree = this.tree;
    this.vars = [{ name: '$', value: dot }];
    this.tree = tree;
    this.depth++;
    try {
      this.walk(dot, tree.root!);
    } finally {
      this.depth--;
      this.tree = savedTree;
      this.vars = savedVars;
    }
  }

  private evalPipeline(dot: unknown, pipe: PipeNode | null): unknown {
    if (pipe === null) return undefined;
    this.at(pipe);
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) value = this.evalCommand(dot, cmd, value);
    for (const v of pipe.decl) {
      if (pipe.isAssign) this.setVar(v.ident[0]!, value);
      else this.vars.push({ name: v.ident[0]!, value });
    }
    return value;
  }

  private notAFunction(args: Node[], final: Final): void {
    if (args.length > 1 || final !== MISSING) {
      this.errorf(`can't give argument to non-function ${nodeString(args[0]!)}`);
    }
  }

  private evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    const first = cmd.args[0]!;
    switch (first.type) {
      case 'field':
        return this.evalFieldNode(dot, first, cmd.args, final);
      case 'chain':
        return this.evalChainNode(dot, first, cmd.args, final);
      case 'identifier':
        return this.evalFunction(dot, first, cmd, cmd.args, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'variable':
        return this.evalVariableNode(dot, first, cmd.args, final);
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case 'bool':
        return first.value;
      case 'dot':
        return dot;
      case 'nil':
        this.errorf('nil is not a command');
        break;
      case 'number':
        return this.idealConstant(first);
      case 'string':
        return first.text;
    }
    this.errorf(`can't evaluate command ${quote(nodeString(first))}`);
  }

  private idealConstant(c: NumberNode): unknown {
    this.at(c);
    const isHexInt = /^[+-]?0[xX]/.test(c.text) && !/[pP]/.test(c.text);
    if (c.isFloat && !isHexInt && !c.text.startsWith("'") && /[.eEpP]/.test(c.text)) {
      return Number.isInteger(c.float) ? new GoFloat(c.float) : c.float;
    }
    if (c.isInt) {
      return c.int >= BigInt(Number.MIN_SAFE_INTEGER) && c.int <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(c.int) : c.int;
    }
    if (c.isUint) this.errorf(`${c.text} overflows int`);
    return undefined;
  }

  private evalFieldNode(dot: unknown, field: FieldNode, args: Node[], final: Final): unknown {
    this.at(field);
    return this.evalFieldChain(dot, dot, field, field.ident, args, final);
  }

  private evalChainNode(dot: unknown, chain: ChainNode, args: Node[], final: Final): unknown {
    this.at(chain);
    if (chain.field.length === 0) this.errorf('internal error: no fields in evalChainNode');
    if (chain.node.type === 'nil') this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const pipe = this.evalArg(dot, null, chain.node);
    return this.evalFieldChain(dot, pipe, chain, chain.field, args, final);
  }

  private evalVariableNode(dot: unknown, v: VariableNode, args: Node[], final: Final): unknown {
    this.at(v);
    const value = this.varValue(v.ident[0]!);
    if (v.ident.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, value, v, v.ident.slice(1), args, final);
  }

  private evalFieldChain(dot: unknown, receiver: unknown, node: Node, ident: string[], args: Node[], final: Final): unknown {
    const n = ident.length;
    for (let i = 0; i < n - 1; i++) receiver = this.evalField(dot, ident[i]!, node, [], MISSING, receiver);
    return this.evalField(dot, ident[n - 1]!, node, args, final, receiver);
  }

  private evalFunction(dot: unknown, node: IdentifierNode, cmd: Node, args: Node[], final: Final): unknown {
    this.at(node);
    const name = node.ident;
    const fn = this.funcs.get(name);
    if (fn === undefined) this.errorf(`${quote(name)} is not a defined function`);
    return this.evalCall(dot, fn, Object.hasOwn(BUILTINS, name) && BUILTINS[name] === fn, cmd, name, args, final);
  }

  private evalField(dot: unknown, fieldName: string, node: Node, args: Node[], final: Final, receiver: unknown): unknown {
    if (receiver === undefined) {
      if (this.missingKey === 'error') this.errorf(`nil data; no entry for key ${quote(fieldName)}`);
      return undefined;
    }
    if (receiver === null) this.errorf(`nil pointer evaluating interface {}.${fieldName}`);
    if (this.onField !== undefined && receiver === this.root) this.onField(fieldName);
    const hasArgs = args.length > 1 || final !== MISSING;
    const kind = kindOf(receiver);
    const asStruct =
      (this.rootStruct !== undefined && receiver === this.rootStruct.value) ||
      (this.capitalizedStructs && kind === 'map' && looksLikeStruct(receiver as object));
    if (kind === 'map' || kind === 'struct') {
      const member = lookupMember(receiver as object, fieldName);
      if (member.found && 'method' in member) {
        return this.evalCall(dot, methodSpec(member.method, member.self), false, node, fieldName, args, final);
      }
      if (kind === 'struct' || asStruct) {
        if (member.found) {
          if (hasArgs) this.errorf(`${fieldName} has arguments but cannot be invoked as function`);
          return member.value;
        }
      } else {
        if (hasArgs) this.errorf(`${fieldName} is not a method but has arguments`);
        if (member.found) return member.value;
        switch (this.missingKey) {
          case 'zero':
            return zeroElem(receiver as object);
          case 'error':
            this.errorf(`map has no entry for key ${quote(fieldName)}`);
        }
        return undefined;
      }
    }
    const isRoot = this.rootStruct !== undefined && receiver === this.rootStruct.value;
    this.errorf(`can't evaluate field ${fieldName} in type ${typeName(receiver, isRoot ? this.rootStruct!.type : undefined)}`);
  }

  private evalCall(dot: unknown, fn: FuncSpec, isBuiltin: boolean, node: Node, name: string, args: Node[], final: Final): unknown {
    const argNodes = args.slice(1);
    let numIn = argNodes.length;
    if (final !== MISSING) numIn++;
    let numFixed = argNodes.length;
    if (fn.variadic !== undefined) {
      numFixed = fn.params.length;
      if (numIn < numFixed) {
        this.errorf(`wrong number of args for ${name}: want at least ${fn.params.length} got ${argNodes.length}`);
      }
    } else if (numIn !== fn.params.length) {
      this.errorf(`wrong number of args for ${name}: want ${fn.params.length} got ${numIn}`);
    }

    // and/or short-circuit: later arguments are not evaluated once the answer is known.
    if (isBuiltin && (name === 'and' || name === 'or')) {
      let v: unknown;
      for (const a of argNodes) {
        v = this.evalArg(dot, 'value', a);
        if (truth(v) === (name === 'or')) return v;
      }
      if (final !== MISSING) v = final;
      return v;
    }

    const argv: unknown[] = [];
    let i = 0;
    for (; i < numFixed && i < argNodes.length; i++) argv.push(this.evalArg(dot, fn.params[i]!, argNodes[i]!));
    if (fn.variadic !== undefined) {
      for (; i < argNodes.length; i++) argv.push(this.evalArg(dot, fn.variadic, argNodes[i]!));
    }
    if (final !== MISSING) {
      let t: ParamType;
      if (fn.variadic !== undefined) t = numIn - 1 < numFixed ? fn.params[numIn - 1]! : fn.variadic;
      else t = fn.params[fn.params.length - 1]!;
      argv.push(this.validateType(final, t));
    }
    try {
      return fn.fn(...argv);
    } catch (e) {
      if (e instanceof ExecFailure || e === BREAK || e === CONTINUE) throw e;
      this.at(node);
      this.errorf(`error calling ${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  // typ null is Go's nil reflect.Type: the value passes unchecked (a chain's head, e.g. (index . 0).Name).
  private validateType(value: unknown, typ: ParamType | null): unknown {
    if (typ === 'value' || typ === null) return value;
    if (value === undefined || value === null) {
      if (typ === 'any' || typ === '[]string') return null;
      this.errorf(`invalid value; expected ${PARAM_GO_TYPE[typ]}`);
    }
    const k = kindOf(value);
    switch (typ) {
      case 'any':
        return value;
      case 'string':
        if (k === 'string') return value;
        break;
      case 'int':
        if (k === 'int') return Number(value);
        break;
      case 'float':
        if (k === 'float') return numberValue(value);
        break;
      case 'bool':
        if (k === 'bool') return value;
        break;
      case '[]string':
        if (k === 'slice' && (value as unknown[]).every((x) => typeof x === 'string')) return value;
        break;
    }
    this.errorf(`wrong type for value; expected ${PARAM_GO_TYPE[typ]}; got ${typeName(value)}`);
  }

  private evalArg(dot: unknown, typ: ParamType | null, n: Node): unknown {
    this.at(n);
    switch (n.type) {
      case 'dot':
        return this.validateType(dot, typ);
      case 'nil':
        if (typ === 'any' || typ === '[]string') return null;
        if (typ === 'value' || typ === null) return undefined;
        this.errorf(`cannot assign nil to ${PARAM_GO_TYPE[typ]}`);
        break;
      case 'field':
        return this.validateType(this.evalFieldNode(dot, n, [n], MISSING), typ);
      case 'variable':
        return this.validateType(this.evalVariableNode(dot, n, [], MISSING), typ);
      case 'pipe':
        return this.validateType(this.evalPipeline(dot, n), typ);
      case 'identifier':
        return this.validateType(this.evalFunction(dot, n, n, [], MISSING), typ);
      case 'chain':
        return this.validateType(this.evalChainNode(dot, n, [], MISSING), typ);
    }
    switch (typ) {
      case 'bool':
        if (n.type === 'bool') return n.value;
        this.errorf(`expected bool; found ${nodeString(n)}`);
        break;
      case 'float':
        if (n.type === 'number' && n.isFloat) return n.float;
        this.errorf(`expected float; found ${nodeString(n)}`);
        break;
      case 'int':
        if (n.type === 'number' && n.isInt) return Number(n.int);
        this.errorf(`expected integer; found ${nodeString(n)}`);
        break;
      case 'string':
        if (n.type === 'string') return n.text;
        this.errorf(`expected string; found ${nodeString(n)}`);
        break;
      case 'any':
      case 'value':
      case null:
        return this.evalEmptyInterface(n);
    }
    this.errorf(`can't handle ${nodeString(n)} for arg of type ${PARAM_GO_TYPE[typ as ParamType]}`);
  }

  // Only literals get here: evalArg has already handled fields, variables, pipelines and dot.
  private evalEmptyInterface(n: Node): unknown {
    this.at(n);
    switch (n.type) {
      case 'bool':
        return n.value;
      case 'number':
        return this.idealConstant(n);
      case 'string':
        return n.text;
    }
    this.errorf(`can't handle assignment of ${nodeString(n)} to empty interface argument`);
  }

  private printValue(n: Node, v: unknown): void {
    this.at(n);
    if (v === undefined) {
      this.out.push('<no value>');
      return;
    }
    if (typeof v === 'function') this.errorf(`can't print ${nodeString(n)} of type ${typeName(v)}`);
    this.out.push(sprint(v));
  }
}

function looksLikeStruct(o: object): boolean {
  if (o instanceof Map) return false;
  const keys = Object.keys(o);
  return keys.length > 0 && keys.every((k) => /^\p{Lu}/u.test(k));
}

// A JS method becomes a Go method value: each declared parameter is an interface{}.
function methodSpec(method: (...args: unknown[]) => unknown, self: object): FuncSpec {
  return {
    params: Array.from({ length: method.length }, () => 'any' as const),
    fn: (...args: unknown[]) => method.apply(self, args),
  };
}

// ---------------------------------------------------------------------------------------------------
// Public API

export interface ParseOptions {
  /** Functions beyond Go's builtins and docker's; they override both, as template.Funcs does. */
  funcs?: Readonly<Record<string, TemplateFunc>>;
  /** The template's name, which appears in error messages; docker's are all "". */
  name?: string;
}

export class Template {
  readonly name: string;
  /** @internal The parsed templates, by name ({{define}} adds more). */
  readonly trees: ReadonlyMap<string, Tree>;
  private readonly funcs: ReadonlyMap<string, FuncSpec>;

  /** @internal Use parseTemplate. */
  constructor(name: string, trees: ReadonlyMap<string, Tree>, funcs: ReadonlyMap<string, FuncSpec>) {
    this.name = name;
    this.trees = trees;
    this.funcs = funcs;
  }

  /**
   * The same parsed template with some functions replaced, as Go's tmpl.Funcs does after parsing:
   * docker renders table headers this way with HEADER_FUNCS.
   */
  withFuncs(funcs: Readonly<Record<string, TemplateFunc>>): Template {
    const merged = new Map(this.funcs);
    for (const [k, f] of Object.entries(funcs)) merged.set(k, spec(f));
    return new Template(this.name, this.trees, merged);
  }

  /** Renders the template over data. Throws TemplateError (phase 'exec') with Go's message. */
  execute(data: unknown, options: ExecuteOptions = {}): string {
    const tree = this.trees.get(this.name);
    if (tree === undefined || tree.root === null) {
      throw new TemplateError('exec', `template: ${this.name}: ${quote(this.name)} is an incomplete or empty template`);
    }
    const rootStruct =
      options.rootType !== undefined && typeof data === 'object' && data !== null
        ? { value: data, type: options.rootType }
        : undefined;
    const state = new State(
      this,
      tree,
      data,
      this.funcs,
      options.missingKey ?? 'invalid',
      rootStruct,
      options.capitalizedStructs ?? false,
      options.onField,
    );
    try {
      state.walk(data, tree.root);
    } catch (e) {
      if (e instanceof ExecFailure) throw new TemplateError('exec', e.message, state.out.join(''));
      throw e;
    }
    return state.out.join('');
  }

  /**
   * The first name of every field chain in the template (.Size, .Mounts…), whatever dot is at that
   * point: enough to tell whether a listing must ask for something expensive, as `docker ps` does
   * for .Size.
   */
  fieldsUsed(): Set<string> {
    const used = new Set<string>();
    const visit = (n: Node | null): void => {
      if (n === null) return;
      switch (n.type) {
        case 'field':
          used.add(n.ident[0]!);
          return;
        case 'action':
          visit(n.pipe);
          return;
        case 'if':
        case 'range':
        case 'with':
          visit(n.pipe);
          visit(n.list);
          visit(n.elseList);
          return;
        case 'template':
          visit(n.pipe);
          return;
        case 'list':
          n.nodes.forEach(visit);
          return;
        case 'pipe':
          n.cmds.forEach(visit);
          return;
        case 'command':
          n.args.forEach(visit);
          return;
        case 'chain':
          visit(n.node);
          return;
      }
    };
    for (const t of this.trees.values()) visit(t.root);
    return used;
  }
}

/**
 * Parses like docker's templates.Parse: Go's builtins plus docker's functions. Throws TemplateError
 * (phase 'parse') with Go's message, e.g. `template: :1: function "foo" not defined`.
 */
export function parseTemplate(text: string, options: ParseOptions = {}): Template {
  const funcs = new Map<string, FuncSpec>();
  for (const [k, f] of Object.entries(BUILTINS)) funcs.set(k, f);
  for (const [k, f] of Object.entries(DOCKER_FUNCS)) funcs.set(k, f);
  for (const [k, f] of Object.entries(options.funcs ?? {})) funcs.set(k, spec(f));
  const name = options.name ?? '';
  const trees = Tree.parse(name, text, new Set(funcs.keys()));
  return new Template(name, trees, funcs);
}
