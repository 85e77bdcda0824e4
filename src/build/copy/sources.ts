// Which files a COPY/ADD source names. A source is relative to its root (a leading '/' or './' is dropped,
// as moby does); `../` that climbs out of the root is refused before the disk is looked at; a symlink named
// by a source (or matched by a wildcard) is followed, but inside the root only; a directory's walk keeps
// the symlinks it finds as symlinks. Files the .dockerignore excludes do not exist for COPY.
import fs from 'node:fs/promises';
import { lstatSync, readlinkSync, type Stats } from 'node:fs';
import path from 'node:path';
import { errnoCode, invalidArgument } from '../../common/errors.js';
import type { IgnoreMatcher } from '../../common/dockerignore.js';
import { hasWildcards, segmentMatcher } from './match.js';
import { lexicalInside, resolveInScope } from './scope.js';

export interface LocalSource {
  kind: 'dir' | 'file';
  /** The source's path relative to the root after following symlinks in scope ('' for the root). */
  rel: string;
  /** The name the source goes by when put into a directory: the last component as written. */
  name: string;
  stat: Stats;
}

export interface ResolveOptions {
  root: string;
  cmd: string;
  allowWildcards: boolean;
  fromContext: boolean;
  ignore?: IgnoreMatcher;
}

/** The local sources one source word names (several for a wildcard, possibly none). */
export async function resolveSource(orig: string, o: ResolveOptions): Promise<LocalSource[]> {
  let p = orig.replace(/^\/+/, '');
  if (p.startsWith('./')) p = p.slice(2);
  if (o.allowWildcards && hasWildcards(p)) return wildcard(p, o);
  return [await single(p, o)];
}

async function single(p: string, o: ResolveOptions): Promise<LocalSource> {
  const lexical = lexicalInside(p);
  if (lexical === undefined) throw invalidArgument(`${o.cmd} failed: forbidden path outside the build context: ${p} ()`);
  const notFound = () =>
    invalidArgument(
      o.fromContext
        ? `${o.cmd} failed: file not found in build context or excluded by .dockerignore: stat ${p}: file does not exist`
        : `${o.cmd} failed: stat ${p}: file does not exist`,
    );
  if (isIgnored(o, lexical)) throw notFound();
  const rel = await resolveInScope(o.root, lexical);
  if (isIgnored(o, rel)) throw notFound();
  let stat: Stats;
  try {
    stat = await fs.lstat(path.join(o.root, rel));
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') throw notFound();
    throw e;
  }
  const name = lexical === '' ? '' : path.posix.basename(lexical);
  return { kind: stat.isDirectory() ? 'dir' : 'file', rel, name, stat };
}

/** Walks the root, matching each path segment by segment, in lexical order like Go's filepath.Walk. */
async function wildcard(pattern: string, o: ResolveOptions): Promise<LocalSource[]> {
  const segs = pattern.split('/').filter((s) => s !== '' && s !== '.');
  const matchers = segs.map((s) => (hasWildcards(s) ? segmentMatcher(s) : (n: string) => n === s.replace(/\\(.)/g, '$1')));
  if (matchers.some((m) => m === undefined)) return [];
  const out: LocalSource[] = [];
  const visit = async (dir: string, depth: number): Promise<void> => {
    let names: string[];
    try {
      names = (await fs.readdir(path.join(o.root, dir))).sort(byteOrder);
    } catch (e) {
      if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return;
      throw e;
    }
    for (const n of names) {
      if (!matchers[depth]!(n)) continue;
      const rel = dir === '' ? n : `${dir}/${n}`;
      if (depth === segs.length - 1) {
        if (!isIgnored(o, rel)) out.push(await single(rel, { ...o, allowWildcards: false }));
        continue;
      }
      const st = await fs.lstat(path.join(o.root, rel));
      if (st.isDirectory()) await visit(rel, depth + 1);
    }
  };
  await visit('', 0);
  return out;
}

export interface WalkEntry {
  /** Path below the walked directory. */
  rel: string;
  abs: string;
  stat: Stats;
  linkname?: string;
}

/** Everything below a directory source, parents before children, symlinks not followed. */
export async function* walk(root: string, dirRel: string, o: Pick<ResolveOptions, 'ignore' | 'fromContext'>, signal?: AbortSignal): AsyncGenerator<WalkEntry> {
  const stack: string[] = [''];
  let seen = 0;
  while (stack.length > 0) {
    signal?.throwIfAborted();
    const sub = stack.pop()!;
    const absDir = path.join(root, dirRel, sub);
    const names = (await fs.readdir(absDir)).sort(byteOrder);
    const dirs: string[] = [];
    for (const n of names) {
      const rel = sub === '' ? n : `${sub}/${n}`;
      const ctxRel = dirRel === '' ? rel : `${dirRel}/${rel}`;
      const abs = path.join(absDir, n);
      // Synchronous: a thread-pool round trip per entry dominates a walk of small files. The loop yields
      // now and then so that a huge tree does not hold the daemon's other requests.
      if (++seen % 512 === 0) await new Promise((r) => setImmediate(r));
      const stat = lstatSync(abs);
      if (isIgnored(o, ctxRel) && !(stat.isDirectory() && o.ignore!.mayReinclude(ctxRel))) continue;
      if (stat.isSocket()) continue;
      yield { rel, abs, stat, ...(stat.isSymbolicLink() ? { linkname: readlinkSync(abs) } : {}) };
      if (stat.isDirectory()) dirs.push(rel);
    }
    // Depth-first, in name order: push in reverse so the first name is walked first.
    for (const d of dirs.reverse()) stack.push(d);
  }
}

function isIgnored(o: Pick<ResolveOptions, 'ignore' | 'fromContext'>, rel: string): boolean {
  return o.fromContext && o.ignore !== undefined && !o.ignore.empty && rel !== '' && o.ignore.matches(rel);
}

/** Go sorts names bytewise; JS compares UTF-16 units, which differs only past the BMP. */
export function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
