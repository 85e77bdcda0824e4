// containerd's platforms.Parse for the --platform flags that send an OCI platform object (push, save,
// load): "os[/arch[/variant]]", or an architecture alone, normalized the way containerd normalizes them.
import { goArch } from '../shared.js';

export interface OciPlatform {
  architecture: string;
  os: string;
  variant?: string;
}

const KNOWN_OS = new Set(['aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'hurd', 'illumos', 'ios', 'js', 'linux', 'nacl', 'netbsd', 'openbsd', 'plan9', 'solaris', 'wasip1', 'windows', 'zos']);
const KNOWN_ARCH = new Set(['386', 'amd64', 'amd64p32', 'arm', 'armbe', 'arm64', 'arm64be', 'ppc64', 'ppc64le', 'loong64', 'mips', 'mipsle', 'mips64', 'mips64le', 'mips64p32', 'mips64p32le', 'ppc', 'riscv', 'riscv64', 's390', 's390x', 'sparc', 'sparc64', 'wasm']);

function normalizeArch(arch: string, variant: string): [string, string] {
  const a = arch.toLowerCase();
  const v = variant.toLowerCase();
  switch (a) {
    case 'i386':
      return ['386', ''];
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      return ['amd64', v === 'v1' ? '' : v];
    case 'aarch64':
    case 'arm64':
      return ['arm64', v === '8' || v === 'v8' ? '' : v];
    case 'armhf':
      return ['arm', 'v7'];
    case 'armel':
      return ['arm', 'v6'];
    case 'arm':
      if (v === '' || v === '7') return ['arm', 'v7'];
      if (v === '5' || v === '6' || v === '8') return ['arm', `v${v}`];
      return ['arm', v];
    default:
      return [a, v];
  }
}

export function parsePlatform(specifier: string): OciPlatform {
  const invalid = (why: string) => new Error(`${JSON.stringify(specifier)}: ${why}: invalid argument`);
  if (specifier.includes('*')) throw invalid('wildcards not yet supported');
  const parts = specifier.split('/');
  for (const p of parts) if (!/^[A-Za-z0-9_.-]+$/.test(p)) throw invalid('is an invalid component of ' + JSON.stringify(specifier));
  const hostArch = goArch();
  let os: string;
  let arch: string;
  let variant = '';
  if (parts.length === 1) {
    const p = parts[0]!.toLowerCase();
    if (KNOWN_OS.has(p)) {
      os = p;
      arch = hostArch;
    } else if (KNOWN_ARCH.has(normalizeArch(p, '')[0])) {
      os = 'linux';
      [arch, variant] = normalizeArch(p, '');
      return variant ? { architecture: arch, os, variant } : { architecture: arch, os };
    } else {
      throw invalid('unknown operating system or architecture');
    }
  } else if (parts.length <= 3) {
    os = parts[0]!.toLowerCase();
    arch = parts[1]!;
    variant = parts[2] ?? '';
  } else {
    throw invalid('cannot parse platform specifier');
  }
  [arch, variant] = normalizeArch(arch, variant);
  return variant ? { architecture: arch, os, variant } : { architecture: arch, os };
}

/** The platform query parameter (OCI platform JSON), or docker's "invalid platform" error. */
export function platformQuery(text: string): string | undefined {
  if (text === '') return undefined;
  try {
    return JSON.stringify(parsePlatform(text));
  } catch (e) {
    throw new Error(`invalid platform: ${(e as Error).message}`, { cause: e });
  }
}
