// Go's encoding/json output, because `{{json .}}` and `--format json` print what json.Marshal writes,
// not what JSON.stringify writes: U+2028/U+2029 are always escaped, <, > and & are escaped when HTML
// escaping is on, floats use Go's exponent rules, and map keys come out sorted.
import { formatFloat } from './gofmt.js';
import {
  contextMembers,
  compareStrings,
  GoFloat,
  kindOf,
  MARSHAL_JSON,
  sortedEntries,
  structFields,
} from './values.js';

export interface GoJSONOptions {
  /** json.Marshal escapes <, > and & as \u003c…; docker's template `json` function turns that off. */
  escapeHTML?: boolean;
  /** json.MarshalIndent's indent string; the prefix is always empty here. */
  indent?: string;
}

function quoteJSON(s: string, escapeHTML: boolean): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string | undefined;
    if (c < 0x20) {
      switch (c) {
        case 0x08:
          esc = '\\b';
          break;
        case 0x0c:
          esc = '\\f';
          break;
        case 0x0a:
          esc = '\\n';
          break;
        case 0x0d:
          esc = '\\r';
          break;
        case 0x09:
          esc = '\\t';
          break;
        default:
          esc = '\\u00' + c.toString(16).padStart(2, '0');
      }
    } else if (c === 0x22) {
      esc = '\\"';
    } else if (c === 0x5c) {
      esc = '\\\\';
    } else if (escapeHTML && (c === 0x3c || c === 0x3e || c === 0x26)) {
      esc = '\\u00' + c.toString(16);
    } else if (c === 0x2028 || c === 0x2029) {
      esc = '\\u' + c.toString(16);
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const pair =
        c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff;
      if (pair) {
        i++;
        continue;
      }
      // A lone surrogate is invalid UTF-8 once encoded; Go writes the replacement character escape.
      esc = '\\ufffd';
    }
    if (esc !== undefined) {
      out += s.slice(start, i) + esc;
      start = i + 1;
    }
  }
  return out + s.slice(start) + '"';
}

function formatNumber(v: number | bigint, isFloat = false): string {
  if (typeof v === 'bigint') return v.toString();
  if (!Number.isFinite(v)) throw new Error(`json: unsupported value: ${formatFloat(v, 'g', -1)}`);
  if (!isFloat && kindOf(v) === 'int') return BigInt(v).toString();
  const abs = Math.abs(v);
  const fmt = abs !== 0 && (abs < 1e-6 || abs >= 1e21) ? 'e' : 'f';
  let s = formatFloat(v, fmt, -1);
  if (fmt === 'e') s = s.replace(/e-0(\d)$/, 'e-$1');
  return s;
}

class Encoder {
  constructor(
    private readonly escapeHTML: boolean,
    private readonly indent: string,
  ) {}

  encode(v: unknown, depth: number): string {
    if (v === undefined || v === null) return 'null';
    switch (typeof v) {
      case 'boolean':
        return v ? 'true' : 'false';
      case 'number':
      case 'bigint':
        return formatNumber(v);
      case 'string':
        return quoteJSON(v, this.escapeHTML);
      case 'function':
      case 'symbol':
        throw new Error(`json: unsupported type: ${typeof v === 'function' ? 'func()' : 'symbol'}`);
    }
    if (v instanceof GoFloat) return formatNumber(v.value, true);
    const o = v as Record<PropertyKey, unknown>;
    const marshal = o[MARSHAL_JSON];
    if (typeof marshal === 'function') {
      return this.reindent(String(marshal.call(o)), depth);
    }
    if (v instanceof Uint8Array) return quoteJSON(Buffer.from(v).toString('base64'), this.escapeHTML);
    if (Array.isArray(v)) {
      return this.wrap('[', ']', v.map((x) => this.encode(x, depth + 1)), depth);
    }
    if (typeof o.toJSON === 'function') return this.encode((o.toJSON as () => unknown).call(o), depth);
    let entries: Array<[unknown, unknown]>;
    if (v instanceof Map) {
      entries = sortedEntries(v);
    } else if (kindOf(v) === 'struct') {
      entries = structFields(v as object);
    } else {
      // Plain objects keep insertion order: they mostly come from decoding Go's own JSON, where
      // structs are in field order and maps already sorted, so re-encoding reproduces the original.
      entries = Object.keys(v as object).map((k) => [k, o[k]]);
    }
    const members: string[] = [];
    for (const [k, val] of entries) {
      if (val === undefined || typeof val === 'function') continue;
      const key = quoteJSON(String(k), this.escapeHTML);
      members.push(key + (this.indent ? ': ' : ':') + this.encode(val, depth + 1));
    }
    return this.wrap('{', '}', members, depth);
  }

  private wrap(open: string, close: string, items: string[], depth: number): string {
    if (items.length === 0) return open + close;
    if (!this.indent) return open + items.join(',') + close;
    const inner = '\n' + this.indent.repeat(depth + 1);
    return open + inner + items.join(',' + inner) + '\n' + this.indent.repeat(depth) + close;
  }

  // Marshaler output is compact; under MarshalIndent Go re-indents it to the surrounding depth.
  private reindent(raw: string, depth: number): string {
    if (!this.indent) return raw;
    return this.encode(JSON.parse(raw), depth);
  }
}

/** json.Marshal (or MarshalIndent with options.indent), without the trailing newline. */
export function goJSON(v: unknown, options: GoJSONOptions = {}): string {
  return new Encoder(options.escapeHTML ?? true, options.indent ?? '').encode(v, 0);
}

/**
 * docker's formatter.MarshalJSON: a context becomes an object of its exported members, keys sorted
 * (it marshals a map), HTML-escaped (it uses json.Marshal).
 */
export function contextJSON(ctx: object): string {
  const members = contextMembers(ctx).sort((a, b) => compareStrings(a[0], b[0]));
  const enc = new Encoder(true, '');
  return '{' + members.map(([k, v]) => quoteJSON(k, true) + ':' + enc.encode(v, 1)).join(',') + '}';
}
