// Decoding request bodies into Go structs the way encoding/json does it: field names match case-insensitively,
// unknown fields are ignored, null leaves a field at its zero value, and a value of the wrong JSON type is a
// 400 with Go's text ("json: cannot unmarshal number into Go struct field CreateRequest.Name of type string").
// Clients rely on the first two (dockerode users send {"name": …}); the third keeps junk out of the backend.
import { invalidArgument } from '../../../common/errors.js';

export type FieldType =
  | 'string'
  | 'bool'
  | 'int'
  | 'strings'
  | 'map'
  | { struct: string; fields: Schema }
  | { list: { struct: string; fields: Schema } };
export type Schema = Record<string, FieldType>;

const GO_TYPE: Record<string, string> = { string: 'string', bool: 'bool', int: 'int', strings: '[]string', map: 'map[string]string' };

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v; // 'string', 'number', 'object'
}

function goTypeOf(t: FieldType): string {
  if (typeof t === 'string') return GO_TYPE[t]!;
  return 'struct' in t ? `${t.struct}` : `[]${t.list.struct}`;
}

/**
 * Decodes `value` as the struct `name` with `schema`. `path` is the dotted field path Go reports for nested
 * fields. Returns only known fields, spelled as the schema spells them; absent and null fields are left out.
 */
export function decodeStruct(value: unknown, name: string, schema: Schema, path = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (value === null || value === undefined) return out;
  if (jsonKind(value) !== 'object') {
    throw invalidArgument(`invalid JSON: json: cannot unmarshal ${jsonKind(value)} into Go value of type ${name}`);
  }
  const byLower = new Map(Object.keys(schema).map((k) => [k.toLowerCase(), k]));
  for (const [rawKey, v] of Object.entries(value as Record<string, unknown>)) {
    // An exact match wins over a case-insensitive one, as in Go.
    const key = rawKey in schema ? rawKey : byLower.get(rawKey.toLowerCase());
    if (key === undefined || v === null) continue;
    const fieldPath = path === '' ? key : `${path}.${key}`;
    out[key] = decodeField(v, schema[key]!, name, fieldPath);
  }
  return out;
}

function decodeField(v: unknown, t: FieldType, struct: string, fieldPath: string): unknown {
  const mismatch = (kind: string, type: string) =>
    invalidArgument(`invalid JSON: json: cannot unmarshal ${kind} into Go struct field ${struct}.${fieldPath} of type ${type}`);
  const kind = jsonKind(v);
  if (typeof t === 'string') {
    switch (t) {
      case 'string':
      case 'bool':
        if (kind !== t) throw mismatch(kind, t);
        return v;
      case 'int':
        if (kind !== 'number') throw mismatch(kind, 'int');
        if (!Number.isInteger(v)) throw mismatch(`number ${String(v)}`, 'int');
        return v;
      case 'strings':
        if (kind !== 'array') throw mismatch(kind, '[]string');
        return (v as unknown[]).map((s) => {
          if (s !== null && typeof s !== 'string') throw mismatch(jsonKind(s), 'string');
          return s ?? '';
        });
      case 'map': {
        if (kind !== 'object') throw mismatch(kind, 'map[string]string');
        const m: Record<string, string> = {};
        for (const [k, s] of Object.entries(v as Record<string, unknown>)) {
          if (s !== null && typeof s !== 'string') throw mismatch(jsonKind(s), 'string');
          m[k] = (s as string | null) ?? '';
        }
        return m;
      }
    }
  }
  if ('struct' in t) {
    if (kind !== 'object') throw mismatch(kind, goTypeOf(t));
    return decodeStruct(v, t.struct, t.fields, fieldPath);
  }
  if (kind !== 'array') throw mismatch(kind, goTypeOf(t));
  return (v as unknown[]).map((e) => {
    if (e !== null && jsonKind(e) !== 'object') throw mismatch(jsonKind(e), t.list.struct);
    return decodeStruct(e, t.list.struct, t.list.fields, fieldPath);
  });
}
