// Platform selection in manifest lists and OCI indexes, with containerd's default matcher (platforms.Only):
// names are normalized (x86_64 → amd64, aarch64 → arm64, arm64/v8 → arm64), an amd64 host also runs 386, an
// arm/v7 host v6 and v5, an arm64 host 32-bit arm; the closest match wins. Pure.
import { EngineError, invalidArgument } from '../../common/errors.js';
import type { Descriptor, Index, Platform } from './types.js';

export interface PlatformSpec {
  os: string;
  architecture: string;
  variant?: string;
  osVersion?: string;
  osFeatures?: string[];
}

const KNOWN_OS = new Set(['aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'hurd', 'illumos', 'ios', 'js', 'linux',
  'nacl', 'netbsd', 'openbsd', 'plan9', 'solaris', 'windows', 'zos']);
const KNOWN_ARCH = new Set(['386', 'amd64', 'amd64p32', 'arm', 'armbe', 'arm64', 'arm64be', 'ppc64', 'ppc64le', 'loong64',
  'mips', 'mipsle', 'mips64', 'mips64le', 'mips64p32', 'mips64p32le', 'ppc', 'riscv', 'riscv64', 's390', 's390x',
  'sparc', 'sparc64', 'wasm']);
const COMPONENT = /^[A-Za-z0-9_-]+$/;

export function normalizeOS(os: string): string {
  const o = os === '' ? 'linux' : os.toLowerCase();
  return o === 'macos' ? 'darwin' : o;
}

export function normalizeArch(arch: string, variant = ''): { architecture: string; variant: string } {
  let a = arch.toLowerCase();
  let v = variant.toLowerCase();
  switch (a) {
    case 'i386':
      a = '386';
      v = '';
      break;
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      a = 'amd64';
      if (v === 'v1') v = '';
      break;
    case 'aarch64':
    case 'arm64':
      a = 'arm64';
      if (v === '8' || v === 'v8' || v === 'v8.0') v = '';
      else if (v === '9' || v === '9.0' || v === 'v9.0') v = 'v9';
      break;
    case 'armhf':
      a = 'arm';
      v = 'v7';
      break;
    case 'armel':
      a = 'arm';
      v = 'v6';
      break;
    case 'arm':
      if (v === '' || v === '7') v = 'v7';
      else if (v === '5' || v === '6' || v === '8') v = `v${v}`;
      break;
  }
  return { architecture: a, variant: v };
}

export function normalizePlatform(p: PlatformSpec): PlatformSpec {
  const { architecture, variant } = normalizeArch(p.architecture, p.variant ?? '');
  return { ...p, os: normalizeOS(p.os), architecture, ...(variant ? { variant } : { variant: undefined }) };
}

/** The platform this process runs on, as containerd's DefaultSpec reports it (arm64 carries v8). */
export function hostPlatform(arch: string = process.arch, armVersion?: string): PlatformSpec {
  const map: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le',
    s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64', mips: 'mips', mipsel: 'mipsle' };
  const architecture = map[arch] ?? arch;
  if (architecture === 'arm64') return { os: 'linux', architecture, variant: 'v8' };
  if (architecture === 'arm') {
    const v = armVersion ?? String((process.config.variables as { arm_version?: unknown }).arm_version ?? '7');
    return { os: 'linux', architecture, variant: `v${v}` };
  }
  return { os: 'linux', architecture };
}

/** containerd's platforms.Parse: `linux`, `amd64`, `linux/amd64`, `linux/arm64/v8` (host defaults fill the rest). */
export function parsePlatform(specifier: string, host: PlatformSpec = hostPlatform()): PlatformSpec {
  if (specifier.includes('*')) throw invalidArgument(`"${specifier}": wildcards not yet supported: invalid argument`);
  const parts = specifier.split('/');
  if (parts.length > 3) throw invalidArgument(`"${specifier}": cannot parse platform specifier: invalid argument`);
  const first = parts[0] ?? '';
  const osVersion = /^([^(]*)\(([^)]*)\)$/.exec(first);
  if (osVersion) parts[0] = osVersion[1]!;
  for (const part of parts) {
    if (!COMPONENT.test(part)) {
      throw invalidArgument(`"${part}" is an invalid component of "${specifier}": platform specifier component must match "${COMPONENT.source}": invalid argument`);
    }
  }
  const withVersion = (p: PlatformSpec): PlatformSpec => (osVersion ? { ...p, osVersion: osVersion[2]! } : p);
  if (parts.length === 1) {
    const os = normalizeOS(parts[0]!);
    if (KNOWN_OS.has(os)) return withVersion({ os, architecture: host.architecture, ...(host.variant ? { variant: host.variant } : {}) });
    const { architecture, variant } = normalizeArch(parts[0]!, '');
    if (KNOWN_ARCH.has(architecture)) {
      return { os: host.os, architecture, ...(variant && !(architecture === 'arm' && variant === 'v7') ? { variant } : {}) };
    }
    throw invalidArgument(`"${specifier}": unknown operating system or architecture: invalid argument`);
  }
  const os = normalizeOS(parts[0]!);
  let { architecture, variant } = normalizeArch(parts[1]!, parts[2] ?? '');
  if (parts.length === 2 && architecture === 'arm' && variant === 'v7') variant = '';
  if (parts.length === 3 && architecture === 'arm64' && variant === '') variant = 'v8';
  return withVersion({ os, architecture, ...(variant ? { variant } : {}) });
}

/** `os/arch[/variant]`, as in Docker's messages. */
export const formatPlatform = (p: PlatformSpec): string => [p.os, p.architecture, p.variant].filter(Boolean).join('/');

/** The platforms `want` can run, best first (containerd's platformVector). */
export function platformVector(want: PlatformSpec): PlatformSpec[] {
  const p = normalizePlatform(want);
  const base = { os: p.os, ...(p.osVersion ? { osVersion: p.osVersion } : {}) };
  const out: PlatformSpec[] = [p];
  const n = (v: string | undefined) => Number((v ?? '').replace(/^v/, ''));
  if (p.architecture === 'amd64') {
    for (let v = n(p.variant) - 1; v >= 1; v--) out.push({ ...base, architecture: 'amd64', variant: `v${v}` });
    out.push({ ...base, architecture: '386' });
  } else if (p.architecture === 'arm') {
    for (let v = n(p.variant) - 1; v >= 5; v--) out.push({ ...base, architecture: 'arm', variant: `v${v}` });
  } else if (p.architecture === 'arm64') {
    let variant = p.variant ?? 'v8';
    const [majorS, minorS] = variant.replace(/^v/, '').split('.');
    let major = Number(majorS);
    let minor = minorS !== undefined ? Number(minorS) : 0;
    if (major >= 8 && Number.isInteger(minor)) {
      if (major === 9) {
        for (let m = minor - 1; m >= 0; m--) out.push({ ...base, architecture: 'arm64', variant: m === 0 ? 'v9' : `v9.${m}` });
        minor = Math.min(minor + 5, 9);
        major = 8;
        out.push({ ...base, architecture: 'arm64', variant: `v8.${minor}` });
      }
      for (let m = minor - 1; m >= 0; m--) out.push({ ...base, architecture: 'arm64', variant: m === 0 ? 'v8' : `v${major}.${m}` });
    }
    if (variant.startsWith('v8.') || variant.startsWith('v9')) variant = 'v8';
    out.push(...platformVector({ ...base, architecture: 'arm', variant }));
  }
  return out.map(normalizePlatform);
}

function sameOSVersion(want: PlatformSpec, got: PlatformSpec): boolean {
  // Only Windows images are tied to a host build; containerd ignores os.version elsewhere.
  if (want.os !== 'windows' || !want.osVersion || !got.osVersion) return true;
  const prefix = (v: string) => v.split('.').slice(0, 3).join('.');
  return prefix(want.osVersion) === prefix(got.osVersion);
}

const toSpec = (p: Platform): PlatformSpec => ({
  os: p.os, architecture: p.architecture,
  ...(p.variant ? { variant: p.variant } : {}),
  ...(p['os.version'] ? { osVersion: p['os.version'] } : {}),
  ...(p['os.features'] ? { osFeatures: p['os.features'] } : {}),
});

/** The rank of `candidate` for `want` (0 = exact), or -1 when it cannot run there. */
export function platformRank(want: PlatformSpec, candidate: PlatformSpec): number {
  const c = normalizePlatform(candidate);
  return platformVector(want).findIndex(
    (m) => m.os === c.os && m.architecture === c.architecture && (m.variant ?? '') === (c.variant ?? '') && sameOSVersion(m, candidate),
  );
}

/** Every entry `want` can run, best first; entries without a platform match last (moby filterManifests). */
export function filterManifests(index: Pick<Index, 'manifests'>, want: PlatformSpec): Descriptor[] {
  const ranked = index.manifests
    .map((d, i) => ({ d, i, rank: d.platform ? platformRank(want, toSpec(d.platform)) : Number.MAX_SAFE_INTEGER }))
    .filter((x) => x.rank >= 0);
  ranked.sort((a, b) => a.rank - b.rank || (b.d.platform?.['os.features']?.length ?? 0) - (a.d.platform?.['os.features']?.length ?? 0) || a.i - b.i);
  return ranked.map((x) => x.d);
}

/** The manifest to pull for `want`, or Docker's error when the list has none. */
export function selectManifest(index: Pick<Index, 'manifests'>, want: PlatformSpec = hostPlatform()): Descriptor {
  const best = filterManifests(index, want)[0];
  if (!best) {
    throw new EngineError('not-found', `no matching manifest for ${formatPlatform(want)} in the manifest list entries`);
  }
  return best;
}
