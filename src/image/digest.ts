// Content digests as go-digest v1.0.0 (the version Docker vendors) parses and words them, and layer chain IDs.
// Kept inside image/ because src/common has no digest helper yet; it moves there when a second module needs it.
import { createHash } from 'node:crypto';
import { invalidArgument } from '../common/errors.js';

const ALGORITHM_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };
const DIGEST_SHAPE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const LOWER_HEX = /^[a-f0-9]+$/;

export const SHA256_HEX = /^[a-f0-9]{64}$/;

/** A validated `algorithm:hex` digest; errors carry go-digest's messages, which Docker passes to clients. */
export function parseDigest(s: string): { algorithm: string; hex: string } {
  const i = s.indexOf(':');
  if (i <= 0 || i + 1 === s.length) throw invalidArgument('invalid checksum digest format');
  const algorithm = s.slice(0, i);
  const hex = s.slice(i + 1);
  const size = ALGORITHM_HEX_LENGTH[algorithm];
  if (size === undefined) {
    throw invalidArgument(DIGEST_SHAPE.test(s) ? 'unsupported digest algorithm' : 'invalid checksum digest format');
  }
  if (hex.length !== size) throw invalidArgument('invalid checksum digest length');
  if (!LOWER_HEX.test(hex)) throw invalidArgument('invalid checksum digest format');
  return { algorithm, hex };
}

/** The hex of a `sha256:<hex>` digest; the store only ever addresses content by sha256. */
export function sha256Hex(digest: string): string {
  const { algorithm, hex } = parseDigest(digest);
  if (algorithm !== 'sha256') throw invalidArgument(`unsupported digest algorithm: ${algorithm}`);
  return hex;
}

export function sha256Digest(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/**
 * ChainID(L0) = DiffID(L0); ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln)) — the OCI image spec's
 * rule, so a layer is shared exactly when its whole stack below is the same.
 */
export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const diffId of diffIds) {
    const parent = out[out.length - 1];
    out.push(parent === undefined ? diffId : sha256Digest(`${parent} ${diffId}`));
  }
  return out;
}
