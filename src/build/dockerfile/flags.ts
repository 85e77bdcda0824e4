// Instruction flags (`--name=value` before the arguments), checked the way buildkit's BFlags does: each
// instruction declares the flags it takes, then the words are matched against them with Docker's messages.
import { fail, goQuote, withSuggestion } from './errors.js';
import type { Mount } from './types.js';

type FlagType = 'bool' | 'string' | 'strings';

interface Flag {
  type: FlagType;
  value: string;
  values: string[];
  used: boolean;
}

export class FlagSet {
  private readonly flags = new Map<string, Flag>();

  constructor(private readonly args: readonly string[]) {}

  private add(name: string, type: FlagType, value: string): void {
    this.flags.set(name, { type, value, values: [], used: false });
  }
  bool(name: string, def = false): this {
    this.add(name, 'bool', def ? 'true' : 'false');
    return this;
  }
  string(name: string, def = ''): this {
    this.add(name, 'string', def);
    return this;
  }
  strings(name: string): this {
    this.add(name, 'strings', '');
    return this;
  }

  /** Matches the words against the declared flags; throws Docker's message on the first bad one. */
  parse(): this {
    for (const a of this.args) {
      // `--` ends the flags (POSIX utility syntax), as in BFlags.Parse.
      if (a === '--') return this;
      if (!a.startsWith('--')) throw fail(`arg should start with -- : ${a}`);
      const eq = a.indexOf('=');
      const flagName = eq < 0 ? a : a.slice(0, eq);
      const hasValue = eq >= 0;
      const value = hasValue ? a.slice(eq + 1) : '';
      const name = flagName.slice(2);
      const flag = this.flags.get(name);
      if (!flag) throw fail(withSuggestion(`unknown flag: ${flagName}`, name, [...this.flags.keys()], true));
      if (flag.used && flag.type !== 'strings') throw fail(`duplicate flag specified: ${flagName}`);
      flag.used = true;
      switch (flag.type) {
        case 'bool': {
          if (hasValue && value === '') throw fail(`missing a value on flag: ${flagName}`);
          const v = value.toLowerCase();
          if (v === 'true' || v === '') flag.value = 'true';
          else if (v === 'false') flag.value = 'false';
          else throw fail(`expecting boolean value for flag ${flagName}, not: ${value}`);
          break;
        }
        case 'string':
          if (!hasValue) throw fail(`missing a value on flag: ${flagName}`);
          flag.value = value;
          break;
        case 'strings':
          if (!hasValue) throw fail(`missing a value on flag: ${flagName}`);
          flag.values.push(value);
          break;
      }
    }
    return this;
  }

  private get(name: string): Flag {
    const f = this.flags.get(name);
    if (!f) throw new Error(`flag ${name} was not declared`);
    return f;
  }
  str(name: string): string {
    return this.get(name).value;
  }
  isTrue(name: string): boolean {
    return this.get(name).value === 'true';
  }
  list(name: string): string[] {
    return [...this.get(name).values];
  }
  used(name: string): boolean {
    return this.get(name).used;
  }
}

/** `--name=value` words at the start of the arguments (quotes removed, escapes applied); `--` ends them. */
export function extractFlags(line: string, escape: string): [string, string[]] {
  const chars = Array.from(line);
  const words: string[] = [];
  const isSpace = (ch: string) => /^\s$/u.test(ch);
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let sb = '';
  let quote = '';
  let blankOK = false;
  let offset = 0; // UTF-16 offset of chars[pos], to cut the rest off
  for (let pos = 0; pos <= chars.length; offset += chars[pos]?.length ?? 0, pos++) {
    let ch = chars[pos] ?? '';
    if (phase === 'spaces') {
      if (pos === chars.length) break;
      if (isSpace(ch)) continue;
      if (ch !== '-' || chars[pos + 1] !== '-') return [line.slice(offset), words];
      phase = 'word';
    }
    if (pos === chars.length) {
      if (sb !== '--' && (blankOK || sb.length > 0)) words.push(sb);
      break;
    }
    if (phase === 'word') {
      if (isSpace(ch)) {
        phase = 'spaces';
        if (sb === '--') return [line.slice(offset), words];
        if (blankOK || sb.length > 0) words.push(sb);
        sb = '';
        blankOK = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        phase = 'quote';
        continue;
      }
      if (ch === escape) {
        if (pos + 1 === chars.length) continue; // an escape at the end is dropped
        offset += ch.length;
        ch = chars[++pos]!;
      }
      sb += ch;
      continue;
    }
    if (ch === quote) {
      phase = 'word';
      continue;
    }
    if (ch === escape) {
      if (pos + 1 === chars.length) {
        phase = 'word';
        continue;
      }
      offset += ch.length;
      ch = chars[++pos]!;
    }
    sb += ch;
  }
  return ['', words];
}

// ---- RUN --mount specs ----

const MOUNT_TYPES = ['bind', 'cache', 'tmpfs', 'secret', 'ssh'] as const;
const SHARING = ['shared', 'private', 'locked'] as const;
const MOUNT_KEYS = ['type', 'from', 'source', 'target', 'readonly', 'id', 'sharing', 'required', 'size', 'mode', 'uid', 'gid', 'src', 'dst', 'destination', 'ro', 'rw', 'readwrite', 'env'];

/** One CSV record, as encoding/csv reads it (quoted fields, `""` for a quote). */
export function csvFields(line: string): string[] {
  if (line === '') return [];
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) throw fail(`failed to parse csv mounts: parse error on line 1, column ${i + 1}: extraneous or missing " in quoted-field`);
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += line[i++];
      }
      if (i < line.length && line[i] !== ',') throw fail(`failed to parse csv mounts: parse error on line 1, column ${i + 1}: extraneous or missing " in quoted-field`);
    } else {
      const end = line.indexOf(',', i);
      field = line.slice(i, end < 0 ? line.length : end);
      const q = field.indexOf('"');
      if (q >= 0) throw fail(`failed to parse csv mounts: parse error on line 1, column ${i + q + 1}: bare " in non-quoted-field`);
      i = end < 0 ? line.length : end;
    }
    fields.push(field);
    if (i >= line.length) return fields;
    i++; // the comma
    if (i >= line.length) {
      fields.push('');
      return fields;
    }
  }
}

/** Go's strconv.ParseBool. */
function parseBool(key: string, value: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw fail(`invalid value for ${key}: ${value}`);
}

/** Go's strconv.ParseUint(value, base, 32), or undefined. */
function parseUint32(value: string, base: 8 | 10): number | undefined {
  if (!(base === 8 ? /^[0-7]+$/ : /^[0-9]+$/).test(value)) return undefined;
  const n = parseInt(value, base);
  return n <= 0xffffffff ? n : undefined;
}

/** docker/go-units RAMInBytes: `64m`, `1.5g`, `512KiB`, … in 1024 steps. */
export function ramInBytes(value: string): number | undefined {
  const m = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(value);
  if (!m) return undefined;
  const size = parseFloat(m[1]!);
  if (Number.isNaN(size)) return undefined;
  const exp = m[2] ? 'kmgtp'.indexOf(m[2].toLowerCase()) + 1 : 0;
  return Math.trunc(size * 1024 ** exp);
}

/**
 * A `--mount=` value → Mount, with buildkit's rules and messages (commands_runmount.go). `expand` maps each
 * value before use (the builder passes its variable expansion; parsing alone leaves values as written). A `from`
 * holding a variable is refused, as buildkit does before expansion.
 */
export function parseMount(spec: string, expand?: (word: string) => string): Mount {
  const m: Mount = { type: 'bind', target: '', readonly: false };
  let roAuto = true;
  for (const field of csvFields(spec)) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    if (eq < 0) {
      if (key === 'readonly' || key === 'ro') {
        m.readonly = true;
        roAuto = false;
      } else if (key === 'readwrite' || key === 'rw') {
        m.readonly = false;
        roAuto = false;
      } else if (key === 'required') {
        if (m.type !== 'secret' && m.type !== 'ssh') throw fail(`unexpected key '${key}' for mount type '${m.type}'`);
        m.required = true;
      } else throw fail(`invalid field '${field}' must be a key=value pair`);
      continue;
    }
    let value = field.slice(eq + 1);
    if (key === 'from' && !expand) {
      const dollar = value.indexOf('$');
      if (dollar !== -1 && dollar !== value.length - 1) throw fail(`'${key}' doesn't support variable expansion, define alias stage instead`);
    }
    if (expand) value = expand(value);
    switch (key) {
      case 'type': {
        const t = value.toLowerCase();
        if (!(MOUNT_TYPES as readonly string[]).includes(t)) throw fail(withSuggestion(`unsupported mount type ${goQuote(value)}`, value, MOUNT_TYPES, true));
        m.type = t as Mount['type'];
        break;
      }
      case 'from':
        m.from = value;
        break;
      case 'source':
      case 'src':
        m.source = value;
        break;
      case 'target':
      case 'dst':
      case 'destination':
        m.target = value;
        break;
      case 'readonly':
      case 'ro':
        m.readonly = parseBool(key, value);
        roAuto = false;
        break;
      case 'readwrite':
      case 'rw':
        m.readonly = !parseBool(key, value);
        roAuto = false;
        break;
      case 'required':
        if (m.type !== 'secret' && m.type !== 'ssh') throw fail(`unexpected key '${key}' for mount type '${m.type}'`);
        m.required = parseBool(key, value);
        break;
      case 'size': {
        if (m.type !== 'tmpfs') throw fail(`unexpected key '${key}' for mount type '${m.type}'`);
        const size = ramInBytes(value);
        if (size === undefined) throw fail(`invalid value for ${key}: ${value}`);
        m.size = size;
        break;
      }
      case 'id':
        m.id = value;
        break;
      case 'sharing': {
        const s = value.toLowerCase();
        if (!(SHARING as readonly string[]).includes(s)) throw fail(withSuggestion(`unsupported sharing value ${goQuote(value)}`, value, SHARING, true));
        m.sharing = s as Mount['sharing'];
        break;
      }
      case 'mode':
      case 'uid':
      case 'gid': {
        const n = parseUint32(value, key === 'mode' ? 8 : 10);
        if (n === undefined) throw fail(`invalid value ${value} for ${key}`);
        m[key] = n;
        break;
      }
      case 'env':
        m.env = value;
        break;
      default:
        throw fail(withSuggestion(`unexpected key '${key}' in '${field}'`, key, MOUNT_KEYS, true));
    }
  }
  if (m.type !== 'secret' && m.type !== 'ssh' && m.type !== 'cache') {
    for (const k of ['mode', 'uid', 'gid'] as const) {
      if (m[k] !== undefined) throw fail(`${k} not allowed for ${goQuote(m.type)} type mounts`);
    }
  }
  // Unless told: cache and tmpfs mounts are writable, the others read-only.
  if (roAuto) m.readonly = m.type !== 'cache' && m.type !== 'tmpfs';
  if (m.type === 'secret') {
    if (m.from !== undefined && m.from !== '') throw fail('secret mount should not have a from');
    if (m.sharing !== undefined) throw fail('secret mount should not define sharing');
    if (!m.source && !m.target && !m.id) throw fail('invalid secret mount. one of source, target required');
    if (m.source && m.id) throw fail("both source and id can't be set");
  }
  if (m.sharing !== undefined && m.type !== 'cache') throw fail(`invalid cache sharing set for ${m.type} mount`);
  return m;
}
