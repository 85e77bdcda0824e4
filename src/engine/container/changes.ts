// GET /containers/{id}/changes (`docker diff`). Docker compares the container's merged filesystem with the
// image's, tree against tree (archive.ChangesDirs): an entry only in the container is added (1), only in the
// image deleted (2), in both with a different type, mode, owner, device, or (non-directories) size or mtime
// modified (0); a directory with any change below it is reported modified too, the root never. The same
// answer is computed here from the overlay's layers without mounting anything: only the container's upper
// dir can differ from the image, so the walk visits it alone and looks each entry up in the image's merged
// view (the lowers, top first, honouring their whiteouts and opaque directories). A whiteout in the upper is
// a deletion; an opaque upper directory hides the image's entries below it, which are deleted unless the
// upper has them again.
import { spawn } from 'node:child_process';
import type { BigIntStats } from 'node:fs';
import { lstat, open, readdir, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { extract } from 'tar-stream';
import { errnoCode, internal } from '../../common/errors.js';
import type { EngineContext } from './context.js';
import { compareBytes } from './export.js';
import { rootfsLayout, type RootfsLayout } from './rootfs.js';
import { O_DIR_NOFOLLOW, fdPath } from './safe-path.js';

export type ChangeKind = 0 | 1 | 2;
export const CHANGE_MODIFY = 0;
export const CHANGE_ADD = 1;
export const CHANGE_DELETE = 2;

export interface Change {
  Path: string;
  Kind: ChangeKind;
}

/** Which of `relDirs` (relative to `root`, '' for root itself) carry trusted.overlay.opaque=y. */
export type OpaqueReader = (root: string, relDirs: string[]) => Promise<Set<string>>;

interface UpperEntry {
  name: string;
  st: BigIntStats;
  children?: UpperEntry[];
}

interface LayerDir {
  layer: number;
  abs: string;
  rel: string;
}

interface LowerEntry {
  st: BigIntStats;
  /** For a directory: the layer directories merged into it, top first. */
  dirs: LayerDir[];
}

const isWhiteout = (st: BigIntStats) => st.isCharacterDevice() && st.rdev === 0n;

// Docker keeps the mount points it makes for every container in an "init" layer between the image and the
// container's own, so `docker diff` never shows them. The runtime creates ours in the upper dir when the
// image lacks them: an upper entry of the right kind at one of these paths (or a directory above one)
// that the image does not have counts as part of the image.
const INIT_FILES = new Set(['/.dockerenv', '/etc/resolv.conf', '/etc/hosts', '/etc/hostname', '/dev/console']);
const INIT_DIRS = new Set(['/dev/pts', '/dev/shm', '/proc', '/sys']);
const INIT_ANCESTORS = new Set(['/dev', '/etc']);

function initLayerEntry(p: string, st: BigIntStats): LowerEntry | undefined {
  const mine = { st, dirs: [] };
  if (INIT_FILES.has(p) && st.isFile() && st.size === 0n) return mine;
  if ((INIT_DIRS.has(p) || INIT_ANCESTORS.has(p)) && st.isDirectory()) return mine;
  if (p === '/etc/mtab' && st.isSymbolicLink()) return mine;
  return undefined;
}

const relJoin = (rel: string, name: string) => (rel === '' ? name : `${rel}/${name}`);

async function lstatOrUndefined(p: string): Promise<BigIntStats | undefined> {
  try {
    return await lstat(p, { bigint: true });
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw e;
  }
}

/** Docker's sameFsTime: equal, or equal seconds when one side has no sub-second part (tar round trips). */
function sameFsTime(a: bigint, b: bigint): boolean {
  if (a === b) return true;
  const sec = 1_000_000_000n;
  return a / sec === b / sec && (a % sec === 0n || b % sec === 0n);
}

/** Docker's statDifferent: mode (type and permission bits), owner, device; size and mtime except for dirs. */
function statDifferent(a: BigIntStats, b: BigIntStats): boolean {
  if (a.mode !== b.mode || a.uid !== b.uid || a.gid !== b.gid || a.rdev !== b.rdev) return true;
  if (a.isDirectory()) return false;
  return !sameFsTime(a.mtimeNs, b.mtimeNs) || a.size !== b.size;
}

/**
 * Reads the upper tree through handles opened with O_NOFOLLOW, so a running container that swaps one of its
 * directories for a symlink cannot make the walk list a host directory.
 */
async function readUpper(dir: FileHandle): Promise<UpperEntry[]> {
  const names = (await readdir(fdPath(dir.fd))).sort(compareBytes);
  const out: UpperEntry[] = [];
  for (const name of names) {
    const st = await lstatOrUndefined(fdPath(dir.fd, name));
    if (!st) continue; // deleted while we walked
    const entry: UpperEntry = { name, st };
    if (st.isDirectory()) {
      let sub: FileHandle | undefined;
      try {
        sub = await open(fdPath(dir.fd, name), O_DIR_NOFOLLOW);
        entry.children = await readUpper(sub);
      } catch (e) {
        const code = errnoCode(e);
        if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'ELOOP') throw e;
        entry.children = [];
      } finally {
        await sub?.close();
      }
    }
    out.push(entry);
  }
  return out;
}

function upperDirRels(entries: UpperEntry[], rel: string, out: string[]): string[] {
  for (const e of entries) {
    if (!e.children) continue;
    const r = relJoin(rel, e.name);
    out.push(r);
    upperDirRels(e.children, r, out);
  }
  return out;
}

/**
 * The default OpaqueReader. Node has no getxattr, so GNU tar reads the attribute: one process archives the
 * directories alone (no recursion, so no file is read) with that one xattr, and the pax headers say which
 * have it. Needs CAP_SYS_ADMIN for trusted.* attributes, which berthd has.
 */
export const readOpaqueDirs: OpaqueReader = async (root, relDirs) => {
  const found = new Set<string>();
  if (relDirs.length === 0) return found;
  const child = spawn('tar', ['-c', '-f', '-', '-C', root, '--no-recursion', '--xattrs', '--xattrs-include=trusted.overlay.opaque', '--format=posix', '--null', '--verbatim-files-from', '-T', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 4096) stderr += d.toString();
  });
  child.stdin.on('error', () => undefined);
  child.stdin.end(relDirs.map((r) => `${r === '' ? '.' : r}\0`).join(''));
  const ex = extract();
  ex.on('entry', (header, stream, next) => {
    const pax = (header as { pax?: Record<string, string> }).pax;
    if (pax?.['SCHILY.xattr.trusted.overlay.opaque'] === 'y') {
      const name = header.name.replace(/\/+$/, '').replace(/^\.\/?/, '');
      found.add(name);
    }
    stream.on('end', () => next());
    stream.resume();
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  await pipeline(child.stdout, ex);
  const code = await exited;
  // 1: a directory changed or vanished while archived (a running container); the rest was read.
  if (code !== 0 && code !== 1) throw internal(`reading overlay opaque flags under ${root}: tar exited with ${code}: ${stderr.trim()}`);
  return found;
};

/** The changes of a container's filesystem against its image, sorted by path (bytewise, as Go sorts). */
export async function containerChanges(layout: RootfsLayout, opts: { readOpaque?: OpaqueReader } = {}): Promise<Change[]> {
  const readOpaque = opts.readOpaque ?? readOpaqueDirs;
  let upperRoot: FileHandle;
  try {
    upperRoot = await open(layout.upper, O_DIR_NOFOLLOW);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return [];
    throw e;
  }
  let upper: UpperEntry[];
  try {
    upper = await readUpper(upperRoot);
  } finally {
    await upperRoot.close();
  }
  const dirRels = ['', ...upperDirRels(upper, '', [])];
  const upperOpaque = await readOpaque(layout.upper, dirRels);
  // Only the lower directories the walk can reach matter: those at a path that is a directory in the upper.
  const lowerOpaque = await Promise.all(
    layout.lowers.map(async (lower) => {
      const present: string[] = [];
      for (const rel of dirRels) {
        const st = await lstatOrUndefined(path.join(lower, rel));
        if (st?.isDirectory()) present.push(rel);
      }
      return readOpaque(lower, present);
    }),
  );

  const lookupLower = async (dirs: LayerDir[], name: string): Promise<LowerEntry | undefined> => {
    let top: BigIntStats | undefined;
    const merged: LayerDir[] = [];
    for (const d of dirs) {
      const st = await lstatOrUndefined(path.join(d.abs, name));
      if (!st) continue;
      if (isWhiteout(st)) break;
      if (!st.isDirectory()) {
        if (top) break;
        return { st, dirs: [] };
      }
      top ??= st;
      const child = { layer: d.layer, abs: path.join(d.abs, name), rel: relJoin(d.rel, name) };
      merged.push(child);
      if (lowerOpaque[d.layer]!.has(child.rel)) break;
    }
    return top && { st: top, dirs: merged };
  };

  /** The names visible in a merged lower directory. */
  const listLower = async (dirs: LayerDir[]): Promise<string[]> => {
    const seen = new Map<string, boolean>();
    for (const d of dirs) {
      const entries = await readdir(d.abs, { withFileTypes: true }).catch(() => []);
      for (const e of entries) {
        if (seen.has(e.name)) continue;
        let visible = true;
        if (e.isCharacterDevice()) {
          const st = await lstatOrUndefined(path.join(d.abs, e.name));
          visible = !(st && isWhiteout(st));
        }
        seen.set(e.name, visible);
      }
    }
    return [...seen].filter(([, v]) => v).map(([n]) => n);
  };

  const out: Change[] = [];
  const addAll = (entries: UpperEntry[], rel: string) => {
    for (const e of entries) {
      if (isWhiteout(e.st)) continue;
      const r = relJoin(rel, e.name);
      out.push({ Path: `/${r}`, Kind: CHANGE_ADD });
      if (e.children) addAll(e.children, r);
    }
  };

  const diffDir = async (entries: UpperEntry[], rel: string, lowerDirs: LayerDir[], hidesLower: boolean): Promise<void> => {
    for (const e of entries) {
      const r = relJoin(rel, e.name);
      const low = (await lookupLower(lowerDirs, e.name)) ?? (isWhiteout(e.st) ? undefined : initLayerEntry(`/${r}`, e.st));
      if (isWhiteout(e.st)) {
        if (low) out.push({ Path: `/${r}`, Kind: CHANGE_DELETE });
        continue;
      }
      if (!low) {
        out.push({ Path: `/${r}`, Kind: CHANGE_ADD });
        if (e.children) addAll(e.children, r);
        continue;
      }
      const start = out.length;
      const changed = statDifferent(low.st, e.st);
      if (changed) out.push({ Path: `/${r}`, Kind: CHANGE_MODIFY });
      if (!e.children) continue;
      if (low.st.isDirectory()) await diffLevel(e.children, r, low.dirs, hidesLower || upperOpaque.has(r));
      else addAll(e.children, r);
      if (!changed && out.length > start) out.splice(start, 0, { Path: `/${r}`, Kind: CHANGE_MODIFY });
    }
  };

  const diffLevel = async (entries: UpperEntry[], rel: string, lowerDirs: LayerDir[], hidesLower: boolean): Promise<void> => {
    await diffDir(entries, rel, lowerDirs, hidesLower);
    if (!hidesLower) return;
    // Below an opaque directory overlayfs shows the upper alone: what the image had there and the upper
    // does not is gone.
    const inUpper = new Set(entries.map((e) => e.name));
    for (const name of await listLower(lowerDirs)) {
      if (!inUpper.has(name)) out.push({ Path: `/${relJoin(rel, name)}`, Kind: CHANGE_DELETE });
    }
  };

  const roots: LayerDir[] = layout.lowers.map((abs, layer) => ({ layer, abs, rel: '' }));
  await diffLevel(upper, '', roots, upperOpaque.has(''));
  return out.sort((a, b) => compareBytes(a.Path, b.Path));
}

/** The backend call for GET /containers/{id}/changes. */
export async function changesOf(ctx: EngineContext, ref: string): Promise<Change[]> {
  const c = ctx.store.get(ref);
  const image = await ctx.images.get(c.imageId);
  return containerChanges(rootfsLayout(ctx.store.dir(c.id), image.layers));
}
