// WWW-Authenticate parsing (RFC 7235 with the leniency registries need) and the scopes of the token protocol
// (distribution docs/spec/auth/scope.md). Pure.

export interface Challenge {
  /** Lower case: 'bearer', 'basic', … */
  scheme: string;
  params: Record<string, string>;
}

/**
 * Parses one header value, which may hold several challenges:
 * `Bearer realm="https://auth/token",service="registry",scope="repository:a:pull", Basic realm="x"`.
 */
export function parseWwwAuthenticate(header: string | string[] | undefined): Challenge[] {
  if (header === undefined) return [];
  if (Array.isArray(header)) return header.flatMap((h) => parseWwwAuthenticate(h));
  const out: Challenge[] = [];
  let i = 0;
  const s = header;
  const skip = (re: RegExp) => {
    while (i < s.length && re.test(s[i]!)) i++;
  };
  const token = () => {
    const start = i;
    while (i < s.length && /[!#$%&'*+\-.^_`|~0-9A-Za-z]/.test(s[i]!)) i++;
    return s.slice(start, i);
  };
  let current: Challenge | undefined;
  while (i < s.length) {
    skip(/[\s,]/);
    const start = i;
    const name = token();
    if (name === '') {
      i++;
      continue;
    }
    skip(/\s/);
    if (s[i] === '=' && current) {
      i++;
      skip(/\s/);
      let value = '';
      if (s[i] === '"') {
        i++;
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\' && i + 1 < s.length) i++;
          value += s[i];
          i++;
        }
        i++;
      } else {
        const vs = i;
        while (i < s.length && s[i] !== ',' && !/\s/.test(s[i]!)) i++;
        value = s.slice(vs, i);
      }
      current.params[name.toLowerCase()] = value;
    } else if (s[i] === '=' && !current) {
      // a parameter before any scheme: not a challenge we can use
      i = start + name.length + 1;
    } else {
      current = { scheme: name.toLowerCase(), params: {} };
      out.push(current);
    }
  }
  return out;
}

/** The challenge a client acts on: Bearer wins over Basic (distribution's authorizer tries handlers in order). */
export function pickChallenge(challenges: readonly Challenge[]): Challenge | undefined {
  return challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
}

export type Action = 'pull' | 'push' | 'delete' | '*';

/** `repository:<path>:<actions>`, the scope token servers grant. */
export function repositoryScope(path: string, actions: readonly Action[]): string {
  return `repository:${path}:${[...new Set(actions)].join(',')}`;
}

interface ParsedScope {
  type: string;
  name: string;
  actions: Set<string>;
}

function parseScope(scope: string): ParsedScope | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last === first) return undefined;
  return { type: scope.slice(0, first), name: scope.slice(first + 1, last), actions: new Set(scope.slice(last + 1).split(',')) };
}

/** Whether a token granted for `held` scopes covers every one of `wanted` (a pull,push token serves a pull). */
export function scopesCover(held: readonly string[], wanted: readonly string[]): boolean {
  const have = held.map(parseScope).filter((s): s is ParsedScope => s !== undefined);
  return wanted.every((w) => {
    const p = parseScope(w);
    if (!p) return held.includes(w);
    return have.some(
      (h) => h.type === p.type && h.name === p.name && (h.actions.has('*') || [...p.actions].every((a) => h.actions.has(a))),
    );
  });
}
