// COPY/ADD as a layer: resolve the sources, place them under the destination the way moby's classic builder
// does, and stream the result as a tar. Planning reads every source once to hash it (the origin is the cache
// key, so it must see content); tar() reads them again, streaming, so no file is ever held in memory.
//
// Placement: a directory source copies its contents into dest; a file goes inside dest when dest ends in
// '/' or is an existing directory of the parent image, else dest is its new name. dest and its parents are
// resolved in the parent image's rootfs (symlinks followed inside it: `/bin` → `usr/bin`), and parents
// that exist are emitted with their existing metadata so the layer does not change them (/tmp stays 1777).
//
// Ownership: --chown ids when given; otherwise 0:0 for the context (moby resets it) and, for --from, the
// source's own ids (moby's preserveOwnership for COPY --from without --chown). New parents: 0755, same ids.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { errnoCode, internal, invalidArgument } from '../../common/errors.js';
import type { IgnoreMatcher } from '../../common/dockerignore.js';
import { archiveChunks, isTarArchive } from './add-archive.js';
import { download, isUrl, type Fetch } from './remote.js';
import { parseChmod, resolveChown, type Ids } from './owner.js';
import { resolveInScope } from './scope.js';
import { resolveSource, walk, type LocalSource } from './sources.js';
import { TAR_END, tarHeader, tarPadding, type TarEntry, type TarType } from './tar-writer.js';

export interface CopyRequest {
  kind: 'copy' | 'add';
  /** The context directory, or a read-only rootfs for `--from`. */
  srcRoot: string;
  /** Already expanded, as written (relative to srcRoot; a leading '/' allowed). */
  sources: string[];
  /** Absolute path in the image, a trailing '/' kept. */
  dest: string;
  /** Read-only view of the parent image's rootfs; undefined for scratch. */
  destRoot?: string;
  chown?: string;
  chmod?: string;
  allowWildcards: boolean;
  fromContext: boolean;
  ignore?: IgnoreMatcher;
  heredocs?: { name: string; content: string; mode?: number }[];
  fetch?: Fetch;
  /** ADD --checksum=sha256:… */
  checksum?: string;
  signal?: AbortSignal;
}

export interface CopyPlan {
  /** 'file:<hex>', 'dir:<hex>' or 'multi:<hex>': moby classic's form in created_by, and the cache key. */
  origin: string;
  /** The layer, streamed. Removes the plan's downloads when done. */
  tar(): AsyncIterable<Buffer>;
  /** Removes the plan's downloads (for a plan whose tar() is never read, e.g. a cache hit). */
  dispose(): Promise<void>;
}

/** One entry of the layer: its header, and where its content comes from. */
interface Out {
  entry?: TarEntry;
  src?: string;
  data?: Buffer;
  archive?: { file: string; destDir: string; ids?: Ids };
}

export async function planCopy(req: CopyRequest): Promise<CopyPlan> {
  const cmd = req.kind.toUpperCase();
  const temps: string[] = [];
  const dispose = async () => {
    for (const t of temps.splice(0)) await fs.promises.rm(t, { recursive: true, force: true });
  };
  try {
    const plan = await build(req, cmd, temps);
    return {
      origin: plan.origin,
      dispose,
      tar: () => stream(plan.outs, req.signal, dispose),
    };
  } catch (e) {
    await dispose();
    throw e;
  }
}

async function build(req: CopyRequest, cmd: string, temps: string[]): Promise<{ origin: string; outs: Out[] }> {
  const ids: Ids | undefined = req.chown !== undefined ? await resolveChown(req.chown, req.destRoot) : req.fromContext ? { uid: 0, gid: 0 } : undefined;
  const chmod = req.chmod !== undefined ? parseChmod(req.chmod) : undefined;
  const newDirIds = ids ?? { uid: 0, gid: 0 };
  if (req.checksum !== undefined) {
    if (req.kind !== 'add' || !req.sources.every(isUrl)) throw invalidArgument(`checksum can't be specified for non-HTTP(S) sources`);
    if (!/^sha256:[0-9a-f]{64}$/.test(req.checksum)) throw invalidArgument(`invalid checksum digest format: ${req.checksum}`);
  }

  // What each source is, before anything is placed (moby resolves every source first, then checks the count).
  type Info = { local: LocalSource; archive: boolean } | { file: string; name: string; mtime: number; url: true } | { data: Buffer; name: string; mode: number };
  const infos: Info[] = [];
  const heredocWords = new Set((req.heredocs ?? []).flatMap((h) => [`<<${h.name}`, `<<-${h.name}`, `<<"${h.name}"`, `<<'${h.name}'`, `<<-"${h.name}"`, `<<-'${h.name}'`]));
  const opts = { root: req.srcRoot, cmd, allowWildcards: req.allowWildcards, fromContext: req.fromContext, ...(req.ignore ? { ignore: req.ignore } : {}) };
  for (const src of req.sources) {
    req.signal?.throwIfAborted();
    if (heredocWords.has(src)) continue;
    if (isUrl(src)) {
      if (req.kind !== 'add') throw invalidArgument(`${cmd} failed: source can't be a URL for ${cmd}`);
      if (!req.fetch) throw internal('ADD of a URL without a downloader');
      const got = await download(src, req.fetch, temps, req.checksum);
      if (got.name === '' && req.dest.endsWith('/')) throw invalidArgument(`${cmd} failed: cannot determine filename for source ${src}`);
      infos.push({ file: got.file, name: got.name || '__unnamed__', mtime: got.mtime, url: true });
      continue;
    }
    for (const local of await resolveSource(src, opts)) {
      const archive = req.kind === 'add' && local.kind === 'file' && local.stat.isFile() && (await isTarArchive(path.join(req.srcRoot, local.rel)));
      infos.push({ local, archive });
    }
  }
  for (const h of req.heredocs ?? []) infos.push({ data: Buffer.from(h.content, 'utf8'), name: h.name, mode: h.mode ?? 0o644 });
  if (infos.length === 0) throw invalidArgument(`${cmd} failed: no source files were specified`);
  if (infos.length > 1 && !req.dest.endsWith('/')) {
    throw invalidArgument(`When using ${cmd} with more than one source file, the destination must be a directory and end with a /`);
  }

  const place = new Placer(req.destRoot, newDirIds);
  const destRel = path.posix.resolve('/', req.dest).slice(1);
  const dest = req.destRoot !== undefined ? await resolveInScope(req.destRoot, destRel) : destRel;
  const destIsDir = req.dest.endsWith('/') || (await place.isDir(dest));
  const into = (name: string) => (destIsDir ? path.posix.join(dest, name) : dest);
  const hashes: string[] = [];
  let onlyKind: 'file' | 'dir' = 'file';

  for (const info of infos) {
    const h = createHash('sha256');
    if ('data' in info) {
      const target = into(info.name);
      await place.parents(target);
      const entry = { name: target, type: 'file' as const, mode: chmod ?? info.mode, ...newDirIds, size: info.data.length, mtime: Date.now() / 1000 };
      record(h, info.name, entry, sha(info.data));
      place.outs.push({ entry, data: info.data });
    } else if ('url' in info) {
      const target = into(info.name);
      await place.parents(target);
      const st = await fs.promises.stat(info.file);
      const entry = { name: target, type: 'file' as const, mode: chmod ?? 0o600, ...newDirIds, size: st.size, mtime: info.mtime };
      record(h, info.name, entry, await fileSha(info.file));
      place.outs.push({ entry, src: info.file });
    } else if (info.local.kind === 'dir') {
      onlyKind = 'dir';
      await place.dir(dest);
      for await (const w of walk(req.srcRoot, info.local.rel, opts, req.signal)) {
        const entry = toEntry(path.posix.join(dest, w.rel), w.stat, w.linkname, ids, chmod);
        if (!entry) continue;
        const content = entry.type === 'file' ? await fileSha(w.abs) : '';
        record(h, w.rel, entry, content);
        if (entry.type === 'dir') place.emitted.add(entry.name);
        place.outs.push({ entry, ...(entry.type === 'file' ? { src: w.abs } : {}) });
      }
    } else {
      const abs = path.join(req.srcRoot, info.local.rel);
      if (info.archive) {
        await place.dir(dest);
        record(h, info.local.name, { type: 'file', mode: info.local.stat.mode & 0o7777, uid: 0, gid: 0 }, await fileSha(abs));
        // Archives keep their entries' owners unless --chown says otherwise (moby's UntarPath never chowns).
        place.outs.push({ archive: { file: abs, destDir: dest, ...(req.chown !== undefined && ids ? { ids } : {}) } });
      } else {
        const target = into(info.local.name);
        await place.parents(target);
        const linkname = info.local.stat.isSymbolicLink() ? await fs.promises.readlink(abs) : undefined;
        const entry = toEntry(target, info.local.stat, linkname, ids, chmod);
        if (!entry) throw invalidArgument(`${cmd} failed: ${info.local.name}: unsupported file type`);
        record(h, info.local.name, entry, entry.type === 'file' ? await fileSha(abs) : '');
        place.outs.push({ entry, ...(entry.type === 'file' ? { src: abs } : {}) });
      }
    }
    hashes.push(h.digest('hex'));
  }
  const origin = hashes.length === 1 ? `${onlyKind}:${hashes[0]}` : `multi:${createHash('sha256').update(hashes.join(',')).digest('hex')}`;
  return { origin, outs: place.outs };
}

/** Everything about an entry that shapes the layer, except times (Docker's cache ignores them). */
function record(h: ReturnType<typeof createHash>, name: string, e: Pick<TarEntry, 'type' | 'mode' | 'uid' | 'gid' | 'linkname' | 'devmajor' | 'devminor'>, content: string): void {
  h.update(`${JSON.stringify([name, e.type, e.mode, e.uid, e.gid, e.linkname ?? '', e.devmajor ?? 0, e.devminor ?? 0, content])}\n`);
}

const SMALL_FILE = 256 * 1024;

function sha(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

async function fileSha(file: string): Promise<string> {
  // Small files are read synchronously: four thread-pool round trips cost more than hashing 10 KB, and a
  // context is mostly small files. Large ones stream.
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    if (fs.fstatSync(fd).size <= SMALL_FILE) return sha(fs.readFileSync(fd));
  } finally {
    fs.closeSync(fd);
  }
  const h = createHash('sha256');
  const fh = await fs.promises.open(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    for await (const chunk of fh.createReadStream({ highWaterMark: 1 << 20, autoClose: false })) h.update(chunk as Buffer);
  } finally {
    await fh.close();
  }
  return h.digest('hex');
}

/** A layer entry for a file on disk, or undefined for kinds a layer does not carry (sockets). */
function toEntry(name: string, st: Stats, linkname: string | undefined, ids: Ids | undefined, chmod: number | undefined): TarEntry | undefined {
  const type: TarType | undefined = st.isFile()
    ? 'file'
    : st.isDirectory()
      ? 'dir'
      : st.isSymbolicLink()
        ? 'symlink'
        : st.isCharacterDevice()
          ? 'char'
          : st.isBlockDevice()
            ? 'block'
            : st.isFIFO()
              ? 'fifo'
              : undefined;
  if (!type) return undefined;
  const mode = type === 'symlink' ? 0o777 : (chmod ?? st.mode & 0o7777);
  const e: TarEntry = { name, type, mode, uid: ids?.uid ?? st.uid, gid: ids?.gid ?? st.gid, mtime: st.mtimeMs / 1000 };
  if (type === 'file') e.size = st.size;
  if (type === 'symlink') e.linkname = linkname ?? '';
  if (type === 'char' || type === 'block') {
    e.devmajor = Number((BigInt(st.rdev) >> 8n) & 0xfffn) | Number((BigInt(st.rdev) >> 32n) & ~0xfffn);
    e.devminor = Number(BigInt(st.rdev) & 0xffn) | Number((BigInt(st.rdev) >> 12n) & ~0xffn);
  }
  return e;
}

/** Directory entries the layer needs above what it copies, each once, in the order first needed. */
class Placer {
  readonly outs: Out[] = [];
  readonly emitted = new Set<string>();
  constructor(
    private readonly destRoot: string | undefined,
    private readonly ids: Ids,
  ) {}

  async isDir(rel: string): Promise<boolean> {
    return (await this.existing(rel))?.isDirectory() ?? false;
  }

  /** The parents of `target` (a file or a directory's content root). */
  async parents(target: string): Promise<void> {
    const parts = target.split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) await this.dir(parts.slice(0, i).join('/'));
  }

  /** `rel` as a directory, with its parents: existing ones keep their metadata, new ones are 0755. */
  async dir(rel: string): Promise<void> {
    if (rel === '') return;
    await this.parents(rel);
    if (this.emitted.has(rel)) return;
    this.emitted.add(rel);
    const st = await this.existing(rel);
    const entry: TarEntry = st?.isDirectory()
      ? { name: rel, type: 'dir', mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtimeMs / 1000 }
      : { name: rel, type: 'dir', mode: 0o755, ...this.ids, mtime: Date.now() / 1000 };
    this.outs.push({ entry });
  }

  private async existing(rel: string): Promise<Stats | undefined> {
    if (this.destRoot === undefined) return undefined;
    try {
      return await fs.promises.lstat(path.join(this.destRoot, rel));
    } catch (e) {
      if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return undefined;
      throw e;
    }
  }
}

async function* stream(outs: Out[], signal: AbortSignal | undefined, dispose: () => Promise<void>): AsyncGenerator<Buffer> {
  try {
    for (const o of outs) {
      signal?.throwIfAborted();
      if (o.archive) {
        yield* archiveChunks(o.archive.file, o.archive.destDir, o.archive.ids, signal);
        continue;
      }
      if (!o.entry) continue;
      yield tarHeader(o.entry);
      if (o.entry.type !== 'file') continue;
      const size = o.entry.size ?? 0;
      if (o.data) yield o.data;
      else if (o.src && size > 0) yield* exactly(o.src, size);
      yield tarPadding(size);
    }
    yield TAR_END;
  } finally {
    await dispose();
  }
}

/** Exactly `size` bytes of the file, streamed: a file that shrank since planning fails the layer. */
async function* exactly(file: string, size: number): AsyncGenerator<Buffer> {
  let got = 0;
  // O_NOFOLLOW: a file swapped for a symlink since planning is refused, not followed out of its root.
  if (size <= SMALL_FILE) {
    const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    let b: Buffer;
    try {
      b = fs.readFileSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    if (b.length !== size) throw internal(`${file}: file changed size while being copied`);
    yield b;
    return;
  }
  const fh = await fs.promises.open(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  const rs = fh.createReadStream({ start: 0, end: size - 1, highWaterMark: 1 << 20 });
  for await (const chunk of rs) {
    got += (chunk as Buffer).length;
    yield chunk as Buffer;
  }
  if (got !== size) throw internal(`${file}: file changed size while being copied`);
}
