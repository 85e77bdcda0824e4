// Dockerfile text → nodes, following buildkit's frontend/dockerfile/parser (parser.go): parser directives at
// the top, escape-character line continuations (comment and blank lines inside them dropped), heredocs for
// RUN/COPY/ADD, and each instruction's argument shape (args.ts). Nothing is expanded here.
import { DetailError, goQuote, syntaxError } from './errors.js';
import { lexWords } from './expand.js';
import { extractFlags } from './flags.js';
import type { Directives, Heredoc, Node, ParseResult } from './types.js';

export interface ParseOptions {
  /** The Dockerfile's name in the context, for Docker's "failed to parse <name>: …" (default "Dockerfile"). */
  name?: string;
}

const DIRECTIVE = /^#[\t\n\f\r ]*([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*$/;
const HEREDOC_KEYWORDS = new Set(['run', 'copy', 'add']);
/** Go's regexp `\s` (ASCII): the heredoc word may have blanks after `<<`. */
const HEREDOC = /^(\d*)<<(-?)[\t\n\f\r ]*([^<]*)$/;
/** Go's unicode.IsSpace. */
const LEADING_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u;

const trimNewline = (s: string): string => s.replace(/[\r\n]+$/, '');
const trimLeading = (s: string): string => s.replace(LEADING_SPACE, '');
const isComment = (s: string): boolean => trimLeading(s).startsWith('#');

/** Physical lines, each keeping its line ending (bufio scanLines variant in parser.go). */
function physicalLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
    lines.push(text.slice(start, nl + 1));
    start = nl + 1;
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

/** Parser directives: consecutive `# key=value` lines at the very top; the first other line ends them. */
class DirectiveReader {
  private done = false;
  private readonly seen = new Set<string>();
  readonly directives: Directives = { escape: '\\' };
  private continuation = continuationRegex('\\');

  /** Looks at one (left-trimmed) line; true when it was a directive. */
  read(line: string): boolean {
    if (this.done) return false;
    const m = DIRECTIVE.exec(line);
    const key = m?.[1]?.toLowerCase();
    if (!m || (key !== 'syntax' && key !== 'escape' && key !== 'check')) {
      this.done = true;
      return false;
    }
    if (this.seen.has(key)) throw new DetailError(`only one ${key} parser directive can be used`);
    this.seen.add(key);
    const value = m[2]!;
    if (key === 'escape') {
      if (value !== '`' && value !== '\\') throw new DetailError(`invalid escape token '${value}' does not match \` or \\`);
      this.directives.escape = value;
      this.continuation = continuationRegex(value);
    } else this.directives[key] = value;
    return true;
  }

  /** Strips a trailing line-continuation escape; returns the line and whether the instruction ends here. */
  trimContinuation(line: string): [string, boolean] {
    if (!this.continuation.test(line)) return [line, true];
    return [line.replace(this.continuation, (_m, before: string | undefined) => before ?? ''), false];
  }
}

/**
 * The escape character as last non-blank character continues the line, unless escaped itself (`\\`). Like
 * buildkit's regex, it cannot tell an escaped escape before a continuation (`\\\`).
 */
function continuationRegex(escape: string): RegExp {
  const e = `\\${escape}`;
  return new RegExp(`([^${e}])${e}[ \\t]*$|^${e}[ \\t]*$`);
}

export function parse(text: string, opts: ParseOptions = {}): ParseResult {
  const name = opts.name ?? 'Dockerfile';
  const lines = physicalLines(text.startsWith('\ufeff') ? text.slice(1) : text);
  const d = new DirectiveReader();
  const nodes: Node[] = [];
  const warnings: string[] = [];
  let next = 0;
  let currentLine = 0;

  // processLine in parser.go: line ending off, optionally leading blanks off, directives noted, comments → ''.
  const processLine = (raw: string, stripLeft: boolean): string => {
    let line = trimNewline(raw);
    if (stripLeft) line = trimLeading(line);
    try {
      d.read(line);
    } catch (e) {
      throw e instanceof DetailError ? syntaxError(e.message, currentLine + 1, name) : e;
    }
    return isComment(line) ? '' : line;
  };

  while (next < lines.length) {
    let read = processLine(lines[next++]!, true);
    currentLine++;
    const startLine = currentLine;
    let end: boolean;
    [read, end] = d.trimContinuation(read);
    if (end && read === '') continue;
    let line = read;
    let emptyContinuation = false;
    while (!end && next < lines.length) {
      const raw = lines[next++]!;
      read = processLine(raw, false);
      currentLine++;
      if (isComment(raw)) continue;
      if (trimLeading(read) === '') {
        emptyContinuation = true;
        continue;
      }
      [read, end] = d.trimContinuation(read);
      line += read;
    }
    if (emptyContinuation) warnings.push(`Empty continuation line found in: ${line}`);

    let node: Node;
    try {
      node = nodeFromLine(line, d.directives.escape, startLine);
    } catch (e) {
      throw e instanceof DetailError ? syntaxError(e.message, startLine, name) : e;
    }
    if (canContainHeredoc(node) && line.includes('<<')) {
      let found: Heredoc[];
      try {
        found = heredocsFromLine(line);
      } catch (e) {
        throw e instanceof DetailError ? syntaxError(e.message, startLine, name) : e;
      }
      for (const h of found) {
        let content = '';
        let terminated = false;
        while (next < lines.length) {
          const raw = lines[next++]!;
          currentLine++;
          let candidate = trimNewline(raw);
          if (h.chomp) candidate = candidate.replace(/^\t+/, '');
          if (candidate === h.name) {
            terminated = true;
            break;
          }
          content += raw;
        }
        if (!terminated) throw syntaxError('unterminated heredoc', startLine, name);
        node.heredocs.push({ ...h, content: h.chomp ? chompHeredocContent(content) : content });
      }
    }
    node.endLine = currentLine;
    if (node.inner) node.inner.endLine = currentLine;
    nodes.push(node);
  }
  if (nodes.length === 0) throw syntaxError('file with no instructions', currentLine, name);
  return { directives: d.directives, nodes, warnings };
}

/** One logical line → a node: keyword, flags (buildkit's extractBuilderFlags), then the keyword's args shape. */
function nodeFromLine(line: string, escape: string, startLine: number): Node {
  const trimmed = line.trim();
  const ws = /[\t\v\f\r ]+/.exec(trimmed);
  const word = ws ? trimmed.slice(0, ws.index) : trimmed;
  const rest = ws ? trimmed.slice(ws.index + ws[0].length) : '';
  const keyword = word.toLowerCase();
  const [argText, flags] = rest === '' ? ['', []] : extractFlags(rest, escape);
  const shape = argsFor(keyword, argText.trim(), escape);
  const node: Node = { keyword, original: trimmed, startLine, endLine: startLine, flags, args: shape.args, json: shape.json, heredocs: [] };
  if (keyword === 'onbuild' && shape.sub !== undefined) {
    const inner = nodeFromLine(shape.sub, escape, startLine);
    node.inner = inner;
    // buildkit's nodeArgs flattens ONBUILD to [trigger keyword as written, …its args].
    node.args = [shape.sub.trim().split(/[\t\v\f\r ]+/)[0]!, ...inner.args];
  }
  return node;
}

function canContainHeredoc(node: Node): boolean {
  const n = node.keyword === 'onbuild' && node.inner ? node.inner : node;
  return HEREDOC_KEYWORDS.has(n.keyword) && !n.json;
}

/** The heredocs a line opens, in order (buildkit lexes the line with raw quotes/escapes, unset vars kept). */
function heredocsFromLine(line: string): Heredoc[] {
  let words: string[];
  try {
    words = lexWords(line, { escape: '\\', rawQuotes: true, rawEscapes: true, skipUnsetEnv: true });
  } catch {
    return []; // buildkit ignores a line it cannot lex here
  }
  return words.map(parseHeredoc).filter((h): h is Heredoc => h !== undefined);
}

/** `<<EOF`, `<<-EOF`, `<<"EOF"`, `3<<EOF` → the heredoc it opens (content empty), or undefined. */
export function parseHeredoc(word: string): Heredoc | undefined {
  const m = HEREDOC.exec(word);
  if (!m || m[3] === '') return undefined;
  const rest = m[3]!;
  const plain = lexWords(rest, { escape: '\\', skipUnsetEnv: true });
  if (plain.length !== 1) return undefined;
  const raw = lexWords(rest, { escape: '\\', skipUnsetEnv: true, rawQuotes: true });
  if (raw.length !== 1) throw new DetailError(`internal lexing of heredoc produced inconsistent results: ${rest}`);
  // Quotes anywhere in the delimiter turn expansion of the body off.
  const quotes = (s: string) => (s.match(/['"]/g) ?? []).length;
  const h: Heredoc = { name: plain[0]!, content: '', expand: quotes(plain[0]!) === quotes(raw[0]!), chomp: m[2] === '-' };
  if (m[1] !== '') h.fd = Number(m[1]);
  return h;
}

/** `<<-`: leading tabs off every line. */
export function chompHeredocContent(content: string): string {
  return content.replace(/^\t+/gm, '');
}

/** An instruction's arguments as buildkit's line parsers (line_parsers.go) shape them. */
interface Shape {
  args: string[];
  json: boolean;
  /** ONBUILD: the trigger's line. */
  sub?: string;
}

const WHITESPACE = /[\t\v\f\r ]+/;

function argsFor(keyword: string, rest: string, escape: string): Shape {
  const words = (args: string[]): Shape => ({ args, json: false });
  switch (keyword) {
    case 'add':
    case 'copy':
    case 'volume':
      return maybeJSON(rest) ?? words(splitWhitespace(rest));
    case 'cmd':
    case 'entrypoint':
    case 'run':
    case 'shell':
      if (rest === '') return words([]);
      return maybeJSON(rest) ?? words([rest]);
    case 'arg':
      return words(parseWords(rest, escape));
    case 'env':
    case 'label':
      return words(parseNameVal(rest, keyword === 'env' ? 'ENV' : 'LABEL', escape));
    case 'expose':
    case 'from':
      return words(splitWhitespace(rest));
    case 'maintainer':
    case 'stopsignal':
    case 'user':
    case 'workdir':
      return words(rest === '' ? [] : [rest]);
    case 'healthcheck':
      return healthcheckArgs(rest);
    case 'onbuild':
      return rest === '' ? words([]) : { args: [], json: false, sub: rest };
    default:
      // Unknown instructions parse (arguments ignored); toInstruction rejects them, as buildkit does.
      return words([]);
  }
}

function splitWhitespace(rest: string): string[] {
  return rest === '' ? [] : rest.split(WHITESPACE);
}

/**
 * The exec (JSON) form: a line starting with `[` that decodes as a JSON array. Anything else that fails to decode
 * is shell form; an array with a non-string element is an error.
 */
function maybeJSON(rest: string): Shape | undefined {
  const text = rest.trimStart();
  if (!text.startsWith('[')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value)) return undefined;
  if (!value.every((v): v is string => typeof v === 'string')) {
    throw new DetailError('when using JSON array syntax, arrays must be comprised of strings only');
  }
  return { args: value, json: true };
}

/** HEALTHCHECK: its type word, then CMD's command in JSON or shell form. */
function healthcheckArgs(rest: string): Shape {
  const m = /\s/.exec(rest);
  const sep = m ? m.index : rest.length;
  if (sep === 0) return { args: [], json: false };
  const type = rest.slice(0, sep);
  const cmd = rest.slice(sep).trimStart();
  if (cmd === '') return { args: [type], json: false };
  const shape = maybeJSON(cmd) ?? { args: [cmd], json: false };
  return { args: [type, ...shape.args], json: shape.json };
}

/**
 * Words separated by blanks; quotes and escapes are kept (expansion removes them later), but quoted blanks
 * do not split (buildkit's parseWords).
 */
export function parseWords(rest: string, escape: string): string[] {
  const chars = Array.from(rest);
  const isSpace = (ch: string) => /^\s$/u.test(ch);
  const words: string[] = [];
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let quote = '';
  let blankOK = false;
  let sb = '';
  for (let pos = 0; pos <= chars.length; pos++) {
    let ch = chars[pos] ?? '';
    if (phase === 'spaces') {
      if (pos === chars.length) break;
      if (isSpace(ch)) continue;
      phase = 'word';
    }
    if (pos === chars.length) {
      if (blankOK || sb.length > 0) words.push(sb);
      break;
    }
    if (phase === 'word') {
      if (isSpace(ch)) {
        phase = 'spaces';
        if (blankOK || sb.length > 0) words.push(sb);
        sb = '';
        blankOK = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        phase = 'quote';
      }
      if (ch === escape) {
        if (pos + 1 === chars.length) continue; // an escape at the end is dropped
        sb += ch;
        ch = chars[++pos]!;
      }
      sb += ch;
      continue;
    }
    if (ch === quote) phase = 'word';
    // Inside '…' the escape character is literal.
    if (ch === escape && quote !== "'") {
      if (pos + 1 === chars.length) {
        phase = 'word';
        continue;
      }
      sb += ch;
      ch = chars[++pos]!;
    }
    sb += ch;
  }
  return words;
}

/**
 * ENV/LABEL pairs as [key, value, key, value, …]. `KEY value with spaces` (no `=` in the first word) is the
 * legacy one-pair form; otherwise every word must be `key=value`. Values keep their quotes.
 */
function parseNameVal(rest: string, key: string, escape: string): string[] {
  const words = parseWords(rest, escape);
  if (words.length === 0) return [];
  if (!words[0]!.includes('=')) {
    const m = WHITESPACE.exec(rest);
    if (!m) throw new DetailError(`${key} must have two arguments`);
    return [rest.slice(0, m.index), rest.slice(m.index + m[0].length)];
  }
  const out: string[] = [];
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq < 0) throw new DetailError(`Syntax error - can't find = in ${goQuote(word)}. Must be of the form: name=value`);
    out.push(word.slice(0, eq), word.slice(eq + 1));
  }
  return out;
}
