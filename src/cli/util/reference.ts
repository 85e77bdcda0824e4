// Just enough of docker's reference parsing for the CLI's messages: whether a string names an image (or
// is an ID), and its familiar form with the implied ":latest" ("Unable to find image 'busybox:latest'").
export interface ImageRef {
  /** Familiar repository name, e.g. "busybox" or "example.com/x/y". */
  name: string;
  tag?: string;
  digest?: string;
}

const ID = /^(sha256:)?[a-f0-9]{64}$/;

/** undefined for image IDs and strings that are not references at all. */
export function parseImageRef(ref: string): ImageRef | undefined {
  if (ID.test(ref) || ref === '') return undefined;
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  if (rest === '' || /[A-Z]/.test(rest.split('/').slice(-1)[0]!) || /\s/.test(rest)) return undefined;
  let name = rest;
  if (name.startsWith('docker.io/')) name = name.slice('docker.io/'.length);
  if (name.startsWith('index.docker.io/')) name = name.slice('index.docker.io/'.length);
  if (name.startsWith('library/') && name.split('/').length === 2) name = name.slice('library/'.length);
  const out: ImageRef = { name };
  if (tag !== undefined) out.tag = tag;
  if (digest !== undefined) out.digest = digest;
  return out;
}

/** reference.FamiliarString(TagNameOnly(ref)): "busybox" → "busybox:latest". */
export function familiarWithTag(ref: ImageRef): string {
  if (ref.digest !== undefined) return `${ref.name}${ref.tag ? `:${ref.tag}` : ''}@${ref.digest}`;
  return `${ref.name}:${ref.tag ?? 'latest'}`;
}

export interface NormalizedRef {
  /** Fully qualified: "docker.io/library/busybox". */
  name: string;
  tag?: string;
  digest?: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** reference.ParseNormalizedNamed, with its error wording. */
export function parseNormalizedNamed(ref: string): NormalizedRef {
  if (/^[a-f0-9]{64}$/.test(ref)) throw new Error(`invalid repository name (${ref}), cannot specify 64-byte hexadecimal strings`);
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new Error('invalid reference format');
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new Error('invalid reference format');
  }
  const parts = rest.split('/');
  let domain = 'docker.io';
  if (parts.length > 1 && (parts[0]!.includes('.') || parts[0]!.includes(':') || parts[0] === 'localhost' || parts[0] !== parts[0]!.toLowerCase())) {
    domain = parts.shift()!;
  }
  if (domain === 'index.docker.io') domain = 'docker.io';
  if (domain === 'docker.io' && parts.length === 1) parts.unshift('library');
  const path = parts.join('/');
  if (path !== path.toLowerCase()) throw new Error(`invalid reference format: repository name (${path}) must be lowercase`);
  if (parts.some((p) => !COMPONENT.test(p))) throw new Error('invalid reference format');
  const out: NormalizedRef = { name: `${domain}/${path}` };
  if (tag !== undefined) out.tag = tag;
  if (digest !== undefined) out.digest = digest;
  return out;
}

/** reference.FamiliarName: "docker.io/library/busybox" → "busybox". */
export function familiarName(name: string): string {
  let n = name;
  if (n.startsWith('docker.io/')) n = n.slice('docker.io/'.length);
  if (n.startsWith('library/') && n.split('/').length === 2) n = n.slice('library/'.length);
  return n;
}
