// The Go value model that templates see. Docker's templates run over Go values whose kind (string, int,
// slice, map, struct, pointer…) decides how they print, compare and index; here the same decisions are
// made from plain JS values, so the rest of the folder can follow Go's rules without knowing about JS.
//
//   undefined            → Go's invalid reflect.Value (a missing map key: prints "<no value>")
//   null                 → a nil pointer / slice / map / interface (prints "<nil>")
//   number               → int when it is an integer within int64, else float64
//   Array / Uint8Array   → slice / []byte
//   Map, plain object    → map (keys sorted when printed or ranged, like fmt and text/template do)
//   class instance, or any object carrying [GO_TYPE] → struct (unknown fields are errors, as in Go)

/** Marks an object as a Go struct and names its type in error messages, e.g. "*formatter.ContainerContext". */
export const GO_TYPE: unique symbol = Symbol.for('berth.format.goType');

/**
 * Go's json.Marshaler: a method returning the JSON text for the value. The text is copied verbatim, so
 * escaping decided inside it survives the outer encoder (docker's contexts escape <, >, & this way).
 */
export const MARSHAL_JSON: unique symbol = Symbol.for('berth.format.marshalJSON');

/**
 * A float64 whose value happens to be integral, e.g. the template literal 1.0 or 1e6: Go prints it
 * as "1" or "1e+06" and refuses it where an int is wanted, unlike the JS number it wraps.
 */
export class GoFloat {
  constructor(readonly value: number) {}
}

/** The numeric value of an int or float operand. */
export function numberValue(v: unknown): number {
  if (v instanceof GoFloat) return v.value;
  return Number(v);
}

export type Kind =
  | 'invalid'
  | 'nil'
  | 'bool'
  | 'int'
  | 'float'
  | 'string'
  | 'slice'
  | 'bytes'
  | 'map'
  | 'struct'
  | 'func';

const INT64_LIMIT = 2 ** 63;

export function kindOf(v: unknown): Kind {
  if (v === undefined) return 'invalid';
  if (v === null) return 'nil';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(v) && Math.abs(v) < INT64_LIMIT ? 'int' : 'float';
    case 'bigint':
      return 'int';
    case 'string':
      return 'string';
    case 'function':
      return 'func';
    case 'symbol':
      return 'invalid';
  }
  if (v instanceof GoFloat) return 'float';
  if (Array.isArray(v)) return 'slice';
  if (v instanceof Uint8Array) return 'bytes';
  if (v instanceof Map) return 'map';
  return isStruct(v as object) ? 'struct' : 'map';
}

export function isStruct(o: object): boolean {
  if ((o as Record<symbol, unknown>)[GO_TYPE] !== undefined) return true;
  if (o instanceof Map || Array.isArray(o) || o instanceof Uint8Array) return false;
  const proto = Object.getPrototypeOf(o);
  return proto !== Object.prototype && proto !== null;
}

function allStrings(values: Iterable<unknown>): boolean {
  let any = false;
  for (const v of values) {
    if (typeof v !== 'string') return false;
    any = true;
  }
  return any;
}

/** Go's reflect type string, as it appears in fmt's "%!d(string=x)" and template error messages. */
export function typeName(v: unknown, structType?: string): string {
  const kind = kindOf(v);
  if (structType !== undefined && (kind === 'map' || kind === 'struct')) return structType;
  switch (kind) {
    case 'invalid':
    case 'nil':
      return '<nil>';
    case 'bool':
      return 'bool';
    case 'int':
      return typeof v === 'bigint' ? 'int64' : 'int';
    case 'float':
      return 'float64';
    case 'string':
      return 'string';
    case 'func':
      return 'func()';
    case 'bytes':
      return '[]uint8';
    case 'slice':
      return allStrings(v as unknown[]) ? '[]string' : '[]interface {}';
    case 'map': {
      const values = v instanceof Map ? v.values() : Object.values(v as object);
      return allStrings(values) ? 'map[string]string' : 'map[string]interface {}';
    }
    case 'struct': {
      const named = (v as Record<symbol, unknown>)[GO_TYPE];
      if (typeof named === 'string') return named;
      const ctor = (Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null)?.constructor?.name;
      return ctor ? `*${ctor}` : 'struct {}';
    }
  }
}

/** Byte-wise (UTF-8) order, which is code point order: how Go sorts string map keys. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; ) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca < cb ? -1 : 1;
    i += ca > 0xffff ? 2 : 1;
  }
  return a.length - b.length;
}

function compareKeys(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return compareStrings(String(a), String(b));
}

/** A map's entries in Go's fmtsort order. */
export function sortedEntries(m: object): Array<[unknown, unknown]> {
  const entries: Array<[unknown, unknown]> =
    m instanceof Map ? [...m.entries()] : Object.keys(m).map((k) => [k, (m as Record<string, unknown>)[k]]);
  return entries.sort((x, y) => compareKeys(x[0], y[0]));
}

export function mapSize(m: object): number {
  return m instanceof Map ? m.size : Object.keys(m).length;
}

export type Lookup =
  | { found: false }
  | { found: true; method: (...args: unknown[]) => unknown; self: object }
  | { found: true; value: unknown };

/**
 * Finds what `.Name` means on an object. Functions are methods (docker's contexts expose their columns
 * as methods), getters are read with the object as receiver so private class state keeps working.
 * Plain maps only consult their own keys, never Object.prototype.
 */
export function lookupMember(o: object, name: string): Lookup {
  if (o instanceof Map) {
    return o.has(name) ? { found: true, value: o.get(name) } : { found: false };
  }
  for (let cur: object | null = o; cur !== null && cur !== Object.prototype; cur = Object.getPrototypeOf(cur)) {
    const desc = Object.getOwnPropertyDescriptor(cur, name);
    if (desc === undefined) continue;
    if (name === 'constructor' && cur !== o) return { found: false };
    if (desc.get !== undefined) return { found: true, value: desc.get.call(o) };
    if (desc.set !== undefined) return { found: false };
    if (typeof desc.value === 'function') {
      return { found: true, method: desc.value as (...args: unknown[]) => unknown, self: o };
    }
    return { found: true, value: desc.value };
  }
  return { found: false };
}

/** A struct's fields as fmt prints them: its own enumerable data properties, in declaration order. */
export function structFields(o: object): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const k of Object.keys(o)) {
    const v = (o as Record<string, unknown>)[k];
    if (typeof v !== 'function') out.push([k, v]);
  }
  return out;
}

/**
 * What docker's formatter.MarshalJSON collects from a context: every exported (capitalised) field,
 * getter and argument-less method, called, except FullHeader.
 */
export function contextMembers(o: object): Array<[string, unknown]> {
  const seen = new Set<string>();
  const out: Array<[string, unknown]> = [];
  for (let cur: object | null = o; cur !== null && cur !== Object.prototype; cur = Object.getPrototypeOf(cur)) {
    for (const name of Object.getOwnPropertyNames(cur)) {
      if (seen.has(name)) continue;
      seen.add(name);
      if (!/^\p{Lu}/u.test(name) || name === 'FullHeader') continue;
      const desc = Object.getOwnPropertyDescriptor(cur, name)!;
      if (desc.get !== undefined) {
        out.push([name, desc.get.call(o)]);
      } else if (typeof desc.value === 'function') {
        const fn = desc.value as (...args: unknown[]) => unknown;
        if (fn.length === 0) out.push([name, fn.call(o)]);
      } else if (desc.set === undefined && (cur === o ? desc.enumerable : true)) {
        out.push([name, desc.value]);
      }
    }
  }
  return out;
}

/** Go's fmt.Stringer and error interfaces, for objects that define their own toString or are Errors. */
export function stringerOf(v: unknown): (() => string) | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  if (Array.isArray(v) || v instanceof Map || v instanceof Uint8Array) return undefined;
  if (v instanceof Error) return () => v.message;
  if (v instanceof Date) return () => goTimeString(v);
  const ts = (v as { toString?: unknown }).toString;
  if (typeof ts === 'function' && ts !== Object.prototype.toString) return () => String(ts.call(v));
  return undefined;
}

// time.Time.String() in UTC: "2006-01-02 15:04:05.999999999 +0000 UTC".
function goTimeString(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const ms = d.getUTCMilliseconds();
  const frac = ms === 0 ? '' : `.${p(ms, 3)}`.replace(/0+$/, '');
  return (
    `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}${frac} +0000 UTC`
  );
}

/** Go's len() of a string counts UTF-8 bytes. */
export function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}
