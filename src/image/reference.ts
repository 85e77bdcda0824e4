// Image references, parsed and normalized exactly as docker/distribution's reference package does
// (ParseNormalizedNamed, TagNameOnly, ParseAnyReference, FamiliarString), with its error texts: clients
// and scripts match on them. Pure functions, no I/O.
import { invalidArgument } from '../common/errors.js';
import { parseDigest } from './digest.js';

export const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';
export const DEFAULT_TAG = 'latest';
const NAME_TOTAL_LENGTH_MAX = 255;

// The grammar of distribution's regexp.go, piece by piece. Go's RE2 submatches are leftmost-first, the same
// as a backtracking engine's for these anchored patterns, so the captures agree.
const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const ipv6address = '\\[(?:[a-fA-F0-9:]+)\\]';
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;
const host = `(?:${domainName}|${ipv6address})`;
const domainAndPort = `${host}(?::[0-9]+)?`;
const tagPat = '[\\w][\\w.-]{0,127}';
const digestPat = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const namePat = `(?:${domainAndPort}/)?${remoteName}`;

const REFERENCE_RE = new RegExp(`^(${namePat})(?::(${tagPat}))?(?:@(${digestPat}))?$`);
const ANCHORED_NAME_RE = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);
const ANCHORED_TAG_RE = new RegExp(`^${tagPat}$`);
const ANCHORED_DIGEST_RE = new RegExp(`^${digestPat}$`);
const IDENTIFIER_RE = /^[a-f0-9]{64}$/;

/** A named reference. `domain` is '' only for references parsed without normalization. */
export interface NamedReference {
  readonly kind: 'named';
  readonly domain: string;
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** A bare content digest (`sha256:…`, or 64 hex characters, which is an image ID). */
export interface DigestReference {
  readonly kind: 'digest';
  readonly digest: string;
}

export type Reference = NamedReference | DigestReference;

/** distribution's `Parse`: the grammar alone, no defaults. */
export function parseReference(s: string): Reference {
  if (s === '') throw invalidArgument('repository name must have at least one component');
  const m = REFERENCE_RE.exec(s);
  if (!m) {
    const lower = s.toLowerCase();
    if (lower !== s && REFERENCE_RE.test(lower)) throw invalidArgument('repository name must be lowercase');
    throw invalidArgument('invalid reference format');
  }
  const name = m[1]!;
  const nameMatch = ANCHORED_NAME_RE.exec(name);
  const domain = nameMatch?.[1] ?? '';
  const path = nameMatch ? nameMatch[2]! : name;
  if (path.length > NAME_TOTAL_LENGTH_MAX) {
    throw invalidArgument(`repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  }
  const digest = m[3];
  if (digest !== undefined) parseDigest(digest);
  return named(domain, path, m[2], digest);
}

/** distribution's `ParseNormalizedNamed`: `busybox` → `docker.io/library/busybox` (no tag added). */
export function parseNormalizedNamed(s: string): NamedReference {
  if (IDENTIFIER_RE.test(s)) {
    throw invalidArgument(`invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`);
  }
  const [domain, remainder] = splitDockerDomain(s);
  const tagSep = remainder.indexOf(':');
  const remote = tagSep > -1 ? remainder.slice(0, tagSep) : remainder;
  if (remote.toLowerCase() !== remote) {
    throw invalidArgument(`invalid reference format: repository name (${remote}) must be lowercase`);
  }
  const ref = parseReference(`${domain}/${remainder}`);
  if (ref.kind !== 'named') throw invalidArgument(`reference ${ref.digest} has no name`);
  return ref;
}

/** distribution's `ParseAnyReference`: a 64-hex string or a digest is an ID; anything else a normalized name. */
export function parseAnyReference(s: string): Reference {
  if (IDENTIFIER_RE.test(s)) return { kind: 'digest', digest: `sha256:${s}` };
  try {
    parseDigest(s);
    return { kind: 'digest', digest: s };
  } catch {
    return parseNormalizedNamed(s);
  }
}

/** Adds `:latest` to a reference that has neither tag nor digest. */
export function tagNameOnly(ref: NamedReference): NamedReference {
  return ref.tag === undefined && ref.digest === undefined ? withTag(ref, DEFAULT_TAG) : ref;
}

export function withTag(ref: NamedReference, tag: string): NamedReference {
  if (!ANCHORED_TAG_RE.test(tag)) throw invalidArgument('invalid tag format');
  return named(ref.domain, ref.path, tag, ref.digest);
}

export function withDigest(ref: NamedReference, digest: string): NamedReference {
  if (!ANCHORED_DIGEST_RE.test(digest)) throw invalidArgument('invalid digest format');
  return named(ref.domain, ref.path, ref.tag, digest);
}

/** distribution's `TrimNamed`: the repository alone. */
export function trimNamed(ref: NamedReference): NamedReference {
  return named(ref.domain, ref.path, undefined, undefined);
}

/** `docker.io/library/busybox` */
export function referenceName(ref: NamedReference): string {
  return ref.domain === '' ? ref.path : `${ref.domain}/${ref.path}`;
}

/** The full string: `docker.io/library/busybox:latest`, `localhost:5000/a@sha256:…`. */
export function referenceString(ref: Reference): string {
  if (ref.kind === 'digest') return ref.digest;
  return referenceName(ref) + (ref.tag !== undefined ? `:${ref.tag}` : '') + (ref.digest !== undefined ? `@${ref.digest}` : '');
}

/** The name as the docker CLI shows it: `busybox`, `user/img`, `localhost:5000/a`. */
export function familiarName(ref: NamedReference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return referenceName(ref);
  if (ref.path.startsWith(OFFICIAL_REPO_PREFIX)) {
    const rest = ref.path.slice(OFFICIAL_REPO_PREFIX.length);
    if (!rest.includes('/')) return rest;
  }
  return ref.path;
}

/** `busybox:latest`, `user/img:tag`, `localhost:5000/a:t`, or the digest of an ID reference. */
export function familiarString(ref: Reference): string {
  if (ref.kind === 'digest') return ref.digest;
  return familiarName(ref) + (ref.tag !== undefined ? `:${ref.tag}` : '') + (ref.digest !== undefined ? `@${ref.digest}` : '');
}

/**
 * The `fromImage` + `tag` query form of `POST /images/create` (pull), as moby's router reads it: a trailing
 * `:` is dropped (old `pull -a` clients send one) and `tag` may be a digest. No `latest` is added: an empty
 * tag means "all tags" to the pull that follows.
 */
export function parseRepositoryTag(fromImage: string, tag = ''): NamedReference {
  let ref = parseNormalizedNamed(fromImage.endsWith(':') ? fromImage.slice(0, -1) : fromImage);
  if (tag !== '') {
    let isDigest = true;
    try {
      parseDigest(tag);
    } catch {
      isDigest = false;
    }
    ref = isDigest ? withDigest(trimNamed(ref), tag) : withTag(ref, tag);
  }
  return ref;
}

/**
 * The `repo` + `tag` form of `POST /images/{name}/tag` and of an import's target (moby's RepoTagReference):
 * always name:tag, never a digest.
 */
export function repoTagReference(repo: string, tag = ''): NamedReference {
  const ref = parseNormalizedNamed(repo);
  if (ref.digest !== undefined) throw invalidArgument('cannot import digest reference');
  return tag !== '' ? withTag(ref, tag) : tagNameOnly(ref);
}

function splitDockerDomain(name: string): [string, string] {
  const slash = name.indexOf('/');
  if (slash === -1) return [DEFAULT_DOMAIN, OFFICIAL_REPO_PREFIX + name];
  const maybeDomain = name.slice(0, slash);
  const maybeRemote = name.slice(slash + 1);
  let domain: string;
  let remote: string;
  if (maybeDomain === 'localhost') {
    [domain, remote] = [maybeDomain, maybeRemote];
  } else if (maybeDomain === LEGACY_DEFAULT_DOMAIN) {
    [domain, remote] = [DEFAULT_DOMAIN, maybeRemote];
  } else if (/[.:]/.test(maybeDomain) || maybeDomain.toLowerCase() !== maybeDomain) {
    // A '.' or ':' marks a host; so does uppercase, which a repository path may never contain.
    [domain, remote] = [maybeDomain, maybeRemote];
  } else {
    [domain, remote] = [DEFAULT_DOMAIN, name];
  }
  if (domain === DEFAULT_DOMAIN && !remote.includes('/')) remote = OFFICIAL_REPO_PREFIX + remote;
  return [domain, remote];
}

function named(domain: string, path: string, tag: string | undefined, digest: string | undefined): NamedReference {
  const ref: { kind: 'named'; domain: string; path: string; tag?: string; digest?: string } = { kind: 'named', domain, path };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}
