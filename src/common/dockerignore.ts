// `.dockerignore` as Docker reads it (moby/patternmatcher and its ignorefile reader): one pattern per line,
// `#` comments, `!` re-includes, paths cleaned and made relative, Go filepath.Match syntax per segment plus
// `**` for any number of directories; the last matching pattern decides, and a pattern that matches a parent
// directory matches everything under it (MatchesOrParentMatches). Used by the CLI (what to send) and the
// builder (what COPY sees), so both sides agree on every path.
//
// Patterns are classified as moby does (exact, prefix for a trailing `**`, suffix for a leading `**`, else a
// regular expression), because the classes are not equivalent to one expression: `**foo` is a plain suffix
// test that matches `barfoo`, and a pattern without wildcards is compared literally even if it holds `^`.

/** ignorefile.ReadAll: the patterns of a .dockerignore file, in order. */
export function parseDockerignore(text: string): string[] {
  const out: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  for (const raw of lines) {
    // Go's bufio.Scanner drops a trailing \r with the newline.
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.startsWith('#')) continue;
    let p = line.trim();
    if (!p) continue;
    const invert = p.startsWith('!');
    if (invert) p = p.slice(1).trim();
    if (p) {
      p = cleanPath(p);
      if (p.length > 1 && p.startsWith('/')) p = p.slice(1);
    }
    out.push(invert ? `!${p}` : p);
  }
  return out;
}

/** Go's path.Clean for slash paths. */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const abs = p.startsWith('/');
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length && parts[parts.length - 1] !== '..') parts.pop();
      else if (!abs) parts.push('..');
      continue;
    }
    parts.push(seg);
  }
  const s = parts.join('/');
  return abs ? `/${s}` : s || '.';
}

type Kind = 'exact' | 'prefix' | 'suffix' | 'regexp';

interface Pattern {
  exclusion: boolean;
  /** The cleaned pattern without its `!`. */
  text: string;
  kind: Kind;
  re: RegExp | undefined;
}

/** Go's filepath.ErrBadPattern, which dockerd and the docker CLI print as is. */
export const BAD_PATTERN = 'syntax error in pattern';

export class IgnoreMatcher {
  private readonly patterns: Pattern[];
  readonly empty: boolean;
  private readonly exclusions: boolean;
  /** BuildKit's rule: an exception with wildcards (beyond a trailing /* or /**) may re-include anything. */
  private readonly wildExceptions: boolean;

  /** patternmatcher.New: throws moby's errors for `!` alone and for patterns filepath.Match rejects. */
  constructor(patterns: string[]) {
    this.patterns = [];
    for (const raw of patterns) {
      let p = raw.trim();
      if (p === '') continue;
      p = cleanPath(p);
      const exclusion = p.startsWith('!');
      if (exclusion) {
        if (p.length === 1) throw new Error('illegal exclusion pattern: "!"');
        p = p.slice(1);
      }
      validate(p);
      const { kind, re } = compile(p);
      this.patterns.push({ exclusion, text: p, kind, re });
    }
    this.empty = this.patterns.length === 0;
    this.exclusions = this.patterns.some((p) => p.exclusion);
    this.wildExceptions = this.patterns.some((p) => p.exclusion && /[*?[\]^\\]/.test(withoutTrailingGlob(p.text)));
  }

  /** relPath: slash-separated, relative to the context root, no leading ./. True when the path is ignored. */
  matches(relPath: string): boolean {
    const file = cleanPath(relPath);
    // "Don't let them exclude everything, kind of silly."
    if (this.empty || file === '.') return false;
    const slash = file.lastIndexOf('/');
    const parents: string[] = [];
    if (slash > 0) {
      const segs = file.slice(0, slash).split('/');
      for (let i = 1; i <= segs.length; i++) parents.push(segs.slice(0, i).join('/'));
    }
    let matched = false;
    for (const p of this.patterns) {
      // Only a pattern that could change the answer is tested (moby's shortcut; the result is the same).
      if (p.exclusion !== matched) continue;
      if (test(p, file) || parents.some((d) => test(p, d))) matched = !p.exclusion;
    }
    return matched;
  }

  /** True when some `!` pattern could re-include something under dir (so a walker must descend into an ignored dir). */
  mayReinclude(relDir: string): boolean {
    if (!this.exclusions) return false;
    if (this.wildExceptions) return true;
    const dirSlash = `${cleanPath(relDir)}/`;
    return this.patterns.some((p) => p.exclusion && `${withoutTrailingGlob(p.text)}/`.startsWith(dirSlash));
  }
}

function withoutTrailingGlob(text: string): string {
  if (text.endsWith('/**')) return text.slice(0, -3);
  if (text.endsWith('/*')) return text.slice(0, -2);
  return text;
}

function test(p: Pattern, path: string): boolean {
  switch (p.kind) {
    case 'exact':
      return path === p.text;
    case 'prefix':
      return path.startsWith(p.text.slice(0, -2));
    case 'suffix': {
      const suffix = p.text.slice(2);
      // `**/foo` also matches `foo` itself
      return path.endsWith(suffix) || (suffix.startsWith('/') && path === suffix.slice(1));
    }
    case 'regexp':
      return p.re!.test(path);
  }
}

/** What must be escaped to stand for itself in a `u`-mode expression (`-` only matters inside a class). */
const SYNTAX = new Set([...'^$\\.*+?()[]{}|/']);

const litOut = (ch: string) => (SYNTAX.has(ch) ? `\\${ch}` : ch);
const litIn = (ch: string) => (SYNTAX.has(ch) || ch === '-' ? `\\${ch}` : ch);

/** moby's Pattern.compile, producing a JavaScript expression with the same meaning. */
function compile(pattern: string): { kind: Kind; re: RegExp | undefined } {
  const chars = [...pattern]; // code points: `?` is one character, as a Go rune
  let kind: Kind = 'exact';
  let re = '^';
  for (let i = 0; i < chars.length; i++) {
    const first = i === 0;
    const ch = chars[i]!;
    if (ch === '*') {
      if (chars[i + 1] === '*') {
        i++;
        if (chars[i + 1] === '/') i++; // `**/` is `**`
        if (i + 1 === chars.length) {
          // a trailing `**` accepts everything, as in .gitignore
          if (kind === 'exact') kind = 'prefix';
          else {
            re += '.*';
            kind = 'regexp';
          }
        } else {
          re += '(?:.*/)?';
          kind = 'regexp';
        }
        // a leading `**` makes a suffix test unless a later wildcard turns it back into an expression
        if (first) kind = 'suffix';
      } else {
        re += '[^/]*';
        kind = 'regexp';
      }
    } else if (ch === '?') {
      re += '[^/]';
      kind = 'regexp';
    } else if (ch === '\\') {
      // validate() has refused a trailing backslash
      re += litOut(chars[++i]!);
      kind = 'regexp';
    } else if (ch === '[') {
      const end = classEnd(chars, i);
      re += classExpr(chars.slice(i + 1, end));
      i = end;
      kind = 'regexp';
    } else if (ch === ']') {
      re += '\\]';
      kind = 'regexp';
    } else if (ch === '^') {
      // moby leaves `^` to the expression, where it anchors (so a regexp pattern holding one matches nothing)
      re += '^';
    } else {
      re += litOut(ch);
    }
  }
  return { kind, re: kind === 'regexp' ? new RegExp(`${re}$`, 'u') : undefined };
}

/** Index of the `]` closing the class opened at `start` (validate() guarantees one). */
function classEnd(chars: string[], start: number): number {
  let i = start + 1;
  if (chars[i] === '^') i++;
  for (let first = true; ; first = false) {
    if (!first && chars[i] === ']') return i;
    if (chars[i] === '\\') i++;
    i++;
    if (chars[i] === '-') {
      i++;
      if (chars[i] === '\\') i++;
      i++;
    }
  }
}

/** A filepath.Match class (`[^a-z\]]`) as an expression class. */
function classExpr(body: string[]): string {
  let out = '[';
  let i = 0;
  if (body[0] === '^') {
    out += '^'; // like moby's expression (and filepath.Match), a negated class matches `/` too
    i++;
  }
  while (i < body.length) {
    const lo = body[i] === '\\' ? body[++i]! : body[i]!;
    i++;
    out += litIn(lo);
    if (body[i] === '-') {
      i++;
      const hi = body[i] === '\\' ? body[++i]! : body[i]!;
      i++;
      out += `-${litIn(hi)}`;
    }
  }
  return `${out}]`;
}

/** filepath.Match's syntax check (moby calls Match(pattern, ".") for its error). */
function validate(pattern: string): void {
  const c = [...pattern];
  const bad = () => new Error(BAD_PATTERN);
  for (let i = 0; i < c.length; i++) {
    if (c[i] === '\\') {
      if (i + 1 >= c.length) throw bad();
      i++;
    } else if (c[i] === '[') {
      i++;
      if (c[i] === '^') i++;
      let ranges = 0;
      for (;;) {
        if (i >= c.length) throw bad();
        if (c[i] === ']' && ranges > 0) break;
        const lo = escChar(c, i, bad);
        i = lo.next;
        if (c[i] === '-') {
          const hi = escChar(c, i + 1, bad);
          if (hi.ch < lo.ch) throw bad();
          i = hi.next;
        }
        ranges++;
      }
    }
  }
}

/** filepath.getEsc: one class character, unescaping `\x`; `-` and `]` may not start a range end. */
function escChar(c: string[], i: number, bad: () => Error): { ch: number; next: number } {
  if (i >= c.length || c[i] === '-' || c[i] === ']') throw bad();
  if (c[i] === '\\') {
    i++;
    if (i >= c.length) throw bad();
  }
  return { ch: c[i]!.codePointAt(0)!, next: i + 1 };
}
