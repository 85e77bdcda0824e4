// Method + path matching with gorilla/mux's pattern syntax and moby's version negotiation. The behaviour
// around misses is deliberate: moby installs the same handler for unknown paths and for known paths with
// the wrong method, so both answer 404 {"message":"page not found"}, never 405.
import type { HttpMethod, Route } from './types.js';

export const API_VERSION = '1.50';
export const MIN_API_VERSION = '1.24';

/** moby answers versions below 1.24 in plain text: such old clients print JSON bodies verbatim. */
const PLAIN_TEXT_BELOW = '1.24';

export type RouteMatch =
  | { kind: 'route'; route: Route; params: Record<string, string>; version: string }
  | { kind: 'not-found' }
  | { kind: 'bad-version'; version: string; message: string; plainText: boolean }
  | { kind: 'bad-path'; message: string };

interface Compiled {
  route: Route;
  regex: RegExp;
  names: string[];
}

export interface VersionRange {
  min: string;
  max: string;
}

/** Compares dotted versions numerically, part by part, as moby's versions.compare does ("1.9" < "1.24"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = Number.parseInt(pa[i] ?? '0', 10) || 0;
    const y = Number.parseInt(pb[i] ?? '0', 10) || 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export function compilePattern(path: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  let source = '';
  let i = 0;
  while (i < path.length) {
    const open = path.indexOf('{', i);
    if (open < 0) {
      source += escapeRegex(path.slice(i));
      break;
    }
    source += escapeRegex(path.slice(i, open));
    // Braces may nest inside a variable's regex ({id:[0-9]{3}}), so find the matching close by depth.
    let depth = 0;
    let close = open;
    for (; close < path.length; close++) {
      if (path[close] === '{') depth++;
      else if (path[close] === '}' && --depth === 0) break;
    }
    if (close >= path.length) throw new Error(`unbalanced braces in route path ${path}`);
    const body = path.slice(open + 1, close);
    const colon = body.indexOf(':');
    const name = colon < 0 ? body : body.slice(0, colon);
    const pattern = colon < 0 ? '[^/]+' : body.slice(colon + 1);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`bad variable name "${name}" in route path ${path}`);
    if (names.includes(name)) throw new Error(`duplicate variable "${name}" in route path ${path}`);
    names.push(name);
    source += `(${pattern})`;
    i = close + 1;
  }
  return { regex: new RegExp(`^${source}$`, 's'), names };
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class Router {
  private readonly compiled: Compiled[];
  private readonly versions: VersionRange;

  constructor(routes: readonly Route[], versions: VersionRange = { min: MIN_API_VERSION, max: API_VERSION }) {
    this.versions = versions;
    this.compiled = routes.map((route) => {
      if (route.hijack === true && route.method === 'HEAD') throw new Error(`HEAD route ${route.path} cannot hijack`);
      // A group per variable must line up with `names`; user regexes must therefore use (?:…) groups.
      const { regex, names } = compilePattern(route.path);
      if (new RegExp(`${regex.source}|`).exec('')!.length - 1 !== names.length) {
        throw new Error(`route path ${route.path}: use non-capturing groups (?:…) inside variables`);
      }
      return { route, regex, names };
    });
  }

  match(method: string, target: string): RouteMatch {
    // Absolute-form targets (http://host/path) come from clients talking through proxies.
    const rawPath = target.replace(/^https?:\/\/[^/]*/i, '').split('?', 1)[0] ?? '';
    let path: string;
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      return { kind: 'bad-path', message: `invalid URL escape in path ${JSON.stringify(rawPath)}` };
    }
    const prefixed = /^\/v([0-9.]+)(\/.*)$/s.exec(path);
    const rest = prefixed ? prefixed[2]! : path;
    const found = this.find(method, rest);
    if (found === undefined) return { kind: 'not-found' };
    const version = prefixed ? prefixed[1]! : this.versions.max;
    const error = this.checkVersion(version);
    if (error !== undefined) {
      return { kind: 'bad-version', version, message: error, plainText: compareVersions(version, PLAIN_TEXT_BELOW) < 0 };
    }
    return { kind: 'route', route: found.route, params: found.params, version };
  }

  /** Whether a request targets a hijack route; asked before the request has a response object. */
  isHijack(method: string, target: string): boolean {
    const m = this.match(method, target);
    return m.kind === 'route' && m.route.hijack === true;
  }

  private find(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
    // First registered match wins, as in gorilla/mux; routes are registered in a deliberate order.
    for (const c of this.compiled) {
      if (c.route.method !== (method as HttpMethod)) continue;
      const m = c.regex.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      c.names.forEach((name, i) => (params[name] = m[i + 1] ?? ''));
      return { route: c.route, params };
    }
    return undefined;
  }

  private checkVersion(version: string): string | undefined {
    const { min, max } = this.versions;
    if (compareVersions(version, min) < 0) {
      return `client version ${version} is too old. Minimum supported API version is ${min}, please upgrade your client to a newer version`;
    }
    if (compareVersions(version, max) > 0) {
      return `client version ${version} is too new. Maximum supported API version is ${max}`;
    }
    return undefined;
  }
}
