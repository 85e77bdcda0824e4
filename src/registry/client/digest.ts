// Content digests as the distribution protocol uses them (go-digest's algorithms and shape). A copy of the
// few lines the image module has, because registry/client may not import image.
import { createHash, type Hash } from 'node:crypto';
import { invalidArgument } from '../../common/errors.js';

const HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };

export interface ParsedDigest {
  algorithm: 'sha256' | 'sha384' | 'sha512';
  hex: string;
}

export function parseDigest(digest: string): ParsedDigest {
  const i = digest.indexOf(':');
  const algorithm = digest.slice(0, i);
  const hex = digest.slice(i + 1);
  const len = HEX_LENGTH[algorithm];
  if (i <= 0 || hex === '') throw invalidArgument('invalid checksum digest format');
  if (len === undefined) throw invalidArgument('unsupported digest algorithm');
  if (hex.length !== len) throw invalidArgument('invalid checksum digest length');
  if (!/^[a-f0-9]+$/.test(hex)) throw invalidArgument('invalid checksum digest format');
  return { algorithm: algorithm as ParsedDigest['algorithm'], hex };
}

export const isDigest = (reference: string): boolean => reference.includes(':');

export const newHash = (algorithm: ParsedDigest['algorithm'] = 'sha256'): Hash => createHash(algorithm);

/** The digest of bytes, in the algorithm of `like` (sha256 when not given). */
export function digestOf(bytes: Buffer, like?: string): string {
  const algorithm = like ? parseDigest(like).algorithm : 'sha256';
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}
