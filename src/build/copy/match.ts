// Wildcards in COPY/ADD sources follow Go's filepath.Match: `*` and `?` never cross a '/', `[...]` classes
// take ranges and a leading `^` for negation, and `\` escapes the next character. Docker matches the whole
// relative path; since no wildcard crosses '/', matching segment by segment is the same and lets the walk
// skip directories that cannot match.

/** True when `s` has a wildcard that is not escaped (moby's containsWildcards). */
export function hasWildcards(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\') i++;
    else if (ch === '*' || ch === '?' || ch === '[') return true;
  }
  return false;
}

/** A matcher for one path segment, or undefined when the pattern is malformed (Go's ErrBadPattern). */
export function segmentMatcher(pattern: string): ((name: string) => boolean) | undefined {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '\\') {
      if (i + 1 >= pattern.length) return undefined;
      re += escapeRe(pattern[++i]!);
    } else if (ch === '[') {
      const cls = readClass(pattern, i + 1);
      if (!cls) return undefined;
      re += cls.re;
      i = cls.end;
    } else re += escapeRe(ch);
  }
  let compiled: RegExp;
  try {
    compiled = new RegExp(`${re}$`, 'su');
  } catch {
    return undefined;
  }
  return (name) => compiled.test(name);
}

/** Parses a class starting after '['; returns its regexp and the index of the closing ']'. */
function readClass(p: string, start: number): { re: string; end: number } | undefined {
  let i = start;
  let negate = false;
  if (p[i] === '^') {
    negate = true;
    i++;
  }
  const parts: string[] = [];
  let first = true;
  while (i < p.length) {
    if (p[i] === ']' && !first) return { re: `[${negate ? '^' : ''}${parts.join('')}]`, end: i };
    first = false;
    const lo = readChar(p, i);
    if (!lo) return undefined;
    i = lo.next;
    if (p[i] === '-' && p[i + 1] !== undefined && p[i + 1] !== ']') {
      const hi = readChar(p, i + 1);
      if (!hi || hi.ch < lo.ch) return undefined;
      parts.push(`${escapeClass(lo.ch)}-${escapeClass(hi.ch)}`);
      i = hi.next;
    } else parts.push(escapeClass(lo.ch));
  }
  return undefined;
}

function readChar(p: string, i: number): { ch: string; next: number } | undefined {
  if (p[i] === '\\') {
    if (i + 1 >= p.length) return undefined;
    return { ch: p[i + 1]!, next: i + 2 };
  }
  if (p[i] === undefined || p[i] === '-') return undefined;
  return { ch: p[i]!, next: i + 1 };
}

function escapeRe(ch: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(ch) ? `\\${ch}` : ch;
}

function escapeClass(ch: string): string {
  return /[\\\]^[-]/.test(ch) ? `\\${ch}` : ch;
}
