// Shell-word processing as Docker does it for Dockerfile values (buildkit frontend/dockerfile/shell/lex.go):
// quotes removed, the escape character honoured, $VAR / ${VAR} and the ${VAR<modifier>} forms expanded from the
// given variables, unknown variables → empty. The parser also uses it, with raw quotes/escapes and unset
// variables kept, to find heredoc words.
import { DetailError, goQuote } from './errors.js';

export interface LexOptions {
  escape?: string;
  /** Keep the quote characters in the output. */
  rawQuotes?: boolean;
  /** Keep escape characters in the output. */
  rawEscapes?: boolean;
  /** Leave references to unset variables as written. */
  skipUnsetEnv?: boolean;
}

const SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/u;
const isSpace = (ch: string): boolean => SPACE.test(ch);
const isLetter = (ch: string): boolean => /^\p{L}$/u.test(ch);
const isDigit = (ch: string): boolean => /^\p{Nd}$/u.test(ch);
const SPECIAL_PARAMS = new Set(['@', '*', '#', '?', '-', '$', '!', '0']);

/** Word splitting after expansion: text from variables splits on spaces, quoted or escaped text does not. */
class Words {
  private buf = '';
  private inWord = false;
  private readonly words: string[] = [];

  addChar(ch: string): void {
    if (isSpace(ch)) {
      if (this.inWord && this.buf.length > 0) {
        this.words.push(this.buf);
        this.buf = '';
        this.inWord = false;
      }
    } else this.addRawChar(ch);
  }
  addRawChar(ch: string): void {
    this.buf += ch;
    this.inWord = true;
  }
  addString(s: string): void {
    for (const ch of s) this.addChar(ch);
  }
  addRawString(s: string): void {
    this.buf += s;
    this.inWord = true;
  }
  get(): string[] {
    if (this.buf.length > 0) {
      this.words.push(this.buf);
      this.buf = '';
      this.inWord = false;
    }
    return this.words;
  }
}

class ShellWord {
  private pos = 0;
  private readonly chars: string[];
  private readonly escape: string;

  constructor(
    word: string,
    private readonly env: ReadonlyMap<string, string>,
    private readonly opts: LexOptions,
  ) {
    this.chars = Array.from(word);
    this.escape = opts.escape ?? '\\';
  }

  private peek(): string | undefined {
    return this.chars[this.pos];
  }
  private next(): string | undefined {
    return this.pos < this.chars.length ? this.chars[this.pos++] : undefined;
  }

  /** Reads up to `stop` (consumed) or the end; returns the processed text and its words. */
  processStopOn(stop: string | undefined, rawEscapes: boolean): { result: string; words: string[] } {
    let result = '';
    const words = new Words();
    for (let ch = this.peek(); ch !== undefined; ch = this.peek()) {
      if (stop !== undefined && ch === stop) {
        this.next();
        return { result, words: words.get() };
      }
      if (ch === '$' || ch === '<' || ch === "'" || ch === '"') {
        const tmp =
          ch === '$' ? this.processDollar() : ch === '<' ? this.processPossibleHeredoc() : ch === "'" ? this.processSingleQuote() : this.processDoubleQuote();
        result += tmp;
        if (ch === '$') words.addString(tmp);
        else words.addRawString(tmp);
        continue;
      }
      let c = this.next()!;
      if (c === this.escape) {
        if (rawEscapes) {
          words.addRawChar(c);
          result += c;
        }
        const escaped = this.next();
        if (escaped === undefined) break; // an escape at the very end is dropped
        c = escaped;
        words.addRawChar(c);
      } else words.addChar(c);
      result += c;
    }
    if (stop !== undefined) throw new DetailError(`unexpected end of statement while looking for matching ${stop}`);
    return { result, words: words.get() };
  }

  private processSingleQuote(): string {
    // Everything up to the next ' is literal; ' itself cannot be escaped inside.
    let result = '';
    const open = this.next()!;
    if (this.opts.rawQuotes) result += open;
    for (;;) {
      const ch = this.next();
      if (ch === undefined) throw new DetailError('unexpected end of statement while looking for matching single-quote');
      if (ch === "'") {
        if (this.opts.rawQuotes) result += ch;
        return result;
      }
      result += ch;
    }
  }

  private processDoubleQuote(): string {
    // Literal except $ (expanded) and the escape character, which escapes only ", $ and itself.
    let result = '';
    const open = this.next()!;
    if (this.opts.rawQuotes) result += open;
    for (;;) {
      const p = this.peek();
      if (p === undefined) throw new DetailError('unexpected end of statement while looking for matching double-quote');
      if (p === '"') {
        this.next();
        if (this.opts.rawQuotes) result += p;
        return result;
      }
      if (p === '$') {
        result += this.processDollar();
        continue;
      }
      let ch = this.next()!;
      if (ch === this.escape) {
        if (this.opts.rawEscapes) result += ch;
        const after = this.peek();
        if (after === undefined) continue;
        if (after === '"' || after === '$' || after === this.escape) ch = this.next()!;
      }
      result += ch;
    }
  }

  private processPossibleHeredoc(): string {
    this.next();
    if (this.peek() !== '<') return '<';
    this.next();
    // `<< EOF`: keep the blanks so the word stays one for heredoc detection.
    let space = '';
    for (let ch = this.peek(); ch === ' ' || ch === '\t' || ch === '\r'; ch = this.peek()) {
      space += ch;
      this.next();
    }
    return `<<${space}`;
  }

  private getEnv(name: string): string | undefined {
    return this.env.get(name);
  }

  private processName(): string {
    let name = '';
    for (let ch = this.peek(); ch !== undefined; ch = this.peek()) {
      if (name === '' && isDigit(ch)) {
        // $1, $12: positional parameters, never set
        while (this.peek() !== undefined && isDigit(this.peek()!)) name += this.next();
        return name;
      }
      if (name === '' && SPECIAL_PARAMS.has(ch)) return this.next()!;
      if (!isLetter(ch) && !isDigit(ch) && ch !== '_') break;
      name += this.next();
    }
    return name;
  }

  private processDollar(): string {
    this.next();
    if (this.peek() !== '{') {
      const name = this.processName();
      if (name === '') return '$';
      const value = this.getEnv(name);
      if (value === undefined && this.opts.skipUnsetEnv) return `$${name}`;
      return value ?? '';
    }
    this.next();
    const first = this.peek();
    if (first === undefined) throw new DetailError("syntax error: missing '}'");
    if (first === '{' || first === '}' || first === ':') throw new DetailError('syntax error: bad substitution');
    const name = this.processName();
    // Go reads EOF as rune -1, which prints as U+FFFD in the "unsupported modifier" message.
    let ch = this.next() ?? '\ufffd';
    let chs = ch;
    if (ch === '}') {
      const value = this.getEnv(name);
      if (value === undefined && this.opts.skipUnsetEnv) return `\${${name}}`;
      return value ?? '';
    }
    if (ch === '/') return this.processReplace(name);
    let nullIsUnset = false;
    if (ch === ':') {
      nullIsUnset = true;
      ch = this.next() ?? '\ufffd';
      chs += ch;
    } else if (!'+-?#%'.includes(ch)) {
      throw new DetailError(`unsupported modifier (${chs}) in substitution`);
    }
    const rawEscapes = ch === '#' || ch === '%';
    if (nullIsUnset && rawEscapes) throw new DetailError(`unsupported modifier (${chs}) in substitution`);
    const word = this.stopOnOrMissing('}', rawEscapes, "syntax error: missing '}'");
    const value = this.getEnv(name);
    if (value === undefined && this.opts.skipUnsetEnv) return `\${${name}${chs}${word}}`;
    const unset = value === undefined || (nullIsUnset && value === '');
    switch (ch) {
      case '-':
        return unset ? word : value!;
      case '+':
        return unset ? '' : word;
      case '?':
        if (value === undefined) throw new DetailError(`${name}: ${word !== '' ? word : 'is not allowed to be unset'}`);
        if (nullIsUnset && value === '') throw new DetailError(`${name}: ${word !== '' ? word : 'is not allowed to be empty'}`);
        return value;
      case '%':
      case '#': {
        // % and # trim the shortest match, %% and ## the longest.
        const greedy = word.startsWith(ch);
        const pattern = greedy ? word.slice(1) : word;
        return ch === '%' ? trimSuffix(pattern, value ?? '', greedy) : trimPrefix(pattern, value ?? '', greedy);
      }
      default:
        throw new DetailError(`unsupported modifier (${chs}) in substitution`);
    }
  }

  private processReplace(name: string): string {
    const all = this.peek() === '/';
    if (all) this.next();
    const pattern = this.stopOnOrMissing('/', true, "syntax error: missing '/' in ${}");
    const replacement = this.stopOnOrMissing('}', true, "syntax error: missing '}'");
    const value = this.getEnv(name);
    if (value === undefined && this.opts.skipUnsetEnv) return `\${${name}/${pattern}/${replacement}}`;
    const re = patternToRegex(pattern, true, false, all);
    // A function replacement: Go splices the text in without interpreting `$` in it.
    return (value ?? '').replace(re, () => replacement);
  }

  private stopOnOrMissing(stop: string, rawEscapes: boolean, missing: string): string {
    try {
      return this.processStopOn(stop, rawEscapes).result;
    } catch (e) {
      if (this.peek() === undefined) throw new DetailError(missing);
      throw e;
    }
  }
}

/** A shell pattern (`*`, `?`, `\` escapes; no brackets) as a regular expression. */
function patternToRegex(pattern: string, greedy: boolean, anchored: boolean, global = false): RegExp {
  const chars = Array.from(pattern);
  let out = anchored ? '^' : '';
  for (let i = 0; i < chars.length; i++) {
    const tok = chars[i]!;
    if (tok === '*') out += greedy ? '[^\\n]*' : '[^\\n]*?';
    else if (tok === '?') out += '[^\\n]';
    else if (tok === '\\') {
      const nextTok = chars[i + 1];
      if (nextTok === '}' || nextTok === '/') continue; // escaped only for the ${…} syntax
      i++;
      if (nextTok !== '*' && nextTok !== '?' && nextTok !== '\\') {
        throw new DetailError(`invalid pattern (${pattern}) in substitution: invalid escape '\\${nextTok ?? '\ufffd'}'`);
      }
      out += `\\${nextTok}`;
    } else if ('[]{}.+()|^$'.includes(tok)) out += `\\${tok}`;
    else out += tok;
  }
  return new RegExp(out, global ? 'gu' : 'u');
}

function trimPrefix(pattern: string, value: string, greedy: boolean): string {
  const m = patternToRegex(pattern, greedy, true).exec(value);
  return m ? value.slice(m[0].length) : value;
}

/** The shortest/longest suffix match: reverse text and pattern and trim a prefix (as buildkit does). */
function trimSuffix(pattern: string, value: string, greedy: boolean): string {
  const reversed = reversePattern(pattern);
  const rev = (s: string) => Array.from(s).reverse().join('');
  return rev(trimPrefix(reversed, rev(value), greedy));
}

/** Reverses a pattern keeping `\x` escapes in front of what they escape. */
function reversePattern(pattern: string): string {
  const chars = Array.from(pattern);
  const out: string[] = new Array<string>(chars.length);
  const last = chars.length - 1;
  for (let i = 0; i <= last; ) {
    const at = last - i;
    if (chars[i] === '\\' && i !== last) {
      out[at - 1] = '\\';
      out[at] = chars[i + 1]!;
      i += 2;
    } else {
      out[at] = chars[i]!;
      i++;
    }
  }
  return out.join('');
}

function run(word: string, env: ReadonlyMap<string, string>, opts: LexOptions): { result: string; words: string[] } {
  const sw = new ShellWord(word, env, opts);
  try {
    return sw.processStopOn(undefined, opts.rawEscapes ?? false);
  } catch (e) {
    if (e instanceof DetailError) throw new DetailError(`failed to process ${goQuote(word)}: ${e.message}`);
    throw e;
  }
}

const NO_ENV: ReadonlyMap<string, string> = new Map();

/** ProcessWord: the word with quotes removed and variables expanded, spaces kept. */
export function expandWord(word: string, env: ReadonlyMap<string, string>, escape = '\\'): string {
  return run(word, env, { escape }).result;
}

/** ProcessWords: like expandWord, then split on unquoted whitespace (expanded values split too). */
export function expandWords(word: string, env: ReadonlyMap<string, string>, escape = '\\'): string[] {
  return run(word, env, { escape }).words;
}

/** The lexer with explicit options, for the parser's heredoc detection. */
export function lexWords(word: string, opts: LexOptions, env: ReadonlyMap<string, string> = NO_ENV): string[] {
  return run(word, env, opts).words;
}

/** ProcessWord with explicit options (e.g. quotes removed but unset variables kept as written). */
export function lexWord(word: string, opts: LexOptions, env: ReadonlyMap<string, string> = NO_ENV): string {
  return run(word, env, opts).result;
}
