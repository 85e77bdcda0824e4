// The image configuration `POST /images/create?fromSrc=` produces, as moby's ImageService.ImportImage
// builds it: one layer, the host's platform unless one is asked for, history "Imported from <src>", the
// message as the top-level comment, and an execution config holding only the requested changes (Docker's
// import sets no Env or Cmd of its own). Pure: the caller supplies the time and the layer's diffID.
import { invalidArgument } from '../common/errors.js';
import type { ImageConfig, OciImage } from '../spec/oci-image.js';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface ImportConfigInput {
  diffId: string;
  created: Date;
  platform: Platform;
  config: ImageConfig;
  message?: string;
  /** What Docker records as the origin: `-` for a request body, else the URL. */
  source: string;
}

// Node's process.arch → GOARCH (+ variant), the vocabulary of image platforms.
const ARCH: Readonly<Record<string, Omit<Platform, 'os'>>> = {
  x64: { architecture: 'amd64' },
  arm64: { architecture: 'arm64', variant: 'v8' },
  arm: { architecture: 'arm', variant: 'v7' },
  ia32: { architecture: '386' },
  ppc64: { architecture: 'ppc64le' },
  s390x: { architecture: 's390x' },
  riscv64: { architecture: 'riscv64' },
  loong64: { architecture: 'loong64' },
  mips: { architecture: 'mips' },
  mipsel: { architecture: 'mipsle' },
};

export function hostPlatform(nodeArch: string = process.arch): Platform {
  return { os: 'linux', ...(ARCH[nodeArch] ?? { architecture: nodeArch }) };
}

/** The requested platform with the host's filling gaps; only Linux images can run here. */
export function importPlatform(requested: Partial<Platform> | undefined, host: Platform = hostPlatform()): Platform {
  const os = requested?.os || host.os;
  if (os !== 'linux') throw invalidArgument(`image operating system "${os}" cannot be used on this platform`);
  if (!requested?.architecture) return { ...host, os };
  const p: Platform = { os, architecture: requested.architecture };
  if (requested.variant) p.variant = requested.variant;
  return p;
}

type ChangeKind = 'strings' | 'string' | 'set' | 'labels';
const CHANGES: Readonly<Record<string, ChangeKind>> = {
  Cmd: 'strings',
  Entrypoint: 'strings',
  Env: 'strings',
  WorkingDir: 'string',
  User: 'string',
  StopSignal: 'string',
  ExposedPorts: 'set',
  Volumes: 'set',
  Labels: 'labels',
};

/** Checks the shape of import changes (they come from a request) and returns a clean copy. */
export function validateChanges(changes: Partial<ImageConfig> | undefined): ImageConfig {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(changes ?? {})) {
    if (value === undefined) continue;
    const kind = CHANGES[key];
    if (kind === undefined) throw invalidArgument(`${key} is not a valid change command`);
    if (!hasShape(value, kind)) throw invalidArgument(`invalid value for ${key}`);
    out[key] = structuredClone(value);
  }
  return out as ImageConfig;
}

export function importConfig(input: ImportConfigInput): OciImage {
  const created = input.created.toISOString();
  // Keys in alphabetical order, as Docker writes configs (its marshaller goes through a map).
  const image: OciImage = { architecture: input.platform.architecture } as OciImage;
  if (input.message) image.comment = input.message;
  image.config = input.config;
  image.created = created;
  image.history = [{ created, created_by: '', comment: `Imported from ${input.source}` }];
  image.os = input.platform.os;
  image.rootfs = { type: 'layers', diff_ids: [input.diffId] };
  if (input.platform.variant) image.variant = input.platform.variant;
  return image;
}

function hasShape(v: unknown, kind: ChangeKind): boolean {
  const isObject = typeof v === 'object' && v !== null && !Array.isArray(v);
  switch (kind) {
    case 'strings':
      return Array.isArray(v) && v.every((s) => typeof s === 'string');
    case 'string':
      return typeof v === 'string';
    case 'set':
      return isObject && Object.values(v as object).every((x) => typeof x === 'object' && x !== null && !Array.isArray(x));
    case 'labels':
      return isObject && Object.values(v as object).every((x) => typeof x === 'string');
  }
}
