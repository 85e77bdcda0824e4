// Short names for layer directories. A layer's diff dir is `<root>/layers/<64 hex>/diff` (~100 bytes with
// the data root), and mount(2) takes its whole option string in one page: ~40 layers at most. As Docker's
// overlay2 does, each layer gets a link `<root>/l/<name>` → `../layers/<hex>/diff` and the lowerdir lists
// `l/<name>` relative to <root> (the mounter changes into it): 19 bytes a layer, 200 layers in a page.
// Names are derived from the link's target, so they need no state file: the same layer always has the
// same name, and a link can be remade at any time.
import { createHash } from 'node:crypto';
import path from 'node:path';

export const LINK_DIR = 'l';
/** 16 base32 characters: 80 bits of a SHA-256, so names do not collide among any realistic set of layers. */
export const NAME_LENGTH = 16;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(buf: Buffer, chars: number): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
    if (out.length === chars) break;
  }
  return out;
}

/**
 * What `<root>/l/<name>` points at: relative inside root (the data root can move), absolute otherwise (a
 * layer kept elsewhere, as tests and the engine's empty dir do).
 */
export function linkTarget(root: string, layerDir: string): string {
  const abs = path.resolve(layerDir);
  const rel = path.relative(root, abs);
  const inside = rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  return inside ? path.posix.join('..', rel) : abs;
}

/** The short name of the link to `target` (a linkTarget result). */
export function shortName(target: string): string {
  return base32(createHash('sha256').update(target).digest(), NAME_LENGTH);
}

/** The lowerdir entry for a layer, relative to root: `l/<name>`. */
export function lowerEntry(root: string, layerDir: string): { entry: string; name: string; target: string } {
  const target = linkTarget(root, layerDir);
  const name = shortName(target);
  return { entry: `${LINK_DIR}/${name}`, name, target };
}
