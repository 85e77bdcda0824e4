// Records a layer's tar-split while the tar streams to GNU tar: a walk over 512-byte blocks that copies
// headers, padding and trailing bytes into the split and, for each regular file, records only its path and
// size (the content is passed to tar untouched, never copied). The walk sits between the hash and tar, so it
// also sees what tar will do with each entry and keeps the content of files the directory will not hold
// unchanged at the end:
//   - known when the entry arrives (whiteout names, paths through a non-directory such as a symlink, `..`,
//     sparse or unusual entry types, after a PAX global header): the content goes raw into the split;
//   - known only later (the same path again, a directory replaced by a non-directory, a whiteout of the file
//     or one of its parents above a parent layer): before the entry that would destroy the file reaches tar,
//     the walk injects a hard link to it into tar's stream (never into the hash or the split), under a
//     randomly named directory that finishSplit moves out and inlines into the split.
import { randomBytes } from 'node:crypto';
import { BLOCK, encodeHeader, headerName, isZeroBlock, paddedSize, parsePax, readNumber, validChecksum } from './tar-header.js';
import type { SplitWriter } from './split-writer.js';

/** PAX and GNU long-name bodies larger than this are not metadata any tar writer produces. */
const META_MAX = 16 * 1024 * 1024;
const WHITEOUT_PREFIX = '.wh.';
const HEADER_ONLY = new Set(['1', '2', '3', '4', '5', '6']);

type Mode = 'header' | 'meta' | 'data' | 'trailer';
type Kind = 'dir' | 'file' | 'other';

export class SplitRecorder {
  /** Top-level directory of the injected hard links, inside the diff directory while tar runs. */
  readonly keepName = `.berth-split-keep-${randomBytes(8).toString('hex')}`;
  /** refIndex of files saved by an injected hard link, named `<keepName>/<refIndex>`. */
  readonly kept = new Set<number>();
  total = 0;

  private mode: Mode = 'header';
  private readonly block = Buffer.alloc(BLOCK);
  private blockFill = 0;
  /** Header blocks (and PAX/long-name bodies) of the entry being read, not yet passed on. */
  private group: Buffer[] = [];
  private metaType = '';
  private metaBody: Buffer[] = [];
  private metaLeft = 0;
  private metaSize = 0;
  private pax = new Map<string, Buffer>();
  private longName: string | undefined;
  private longLink: string | undefined;
  private globalSeen = false;
  private dataLeft = 0;
  private padLeft = 0;
  private dataIsRef = false;
  private refCount = 0;
  private readonly kinds = new Map<string, Kind>();
  private readonly liveRefs = new Map<string, number>();
  /** Directories that have (or had) a referenced file somewhere below them. */
  private readonly refDirs = new Set<string>();
  private readonly whiteouts: string[] = [];
  private injectedDir = false;

  constructor(private readonly writer: SplitWriter, private readonly isBase: boolean) {}

  /** Takes the next chunk of the uncompressed tar; returns what to feed tar, in order. */
  push(chunk: Buffer): Buffer[] {
    this.total += chunk.length;
    const out: Buffer[] = [];
    let i = 0;
    while (i < chunk.length) {
      if (this.mode === 'trailer') {
        const rest = chunk.subarray(i);
        this.writer.addRaw(rest);
        out.push(rest);
        break;
      }
      if (this.mode === 'data') {
        if (this.dataLeft > 0) {
          const n = Math.min(this.dataLeft, chunk.length - i);
          const piece = chunk.subarray(i, i + n);
          if (!this.dataIsRef) this.writer.addRaw(piece);
          out.push(piece);
          this.dataLeft -= n;
          i += n;
        } else {
          const n = Math.min(this.padLeft, chunk.length - i);
          const piece = chunk.subarray(i, i + n);
          this.writer.addRaw(piece);
          out.push(piece);
          this.padLeft -= n;
          i += n;
        }
        if (this.dataLeft === 0 && this.padLeft === 0) this.mode = 'header';
        continue;
      }
      if (this.mode === 'meta') {
        const n = Math.min(this.metaLeft, chunk.length - i);
        const piece = Buffer.from(chunk.subarray(i, i + n));
        this.group.push(piece);
        this.metaBody.push(piece);
        this.metaLeft -= n;
        i += n;
        if (this.metaLeft === 0) this.endMeta();
        continue;
      }
      const n = Math.min(BLOCK - this.blockFill, chunk.length - i);
      chunk.copy(this.block, this.blockFill, i, i + n);
      this.blockFill += n;
      i += n;
      if (this.blockFill === BLOCK) {
        this.blockFill = 0;
        this.onHeaderBlock(Buffer.from(this.block), out);
      }
    }
    return out;
  }

  /** The end of the stream: passes on whatever incomplete header is left (tar then reports it). */
  end(): Buffer[] {
    const rest = [...this.group];
    if (this.blockFill > 0) rest.push(Buffer.from(this.block.subarray(0, this.blockFill)));
    for (const b of rest) this.writer.addRaw(b);
    this.group = [];
    this.blockFill = 0;
    return rest;
  }

  /**
   * Files still referenced that the whiteout conversion will delete (above a parent, `.wh.x` removes `x`
   * and everything below it): refIndex → path in the diff directory. Called once tar is done.
   */
  whiteoutLosses(): Map<number, string> {
    const lost = new Map<number, string>();
    if (this.isBase) return lost;
    for (const hidden of this.whiteouts) for (const [p, idx] of this.refsAt(hidden, true)) lost.set(idx, p);
    return lost;
  }

  get injected(): boolean {
    return this.injectedDir;
  }

  private onHeaderBlock(block: Buffer, out: Buffer[]): void {
    if (isZeroBlock(block) || !validChecksum(block)) {
      // The end marker (tar stops at the first zero block), or something tar will reject: either way
      // nothing from here on is a file on disk, so the rest is kept raw.
      this.flushGroup(out, block);
      this.mode = 'trailer';
      return;
    }
    const type = String.fromCharCode(block[156]!);
    if (type === 'x' || type === 'g' || type === 'L' || type === 'K') {
      const size = readNumber(block, 124, 12);
      this.group.push(block);
      if (size > META_MAX) {
        this.flushGroup(out);
        this.mode = 'trailer';
        return;
      }
      this.metaType = type;
      this.metaSize = size;
      this.metaLeft = paddedSize(size);
      this.metaBody = [];
      if (this.metaLeft === 0) this.endMeta();
      else this.mode = 'meta';
      return;
    }
    this.onEntry(block, type, out);
  }

  private endMeta(): void {
    const body = Buffer.concat(this.metaBody).subarray(0, this.metaSize);
    this.metaBody = [];
    this.mode = 'header';
    if (this.metaType === 'x') for (const [k, v] of parsePax(body)) this.pax.set(k, v);
    else if (this.metaType === 'g') this.globalSeen = true;
    else if (this.metaType === 'L') this.longName = cString(body);
    else this.longLink = cString(body);
  }

  private onEntry(block: Buffer, type: string, out: Buffer[]): void {
    const paxPath = this.pax.get('path');
    const rawName = paxPath?.toString('utf8') ?? this.longName ?? headerName(block);
    const paxSize = this.pax.get('size');
    let size = paxSize ? Number(paxSize.toString('latin1')) : readNumber(block, 124, 12);
    if (HEADER_ONLY.has(type)) size = 0;
    const sparse = [...this.pax.keys()].some((k) => k.startsWith('GNU.sparse.'));
    this.pax = new Map();
    this.longName = undefined;
    this.longLink = undefined;
    if (!Number.isSafeInteger(size) || size < 0) {
      this.flushGroup(out, block);
      this.mode = 'trailer';
      return;
    }

    const isRegular = type === '0' || type === '\0' || type === '7';
    const p = diskPath(rawName);
    const kind: Kind = type === '5' || (isRegular && rawName.endsWith('/')) ? 'dir' : isRegular ? 'file' : 'other';
    const inject: Buffer[] = [];
    if (p !== undefined && p !== '') this.replace(p, kind, inject);

    const canRef =
      isRegular && kind === 'file' && p !== undefined && p !== '' && !this.globalSeen && !sparse && this.readableAt(p);
    this.flushGroup(out, block, inject);
    if (p !== undefined && p !== '') {
      this.kinds.set(p, kind);
      const base = p.slice(p.lastIndexOf('/') + 1);
      if (base.startsWith(WHITEOUT_PREFIX) && !base.startsWith(WHITEOUT_PREFIX + WHITEOUT_PREFIX)) {
        const dir = p.slice(0, Math.max(0, p.lastIndexOf('/')));
        const hidden = base.slice(WHITEOUT_PREFIX.length);
        if (hidden !== '' && hidden !== '.' && hidden !== '..') this.whiteouts.push(dir === '' ? hidden : `${dir}/${hidden}`);
      }
    }
    this.dataLeft = size;
    this.padLeft = paddedSize(size) - size;
    this.dataIsRef = canRef;
    if (canRef && p !== undefined) {
      const idx = this.refCount++;
      this.writer.addFile(p, size);
      this.liveRefs.set(p, idx);
      for (let j = p.indexOf('/'); j !== -1; j = p.indexOf('/', j + 1)) this.refDirs.add(p.slice(0, j));
    }
    this.mode = size > 0 ? 'data' : 'header';
  }

  /** A new entry at `p`: files it will destroy get a hard link injected before it. */
  private replace(p: string, kind: Kind, inject: Buffer[]): void {
    const lost = new Map<string, number>();
    const same = this.liveRefs.get(p);
    if (same !== undefined) lost.set(p, same);
    if (kind !== 'dir' && this.refDirs.has(p)) for (const [q, idx] of this.refsAt(p, false)) lost.set(q, idx);
    for (const [q, idx] of lost) {
      if (!this.injectedDir) {
        inject.push(encodeHeader({ name: `${this.keepName}/`, type: 'dir', mode: 0o700 }));
        this.injectedDir = true;
      }
      inject.push(encodeHeader({ name: `${this.keepName}/${idx}`, type: 'link', linkname: q, mode: 0o600 }));
      this.kept.add(idx);
      this.liveRefs.delete(q);
    }
  }

  /** Live references at `p` (when `self`) and below it. */
  private refsAt(p: string, self: boolean): [string, number][] {
    const prefix = `${p}/`;
    return [...this.liveRefs].filter(([q]) => (self && q === p) || q.startsWith(prefix));
  }

  /** True when tar writes `p` at `p`: no parent is a symlink or other non-directory, no whiteout name. */
  private readableAt(p: string): boolean {
    const parts = p.split('/');
    if (parts.some((c) => c.startsWith(WHITEOUT_PREFIX))) return false;
    let prefix = '';
    for (let k = 0; k < parts.length - 1; k++) {
      prefix = prefix === '' ? parts[k]! : `${prefix}/${parts[k]}`;
      const kind = this.kinds.get(prefix);
      if (kind !== undefined && kind !== 'dir') return false;
    }
    return true;
  }

  private flushGroup(out: Buffer[], last?: Buffer, inject: Buffer[] = []): void {
    if (last) this.group.push(last);
    out.push(...inject);
    for (const b of this.group) {
      this.writer.addRaw(b);
      out.push(b);
    }
    this.group = [];
  }
}

/**
 * Where GNU tar puts an entry: leading `/` removed, `.` and empty components dropped. Names with `..` are
 * refused by tar (undefined here, and the extraction fails).
 */
export function diskPath(name: string): string | undefined {
  const parts = name.split('/').filter((c) => c !== '' && c !== '.');
  if (parts.includes('..')) return undefined;
  return parts.join('/');
}

function cString(b: Buffer): string {
  const nul = b.indexOf(0);
  return b.toString('utf8', 0, nul === -1 ? b.length : nul);
}
