// The grammars of the distribution spec: repository names, tags and digests as they appear in URLs. Names
// and digests become paths on disk, so nothing reaches the filesystem without passing these checks.
import { registryError } from './errors.js';

// distribution/reference: path-component = alphanumeric (separator alphanumeric)*, separator = [._] | __ | -+
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const NAME = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };
const SHA256 = /^sha256:([a-f0-9]{64})$/;
/** distribution's NameTotalLengthMax. */
const NAME_MAX = 255;

export function isValidName(name: string): boolean {
  return name.length <= NAME_MAX && NAME.test(name);
}

export function checkName(name: string): string {
  if (!isValidName(name)) throw registryError('NAME_INVALID', { name });
  return name;
}

export function isTag(ref: string): boolean {
  return TAG.test(ref);
}

/** go-digest's rule: the grammar, plus the right hex length for the algorithms it knows. */
export function isDigest(ref: string): boolean {
  if (!DIGEST.test(ref)) return false;
  const [alg, enc] = ref.split(':') as [string, string];
  const len = HEX_LENGTH[alg];
  return len === undefined || (enc.length === len && /^[a-f0-9]+$/.test(enc));
}

/** The hex of a sha256 digest, or undefined for any other (well-formed or not) digest string. */
export function sha256HexOf(digest: string): string | undefined {
  return SHA256.exec(digest)?.[1];
}

/**
 * A digest a client asks us to verify against. Only sha256 is stored; another well-formed algorithm is
 * refused the way distribution refuses an unavailable one, as an invalid digest.
 */
export function requireSha256(digest: string | null | undefined): string {
  if (!digest) throw registryError('DIGEST_INVALID', 'digest missing');
  const hex = sha256HexOf(digest);
  if (hex === undefined) {
    throw registryError('DIGEST_INVALID', isDigest(digest) ? `unsupported digest algorithm: ${digest}` : `invalid digest: ${digest}`);
  }
  return hex;
}
