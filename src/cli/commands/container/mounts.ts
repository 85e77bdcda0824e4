// `-v`, `--mount` and `--tmpfs` as docker's CLI reads them: `-v` binds go to HostConfig.Binds (relative
// "./" sources made absolute), named or anonymous volumes to Config.Volumes, `--mount` to
// HostConfig.Mounts with docker's field checks, `--tmpfs` to HostConfig.Tmpfs.
import path from 'node:path';
import { parseGoBool } from '../../framework/flags.js';
import { ramInBytes } from '../../util/units.js';

export interface VolumeSpec {
  type: 'bind' | 'volume';
  source: string;
  target: string;
}

/** compose's ParseVolume, which docker run uses for `-v`. */
export function parseVolume(spec: string): VolumeSpec {
  if (spec.length === 0) throw new Error('invalid empty volume spec');
  if (spec.length <= 2) return { type: 'volume', source: '', target: spec };
  let source = '';
  let target = '';
  let buf = '';
  const fail = (why: string) => new Error(`invalid spec: ${spec}: ${why}`);
  const chars = [...spec, '\0'];
  for (const ch of chars) {
    if (ch === ':' && buf.length === 1 && /\p{L}/u.test(buf)) {
      buf += ch; // a Windows drive letter
      continue;
    }
    if (ch !== ':' && ch !== '\0') {
      buf += ch;
      continue;
    }
    if (buf.length === 0) throw fail('empty section between colons');
    if (source === '' && ch === '\0') target = buf;
    else if (source === '') source = buf;
    else if (target === '') target = buf;
    else if (ch === ':') throw fail('too many colons');
    buf = '';
  }
  const isPath = source !== '' && ('./~'.includes(source[0]!) || source.startsWith('\\\\') || /^\p{L}:/u.test(source));
  return { type: source !== '' && isPath ? 'bind' : 'volume', source, target };
}

/** Splits `-v` values into Binds and anonymous Volumes, as docker's parse does. */
export function splitVolumes(values: readonly string[], cwd: string): { binds: string[]; volumes: Record<string, Record<string, never>> } {
  const binds: string[] = [];
  const volumes: Record<string, Record<string, never>> = {};
  for (const v of values) volumes[v] = {};
  for (const bind of values) {
    const parsed = parseVolume(bind);
    if (parsed.source === '') continue;
    let toBind = bind;
    if (parsed.type === 'bind') {
      const i = bind.indexOf(':');
      if (i >= 0) {
        let host = bind.slice(0, i);
        if (!path.isAbsolute(host) && host.startsWith('.')) host = path.resolve(cwd, host);
        toBind = `${host}:${bind.slice(i + 1)}`;
      }
    }
    binds.push(toBind);
    delete volumes[bind];
  }
  return { binds, volumes };
}

/** encoding/csv for one record: fields split on commas, double quotes allowed around fields. */
function csvFields(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let i = 0;
  while (i <= value.length) {
    const c = value[i];
    if (quoted) {
      if (c === undefined) throw new Error(`parse error on line 1, column ${value.length + 1}: extraneous or missing " in quoted-field`);
      if (c === '"' && value[i + 1] === '"') {
        cur += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"' && cur === '') {
      quoted = true;
    } else if (c === ',' || c === undefined) {
      out.push(cur);
      cur = '';
    } else {
      cur += c;
    }
    i++;
  }
  return out;
}

export type MountSpec = Record<string, unknown>;

/** opts.MountOpt.Set: one `--mount` value to an API Mount (docker's field order, empty fields left out). */
export function parseMount(value: string, cwd: string): MountSpec {
  let type = 'volume';
  let source: string | undefined;
  let target: string | undefined;
  let readOnly = false;
  let consistency: string | undefined;
  let bind: Record<string, unknown> | undefined;
  let volume: Record<string, unknown> | undefined;
  let tmpfs: Record<string, unknown> | undefined;
  const vol = () => (volume ??= { Labels: {}, DriverConfig: {} });
  const bindOpts = () => (bind ??= {});
  const tmpfsOpts = () => (tmpfs ??= {});
  const bool = (key: string, val: string) => {
    try {
      return parseGoBool(val);
    } catch {
      throw new Error(`invalid value for ${key}: ${val}`);
    }
  };
  for (const field of csvFields(value)) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    const val = eq < 0 ? '' : field.slice(eq + 1);
    if (eq < 0) {
      if (key === 'readonly' || key === 'ro') readOnly = true;
      else if (key === 'volume-nocopy') vol().NoCopy = true;
      else if (key === 'bind-nonrecursive') bindOpts().NonRecursive = true;
      else throw new Error(`invalid field '${field}' must be a key=value pair`);
      continue;
    }
    switch (key) {
      case 'type':
        type = val.toLowerCase();
        break;
      case 'source':
      case 'src':
        source = !path.isAbsolute(val) && val.startsWith('.') ? path.resolve(cwd, val) : val;
        break;
      case 'target':
      case 'dst':
      case 'destination':
        target = val;
        break;
      case 'readonly':
      case 'ro':
        readOnly = bool(key, val);
        break;
      case 'consistency':
        consistency = val.toLowerCase();
        break;
      case 'bind-propagation':
        bindOpts().Propagation = val.toLowerCase();
        break;
      case 'bind-nonrecursive':
        bindOpts().NonRecursive = bool(key, val);
        break;
      case 'bind-recursive':
        if (val === 'disabled') bindOpts().NonRecursive = true;
        else if (val === 'writable') bindOpts().ReadOnlyNonRecursive = true;
        else if (val === 'readonly') bindOpts().ReadOnlyForceRecursive = true;
        else if (val !== 'enabled') {
          throw new Error(`invalid value for ${key}: ${val} (must be "enabled", "disabled", "writable", or "readonly")`);
        }
        break;
      case 'volume-subpath':
        vol().Subpath = val;
        break;
      case 'volume-nocopy':
        try {
          vol().NoCopy = parseGoBool(val);
        } catch {
          throw new Error(`invalid value for volume-nocopy: ${val}`);
        }
        break;
      case 'volume-label': {
        const [k, ...rest] = val.split('=');
        if (k) (vol().Labels as Record<string, string>)[k] = rest.join('=');
        break;
      }
      case 'volume-driver':
        (vol().DriverConfig as Record<string, unknown>).Name = val;
        break;
      case 'volume-opt': {
        const dc = vol().DriverConfig as Record<string, unknown>;
        const [k, ...rest] = val.split('=');
        if (k) ((dc.Options ??= {}) as Record<string, string>)[k] = rest.join('=');
        break;
      }
      case 'tmpfs-size':
        try {
          tmpfsOpts().SizeBytes = ramInBytes(val);
        } catch {
          throw new Error(`invalid value for ${key}: ${val}`);
        }
        break;
      case 'tmpfs-mode':
        if (!/^[0-7]+$/.test(val) || parseInt(val, 8) > 0xffffffff) throw new Error(`invalid value for ${key}: ${val}`);
        tmpfsOpts().Mode = parseInt(val, 8);
        break;
      default:
        throw new Error(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (type === '') throw new Error('type is required');
  if (!target) throw new Error('target is required');
  if (volume && type !== 'volume') throw new Error(`cannot mix 'volume-*' options with mount type '${type}'`);
  if (bind && type !== 'bind') throw new Error(`cannot mix 'bind-*' options with mount type '${type}'`);
  if (tmpfs && type !== 'tmpfs') throw new Error(`cannot mix 'tmpfs-*' options with mount type '${type}'`);
  if (bind?.ReadOnlyNonRecursive && !readOnly) {
    throw new Error("option 'bind-recursive=writable' requires 'readonly' to be specified in conjunction");
  }
  if (bind?.ReadOnlyForceRecursive) {
    if (!readOnly) throw new Error("option 'bind-recursive=readonly' requires 'readonly' to be specified in conjunction");
    if (bind.Propagation !== 'rprivate') {
      throw new Error("option 'bind-recursive=readonly' requires 'bind-propagation=rprivate' to be specified in conjunction");
    }
  }
  const m: MountSpec = { Type: type };
  if (source) m.Source = source;
  m.Target = target;
  if (readOnly) m.ReadOnly = true;
  if (consistency) m.Consistency = consistency;
  if (bind) m.BindOptions = bind;
  if (volume) m.VolumeOptions = volume;
  if (tmpfs) m.TmpfsOptions = tmpfs;
  return m;
}

/** `--tmpfs /path[:options]` → HostConfig.Tmpfs. */
export function parseTmpfs(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of values) {
    const i = t.indexOf(':');
    out[i < 0 ? t : t.slice(0, i)] = i < 0 ? '' : t.slice(i + 1);
  }
  return out;
}
