// The container side of volumes, parsed the way moby's Linux mount parser does: `-v` strings (HostConfig.Binds),
// `--mount` objects (HostConfig.Mounts), `--volumes-from` specs. Pure: the engine resolves names to volumes.
import path from 'node:path';
import { invalidArgument } from '../common/errors.js';

export type MountType = 'bind' | 'volume' | 'tmpfs';

/** One mount a container asked for, before volumes are resolved. */
export interface ParsedMount {
  type: MountType;
  /** Host path (bind) or volume name ('' for an anonymous volume); '' for tmpfs. */
  source: string;
  destination: string;
  rw: boolean;
  /** The `-v` mode string as given ("ro,z"), '' for --mount. */
  mode: string;
  /** Bind propagation; '' for volumes and tmpfs. */
  propagation: string;
  /** Copy the image's content at the destination into an empty volume (not with nocopy). */
  copyData: boolean;
  /** --mount extras. */
  nonRecursive?: boolean;
  driver?: string;
  volumeOptions?: { labels?: Record<string, string>; driverOpts?: Record<string, string> };
  tmpfs?: { sizeBytes?: number; mode?: number };
  /** Where it came from: `-v`, `--mount`, or an image/Config volume. */
  origin: 'bind' | 'mount' | 'config';
}

/** The wire form of one HostConfig.Mounts entry. */
export interface WireMount {
  Type?: string;
  Source?: string;
  Target?: string;
  ReadOnly?: boolean;
  Consistency?: string;
  BindOptions?: { Propagation?: string; NonRecursive?: boolean; CreateMountpoint?: boolean } | null;
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string> | null; DriverConfig?: { Name?: string; Options?: Record<string, string> | null } | null; Subpath?: string } | null;
  TmpfsOptions?: { SizeBytes?: number; Mode?: number; Options?: string[][] } | null;
}

const PROPAGATIONS = new Set(['private', 'rprivate', 'slave', 'rslave', 'shared', 'rshared']);
const RW_MODES = new Set(['rw', 'ro']);
const LABEL_MODES = new Set(['z', 'Z']);
const COPY_MODES = new Set(['nocopy']);
const CONSISTENCY = new Set(['consistent', 'cached', 'delegated']);

/** Go's path.Clean: normalized, no trailing slash. */
function clean(p: string): string {
  const n = path.posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

const invalidSpec = (raw: string) => `invalid volume specification: '${raw}'`;
const mountConfig = (type: string | undefined, msg: string) => invalidArgument(`invalid mount config for type "${type ?? ''}": ${msg}`);

/** moby's linuxValidMountMode: each kind of mode at most once, nothing unknown. */
export function validMountMode(mode: string): boolean {
  if (mode === '') return true;
  const seen = { rw: 0, label: 0, prop: 0, copy: 0, cons: 0 };
  for (const o of mode.split(',')) {
    if (RW_MODES.has(o)) seen.rw++;
    else if (LABEL_MODES.has(o)) seen.label++;
    else if (PROPAGATIONS.has(o)) seen.prop++;
    else if (COPY_MODES.has(o)) seen.copy++;
    else if (CONSISTENCY.has(o)) seen.cons++;
    else return false;
  }
  return Object.values(seen).every((n) => n <= 1);
}

function checkTarget(type: string | undefined, target: string): void {
  if (!target) throw mountConfig(type, 'field Target must not be empty');
  if (path.posix.normalize(target.replaceAll('\\', '/')) === '/') throw mountConfig(type, "invalid specification: destination can't be '/'");
  if (!target.startsWith('/')) throw mountConfig(type, `invalid mount path: '${target}' mount path must be absolute`);
}

/** A `-v` string: `/ctr` (anonymous volume), `name:/ctr[:mode]` (volume), `/host:/ctr[:mode]` (bind). */
export function parseVolumeSpec(raw: string): ParsedMount {
  const arr = raw.split(':');
  if (arr.length > 3) {
    // SplitN(raw, ":", 4): a fourth part is always invalid
    throw invalidArgument(invalidSpec(raw));
  }
  if (arr[0] === '') throw invalidArgument(invalidSpec(raw));
  let source = '';
  let target: string;
  let mode = '';
  if (arr.length === 1) target = arr[0]!;
  else if (arr.length === 2) {
    // "/foo:rw" names no volume: a destination cannot carry a mode alone
    if (validMountMode(arr[1]!)) throw invalidArgument(invalidSpec(raw));
    [source, target] = arr as [string, string];
  } else [source, target, mode] = arr as [string, string, string];
  if (!validMountMode(mode)) throw invalidArgument(`invalid mode: ${mode}`);
  const type: MountType = source.startsWith('/') ? 'bind' : 'volume';
  const opts = mode.split(',');
  try {
    checkTarget(type, target);
  } catch (e) {
    throw invalidArgument(`${invalidSpec(raw)}: ${(e as Error).message}`);
  }
  const rw = !opts.includes('ro');
  const prop = opts.find((o) => PROPAGATIONS.has(o));
  return {
    type,
    source: type === 'bind' ? clean(source) : source,
    destination: clean(target),
    rw,
    mode,
    propagation: type === 'bind' ? prop ?? 'rprivate' : '',
    copyData: !opts.includes('nocopy'),
    origin: 'bind',
  };
}

/** A HostConfig.Mounts entry, checked as moby's validateMountConfig does (bind sources must exist: the engine checks). */
export function parseMount(m: WireMount): ParsedMount {
  const type = m.Type;
  checkTarget(type, m.Target ?? '');
  const destination = clean(m.Target!);
  const rw = m.ReadOnly !== true;
  switch (type) {
    case 'bind': {
      if (!m.Source) throw mountConfig(type, 'field Source must not be empty');
      const prop = m.BindOptions?.Propagation ?? '';
      if (prop && !PROPAGATIONS.has(prop)) throw mountConfig(type, `invalid propagation mode: ${prop}`);
      if (m.VolumeOptions) throw mountConfig(type, 'field VolumeOptions must not be specified');
      if (!m.Source.startsWith('/')) throw mountConfig(type, `invalid mount path: '${m.Source}' mount path must be absolute`);
      return { type, source: clean(m.Source), destination, rw, mode: '', propagation: prop || 'rprivate', copyData: false, nonRecursive: m.BindOptions?.NonRecursive === true, origin: 'mount' };
    }
    case 'volume': {
      if (m.BindOptions) throw mountConfig(type, 'field BindOptions must not be specified');
      const anonymous = !m.Source;
      if (m.VolumeOptions?.Subpath) throw mountConfig(type, 'volume subpaths are not supported by Berth yet');
      if (m.ReadOnly && anonymous) throw mountConfig(type, 'must not set ReadOnly mode when using anonymous volumes');
      const vo = m.VolumeOptions ?? {};
      return {
        type, source: m.Source ?? '', destination, rw, mode: '', propagation: '', copyData: vo.NoCopy !== true,
        driver: vo.DriverConfig?.Name || undefined,
        volumeOptions: { labels: vo.Labels ?? undefined, driverOpts: vo.DriverConfig?.Options ?? undefined },
        origin: 'mount',
      };
    }
    case 'tmpfs': {
      if (m.BindOptions) throw mountConfig(type, 'field BindOptions must not be specified');
      if (m.Source) throw mountConfig(type, 'field Source must not be specified');
      for (const o of m.TmpfsOptions?.Options ?? []) {
        if (o.length < 1 || o.length > 2) throw mountConfig(type, 'invalid option array length');
        if (o[0] !== 'exec' && o[0] !== 'noexec') throw mountConfig(type, `invalid option: ${o[0]}`);
      }
      return { type, source: '', destination, rw, mode: '', propagation: '', copyData: false, tmpfs: { sizeBytes: m.TmpfsOptions?.SizeBytes, mode: m.TmpfsOptions?.Mode }, origin: 'mount' };
    }
    default:
      throw mountConfig(type, 'mount type unknown');
  }
}

/** `--volumes-from name[:ro|:rw]` → the container and its mode; propagation and copy modes are refused. */
export function parseVolumesFrom(spec: string): { container: string; mode: string } {
  if (spec === '') throw invalidArgument('volumes-from specification cannot be an empty string');
  const i = spec.indexOf(':');
  const container = i < 0 ? spec : spec.slice(0, i);
  const mode = i < 0 ? '' : spec.slice(i + 1);
  if (mode === '') return { container, mode: 'rw' };
  const opts = mode.split(',');
  if (!validMountMode(mode) || opts.some((o) => PROPAGATIONS.has(o) || COPY_MODES.has(o))) throw invalidArgument(`invalid mode: ${mode}`);
  return { container, mode };
}

/** tmpfs data options as moby's ConvertTmpfsOptions writes them: ro, mode=<octal>, size=<n>[kmg]. */
export function tmpfsOptions(t: { sizeBytes?: number; mode?: number } | undefined, readOnly: boolean): string[] {
  const out: string[] = [];
  if (readOnly) out.push('ro');
  if (t?.mode) out.push(`mode=${t.mode.toString(8)}`);
  if (t?.sizeBytes) {
    let size = t.sizeBytes;
    let suffix = '';
    for (const [s, d] of [['g', 2 ** 30], ['m', 2 ** 20], ['k', 2 ** 10]] as const) {
      if (size % d === 0) {
        size /= d;
        suffix = s;
        break;
      }
    }
    out.push(`size=${size}${suffix}`);
  }
  return out;
}
